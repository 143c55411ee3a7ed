/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The KVM path's ioctl layer: probing the host kernel's realm API and
 * executing a launch plan as its ioctls.  See kvm-launch.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm-launch.h"
#include "kvm-abi.h"
#include "tmm.h"
#include "measure/measure.h"

#define GRANULE             4096ULL
#define SVE_VL_MAX_BITS     2048
#define PMU_COUNTERS_MAX    31

const char *virtcca_kvm_api_name(VirtccaKvmApi api)
{
    switch (api) {
    case VIRTCCA_KVM_API_OPENEULER:
        return "openeuler-virtcca";
    case VIRTCCA_KVM_API_UPSTREAM:
        return "upstream-cca";
    default:
        return "none";
    }
}

static long kvm_ioctl(const VirtccaKvmOps *ops, int fd, unsigned long req,
                      void *arg)
{
    return ops->ioctl(ops->opaque, fd, req, arg);
}

/* Ioctls whose argument is a number rather than a pointer. */
static long kvm_ioctl_val(const VirtccaKvmOps *ops, int fd,
                          unsigned long req, uint64_t val)
{
    return ops->ioctl(ops->opaque, fd, req, (void *)(uintptr_t)val);
}

static long enable_cap(const VirtccaKvmOps *ops, int vm_fd, uint32_t cap,
                       uint64_t cmd, const void *arg)
{
    struct vkvm_enable_cap ec = {
        .cap = cap,
        .args = { cmd, (uint64_t)(uintptr_t)arg },
    };

    return kvm_ioctl(ops, vm_fd, VKVM_ENABLE_CAP, &ec);
}

static bool ioctl_error(char *err, size_t len, long ret, const char *what)
{
    return virtcca_plan_error(err, len, "%s: %s", what, strerror(-ret));
}

/* One openEuler CONFIG_CVM item. */
static long tmm_config(const VirtccaKvmOps *ops, int vm_fd,
                       const struct vkvm_tmm_config *item)
{
    return enable_cap(ops, vm_fd, VKVM_CAP_ARM_TMM,
                      VKVM_CAP_ARM_TMM_CONFIG_CVM, item);
}

static long tmm_config_u32(const VirtccaKvmOps *ops, int vm_fd, uint32_t cfg,
                           uint32_t value)
{
    struct vkvm_tmm_config item = { .cfg = cfg };

    /* hash_algo, sve_vq and num_pmu_cntrs share the union's first word. */
    item.hash_algo = value;
    return tmm_config(ops, vm_fd, &item);
}

/* One upstream realm parameter (see the UNVERIFIED note in kvm-abi.h). */
static long rmi_config(const VirtccaKvmOps *ops, int vm_fd, int cap,
                       const struct vkvm_rmi_config *item)
{
    return enable_cap(ops, vm_fd, cap, VKVM_CAP_ARM_RMI_CONFIG_REALM, item);
}

static long rmi_config_hash(const VirtccaKvmOps *ops, int vm_fd, int cap,
                            uint32_t algo)
{
    struct vkvm_rmi_config item = { .cfg = VKVM_RMI_CFG_HASH_ALGO };

    item.hash_algo = algo;
    return rmi_config(ops, vm_fd, cap, &item);
}

static unsigned probe_ipa_bits(const VirtccaKvmCaps *caps)
{
    /* The width the probe VMs ask for: any the host accepts will do. */
    return caps->max_ipa_bits < 48 ? caps->max_ipa_bits : 48;
}

/*
 * openEuler: KVM_CAP_ARM_TMM alone proves nothing (300 may mean something
 * else to another kernel); KVM_GET_TMI_VERSION answering with TMI major 2
 * does.  Limits come from CONFIG_CVM items a probe cVM accepts.
 */
