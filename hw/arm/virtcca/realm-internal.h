/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The realm under TCG, for its own files: what realm.c (the REC exits and
 * the realm's life) and host-memory.c (the host's side of its memory)
 * share.
 */
#ifndef HW_ARM_VIRTCCA_REALM_INTERNAL_H
#define HW_ARM_VIRTCCA_REALM_INTERNAL_H

#include "hw/boards.h"
#include "qemu/thread.h"
#include "system/memory.h"
#include "virtcca-guest.h"
#include "tmm.h"
#include "plan-rmi.h"
#include "monitor-el2.h"

#define REALM_S2SZ          48
#define SHARED_BIT          (1ULL << (REALM_S2SZ - 1))
#define GRANULE             TMM_GRANULE_SIZE

/*
 * Host-private buffers the host hands the monitor (RMI parameter blocks,
 * DATA_CREATE's source, the REC run structure).  Only the monitor maps
 * them: no guest or device view contains this window.
 */
#define HOST_SCRATCH_PA     0x0F000000ULL
#define SCRATCH_PLAN_PAGES  2   /* then one REC run structure per vCPU */

/*
 * An address window a master may not use: every access fails, is logged
 * as a guest error and counted.
 */
typedef struct RefusedWindow {
    const char *who;        /* the master: "device DMA", "realm" */
    const char *what;       /* the window */
    bool tell_user;         /* also report it on the host, once */
    uint64_t count;
} RefusedWindow;

struct VirtccaRealm {
    VirtccaGuest *guest;
    MachineState *ms;
    VirtccaRealmConfig cfg;

    uint8_t *secure_ptr;
    uint64_t secure_size;
    uint8_t *ns_ptr;
    uint64_t ns_size;
    uint8_t (*scratch)[GRANULE];
    unsigned nr_scratch;

    /* The realm parameters the vCPUs' ID registers follow. */
    uint64_t num_bps, num_wps;

    MemoryRegion dma_space;
    MemoryRegion dma_unprotected;
    MemoryRegion dma_doorbell;
    IOMMUMemoryRegion dma_protected;
    AddressSpace dma_as;
    RefusedWindow dma_refused;
    uint64_t host_refused;

    TmmAttestKeys *keys;
    Error *migration_blocker;
    Tmm *tmm;
    VirtccaPlanRealm built;
    /*
     * The host's side of the realm: its granule pool and its multi-call
     * steps (populating a granule, handling a REC exit), which vCPU threads
     * run without the BQL.  Single monitor calls need no lock here: the
     * monitor serialises them itself.
     */
    QemuMutex lock;
    uint64_t next_granule;
    /*
     * Whole 2 MiB blocks (host-memory.c) come from the top of the
     * carve-out, down to this granule index; single granules from the
     * bottom, up to it.
     */
    uint64_t block_top;
    GArray *free_granules;      /* undelegated granules given back */
    bool granule_reused;        /* the last one allocated came from there */
    /* Destroyed after the realm made them EMPTY, until TLBs forget them. */
    GArray *reclaimed;
    bool active;
    uint64_t (*exits)[VIRTCCA_EXIT__MAX];   /* REC exits, per vCPU */
};

/* One RMI call of the host's: x0's status, x1 into @out1. */
static inline uint64_t realm_rmi(VirtccaRealm *r, uint64_t fid, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4,
                                 uint64_t *out1)
{
    uint64_t regs[TMM_RMI_REGS] = { fid, a1, a2, a3, a4 };

    tmm_rmi_call(r->tmm, regs);
    if (out1) {
        *out1 = regs[1];
    }
    return regs[0];
}

/* The launch plan's host steps, for a built realm (r->lock held). */
bool virtcca_realm_delegated(VirtccaRealm *r, uint64_t *pa);
bool virtcca_realm_ensure_table(VirtccaRealm *r, uint64_t ipa, int level);

#endif
