/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -accel virtcca: KVM with the virtcca machine's guest run as a realm by
 * the host kernel, on openEuler virtCCA servers or on Arm CCA hosts.
 *
 * A subclass of the KVM accelerator, so QEMU's KVM vCPU loop, memory
 * listener, in-kernel GICv3 and KVM_EXIT_MEMORY_FAULT conversion are
 * reused as they are.  What it adds:
 *  - at start, it probes which realm API the host kernel speaks
 *    (kvm-launch.c) and refuses to start, saying what is missing, when
 *    there is none or an option of the virtcca-guest object cannot be
 *    honoured;
 *  - the VM is created with the realm VM type (through the machine's
 *    kvm_type hook) and given the realm parameters before any vCPU
 *    exists; vCPUs get the realm's KVM_ARM_VCPU_INIT features;
 *  - with upstream CCA, RAM is backed by guest_memfd, and RIPAS changes
 *    arrive as KVM_EXIT_MEMORY_FAULT, which QEMU's KVM code converts;
 *  - when the VM first runs, after reset placed the images, the machine's
 *    launch plan is executed as ioctls (populate with measurement, vCPU
 *    finalisation, activation) and the vCPUs' registers become the
 *    realm's: QEMU stops putting or getting them, and info registers and
 *    the gdbstub say so instead of showing QEMU's stale copy;
 *  - the refusals of the TCG path: no savevm or migration, and no reset
 *    of a realm in place (a reboot powers it off).
 */

#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "hw/boards.h"
#include "accel/accel-cpu-ops.h"
#include "migration/blocker.h"
#include "system/kvm.h"
#include "system/kvm_int.h"
#include "system/memory.h"
#include "system/address-spaces.h"
#include "system/runstate.h"
#include "system/runstate-action.h"
#include "hw/core/cpu-private-state.h"
#include "target/arm/cpu.h"
#include "target/arm/kvm_arm.h"
#include "hw/arm/virtcca/virtcca.h"
#include "hw/arm/virtcca/virtcca-guest.h"
#include "hw/arm/virtcca/realm-plan.h"
#include "virtcca-accel.h"
#include "kvm-launch.h"
#include "trace.h"

#define TYPE_VIRTCCA_ACCEL_STATE TYPE_VIRTCCA_ACCEL
OBJECT_DECLARE_SIMPLE_TYPE(VirtccaAccelState, VIRTCCA_ACCEL_STATE)

struct VirtccaAccelState {
    KVMState parent_obj;

    VirtccaKvmOps ops;
    VirtccaKvmCaps caps;
    VirtccaPlanParams params;
    VirtccaKvmLaunch launch;
    unsigned ipa_bits;
    bool launched;
    Error *migration_blocker;
};

/* There is one accelerator; the target/arm hooks have no opaque. */
static VirtccaAccelState *virtcca_accel;

static long virtcca_ioctl(void *opaque, int fd, unsigned long request,
                          void *arg)
{
    long ret;

    do {
        ret = ioctl(fd, request, arg);
    } while (ret < 0 && errno == EINTR);
    return ret < 0 ? -errno : ret;
}

static int virtcca_close(void *opaque, int fd)
{
    return close(fd) < 0 ? -errno : 0;
}

/* Guest RAM [ipa, ipa + size) in QEMU's own mapping, if one RAM block. */
static void *virtcca_ram_ptr(void *opaque, uint64_t ipa, uint64_t size)
{
    MemoryRegionSection sec = memory_region_find(get_system_memory(), ipa,
                                                 size);
    void *ptr = NULL;

    if (!sec.mr) {
        return NULL;
    }
    if (memory_region_is_ram(sec.mr) && int128_get64(sec.size) == size) {
        ptr = (uint8_t *)memory_region_get_ram_ptr(sec.mr) +
              sec.offset_within_region;
    }
    memory_region_unref(sec.mr);
    return ptr;
}

static const char *virtcca_kvm_path(VirtccaAccelState *s)
{
    return s->parent_obj.device ?: "/dev/kvm";
}

/*
 * The IPA width of the realm: the protected half (below the top bit)
 * must hold the whole memory map, RAM included.  48 bits when the host
 * allows, the width the Linux realm guest is known to handle.
 */