static int probe_openeuler(const VirtccaKvmOps *ops, int kvm_fd,
                           VirtccaKvmCaps *caps, char *err, size_t len)
{
    uint64_t version = 0;
    long vm;
    uint32_t vq, n;

    if (kvm_ioctl_val(ops, kvm_fd, VKVM_CHECK_EXTENSION,
                      VKVM_CAP_ARM_TMM) <= 0 ||
        kvm_ioctl(ops, kvm_fd, VKVM_GET_TMI_VERSION, &version) < 0 ||
        version >> 16 != VKVM_TMI_ABI_MAJOR) {
        return 0;
    }
    vm = kvm_ioctl_val(ops, kvm_fd, VKVM_CREATE_VM,
                       VKVM_VM_TYPE_ARM_TMM | probe_ipa_bits(caps));
    if (vm < 0) {
        ioctl_error(err, len, vm, "KVM_CREATE_VM of a cVM (the host "
                    "reports TMI version 2)");
        return -1;
    }
    caps->api = VIRTCCA_KVM_API_OPENEULER;
    caps->monitor_version = version;
    if (tmm_config_u32(ops, vm, VKVM_TMM_CFG_HASH_ALGO,
                       VKVM_TMM_HASH_SHA256) == 0) {
        caps->hash_algos |= 1u << TMM_HASH_SHA256;
    }
    if (tmm_config_u32(ops, vm, VKVM_TMM_CFG_HASH_ALGO,
                       VKVM_TMM_HASH_SHA512) == 0) {
        caps->hash_algos |= 1u << TMM_HASH_SHA512;
    }
    for (vq = SVE_VL_MAX_BITS / 128; vq > 0; vq--) {
        if (tmm_config_u32(ops, vm, VKVM_TMM_CFG_SVE, vq) == 0) {
            caps->max_sve_vl = vq * 128;
            break;
        }
    }
    for (n = PMU_COUNTERS_MAX; n > 0; n--) {
        if (tmm_config_u32(ops, vm, VKVM_TMM_CFG_PMU, n) == 0) {
            caps->max_pmu_counters = n;
            break;
        }
    }
    ops->close(ops->opaque, vm);
    return 1;
}

/*
 * Upstream CCA: a realm VM type the kernel accepts.  Its realm capability
 * is whichever candidate number, on a realm VM, takes a realm parameter.
 */
static int probe_upstream(const VirtccaKvmOps *ops, int kvm_fd,
                          VirtccaKvmCaps *caps)
{
    static const int candidates[] = VKVM_RMI_CAP_CANDIDATES;
    long vm;
    size_t i;

    vm = kvm_ioctl_val(ops, kvm_fd, VKVM_CREATE_VM,
                       VKVM_VM_TYPE_ARM_REALM | probe_ipa_bits(caps));
    if (vm < 0) {
        return 0;
    }
    caps->api = VIRTCCA_KVM_API_UPSTREAM;
    /* The realm's default without a parameter call. */
    caps->hash_algos = 1u << TMM_HASH_SHA256;
    for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
        if (kvm_ioctl_val(ops, vm, VKVM_CHECK_EXTENSION,
                          candidates[i]) > 0 &&
            rmi_config_hash(ops, vm, candidates[i],
                            VKVM_RMI_HASH_SHA256) == 0) {
            caps->rmi_cap = candidates[i];
            break;
        }
    }
    if (caps->rmi_cap &&
        rmi_config_hash(ops, vm, caps->rmi_cap, VKVM_RMI_HASH_SHA512) == 0) {
        caps->hash_algos |= 1u << TMM_HASH_SHA512;
    }
    ops->close(ops->opaque, vm);
    return 1;
}

bool virtcca_kvm_probe(const VirtccaKvmOps *ops, int kvm_fd,
                       VirtccaKvmCaps *caps, char *err, size_t len)
{
    long ipa_bits;
    int found;

    memset(caps, 0, sizeof(*caps));
    ipa_bits = kvm_ioctl_val(ops, kvm_fd, VKVM_CHECK_EXTENSION,
                             VKVM_CAP_ARM_VM_IPA_SIZE);
    /* Without the capability KVM gives every VM 40 bits. */
    caps->max_ipa_bits = ipa_bits > 0 ? ipa_bits : 40;
    found = probe_openeuler(ops, kvm_fd, caps, err, len);
    if (found < 0) {
        return false;
    }
    if (!found) {
        probe_upstream(ops, kvm_fd, caps);
    }
    return true;
}

