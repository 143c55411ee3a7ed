/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel stand-in: the real thing needs CCA hardware.
 *
 * A user-space model of the host kernel's KVM realm ioctls, for testing
 * the accelerator's ioctl layer (accel/virtcca/kvm-launch.c) without a
 * realm-capable host.  It enforces each API's documented rules (argument
 * checks, call order, alignment, state), refusing with the errno the
 * kernel would, and forwards to the TMM core with the RMI calls the host
 * kernel makes (delegate, REALM_CREATE, RTT, DATA_CREATE, REC_CREATE,
 * REALM_ACTIVATE), so the TMM core computes the realm's RIM.
 *
 * It is not a kernel: file descriptors are table indices, guest RAM is
 * read straight from the VMM's (same process) memory, no guest code runs;
 * KVM_RUN enters the REC and exits again, carrying out what a test asked
 * the realm to do (kvm_standin_guest_set_ripas()).
 */
#ifndef KVM_STANDIN_H
#define KVM_STANDIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum KvmStandinApi {
    KVM_STANDIN_MAINLINE = 0,   /* no realm API; colliding numbers answer */
    KVM_STANDIN_OPENEULER,      /* openEuler virtCCA */
    KVM_STANDIN_UPSTREAM,       /* upstream Arm CCA, revision 12+ */
} KvmStandinApi;

typedef struct KvmStandinConfig {
    KvmStandinApi api;
    int upstream_revision;      /* 12, 13 or 14 (KVM_ARM_RMI_POPULATE) */
    int rmi_cap;                /* the upstream realm capability's number */
    uint64_t secure_size;       /* the monitor's carve-out; 0: 256 MiB */
    /*
     * A realm's first KVM_RUN boots it: the REC's entry state is checked
     * (PC in the realm's measured memory, x0 its DTB, MPIDR the vCPU's)
     * and the realm powers off (PSCI SYSTEM_OFF: a shutdown system
     * event; a crash one if the check failed).  KVM_RUN of a vCPU with
     * nothing to run blocks until a signal the vCPU's signal mask lets
     * through (KVM_STANDIN_WOULD_BLOCK, then kvm_standin_block()).
     * Without it, KVM_RUN exits at once with KVM_EXIT_INTR.
     */
    bool boot_guest;
} KvmStandinConfig;

typedef struct KvmStandin KvmStandin;

KvmStandin *kvm_standin_new(const KvmStandinConfig *cfg);
void kvm_standin_free(KvmStandin *s);

/* open("/dev/kvm") */
int kvm_standin_open(KvmStandin *s);
/* ioctl(2) on a stand-in fd: >= 0, or -errno. */
long kvm_standin_ioctl(KvmStandin *s, int fd, unsigned long request,
                       void *arg);
int kvm_standin_close(KvmStandin *s, int fd);
/* What mmap() of a vCPU fd gives: its struct kvm_run. */
#define KVM_STANDIN_RUN_SIZE    4096
void *kvm_standin_run_page(KvmStandin *s, int vcpu_fd);
bool kvm_standin_is_run_page(KvmStandin *s, const void *page);

/*
 * For a process-wide stand-in (kvm-standin-preload.c), whose file
 * descriptors must be real ones:
 * the kind of file ioctl @request on @fd answers with a new descriptor
 * for ("kvm-standin-vm", "-vcpu", "-gmem", "-device"), else NULL; for
 * KVM_CREATE_DEVICE the new descriptor is in the argument, not returned.
 */
const char *kvm_standin_fd_kind_of_answer(KvmStandin *s, int fd,
                                          unsigned long request);
/* KVM_RUN answered this: block (outside any lock) in kvm_standin_block. */
#define KVM_STANDIN_WOULD_BLOCK 1000
/* Sleep until a signal the vCPU's KVM_SET_SIGNAL_MASK admits: -EINTR. */
long kvm_standin_block(KvmStandin *s, int vcpu_fd);
/*
 * What the monitor saw of the last realm VM, even once it is closed: the
 * realm calls in order, its RIM, DATA granules and RECs, and the first
 * REC's entry state as its first KVM_RUN found it.  One JSON object.
 */
void kvm_standin_write_report(KvmStandin *s, FILE *f);

/*
 * Windows a kernel does not have, for tests:
 * the RIM as the realm reads it (RSI MEASUREMENT_READ on its first REC),
 * false before activation; @size gets the hash size.
 */
bool kvm_standin_read_rim(KvmStandin *s, int vm_fd, uint8_t *rim,
                          size_t *size);
/*
 * At the next KVM_RUN of @vcpu_fd the realm asks RSI_IPA_STATE_SET for
 * [base, top) to become RAM (or EMPTY); the outcome, once the REC ran
 * again after the VMM's answer, is kvm_standin_guest_result().
 */
void kvm_standin_guest_set_ripas(KvmStandin *s, int vcpu_fd, uint64_t base,
                                 uint64_t top, bool ram);
/* RSI status and x1 (top reached) of the last request; false if none. */
bool kvm_standin_guest_result(KvmStandin *s, int vcpu_fd, uint64_t *status,
                              uint64_t *top);
/* RIPAS of @ipa as the monitor holds it (TMM_RIPAS_*), -1 if unknown. */
int kvm_standin_ripas(KvmStandin *s, int vm_fd, uint64_t ipa);
/* DATA granules created for the VM's realm. */
size_t kvm_standin_data_granules(KvmStandin *s, int vm_fd);

#endif
