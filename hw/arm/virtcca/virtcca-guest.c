/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtcca-guest: the confidential-guest-support object that makes the
 * virtcca machine run its guest as a realm.
 *
 *   -object virtcca-guest,id=cca0,measurement-algorithm=sha256,...
 *   -M virtcca,confidential-guest-support=cca0
 *
 * virtCCA's own QEMU spells it "tmm-guest" with "measurement-algo": both
 * spellings are accepted, so command lines and libvirt XML written for
 * virtCCA servers work unchanged.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/base64.h"
#include "qemu/module.h"
#include "qom/object_interfaces.h"
#include "system/dump.h"
#include "virtcca-guest.h"

/* A dump would read the realm's memory: refused, as virtCCA does. */
static bool virtcca_guest_refuse_dump(Error **errp)
{
    error_setg(errp, "virtcca: a realm's memory is private to it; it "
               "cannot be dumped");
    return true;
}

void virtcca_guest_refuse_host_dumps(void)
{
    dump_guest_memory_refuse = virtcca_guest_refuse_dump;
}

static char *get_algo(Object *obj, Error **errp)
{
    return g_strdup(VIRTCCA_GUEST(obj)->hash_algo == 1 ? "sha512" : "sha256");
}

static void set_algo(Object *obj, const char *value, Error **errp)
{
    VirtccaGuest *g = VIRTCCA_GUEST(obj);

    if (!strcmp(value, "sha256")) {
        g->hash_algo = 0;
    } else if (!strcmp(value, "sha512")) {
        g->hash_algo = 1;
    } else {
        error_setg(errp, "measurement-algorithm: '%s' is not sha256 or "
                   "sha512", value);
    }
}

static char *get_rpv(Object *obj, Error **errp)
{
    VirtccaGuest *g = VIRTCCA_GUEST(obj);

    return g_base64_encode(g->rpv, sizeof(g->rpv));
}

static void set_rpv(Object *obj, const char *value, Error **errp)
{
    VirtccaGuest *g = VIRTCCA_GUEST(obj);
    g_autofree uint8_t *bytes = NULL;
    size_t len;

    bytes = qbase64_decode(value, -1, &len, errp);
    if (!bytes) {
        error_prepend(errp, "personalization-value: ");
        return;
    }
    if (len > sizeof(g->rpv)) {
        error_setg(errp, "personalization-value: %zu bytes, at most %zu",
                   len, sizeof(g->rpv));
        return;
    }
    memset(g->rpv, 0, sizeof(g->rpv));
    memcpy(g->rpv, bytes, len);
}

/* uint32 fields, @opaque being the field's offset in VirtccaGuest. */
static void get_u32(Object *obj, Visitor *v, const char *name, void *opaque,
                    Error **errp)
{
    uint32_t *field = (uint32_t *)((char *)obj + (uintptr_t)opaque);

    visit_type_uint32(v, name, field, errp);
}

static void set_u32(Object *obj, Visitor *v, const char *name, void *opaque,
                    Error **errp)
{
    uint32_t *field = (uint32_t *)((char *)obj + (uintptr_t)opaque);

    visit_type_uint32(v, name, field, errp);
}

/*
 * x-host-data-destroy: what a hostile host may do to a running realm at
 * any time, for tests: take back the DATA granule at an IPA with
 * RMI_DATA_DESTROY.  The realm then finds the IPA DESTROYED.
 */
static void set_host_data_destroy(Object *obj, Visitor *v, const char *name,
                                  void *opaque, Error **errp)
{
    VirtccaGuest *g = VIRTCCA_GUEST(obj);
    uint64_t ipa;

    if (!visit_type_uint64(v, name, &ipa, errp)) {
        return;
    }
    if (!g->realm) {
        error_setg(errp, "%s: the machine has no realm", name);
        return;
    }
    virtcca_realm_host_data_destroy(g->realm, ipa, errp);
}