uint64_t virtcca_kvm_vm_type(const VirtccaKvmCaps *caps, unsigned ipa_bits)
{
    uint64_t type = ipa_bits & VKVM_VM_TYPE_ARM_IPA_SIZE_MASK;

    switch (caps->api) {
    case VIRTCCA_KVM_API_OPENEULER:
        return type | VKVM_VM_TYPE_ARM_TMM;
    case VIRTCCA_KVM_API_UPSTREAM:
        return type | VKVM_VM_TYPE_ARM_REALM;
    default:
        return type;
    }
}

static bool rpv_is_zero(const uint8_t *rpv)
{
    size_t i;

    for (i = 0; i < 64; i++) {
        if (rpv[i]) {
            return false;
        }
    }
    return true;
}

/* The upstream realm parameters this layer can pass: hash and RPV. */
static bool upstream_can_configure(const VirtccaKvmCaps *caps)
{
    return caps->api == VIRTCCA_KVM_API_UPSTREAM && caps->rmi_cap;
}

bool virtcca_kvm_options_to_params(const VirtccaKvmCaps *caps,
                                   const VirtccaKvmOptions *opts,
                                   VirtccaPlanParams *params,
                                   char *err, size_t len)
{
    const char *host = virtcca_kvm_api_name(caps->api);

    if (caps->api == VIRTCCA_KVM_API_NONE) {
        return virtcca_plan_error(err, len, "-accel virtcca: this host's "
                                  "kernel runs no realms (neither "
                                  "openEuler virtCCA nor upstream CCA)");
    }
    if (!tmm_hash_algo_valid(opts->hash_algo) ||
        !(caps->hash_algos & (1u << opts->hash_algo))) {
        return virtcca_plan_error(err, len, "measurement-algorithm=%s: "
                                  "this host (%s) offers %s only",
                                  tmm_hash_algo_valid(opts->hash_algo) ?
                                  tmm_hash_name(opts->hash_algo) : "?",
                                  host,
                                  caps->hash_algos &
                                  (1u << TMM_HASH_SHA512) ?
                                  "sha-256 and sha-512" : "sha-256");
    }
    if (!rpv_is_zero(opts->rpv) && caps->api == VIRTCCA_KVM_API_UPSTREAM &&
        !upstream_can_configure(caps)) {
        return virtcca_plan_error(err, len, "personalization-value: this "
                                  "host (%s) takes no realm parameters",
                                  host);
    }
    if (opts->sve_vl && (opts->sve_vl % 128 ||
                         opts->sve_vl > SVE_VL_MAX_BITS)) {
        return virtcca_plan_error(err, len, "sve-vector-length=%u: not a "
                                  "multiple of 128 bits up to %u",
                                  opts->sve_vl, SVE_VL_MAX_BITS);
    }
    if (opts->sve_vl > caps->max_sve_vl) {
        if (!caps->max_sve_vl) {
            return virtcca_plan_error(err, len, "sve-vector-length=%u: "
                                      "this host (%s) offers realms no SVE",
                                      opts->sve_vl, host);
        }
        return virtcca_plan_error(err, len, "sve-vector-length=%u: this "
                                  "host's TMM supports at most %u",
                                  opts->sve_vl, caps->max_sve_vl);
    }
    if (opts->pmu_counters > caps->max_pmu_counters) {
        return virtcca_plan_error(err, len, "num-pmu-counters=%u: this "
                                  "host (%s) offers realms at most %u",
                                  opts->pmu_counters, host,
                                  caps->max_pmu_counters);
    }
    params->hash_algo = opts->hash_algo;
    memcpy(params->rpv, opts->rpv, sizeof(params->rpv));
    params->flags &= ~(TMM_REALM_FLAG_SVE | TMM_REALM_FLAG_PMU);
    params->sve_vl = 0;
    params->pmu_num_ctrs = 0;
    if (opts->sve_vl) {
        /* RMM encodes the length as (bits / 128) - 1. */
        params->flags |= TMM_REALM_FLAG_SVE;
        params->sve_vl = opts->sve_vl / 128 - 1;
    }
    if (opts->pmu_counters) {
        params->flags |= TMM_REALM_FLAG_PMU;
        params->pmu_num_ctrs = opts->pmu_counters;
    }
    return true;
}

