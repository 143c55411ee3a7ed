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
void *kvm_standin_run_page(KvmStandin *s, int vcpu_fd);

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