#define DEFINE_STR_PROP(field)                                          \
static char *get_##field(Object *obj, Error **errp)                     \
{                                                                       \
    return g_strdup(VIRTCCA_GUEST(obj)->field);                         \
}                                                                       \
static void set_##field(Object *obj, const char *value, Error **errp)   \
{                                                                       \
    VirtccaGuest *g = VIRTCCA_GUEST(obj);                               \
    g_free(g->field);                                                   \
    g->field = g_strdup(value);                                         \
}

DEFINE_STR_PROP(rak_file)
DEFINE_STR_PROP(platform_key_file)
DEFINE_STR_PROP(measurement_log)

static void virtcca_guest_finalize(Object *obj)
{
    VirtccaGuest *g = VIRTCCA_GUEST(obj);

    g_free(g->rak_file);
    g_free(g->platform_key_file);
    g_free(g->measurement_log);
}

static void virtcca_guest_class_init(ObjectClass *oc, const void *data)
{
    virtcca_guest_reset_class_init(oc);
    object_class_property_add_str(oc, "measurement-algorithm", get_algo,
                                  set_algo);
    object_class_property_set_description(oc, "measurement-algorithm",
        "hash of the realm's measurements: sha256 (default) or sha512");
    /* virtCCA's tmm-guest spelling. */
    object_class_property_add_str(oc, "measurement-algo", get_algo,
                                  set_algo);
    object_class_property_set_description(oc, "measurement-algo",
        "alias of measurement-algorithm (virtCCA's spelling)");
    object_class_property_add_str(oc, "personalization-value", get_rpv,
                                  set_rpv);
    object_class_property_set_description(oc, "personalization-value",
        "realm personalization value, base64, up to 64 bytes");
    object_class_property_add(oc, "sve-vector-length", "uint32", get_u32,
        set_u32, NULL, (void *)offsetof(VirtccaGuest, sve_vl));
    object_class_property_set_description(oc, "sve-vector-length",
        "SVE vector length in bits for the realm (0: no SVE)");
    object_class_property_add(oc, "num-pmu-counters", "uint32", get_u32,
        set_u32, NULL, (void *)offsetof(VirtccaGuest, pmu_counters));
    object_class_property_set_description(oc, "num-pmu-counters",
        "PMU counters for the realm (0: no PMU)");
    object_class_property_add_str(oc, "rak-key", get_rak_file, set_rak_file);
    object_class_property_set_description(oc, "rak-key",
        "PEM file with the realm attestation key (P-384); default: "
        "generated at start");
    object_class_property_add_str(oc, "platform-key",
                                  get_platform_key_file,
                                  set_platform_key_file);
    object_class_property_set_description(oc, "platform-key",
        "PEM file with the platform attestation key (P-384); default: "
        "generated at start");
    object_class_property_add_str(oc, "measurement-log",
                                  get_measurement_log,
                                  set_measurement_log);
    object_class_property_set_description(oc, "measurement-log",
        "file to write the realm's launch plan to, for virtcca-measure");
    object_class_property_add(oc, "x-host-data-destroy", "uint64", NULL,
                              set_host_data_destroy, NULL, NULL);
    object_class_property_set_description(oc, "x-host-data-destroy",
        "testing: the host destroys the realm's DATA granule at this IPA "
        "(RMI_DATA_DESTROY), as a hostile host may");
}

static const TypeInfo virtcca_guest_types[] = {
    {
        .name = TYPE_VIRTCCA_GUEST,
        .parent = TYPE_CONFIDENTIAL_GUEST_SUPPORT,
        .instance_size = sizeof(VirtccaGuest),
        .instance_finalize = virtcca_guest_finalize,
        .class_init = virtcca_guest_class_init,
        .interfaces = (const InterfaceInfo[]) {
            { TYPE_USER_CREATABLE },
            { TYPE_RESETTABLE_INTERFACE },
            { }
        },
    }, {
        .name = TYPE_TMM_GUEST,
        .parent = TYPE_VIRTCCA_GUEST,
    },
};

DEFINE_TYPES(virtcca_guest_types)
