/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The KVM path's ioctl layer: a launch plan (hw/arm/virtcca/plan/plan.h)
 * turned into the host kernel's realm ioctls, for the two host kernel APIs
 * (docs/system/arm/virtcca.rst, "The KVM path's ioctl layer"):
 *
 *   openEuler virtCCA   KVM_CAP_ARM_TMM, VM type bit 8, CONFIG_CVM items,
 *                       CREATE_RD, KVM_LOAD_USER_DATA, POPULATE_CVM (two
 *                       measured ranges), KVM_ARM_VCPU_TEC finalize,
 *                       ACTIVATE_CVM.
 *   upstream Arm CCA    revision 12 onward: realm VM type 1 << 30,
 *                       guest_memfd-backed private memory,
 *                       KVM_ARM_RMI_POPULATE per range, realm created and
 *                       activated by the kernel, RIPAS changes arriving as
 *                       KVM_EXIT_MEMORY_FAULT.
 *
 * The API is chosen by probing the host; no capability number is trusted
 * without a call that only the real interface answers.
 *
 * QEMU-free (libc and plan.h only): every ioctl goes through an injected
 * ops table, so the accelerator passes ioctl(2) and the tests pass the
 * kernel stand-in (tests/tmm/kvm/), which forwards to the TMM core.
 *
 * Order of calls for a realm:
 *   virtcca_kvm_probe()               once, on /dev/kvm
 *   virtcca_kvm_options_to_params()   the -object virtcca-guest options
 *   KVM_CREATE_VM(virtcca_kvm_vm_type())          by the caller
 *   virtcca_kvm_launch_init(), virtcca_kvm_configure()
 *   KVM_CREATE_VCPU, KVM_ARM_VCPU_INIT with virtcca_kvm_vcpu_features(),
 *   memory slots (guest_memfd for upstream CCA)   by the caller
 *   virtcca_kvm_launch()              after the images are in the plan
 *   KVM_RUN ...; on KVM_EXIT_MEMORY_FAULT: virtcca_kvm_memory_fault()
 */
#ifndef VIRTCCA_KVM_LAUNCH_H
#define VIRTCCA_KVM_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

typedef enum VirtccaKvmApi {
    VIRTCCA_KVM_API_NONE = 0,       /* the host runs no realms */
    VIRTCCA_KVM_API_OPENEULER,      /* openEuler virtCCA (KVM_CAP_ARM_TMM) */
    VIRTCCA_KVM_API_UPSTREAM,       /* upstream Arm CCA, revision 12+ */
} VirtccaKvmApi;

/* "none", "openeuler-virtcca", "upstream-cca": also the QMP spelling. */
const char *virtcca_kvm_api_name(VirtccaKvmApi api);

/*
 * How the layer reaches the kernel.  Every function returns what ioctl(2)
 * would, except that failures return -errno instead of -1 and errno.
 */
typedef struct VirtccaKvmOps {
    void *opaque;
    long (*ioctl)(void *opaque, int fd, unsigned long request, void *arg);
    int (*close)(void *opaque, int fd);
    /*
     * The host address of guest RAM [ipa, ipa + size) in the VMM's own
     * (shared) mapping, or NULL if the range is not one block of RAM.
     * openEuler's POPULATE measures what this memory holds.
     */
    void *(*ram_ptr)(void *opaque, uint64_t ipa, uint64_t size);
} VirtccaKvmOps;

/* What the host offers, for -accel virtcca and query-virtcca-capabilities. */
typedef struct VirtccaKvmCaps {
    VirtccaKvmApi api;
    /*
     * openEuler: KVM_GET_TMI_VERSION (major << 16 | minor); upstream CCA:
     * 0, its user API does not report the RMI version.
     */
    uint64_t monitor_version;
    uint32_t hash_algos;        /* bit n: TmmHashAlgo n can be chosen */
    uint32_t max_sve_vl;        /* bits; 0: realms cannot have SVE */
    uint32_t max_pmu_counters;  /* 0: realms cannot have a PMU */
    unsigned max_ipa_bits;      /* KVM_CAP_ARM_VM_IPA_SIZE */
    int rmi_cap;                /* upstream: the capability probed to work */
} VirtccaKvmCaps;

/*
 * Find out which API @kvm_fd (/dev/kvm) speaks and what it offers; may
 * create and close a probe VM.  A host with neither API is not an error:
 * caps->api is VIRTCCA_KVM_API_NONE.  False with a message in @err only
 * when the host claims an API and then misbehaves.
 */