static bool virtcca_choose_ipa_bits(VirtccaAccelState *s, MachineState *ms)
{
    uint64_t top = virtcca_memmap[VIRTCCA_MEM].base + ms->ram_size;
    unsigned bits = MIN(48, s->caps.max_ipa_bits);

    if (bits < 2 || (1ULL << (bits - 1)) < top) {
        error_report("-m %" PRIu64 "M needs a realm IPA "
                     "space wider than this host's %u bits "
                     "(KVM_CAP_ARM_VM_IPA_SIZE)", ms->ram_size >> 20,
                     s->caps.max_ipa_bits);
        return false;
    }
    s->ipa_bits = bits;
    return true;
}

/* The options of virtcca-guest that the host kernel's monitor takes. */
static bool virtcca_map_options(VirtccaAccelState *s, VirtccaGuest *g)
{
    const char *id = object_get_canonical_path_component(OBJECT(g));
    VirtccaKvmOptions opts = {
        .hash_algo = g->hash_algo,
        .sve_vl = g->sve_vl,
        .pmu_counters = g->pmu_counters,
    };
    char err[256];

    /*
     * The attestation keys live in the host's monitor (the TMM, or the
     * RMM and its platform): QEMU cannot give it keys.
     */
    if (g->rak_file || g->platform_key_file) {
        error_report("-object %s: %s: the attestation keys belong to the "
                     "host's monitor; this option works under TCG only",
                     id, g->rak_file ? "rak-key" : "platform-key");
        return false;
    }
    memcpy(opts.rpv, g->rpv, sizeof(opts.rpv));
    virtcca_plan_params_init(&s->params);
    if (!virtcca_kvm_options_to_params(&s->caps, &opts, &s->params, err,
                                       sizeof(err))) {
        error_report("-object %s: %s", id, err);
        return false;
    }
    s->params.s2sz = s->ipa_bits;
    return true;
}

static int virtcca_vcpu_features(ARMCPU *cpu, uint32_t *features)
{
    CPUState *cs = CPU(cpu);

    virtcca_kvm_vcpu_features(&virtcca_accel->launch, !cs->start_powered_off,
                              features);
    trace_virtcca_accel_vcpu_features(cs->cpu_index, features[0]);
    return 0;
}

static bool virtcca_regs_protected(CPUState *cs)
{
    return virtcca_accel->launched;
}

/*
 * What QEMU holds of a vCPU's registers after launch is what it set
 * before: stale.  The host kernel cannot read a REC's registers either.
 */
static const char *virtcca_registers_withheld(CPUState *cs)
{
    if (!virtcca_accel || !virtcca_accel->launched) {
        return NULL;
    }
    return "-accel virtcca: the realm's registers belong to the host's "
           "monitor (a REC); KVM cannot read them";
}

static const KvmArmConfidentialOps virtcca_kvm_arm_ops = {
    .vcpu_features = virtcca_vcpu_features,
    .regs_protected = virtcca_regs_protected,
};

static bool virtcca_write_measurement_log(VirtccaGuest *g,
                                          const VirtccaPlan *plan,
                                          Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    char *text;
    bool ok;

    if (!g->measurement_log) {
        return true;
    }
    text = virtcca_plan_to_text(plan);
    ok = g_file_set_contents(g->measurement_log, text, -1, &gerr);
    free(text);
    if (!ok) {
        error_setg(errp, "measurement-log: %s", gerr->message);
    }
    return ok;
}

