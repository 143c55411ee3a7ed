/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's side of a realm's memory under TCG, as a KVM host keeps it:
 * the pool of secure granules it delegates (single granules, and whole
 * 2 MiB blocks), protected RAM backed at the realm's first touch, shared
 * RAM mapped at its first touch and unmapped when the realm takes it back,
 * memory the realm makes EMPTY taken back.  realm.c calls these from its
 * REC exit handling, with r->lock held unless said otherwise.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/units.h"
#include "exec/cputlb.h"
#include "exec/translation-block.h"
#include "hw/core/cpu.h"
#include "system/ramblock.h"
#include "system/runstate.h"
#include "system/tcg.h"
#include "realm-internal.h"
#include "host-memory.h"
#include "trace.h"

/*
 * The host's pool of secure granules: a bump allocator over the carve-out,
 * and the granules the host took back from the realm.
 */
bool virtcca_host_alloc_granule(void *opaque, uint64_t *pa)
{
    VirtccaRealm *r = opaque;

    r->granule_reused = r->free_granules->len;
    if (r->free_granules->len) {
        *pa = g_array_index(r->free_granules, uint64_t,
                            r->free_granules->len - 1);
        g_array_set_size(r->free_granules, r->free_granules->len - 1);
        return true;
    }
    if (r->next_granule >= r->block_top) {
        return false;
    }
    *pa = r->cfg.secure_base + r->next_granule++ * GRANULE;
    return true;
}

#define BLOCK_SIZE          (GRANULE << 9)  /* a level-2 RTT entry: 2 MiB */
#define BLOCK_GRANULES      (BLOCK_SIZE / GRANULE)

/* Contiguous, aligned secure memory for one block, from the top down. */
static bool host_alloc_block(VirtccaRealm *r, uint64_t *pa)
{
    if (r->block_top < r->next_granule + BLOCK_GRANULES) {
        return false;
    }
    r->block_top -= BLOCK_GRANULES;
    *pa = r->cfg.secure_base + r->block_top * GRANULE;
    return true;
}

/*
 * The monitor wrote secure memory behind TCG's back (through its own
 * pointer, not the memory API): code translated from what was there
 * before, by an earlier realm or for another IPA, must not run again.
 */
static void host_forget_code(VirtccaRealm *r, uint64_t pa, uint64_t size)
{
    ram_addr_t base = memory_region_get_ram_addr(r->cfg.secure_ram) +
                      (pa - r->cfg.secure_base);

    if (tcg_enabled() && size) {
        tb_invalidate_phys_range(current_cpu, base, base + size - 1);
    }
}

/*
 * First touch of protected RAM: the host gives it a zeroed granule.
 * Called with r->lock held.
 */
static bool host_populate(VirtccaRealm *r, uint64_t ipa)
{
    uint64_t data, st;
    bool ok;

    ok = virtcca_realm_delegated(r, &data);
    if (ok) {
        st = realm_rmi(r, TMM_RMI_DATA_CREATE_UNKNOWN, r->built.rd, data,
                       ipa, 0, NULL);
        /* The first granule of its 2 MiB: the level-3 table comes first. */
        if ((st & 0xff) == TMM_RMI_ERROR_RTT &&
            virtcca_realm_ensure_table(r, ipa, 3)) {
            st = realm_rmi(r, TMM_RMI_DATA_CREATE_UNKNOWN, r->built.rd, data,
                           ipa, 0, NULL);
        }
        ok = st == TMM_RMI_SUCCESS;
        if (!ok && realm_rmi(r, TMM_RMI_GRANULE_UNDELEGATE, data, 0, 0, 0,
                             NULL) == TMM_RMI_SUCCESS) {
            g_array_append_val(r->free_granules, data);
        }
    }
    /*
     * Code translated from a granule's earlier life must go; one never
     * handed out since the realm was built has none (virtcca_host_memory_reset
     * forgot the granules an earlier realm had).
     */
    if (ok && r->granule_reused) {
        host_forget_code(r, data, GRANULE);
    }
    if (!ok) {
        error_report_once("virtcca: cannot give the realm memory at IPA "
                          "0x%" PRIx64 ": secure memory exhausted?", ipa);
    }
    return ok;
}