void virtcca_kvm_launch_init(VirtccaKvmLaunch *l, const VirtccaKvmOps *ops,
                             const VirtccaKvmCaps *caps, int vm_fd)
{
    memset(l, 0, sizeof(*l));
    l->ops = ops;
    l->caps = *caps;
    l->vm_fd = vm_fd;
    l->stage = VIRTCCA_KVM_STAGE_NEW;
}

static bool fail(VirtccaKvmLaunch *l, char *err, size_t len, long ret,
                 const char *what)
{
    l->stage = VIRTCCA_KVM_STAGE_FAILED;
    return ioctl_error(err, len, ret, what);
}

static bool configure_openeuler(VirtccaKvmLaunch *l,
                                const VirtccaPlanParams *p,
                                char *err, size_t len)
{
    const VirtccaKvmOps *ops = l->ops;
    struct vkvm_tmm_config item = { .cfg = VKVM_TMM_CFG_RPV };
    long ret;

    ret = tmm_config_u32(ops, l->vm_fd, VKVM_TMM_CFG_HASH_ALGO,
                         p->hash_algo == TMM_HASH_SHA512 ?
                         VKVM_TMM_HASH_SHA512 : VKVM_TMM_HASH_SHA256);
    if (ret < 0) {
        return fail(l, err, len, ret, "CONFIG_CVM measurement-algorithm");
    }
    memcpy(item.rpv, p->rpv, sizeof(item.rpv));
    ret = tmm_config(ops, l->vm_fd, &item);
    if (ret < 0) {
        return fail(l, err, len, ret, "CONFIG_CVM personalization-value");
    }
    if (p->flags & TMM_REALM_FLAG_SVE) {
        ret = tmm_config_u32(ops, l->vm_fd, VKVM_TMM_CFG_SVE, p->sve_vl + 1);
        if (ret < 0) {
            return fail(l, err, len, ret, "CONFIG_CVM sve-vector-length");
        }
    }
    if (p->flags & TMM_REALM_FLAG_PMU) {
        ret = tmm_config_u32(ops, l->vm_fd, VKVM_TMM_CFG_PMU,
                             p->pmu_num_ctrs);
        if (ret < 0) {
            return fail(l, err, len, ret, "CONFIG_CVM num-pmu-counters");
        }
    }
    if (p->num_bps || p->num_wps) {
        item = (struct vkvm_tmm_config) { .cfg = VKVM_TMM_CFG_DBG };
        item.num_brps = p->num_bps;
        item.num_wrps = p->num_wps;
        ret = tmm_config(ops, l->vm_fd, &item);
        if (ret < 0) {
            return fail(l, err, len, ret, "CONFIG_CVM breakpoints");
        }
    }
    ret = enable_cap(ops, l->vm_fd, VKVM_CAP_ARM_TMM,
                     VKVM_CAP_ARM_TMM_CREATE_RD, NULL);
    if (ret < 0) {
        return fail(l, err, len, ret, "KVM_CAP_ARM_TMM CREATE_RD");
    }
    return true;
}