/* Execute the machine's launch plan: once, before the first KVM_RUN. */
static bool virtcca_launch(VirtccaAccelState *s, Error **errp)
{
    MachineState *ms = current_machine;
    VirtccaGuest *g = VIRTCCA_GUEST(ms->cgs);
    g_autofree int *fds = NULL;
    VirtccaPlan plan;
    char err[256];
    size_t i;
    bool ok = false;

    virtcca_plan_init(&plan);
    plan.params = s->params;
    if (!virtcca_machine_realm_plan(ms, &plan, errp) ||
        !virtcca_plan_check(&plan, err, sizeof(err))) {
        if (!*errp) {
            error_setg(errp, "the launch plan: %s", err);
        }
        goto out;
    }
    if (!virtcca_write_measurement_log(g, &plan, errp)) {
        goto out;
    }
    fds = g_new(int, plan.nr_recs);
    for (i = 0; i < plan.nr_recs; i++) {
        CPUState *cs;

        fds[i] = -1;
        CPU_FOREACH(cs) {
            if (arm_cpu_mp_affinity(ARM_CPU(cs)) == plan.recs[i].mpidr) {
                fds[i] = cs->kvm_fd;
            }
        }
        if (fds[i] < 0) {
            error_setg(errp, "no vCPU has MPIDR 0x%" PRIx64,
                       plan.recs[i].mpidr);
            goto out;
        }
    }
    trace_virtcca_accel_launch(plan.nr_recs, plan.nr_images);
    if (!virtcca_kvm_launch(&s->launch, &plan, fds, plan.nr_recs, err,
                            sizeof(err))) {
        error_setg(errp, "%s", err);
        goto out;
    }
    ok = true;
out:
    virtcca_plan_free(&plan);
    return ok;
}

static void virtcca_vm_state_change(void *opaque, bool running,
                                    RunState state)
{
    VirtccaAccelState *s = opaque;
    Error *err = NULL;

    if (!running || s->launched) {
        return;
    }
    if (!virtcca_launch(s, &err)) {
        error_reportf_err(err, "-accel virtcca: launching the realm "
                          "(%s): ", virtcca_kvm_api_name(s->caps.api));
        exit(1);
    }
    s->launched = true;
}

/* Which realm API the host kernel offers; false if none or no KVM. */
static bool virtcca_probe(VirtccaAccelState *s)
{
    const char *path = virtcca_kvm_path(s);
    char err[256];
    int fd;
    bool ok;

    fd = qemu_open_old(path, O_RDWR);
    if (fd < 0) {
        error_report("cannot open %s (%s): this host has "
                     "no KVM, so neither openEuler virtCCA "
                     "(KVM_CAP_ARM_TMM) nor Arm CCA realms", path,
                     strerror(errno));
        return false;
    }
    ok = virtcca_kvm_probe(&s->ops, fd, &s->caps, err, sizeof(err));
    close(fd);
    if (!ok) {
        error_report("%s: %s", path, err);
        return false;
    }
    trace_virtcca_accel_probe(virtcca_kvm_api_name(s->caps.api),
                              s->caps.monitor_version);
    if (s->caps.api == VIRTCCA_KVM_API_NONE) {
        error_report("%s: this host kernel offers neither "
                     "openEuler virtCCA (KVM_CAP_ARM_TMM) nor Arm CCA "
                     "realms (the CCA KVM host patches, revision 12 or "
                     "later, with TF-RMM)", path);
        return false;
    }
    return true;
}

