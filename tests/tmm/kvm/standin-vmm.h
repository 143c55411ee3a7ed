/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal VMM over the kernel stand-in: what the virtcca accelerator
 * does around the ioctl layer (VM, memory slots, vCPUs), so tests can
 * launch a plan through kvm-launch.c as the accelerator would.
 */
#ifndef STANDIN_VMM_H
#define STANDIN_VMM_H

#include "kvm-launch.h"
#include "kvm-standin.h"

#define STANDIN_VMM_MAX_VCPUS   16
#define STANDIN_VMM_MAX_RAM     4

typedef struct StandinVmmRam {
    uint64_t base, size;
    uint8_t *host;                  /* the VMM's mapping of it */
} StandinVmmRam;

typedef struct StandinVmm {
    KvmStandin *standin;
    VirtccaKvmOps ops;
    VirtccaKvmCaps caps;
    VirtccaKvmLaunch launch;
    int kvm_fd, vm_fd;
    int vcpu_fds[STANDIN_VMM_MAX_VCPUS];
    size_t nr_vcpus;
    StandinVmmRam ram[STANDIN_VMM_MAX_RAM];
    size_t nr_ram;
} StandinVmm;

/* A stand-in host of @cfg, /dev/kvm opened and probed. */
bool standin_vmm_start(StandinVmm *m, const KvmStandinConfig *cfg,
                       char *err, size_t len);
/*
 * The realm VM for @plan: options from its parameters, KVM_CREATE_VM,
 * configure, RAM slots (guest_memfd for upstream CCA), one vCPU per REC.
 */
bool standin_vmm_create(StandinVmm *m, const VirtccaPlan *plan,
                        char *err, size_t len);
/* virtcca_kvm_launch(), then the first KVM_RUN of vCPU 0. */
bool standin_vmm_launch(StandinVmm *m, const VirtccaPlan *plan,
                        char *err, size_t len);
void standin_vmm_stop(StandinVmm *m);

/* Secure memory the stand-in's monitor needs for @plan. */
uint64_t standin_vmm_secure_size(const VirtccaPlan *plan);

#endif