/*
 * Whether the host has memory for the realm at @ipa: its RAM, as -m
 * sized it.  The realm may make any protected IPA RIPAS RAM; the host
 * backs only these (a KVM host has no memslot elsewhere).
 */
bool virtcca_host_has_ram_at(VirtccaRealm *r, uint64_t ipa)
{
    return ipa >= r->cfg.ram_base && ipa - r->cfg.ram_base < r->ms->ram_size;
}

/*
 * RTT_READ_ENTRY at @level: false if the call fails.  regs[1] is the
 * level the walk ended at, regs[2] the state, regs[4] the RIPAS.
 */
static bool host_read_entry(VirtccaRealm *r, uint64_t ipa, int level,
                            uint64_t *regs)
{
    regs[0] = TMM_RMI_RTT_READ_ENTRY;
    regs[1] = r->built.rd;
    regs[2] = ipa;
    regs[3] = level;
    tmm_rmi_call(r->tmm, regs);
    return regs[0] == TMM_RMI_SUCCESS;
}

/* The IPA range an RTT entry at @level maps: a granule, a block, ... */
static uint64_t host_entry_size(uint64_t level)
{
    return GRANULE << (9 * (3 - level));
}

/*
 * Memory the realm made EMPTY (to share it, or to give it back) is the
 * host's again, as with KVM, which frees a realm's private page when the
 * realm converts it: the DATA granules in [base, top) are destroyed here
 * and wait in r->reclaimed until every vCPU's TLB has dropped them
 * (virtcca_host_release_reclaimed).  Called with r->lock held.
 */
static void host_reclaim_empty(VirtccaRealm *r, uint64_t base, uint64_t top)
{
    uint64_t ipa = base, pa;

    while (ipa < top) {
        uint64_t regs[TMM_RMI_REGS];
        uint64_t block;

        if (!host_read_entry(r, ipa, 3, regs)) {
            return;
        }
        /* A whole block made EMPTY: split it, then destroy its granules. */
        if (regs[1] == 2 && regs[2] == TMM_RTTE_ASSIGNED &&
            regs[4] == TMM_RIPAS_EMPTY &&
            virtcca_realm_ensure_table(r, ipa, 3)) {
            continue;
        }
        if (regs[1] == 3 && regs[2] == TMM_RTTE_ASSIGNED &&
            regs[4] == TMM_RIPAS_EMPTY &&
            realm_rmi(r, TMM_RMI_DATA_DESTROY, r->built.rd, ipa, 0, 0, &pa) ==
            TMM_RMI_SUCCESS) {
            g_array_append_val(r->reclaimed, pa);
        }
        /* Past the entry the walk ended at: a granule or a whole block. */
        block = host_entry_size(regs[1]);
        ipa = (ipa & ~(block - 1)) + block;
    }
}

/*
 * In an exclusive section, after the flush of every vCPU's TLB was queued
 * ahead of it: the reclaimed granules go back to the host's pool, and
 * their memory to the host's allocator.
 */
void virtcca_host_release_reclaimed(CPUState *cs, run_on_cpu_data data)
{
    VirtccaRealm *r = data.host_ptr;
    RAMBlock *rb = r->cfg.secure_ram->ram_block;
    size_t i;

    uint64_t run_base = 0, run_size = 0;

    qemu_mutex_lock(&r->lock);
    for (i = 0; i < r->reclaimed->len; i++) {
        uint64_t pa = g_array_index(r->reclaimed, uint64_t, i);

        if (realm_rmi(r, TMM_RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, NULL) !=
            TMM_RMI_SUCCESS) {
            continue;
        }
        g_array_append_val(r->free_granules, pa);
        /* One discard per run of adjacent granules. */
        if (run_size && pa == run_base + run_size) {
            run_size += GRANULE;
            continue;
        }
        if (run_size) {
            ram_block_discard_range(rb, run_base - r->cfg.secure_base,
                                    run_size);
        }
        run_base = pa;
        run_size = GRANULE;
    }
    if (run_size) {
        ram_block_discard_range(rb, run_base - r->cfg.secure_base, run_size);
    }
    g_array_set_size(r->reclaimed, 0);
    qemu_mutex_unlock(&r->lock);
}