static int virtcca_init_machine(AccelState *as, MachineState *ms)
{
    VirtccaAccelState *s = VIRTCCA_ACCEL_STATE(as);
    AccelClass *kvm_class = ACCEL_CLASS(object_class_by_name(TYPE_KVM_ACCEL));
    Error *local_err = NULL;
    char err[256];
    int ret;

    if (!object_dynamic_cast(OBJECT(ms), TYPE_VIRTCCA_MACHINE)) {
        error_report("runs realms on the virtcca machine "
                     "only (-M virtcca), not '%s'",
                     MACHINE_GET_CLASS(ms)->name);
        return -EINVAL;
    }
    if (!ms->cgs || !object_dynamic_cast(OBJECT(ms->cgs),
                                         TYPE_VIRTCCA_GUEST)) {
        error_report("needs a realm: -object "
                     "virtcca-guest,id=cca0 -M virtcca,"
                     "confidential-guest-support=cca0");
        return -EINVAL;
    }
    s->ops = (VirtccaKvmOps) {
        .opaque = s,
        .ioctl = virtcca_ioctl,
        .close = virtcca_close,
        .ram_ptr = virtcca_ram_ptr,
    };
    if (!virtcca_probe(s)) {
        return -ENODEV;
    }
    if (!virtcca_choose_ipa_bits(s, ms) ||
        !virtcca_map_options(s, VIRTCCA_GUEST(ms->cgs))) {
        return -EINVAL;
    }
    /* Upstream CCA keeps a realm's private memory in guest_memfd. */
    if (s->caps.api == VIRTCCA_KVM_API_UPSTREAM) {
        ms->cgs->require_guest_memfd = true;
    }

    virtcca_accel = s;
    ret = kvm_class->init_machine(as, ms);
    if (ret < 0) {
        return ret;
    }

    /* The realm's parameters, before any vCPU exists. */
    virtcca_kvm_launch_init(&s->launch, &s->ops, &s->caps,
                            s->parent_obj.vmfd);
    if (!virtcca_kvm_configure(&s->launch, &s->params, err, sizeof(err))) {
        error_report("configuring the realm (%s): %s",
                     virtcca_kvm_api_name(s->caps.api), err);
        return -EINVAL;
    }
    kvm_arm_confidential_ops = &virtcca_kvm_arm_ops;
    cpu_registers_withheld = virtcca_registers_withheld;

    error_setg(&s->migration_blocker, "-accel virtcca: a realm's memory "
               "and vCPU state are private to it; it cannot be saved, "
               "snapshotted or migrated");
    if (migrate_add_blocker(&s->migration_blocker, &local_err) < 0) {
        error_report_err(local_err);
        return -EINVAL;
    }
    virtcca_guest_refuse_host_dumps();
    /* The host cannot rebuild a realm in place: a reboot powers it off. */
    reboot_action = REBOOT_ACTION_SHUTDOWN;
    qemu_add_vm_change_state_handler(virtcca_vm_state_change, s);
    ms->cgs->ready = true;
    return 0;
}

static int virtcca_vm_type(AccelState *as, MachineState *ms)
{
    VirtccaAccelState *s = VIRTCCA_ACCEL_STATE(as);
    uint64_t type = virtcca_kvm_vm_type(&s->caps, s->ipa_bits);

    if (type > INT_MAX) {
        error_report("VM type 0x%" PRIx64 " out of range",
                     type);
        return -1;
    }
    return type;
}

static void virtcca_capabilities(AccelState *as, VirtccaCapabilities *caps)
{
    VirtccaAccelState *s = VIRTCCA_ACCEL_STATE(as);
    strList **tail = &caps->hash_algorithms;
    static const char *const algos[] = { "sha256", "sha512" };
    int i;

    caps->api = g_strdup(virtcca_kvm_api_name(s->caps.api));
    if (s->caps.api == VIRTCCA_KVM_API_OPENEULER) {
        caps->tmi_version = g_strdup_printf("%u.%u",
            (unsigned)(s->caps.monitor_version >> 16) & 0xffff,
            (unsigned)s->caps.monitor_version & 0xffff);
    }
    for (i = 0; i < ARRAY_SIZE(algos); i++) {
        if (s->caps.hash_algos & (1U << i)) {
            QAPI_LIST_APPEND(tail, g_strdup(algos[i]));
        }
    }
    caps->max_sve_vector_length = s->caps.max_sve_vl;
    caps->max_pmu_counters = s->caps.max_pmu_counters;
    caps->has_max_ipa_bits = true;
    caps->max_ipa_bits = s->caps.max_ipa_bits;
}

static void virtcca_accel_class_init(ObjectClass *oc, const void *data)
{
    AccelClass *ac = ACCEL_CLASS(oc);
    VirtccaAccelClass *vac = VIRTCCA_ACCEL_CLASS(oc);

    ac->name = "virtcca";
    ac->init_machine = virtcca_init_machine;
    vac->vm_type = virtcca_vm_type;
    vac->capabilities = virtcca_capabilities;
}

static const TypeInfo virtcca_accel_types[] = {
    {
        .name = TYPE_VIRTCCA_ACCEL,
        .parent = TYPE_KVM_ACCEL,
        .instance_size = sizeof(VirtccaAccelState),
        .class_size = sizeof(VirtccaAccelClass),
        .class_init = virtcca_accel_class_init,
    }, {
        /* The vCPU threads are KVM's, found by this accelerator's name. */
        .name = ACCEL_OPS_NAME("virtcca"),
        .parent = ACCEL_OPS_NAME("kvm"),
        .abstract = true,
    },
};

DEFINE_TYPES(virtcca_accel_types)