static bool configure_upstream(VirtccaKvmLaunch *l,
                               const VirtccaPlanParams *p,
                               char *err, size_t len)
{
    struct vkvm_rmi_config item = { .cfg = VKVM_RMI_CFG_RPV };
    long ret;

    /*
     * Upstream KVM takes num_bps/num_wps from the VM's ID_AA64DFR0_EL1
     * BRPs/WRPs (the host CPU's unless changed), not from a realm config
     * item: only the plan's defaults, the 6 and 4 of Arm's cores, are what
     * it will pass.
     */
    if (p->flags & (TMM_REALM_FLAG_SVE | TMM_REALM_FLAG_PMU) ||
        p->num_bps != VIRTCCA_PLAN_NUM_BPS ||
        p->num_wps != VIRTCCA_PLAN_NUM_WPS) {
        l->stage = VIRTCCA_KVM_STAGE_FAILED;
        return virtcca_plan_error(err, len, "%s: not settable through the "
                                  "upstream CCA API",
                                  p->flags & TMM_REALM_FLAG_SVE ?
                                  "sve-vector-length" :
                                  p->flags & TMM_REALM_FLAG_PMU ?
                                  "num-pmu-counters" : "breakpoints");
    }
    if (!upstream_can_configure(&l->caps)) {
        if (p->hash_algo != TMM_HASH_SHA256 || !rpv_is_zero(p->rpv)) {
            l->stage = VIRTCCA_KVM_STAGE_FAILED;
            return virtcca_plan_error(err, len, "%s: this host takes no "
                                      "realm parameters",
                                      p->hash_algo != TMM_HASH_SHA256 ?
                                      "measurement-algorithm" :
                                      "personalization-value");
        }
        return true;
    }
    ret = rmi_config_hash(l->ops, l->vm_fd, l->caps.rmi_cap,
                          p->hash_algo == TMM_HASH_SHA512 ?
                          VKVM_RMI_HASH_SHA512 : VKVM_RMI_HASH_SHA256);
    if (ret < 0) {
        return fail(l, err, len, ret, "CONFIG_REALM measurement-algorithm");
    }
    memcpy(item.rpv, p->rpv, sizeof(item.rpv));
    ret = rmi_config(l->ops, l->vm_fd, l->caps.rmi_cap, &item);
    if (ret < 0) {
        return fail(l, err, len, ret, "CONFIG_REALM personalization-value");
    }
    return true;
}

bool virtcca_kvm_configure(VirtccaKvmLaunch *l,
                           const VirtccaPlanParams *params,
                           char *err, size_t len)
{
    bool ok;

    if (l->stage != VIRTCCA_KVM_STAGE_NEW) {
        return virtcca_plan_error(err, len, "the realm is already "
                                  "configured");
    }
    switch (l->caps.api) {
    case VIRTCCA_KVM_API_OPENEULER:
        ok = configure_openeuler(l, params, err, len);
        break;
    case VIRTCCA_KVM_API_UPSTREAM:
        ok = configure_upstream(l, params, err, len);
        break;
    default:
        return virtcca_plan_error(err, len, "the host runs no realms");
    }
    if (ok) {
        l->params = *params;
        l->stage = VIRTCCA_KVM_STAGE_CONFIGURED;
    }
    return ok;
}

void virtcca_kvm_vcpu_features(const VirtccaKvmLaunch *l, bool runnable,
                               uint32_t features[7])
{
    if (l->caps.api == VIRTCCA_KVM_API_OPENEULER) {
        features[VKVM_ARM_VCPU_TEC / 32] |= 1u << (VKVM_ARM_VCPU_TEC % 32);
    }
    if (!runnable) {
        features[0] |= 1u << VKVM_ARM_VCPU_POWER_OFF;
    }
}

/* The measured realm parameters: what the RIM's first step hashes. */
static bool same_measured_params(const VirtccaPlanParams *a,
                                 const VirtccaPlanParams *b)
{
    return a->hash_algo == b->hash_algo && a->s2sz == b->s2sz &&
           a->flags == b->flags && a->sve_vl == b->sve_vl &&
           a->num_bps == b->num_bps && a->num_wps == b->num_wps &&
           a->pmu_num_ctrs == b->pmu_num_ctrs &&
           !memcmp(a->rpv, b->rpv, sizeof(a->rpv));
}