/*
 * Apply a RIPAS change the realm asked for; the host always accepts.
 * Called with r->lock held, as are the other exit handlers.
 */
void virtcca_host_set_ripas(VirtccaRealm *r, uint64_t rec, uint8_t *run)
{
    uint64_t base = ldq_le_p(run + TMM_REC_RUN_EXIT_RIPAS_BASE);
    uint64_t top = ldq_le_p(run + TMM_REC_RUN_EXIT_RIPAS_TOP);
    bool empty = run[TMM_REC_RUN_EXIT_RIPAS_VALUE] == TMM_RIPAS_EMPTY;
    uint64_t start = base, st, reached;
    int tries = 0;

    while (base < top && tries < 8) {
        st = realm_rmi(r, TMM_RMI_RTT_SET_RIPAS, r->built.rd, rec, base, top,
                       &reached);
        if (st == TMM_RMI_SUCCESS) {
            base = reached;
            tries = 0;
            continue;
        }
        /* A block only partly covered: split it and try again. */
        if ((st & 0xff) == TMM_RMI_ERROR_RTT && (st >> 8) < 3) {
            virtcca_realm_ensure_table(r, base, (st >> 8) + 1);
            tries++;
            continue;
        }
        break;
    }
    if (empty) {
        host_reclaim_empty(r, start, base);
    }
    stq_le_p(run + TMM_REC_RUN_ENTRY_FLAGS, 0);  /* RIPAS_RESPONSE: accept */
}

/*
 * Fault-around, as a KVM host maps more than the faulting page: the rest
 * of the aligned POPULATE_AROUND bytes around @ipa that the realm wants
 * as RAM and the host has not backed yet, so that a realm touching its
 * memory in order exits once per block, not once per granule.
 */
#define POPULATE_AROUND     (64 * KiB)

static void host_populate_around(VirtccaRealm *r, uint64_t ipa)
{
    uint64_t base = ipa & ~(POPULATE_AROUND - 1), g;
    TmmTranslation t;

    for (g = base; g < base + POPULATE_AROUND; g += GRANULE) {
        if (g != (ipa & ~(GRANULE - 1)) && virtcca_host_has_ram_at(r, g) &&
            tmm_realm_translate(r->tmm, r->built.rd, g, TMM_ACCESS_READ,
                                &t) == TMM_XLATE_EXIT &&
            t.ripas == TMM_RIPAS_RAM && !host_populate(r, g)) {
            return;
        }
    }
}

/*
 * First touch of a 2 MiB block the realm has not touched at all (its RTT
 * entry still the level-2 UNASSIGNED RAM that RTT_INIT_RIPAS made): the
 * host backs the whole block with contiguous granules and folds the
 * level-3 table back into one block entry (RMI_RTT_FOLD), as a KVM host
 * backed by huge pages does.  Stage 2 then ends at level 2 for all of
 * it, which is what makes the realm's TLB fills cheap: the level-3 RTTs
 * of a realm's whole RAM do not fit the host's caches, and TCG walks
 * stage 2 at every fill.  A block is split again (RTT_CREATE) where the
 * realm changes the RIPAS of part of it or the host destroys a granule.
 * Returns false, having changed nothing the realm can see, where the
 * block is not whole RAM the host has or secure memory runs short; the
 * caller then backs granules one by one.
 */
