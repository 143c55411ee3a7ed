/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's side of a realm's memory under TCG (host-memory.c).
 */
#ifndef HW_ARM_VIRTCCA_HOST_MEMORY_H
#define HW_ARM_VIRTCCA_HOST_MEMORY_H

#include "hw/core/cpu.h"
#include "virtcca-guest.h"

/* The pool, at realm creation and at every build of a realm. */
void virtcca_host_memory_init(VirtccaRealm *r);
void virtcca_host_memory_reset(VirtccaRealm *r);

/* The launch plan's allocator (VirtccaPlanHost.alloc_granule). */
bool virtcca_host_alloc_granule(void *opaque, uint64_t *pa);

/* Whether @ipa (protected half) is in the realm's RAM as -m sized it. */
bool virtcca_host_has_ram_at(VirtccaRealm *r, uint64_t ipa);

/* A stage-2 abort exit at a protected IPA: back it, or stop the realm. */
void virtcca_host_protected_abort(VirtccaRealm *r, int cpu, uint8_t *run,
                                  const char *what);

/* First touch of shared RAM at unprotected @ipa; its unmapping. */
bool virtcca_host_map_shared(VirtccaRealm *r, uint64_t ipa);
void virtcca_host_unmap_shared(VirtccaRealm *r, uint64_t base, uint64_t top);

/* A RIPAS change exit: accepted; memory made EMPTY is taken back ... */
void virtcca_host_set_ripas(VirtccaRealm *r, uint64_t rec, uint8_t *run);
/* ... and released once every vCPU's TLB has forgotten it. */
void virtcca_host_release_reclaimed(CPUState *cs, run_on_cpu_data data);

#endif