static long set_reg(const VirtccaKvmOps *ops, int vcpu_fd, uint64_t id,
                    uint64_t value)
{
    struct vkvm_one_reg reg = { .id = id, .addr = (uintptr_t)&value };

    return kvm_ioctl(ops, vcpu_fd, VKVM_SET_ONE_REG, &reg);
}

/* A REC's entry state: its MPIDR, PC and x0..x7, as the plan gives them. */
static bool set_entry_regs(VirtccaKvmLaunch *l, const VirtccaPlanRec *rec,
                           int vcpu_fd, char *err, size_t len)
{
    long ret;
    int r;

    ret = set_reg(l->ops, vcpu_fd, VKVM_REG_MPIDR_EL1, rec->mpidr);
    if (ret >= 0) {
        ret = set_reg(l->ops, vcpu_fd, VKVM_REG_CORE_PC, rec->pc);
    }
    for (r = 0; ret >= 0 && r < 8; r++) {
        ret = set_reg(l->ops, vcpu_fd, VKVM_REG_CORE_X(r), rec->gprs[r]);
    }
    return ret >= 0 || fail(l, err, len, ret, "KVM_SET_ONE_REG of a REC's "
                            "entry state");
}

/*
 * Fill [base, top) at @dst with what step 3 measures there: the images'
 * bytes, zero elsewhere.  @dst may be guest RAM, where the machine's
 * plan takes its images from (openEuler measures guest RAM in place): an
 * image's bytes are moved, never cleared first, and only the gaps between
 * images are zeroed.
 */
static void range_content(const VirtccaPlan *plan, uint64_t base,
                          uint64_t top, uint8_t *dst)
{
    uint64_t pos = base;

    while (pos < top) {
        const VirtccaPlanImage *cover = NULL;
        uint64_t next = top;
        size_t i;

        for (i = 0; i < plan->nr_images; i++) {
            const VirtccaPlanImage *img = &plan->images[i];

            if (img->ipa <= pos && pos < img->ipa + img->size) {
                cover = img;
                break;
            }
            if (img->ipa > pos && img->ipa < next) {
                next = img->ipa;
            }
        }
        if (cover) {
            next = cover->ipa + cover->size < top ? cover->ipa + cover->size
                                                  : top;
            memmove(dst + (pos - base), cover->data + (pos - cover->ipa),
                    next - pos);
        } else {
            memset(dst + (pos - base), 0, next - pos);
        }
        pos = next;
    }
}