static bool host_populate_block(VirtccaRealm *r, uint64_t ipa)
{
    uint64_t base = ipa & ~(BLOCK_SIZE - 1), pa, rtt, i;
    uint64_t delegated = 0, created = 0;
    uint64_t regs[TMM_RMI_REGS];

    if (!virtcca_host_has_ram_at(r, base) ||
        !virtcca_host_has_ram_at(r, base + BLOCK_SIZE - GRANULE) ||
        !host_read_entry(r, base, 2, regs) || regs[1] != 2 ||
        regs[2] != TMM_RTTE_UNASSIGNED || regs[4] != TMM_RIPAS_RAM ||
        !host_alloc_block(r, &pa)) {
        return false;
    }
    while (delegated < BLOCK_GRANULES &&
           realm_rmi(r, TMM_RMI_GRANULE_DELEGATE, pa + delegated * GRANULE,
                     0, 0, 0, NULL) == TMM_RMI_SUCCESS) {
        delegated++;
    }
    if (delegated == BLOCK_GRANULES && virtcca_realm_ensure_table(r, base, 3)) {
        while (created < BLOCK_GRANULES &&
               realm_rmi(r, TMM_RMI_DATA_CREATE_UNKNOWN, r->built.rd,
                         pa + created * GRANULE, base + created * GRANULE,
                         0, NULL) == TMM_RMI_SUCCESS) {
            created++;
        }
    }
    if (created == BLOCK_GRANULES) {
        if (realm_rmi(r, TMM_RMI_RTT_FOLD, r->built.rd, base, 3, 0, &rtt) ==
            TMM_RMI_SUCCESS &&
            realm_rmi(r, TMM_RMI_GRANULE_UNDELEGATE, rtt, 0, 0, 0, NULL) ==
            TMM_RMI_SUCCESS) {
            g_array_append_val(r->free_granules, rtt);
            r->built.nr_rtts--;
        }
        return true;
    }
    /* Not expected: what the realm did not get goes to the granule pool. */
    for (i = created; i < delegated; i++) {
        uint64_t g = pa + i * GRANULE;

        if (realm_rmi(r, TMM_RMI_GRANULE_UNDELEGATE, g, 0, 0, 0, NULL) ==
            TMM_RMI_SUCCESS) {
            g_array_append_val(r->free_granules, g);
        }
    }
    return ipa - base < created * GRANULE;
}

/*
 * A stage-2 data abort exit at a protected IPA: the realm touched RAM, or
 * its RSI call named a buffer, that the host has not backed yet.  The
 * host gives it a granule; on re-entry the realm repeats the access or
 * the call.
 *
 * If the host took the granule back (RIPAS DESTROYED), or the IPA is
 * outside the realm's memory, nothing the host can do lets the realm go
 * on (RMM 1.0 lets a host answer only unprotected IPAs with an SEA): the
 * monitor would exit again at every retry.  A KVM host fails KVM_RUN
 * then, and the VMM stops the VM; so does this host, with the reason,
 * instead of spinning.
 */
void virtcca_host_protected_abort(VirtccaRealm *r, int cpu, uint8_t *run,
                                  const char *what)
{
    uint64_t ipa = (ldq_le_p(run + TMM_REC_RUN_EXIT_HPFAR) >> 4) << 12;
    TmmTranslation t;
    TmmXlateResult res;

    trace_virtcca_realm_unbacked(cpu, ipa);
    stq_le_p(run + TMM_REC_RUN_ENTRY_FLAGS, 0);
    res = tmm_realm_translate(r->tmm, r->built.rd, ipa, TMM_ACCESS_WRITE, &t);
    if (ipa < SHARED_BIT && res == TMM_XLATE_EXIT &&
        t.ripas == TMM_RIPAS_RAM && virtcca_host_has_ram_at(r, ipa)) {
        if (host_populate_block(r, ipa)) {
            return;
        }
        if (host_populate(r, ipa)) {
            host_populate_around(r, ipa);
            return;
        }
    }
    if (res != TMM_XLATE_OK) {
        error_report("virtcca: vCPU %d: the realm's %s at IPA "
                     "0x%" PRIx64 " is %s%s, which the host cannot back: "
                     "stopping the realm", cpu, what, ipa,
                     tmm_ripas_name(t.ripas),
                     virtcca_host_has_ram_at(r, ipa) ? "" :
                     " outside the realm's memory");
        /* From this vCPU's thread: it stops at once, the others follow. */
        vm_stop(RUN_STATE_INTERNAL_ERROR);
    }
}