bool virtcca_kvm_probe(const VirtccaKvmOps *ops, int kvm_fd,
                       VirtccaKvmCaps *caps, char *err, size_t len);

/* The KVM_CREATE_VM type for a realm with an @ipa_bits IPA space. */
uint64_t virtcca_kvm_vm_type(const VirtccaKvmCaps *caps, unsigned ipa_bits);

/* The -object virtcca-guest (tmm-guest) options, in their own units. */
typedef struct VirtccaKvmOptions {
    uint8_t hash_algo;          /* TmmHashAlgo */
    uint8_t rpv[64];
    uint32_t sve_vl;            /* sve-vector-length, bits; 0: none */
    uint32_t pmu_counters;      /* num-pmu-counters; 0: none */
} VirtccaKvmOptions;

/*
 * Map the options onto the realm parameters of a plan (hash_algo, rpv,
 * flags, sve_vl, pmu_num_ctrs; s2sz is left alone).  An option this host
 * cannot honour fails with a message naming it, for example
 * "sve-vector-length=512: this host's TMM supports at most 256".
 */
bool virtcca_kvm_options_to_params(const VirtccaKvmCaps *caps,
                                   const VirtccaKvmOptions *opts,
                                   VirtccaPlanParams *params,
                                   char *err, size_t len);

typedef enum VirtccaKvmStage {
    VIRTCCA_KVM_STAGE_NEW = 0,      /* VM created */
    VIRTCCA_KVM_STAGE_CONFIGURED,   /* parameters given (and RD created) */
    VIRTCCA_KVM_STAGE_LAUNCHED,     /* populated; activated or to be at run */
    VIRTCCA_KVM_STAGE_FAILED,
} VirtccaKvmStage;

/* One realm VM being launched. */
typedef struct VirtccaKvmLaunch {
    const VirtccaKvmOps *ops;
    VirtccaKvmCaps caps;
    int vm_fd;
    VirtccaKvmStage stage;
    VirtccaPlanParams params;       /* as given to virtcca_kvm_configure() */
} VirtccaKvmLaunch;

void virtcca_kvm_launch_init(VirtccaKvmLaunch *l, const VirtccaKvmOps *ops,
                             const VirtccaKvmCaps *caps, int vm_fd);

/*
 * Hand the realm parameters to the kernel: openEuler CONFIG_CVM items
 * then CREATE_RD; upstream CCA its realm configuration.  Before any vCPU
 * is created.  @params->s2sz must match the VM type's IPA width.
 */
bool virtcca_kvm_configure(VirtccaKvmLaunch *l,
                           const VirtccaPlanParams *params,
                           char *err, size_t len);

/*
 * OR into @features (KVM_ARM_VCPU_INIT's features[7]) what a realm vCPU
 * needs: KVM_ARM_VCPU_TEC on openEuler; KVM_ARM_VCPU_POWER_OFF for a REC
 * the plan does not mark runnable.
 */
void virtcca_kvm_vcpu_features(const VirtccaKvmLaunch *l, bool runnable,
                               uint32_t features[7]);

/*
 * Execute @plan: entry registers of each REC (vcpu_fds[i] is plan REC i,
 * initialised with virtcca_kvm_vcpu_features()), then
 *   openEuler: KVM_LOAD_USER_DATA, the populate ranges' content written to
 *     guest RAM, POPULATE_CVM (measured), TEC finalize of each vCPU,
 *     ACTIVATE_CVM;
 *   upstream CCA: RAM marked private, KVM_ARM_RMI_POPULATE (measured) for
 *     each populate range; the kernel activates at the first KVM_RUN.
 * The plan's populate ranges are virtcca_plan_populate_ranges(); openEuler
 * takes at most two.  False with the failing step in @err.
 */
bool virtcca_kvm_launch(VirtccaKvmLaunch *l, const VirtccaPlan *plan,
                        const int *vcpu_fds, size_t nr_vcpus,
                        char *err, size_t len);

/*
 * A KVM_EXIT_MEMORY_FAULT of @run (the vCPU's mmap'ed struct kvm_run):
 * true with the range and whether the realm wants it private.
 */
bool virtcca_kvm_run_memory_fault(const void *run, uint64_t *gpa,
                                  uint64_t *size, bool *to_private);

/*
 * Convert [gpa, gpa + size) as the realm asked (upstream CCA): set the
 * memory attributes; the kernel applies the RIPAS change at the next
 * KVM_RUN.  Returns 0 or -errno.
 */
int virtcca_kvm_memory_fault(VirtccaKvmLaunch *l, uint64_t gpa,
                             uint64_t size, bool to_private);

#endif