static bool launch_openeuler(VirtccaKvmLaunch *l, const VirtccaPlan *plan,
                             const VirtccaPlanRange *ranges, size_t nr,
                             const int *vcpu_fds, char *err, size_t len)
{
    const VirtccaKvmOps *ops = l->ops;
    struct vkvm_user_data ud = { 0 };
    struct vkvm_tmm_populate pop = { .flags = VKVM_TMM_POPULATE_MEASURE };
    int tec = VKVM_ARM_VCPU_TEC;
    long ret;
    size_t i;

    if (nr > 2) {
        l->stage = VIRTCCA_KVM_STAGE_FAILED;
        return virtcca_plan_error(err, len, "openEuler's POPULATE measures "
                                  "two ranges; the plan has %zu", nr);
    }
    if (plan->nr_ram != 1) {
        l->stage = VIRTCCA_KVM_STAGE_FAILED;
        return virtcca_plan_error(err, len, "openEuler's user data "
                                  "describes one RAM range; the plan has "
                                  "%zu", plan->nr_ram);
    }
    ud.loader_start = plan->ram[0].base;
    ud.ram_size = plan->ram[0].top - plan->ram[0].base;
    if (nr > 0) {
        ud.image_end = ranges[0].top;
        pop.base1 = ranges[0].base;
        pop.size1 = ranges[0].top - ranges[0].base;
    }
    if (nr > 1) {
        ud.initrd_start = ranges[1].base;
        ud.dtb_end = ranges[1].top;
        pop.base2 = ranges[1].base;
        pop.size2 = ranges[1].top - ranges[1].base;
    }
    ret = kvm_ioctl(ops, l->vm_fd, VKVM_LOAD_USER_DATA, &ud);
    if (ret < 0) {
        return fail(l, err, len, ret, "KVM_LOAD_USER_DATA");
    }
    /* The kernel measures guest RAM as it finds it: put the plan there. */
    for (i = 0; i < nr; i++) {
        uint8_t *dst = ops->ram_ptr(ops->opaque, ranges[i].base,
                                    ranges[i].top - ranges[i].base);

        if (!dst) {
            l->stage = VIRTCCA_KVM_STAGE_FAILED;
            return virtcca_plan_error(err, len, "populate range 0x%" PRIx64
                                      "-0x%" PRIx64 " is not guest RAM",
                                      ranges[i].base, ranges[i].top);
        }
        range_content(plan, ranges[i].base, ranges[i].top, dst);
    }
    if (nr) {
        ret = enable_cap(ops, l->vm_fd, VKVM_CAP_ARM_TMM,
                         VKVM_CAP_ARM_TMM_POPULATE_CVM, &pop);
        if (ret < 0) {
            return fail(l, err, len, ret, "KVM_CAP_ARM_TMM POPULATE_CVM");
        }
    }
    for (i = 0; i < plan->nr_recs; i++) {
        ret = kvm_ioctl(ops, vcpu_fds[i], VKVM_ARM_VCPU_FINALIZE, &tec);
        if (ret < 0) {
            return fail(l, err, len, ret, "KVM_ARM_VCPU_FINALIZE(TEC)");
        }
    }
    ret = enable_cap(ops, l->vm_fd, VKVM_CAP_ARM_TMM,
                     VKVM_CAP_ARM_TMM_ACTIVATE_CVM, NULL);
    if (ret < 0) {
        return fail(l, err, len, ret, "KVM_CAP_ARM_TMM ACTIVATE_CVM");
    }
    return true;
}

/* KVM_ARM_RMI_POPULATE: _IOWR from revision 13, _IOW in revision 12. */
static long rmi_populate(const VirtccaKvmOps *ops, int vm_fd,
                         struct vkvm_arm_rmi_populate *arg)
{
    struct vkvm_arm_rmi_populate copy = *arg;
    long ret;

    ret = kvm_ioctl(ops, vm_fd, VKVM_ARM_RMI_POPULATE, arg);
    if (ret == -ENOTTY) {
        *arg = copy;
        ret = kvm_ioctl(ops, vm_fd, VKVM_ARM_RMI_POPULATE_R12, arg);
        if (ret >= 0) {
            arg->size = 0;      /* _IOW: nothing comes back; all done */
        }
    }
    return ret;
}

static bool launch_upstream(VirtccaKvmLaunch *l, const VirtccaPlan *plan,
                            const VirtccaPlanRange *ranges, size_t nr,
                            char *err, size_t len)
{
    const VirtccaKvmOps *ops = l->ops;
    long ret;
    size_t i;

    /* Private memory: where the kernel initialises RIPAS to RAM. */
    for (i = 0; i < plan->nr_ram; i++) {
        struct vkvm_memory_attributes attr = {
            .address = plan->ram[i].base,
            .size = plan->ram[i].top - plan->ram[i].base,
            .attributes = VKVM_MEMORY_ATTRIBUTE_PRIVATE,
        };

        ret = kvm_ioctl(ops, l->vm_fd, VKVM_SET_MEMORY_ATTRIBUTES, &attr);
        if (ret < 0) {
            return fail(l, err, len, ret, "KVM_SET_MEMORY_ATTRIBUTES "
                        "(private)");
        }
    }
    for (i = 0; i < nr; i++) {
        uint64_t size = ranges[i].top - ranges[i].base;
        struct vkvm_arm_rmi_populate pop = {
            .base = ranges[i].base, .size = size,
            .flags = VKVM_RMI_POPULATE_MEASURE,
        };
        uint8_t *src;

        /* The source must be page aligned, like the range. */
        if (posix_memalign((void **)&src, GRANULE, size)) {
            l->stage = VIRTCCA_KVM_STAGE_FAILED;
            return virtcca_plan_error(err, len, "out of memory");
        }
        range_content(plan, ranges[i].base, ranges[i].top, src);
        pop.source_uaddr = (uintptr_t)src;
        /* The kernel may stop early; it reports what is left. */
        do {
            ret = rmi_populate(ops, l->vm_fd, &pop);
        } while ((ret >= 0 && pop.size) || ret == -EINTR || ret == -EAGAIN);
        free(src);
        if (ret < 0) {
            return fail(l, err, len, ret, "KVM_ARM_RMI_POPULATE");
        }
    }
    return true;
}