/*
 * The unprotected alias @ipa of Non-secure RAM, which the realm touched
 * for the first time: the host maps it for sharing, as a KVM host does
 * on the stage-2 fault.  The realm's next try reaches it.  Called with
 * r->lock held.
 */
#define S2_MEMATTR_S1       (7ULL << 2)     /* FWB: stage 1 decides */
#define S2AP_RW             (3ULL << 6)

/*
 * Whether the realm made all of the protected 2 MiB block @base EMPTY.
 * Where a level-3 table divides it, its 512 RIPAS values are what
 * RTT_READ_ENTRY would give, read without 512 RMI calls.
 */
static bool host_block_all_empty(VirtccaRealm *r, uint64_t base)
{
    uint64_t regs[TMM_RMI_REGS], i;
    TmmTranslation t;

    if (!host_read_entry(r, base, 2, regs)) {
        return false;
    }
    if (regs[2] != TMM_RTTE_TABLE) {
        return regs[2] == TMM_RTTE_UNASSIGNED && regs[4] == TMM_RIPAS_EMPTY;
    }
    for (i = 0; i < BLOCK_GRANULES; i++) {
        if (tmm_realm_translate(r->tmm, r->built.rd, base + i * GRANULE,
                                TMM_ACCESS_READ, &t) != TMM_XLATE_SEA ||
            t.ripas != TMM_RIPAS_EMPTY) {
            return false;
        }
    }
    return true;
}

/*
 * A block the realm shared whole (its protected twin all EMPTY, as the
 * realm makes its DMA bounce buffers) is mapped whole, as a KVM host maps
 * a shared huge page: one first touch per 2 MiB, one stage-2 entry for
 * the TLB fills.  Not where a level-3 table already divides the block.
 */
static bool host_map_shared_block(VirtccaRealm *r, uint64_t ipa)
{
    uint64_t base = ipa & ~(BLOCK_SIZE - 1);
    uint64_t ram = base & ~SHARED_BIT;
    uint64_t regs[TMM_RMI_REGS];

    if (!virtcca_host_has_ram_at(r, ram) ||
        !virtcca_host_has_ram_at(r, ram + BLOCK_SIZE - GRANULE) ||
        !host_read_entry(r, base, 2, regs) ||
        regs[2] != TMM_RTTE_UNASSIGNED || !host_block_all_empty(r, ram) ||
        !virtcca_realm_ensure_table(r, base, 2)) {
        return false;
    }
    if (realm_rmi(r, TMM_RMI_RTT_MAP_UNPROTECTED, r->built.rd, base, 2,
                  ram | S2_MEMATTR_S1 | S2AP_RW, NULL) != TMM_RMI_SUCCESS) {
        return false;
    }
    trace_virtcca_host_shared_block(base);
    return true;
}

bool virtcca_host_map_shared(VirtccaRealm *r, uint64_t ipa)
{
    uint64_t page = ipa & ~(GRANULE - 1);
    uint64_t st;

    if (host_map_shared_block(r, ipa)) {
        return true;
    }
    if (!virtcca_realm_ensure_table(r, page, 3)) {
        return false;
    }
    st = realm_rmi(r, TMM_RMI_RTT_MAP_UNPROTECTED, r->built.rd, page, 3,
                   (page & ~SHARED_BIT) | S2_MEMATTR_S1 | S2AP_RW, NULL);
    /* Another vCPU may have mapped it meanwhile. */
    return st == TMM_RMI_SUCCESS ||
           (st & 0xff) == (TMM_RMI_ERROR_RTT & 0xff);
}

/*
 * The realm took back [base, top) (RIPAS RAM): the host's shared
 * mappings of its unprotected alias go.  Called with r->lock held.
 */
void virtcca_host_unmap_shared(VirtccaRealm *r, uint64_t base, uint64_t top)
{
    uint64_t ipa = (base & ~(GRANULE - 1)) | SHARED_BIT;

    top |= SHARED_BIT;
    base = ipa;
    while (ipa < top) {
        uint64_t regs[TMM_RMI_REGS];
        uint64_t size, start;

        if (!host_read_entry(r, ipa, 3, regs)) {
            return;
        }
        size = host_entry_size(regs[1]);
        start = ipa & ~(size - 1);
        if (regs[2] == TMM_RTTE_ASSIGNED && regs[1] < 3 &&
            (start < base || start + size > top) &&
            virtcca_realm_ensure_table(r, ipa, 3)) {
            /* A block the realm takes back part of: split, read again */
            trace_virtcca_host_shared_split(start);
            continue;
        }
        /* Whole, or not splittable (no memory): all of it goes */
        if (regs[2] == TMM_RTTE_ASSIGNED) {
            trace_virtcca_host_shared_unmap(start, regs[1]);
            realm_rmi(r, TMM_RMI_RTT_UNMAP_UNPROTECTED, r->built.rd, start,
                      regs[1], 0, NULL);
        }
        ipa = start + size;
    }
}

/* A vCPU forgets the translations of a granule the host took back. */
static void host_flush_vcpu_tlb(CPUState *cs, run_on_cpu_data data)
{
    tlb_flush(cs);
}

bool virtcca_realm_host_data_destroy(VirtccaRealm *r, uint64_t ipa,
                                     Error **errp)
{
    uint64_t st, pa = 0;
    CPUState *cs;

    if (!r->active) {
        error_setg(errp, "virtcca: no realm is running");
        return false;
    }
    qemu_mutex_lock(&r->lock);
    st = realm_rmi(r, TMM_RMI_DATA_DESTROY, r->built.rd, ipa, 0, 0, &pa);
    /* In a block the host backed whole: split it first. */
    if ((st & 0xff) == TMM_RMI_ERROR_RTT && (st >> 8) < 3 &&
        virtcca_realm_ensure_table(r, ipa, 3)) {
        st = realm_rmi(r, TMM_RMI_DATA_DESTROY, r->built.rd, ipa, 0, 0, &pa);
    }
    qemu_mutex_unlock(&r->lock);
    if (st != TMM_RMI_SUCCESS) {
        error_setg(errp, "virtcca: RMI_DATA_DESTROY at IPA 0x%" PRIx64
                   " failed: status 0x%" PRIx64, ipa, st);
        return false;
    }
    /*
     * The monitor invalidates the realm's TLB entries for the IPA before
     * it returns (the granule is scrubbed already).  Only then may the
     * host reuse the granule.
     */
    CPU_FOREACH(cs) {
        run_on_cpu(cs, host_flush_vcpu_tlb, RUN_ON_CPU_NULL);
    }
    qemu_mutex_lock(&r->lock);
    if (realm_rmi(r, TMM_RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, NULL) ==
        TMM_RMI_SUCCESS) {
        g_array_append_val(r->free_granules, pa);
    }
    qemu_mutex_unlock(&r->lock);
    return true;
}

void virtcca_host_memory_init(VirtccaRealm *r)
{
    r->block_top = ROUND_DOWN(r->secure_size, BLOCK_SIZE) / GRANULE;
}

void virtcca_host_memory_reset(VirtccaRealm *r)
{
    /*
     * A realm before this one (system_reset) may have run code from the
     * granules it was given: from the bump allocator's high-water mark
     * down, and the blocks from the top.  The first realm has none.
     */
    host_forget_code(r, r->cfg.secure_base, r->next_granule * GRANULE);
    host_forget_code(r, r->cfg.secure_base + r->block_top * GRANULE,
                     ROUND_DOWN(r->secure_size, BLOCK_SIZE) -
                     r->block_top * GRANULE);
    r->next_granule = 0;
    virtcca_host_memory_init(r);
    g_array_set_size(r->free_granules, 0);
    g_array_set_size(r->reclaimed, 0);
}