bool virtcca_kvm_launch(VirtccaKvmLaunch *l, const VirtccaPlan *plan,
                        const int *vcpu_fds, size_t nr_vcpus,
                        char *err, size_t len)
{
    VirtccaPlanRange *ranges = NULL;
    size_t nr, i;
    bool ok = true;

    if (l->stage != VIRTCCA_KVM_STAGE_CONFIGURED) {
        return virtcca_plan_error(err, len, "the realm is %s",
                                  l->stage == VIRTCCA_KVM_STAGE_NEW ?
                                  "not configured yet" :
                                  l->stage == VIRTCCA_KVM_STAGE_LAUNCHED ?
                                  "already launched" : "broken");
    }
    if (!virtcca_plan_check(plan, err, len)) {
        return false;
    }
    if (nr_vcpus != plan->nr_recs) {
        return virtcca_plan_error(err, len, "the plan has %zu RECs for %zu "
                                  "vCPUs", plan->nr_recs, nr_vcpus);
    }
    if (!same_measured_params(&plan->params, &l->params)) {
        return virtcca_plan_error(err, len, "the plan's realm parameters "
                                  "are not the ones configured");
    }
    for (i = 0; ok && i < nr_vcpus; i++) {
        ok = set_entry_regs(l, &plan->recs[i], vcpu_fds[i], err, len);
    }
    if (!ok) {
        return false;
    }
    nr = virtcca_plan_populate_ranges(plan, &ranges);
    if (l->caps.api == VIRTCCA_KVM_API_OPENEULER) {
        ok = launch_openeuler(l, plan, ranges, nr, vcpu_fds, err, len);
    } else {
        ok = launch_upstream(l, plan, ranges, nr, err, len);
    }
    free(ranges);
    if (ok) {
        l->stage = VIRTCCA_KVM_STAGE_LAUNCHED;
    }
    return ok;
}

bool virtcca_kvm_run_memory_fault(const void *run, uint64_t *gpa,
                                  uint64_t *size, bool *to_private)
{
    const struct vkvm_run *r = run;

    if (r->exit_reason != VKVM_EXIT_MEMORY_FAULT) {
        return false;
    }
    *gpa = r->memory_fault.gpa;
    *size = r->memory_fault.size;
    *to_private = r->memory_fault.flags & VKVM_MEMORY_EXIT_FLAG_PRIVATE;
    return true;
}

int virtcca_kvm_memory_fault(VirtccaKvmLaunch *l, uint64_t gpa,
                             uint64_t size, bool to_private)
{
    struct vkvm_memory_attributes attr = {
        .address = gpa, .size = size,
        .attributes = to_private ? VKVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
    };
    long ret;

    if (l->caps.api != VIRTCCA_KVM_API_UPSTREAM) {
        return -EOPNOTSUPP;
    }
    ret = kvm_ioctl(l->ops, l->vm_fd, VKVM_SET_MEMORY_ATTRIBUTES, &attr);
    return ret < 0 ? ret : 0;
}
