/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core: realm translation tables.
 *
 * RTTs are VMSAv8-64 stage-2 tables with a 4 KiB granule.  An entry is a
 * hardware descriptor; what the hardware ignores carries the RMM state:
 *   - TABLE: bits[1:0] = 0b11 at levels 0..2, next-level table address.
 *   - otherwise software bits [56:55] hold HIPAS (0 UNASSIGNED,
 *     1 ASSIGNED) and [58:57] the RIPAS.  A protected ASSIGNED entry is
 *     valid (a page at level 3, a block above) only while its RIPAS is RAM;
 *     with EMPTY or DESTROYED it keeps its output address but is invalid,
 *     so the realm cannot reach the DATA granule.  Unprotected ASSIGNED
 *     entries are valid with the host's MemAttr and S2AP, never
 *     executable.
 */
#include <stdio.h>

#include "tmm-internal.h"

#define DESC_TYPE_MASK      3ULL
#define DESC_TABLE          3ULL
#define DESC_PAGE           3ULL
#define DESC_BLOCK          1ULL
#define DESC_MEMATTR        (0xfULL << 2)
#define DESC_S2AP           (3ULL << 6)
#define DESC_S2AP_R         (1ULL << 6)
#define DESC_S2AP_W         (2ULL << 6)
#define DESC_SH_INNER       (3ULL << 8)
#define DESC_AF             (1ULL << 10)
#define DESC_MEMATTR_WB     (0xfULL << 2)
#define DESC_XN_ALL         (2ULL << 53)    /* XN[1:0]: not at EL1 or EL0 */
#define SW_HIPAS_SHIFT      55
#define SW_RIPAS_SHIFT      57
#define SW_HIPAS_ASSIGNED   (1ULL << SW_HIPAS_SHIFT)

static uint64_t oa_mask(int level)
{
    return TMM_PA_MASK & ~(tmm_level_size(level) - 1);
}

static uint64_t valid_bits(int level)
{
    return level == TMM_RTT_MAX_LEVEL ? DESC_PAGE : DESC_BLOCK;
}

unsigned tmm_rtte_state(uint64_t e, int level)
{
    if (level < TMM_RTT_MAX_LEVEL && (e & DESC_TYPE_MASK) == DESC_TABLE) {
        return TMM_RTTE_TABLE;
    }
    return ((e >> SW_HIPAS_SHIFT) & 3) == 1 ? TMM_RTTE_ASSIGNED
                                             : TMM_RTTE_UNASSIGNED;
}

unsigned tmm_rtte_ripas(uint64_t e)
{
    return (e >> SW_RIPAS_SHIFT) & 3;
}

uint64_t tmm_rtte_oa(uint64_t e)
{
    return e & TMM_PA_MASK;
}

bool tmm_rtte_live(uint64_t e, int level)
{
    return tmm_rtte_state(e, level) != TMM_RTTE_UNASSIGNED;
}

uint64_t tmm_rtte_unassigned(unsigned ripas)
{
    return (uint64_t)ripas << SW_RIPAS_SHIFT;
}

uint64_t tmm_rtte_assigned_prot(uint64_t pa, unsigned ripas, int level)
{
    uint64_t e = pa | SW_HIPAS_ASSIGNED | ((uint64_t)ripas << SW_RIPAS_SHIFT);

    if (ripas == TMM_RIPAS_RAM) {
        e |= DESC_MEMATTR_WB | DESC_S2AP | DESC_SH_INNER | DESC_AF |
             valid_bits(level);
    }
    return e;
}

uint64_t tmm_rtte_ns(uint64_t host_desc, int level)
{
    /* A realm never executes from the unprotected half (RMM 1.0). */
    return (host_desc & (oa_mask(level) | DESC_MEMATTR | DESC_S2AP)) |
           DESC_SH_INNER | DESC_AF | DESC_XN_ALL | SW_HIPAS_ASSIGNED |
           valid_bits(level);
}

/* What RTT_READ_ENTRY shows of an unprotected mapping: OA, MemAttr, S2AP. */
static uint64_t rtte_ns_host_desc(uint64_t e, int level)
{
    return e & (oa_mask(level) | DESC_MEMATTR | DESC_S2AP);
}

/* Walk from the starting level towards @level; @ipa < 2^s2sz. */
void tmm_rtt_walk(Tmm *tmm, const TmmRd *rd, uint64_t ipa, int level,
                  TmmWalk *w)
{
    int l = rd->rtt_level_start;
    uint64_t idx = ipa >> tmm_level_shift(l);
    uint64_t pa = rd->rtt_base + (idx / TMM_RTT_ENTRIES) * TMM_GRANULE_SIZE;
    unsigned i = idx % TMM_RTT_ENTRIES;

    for (;;) {
        uint64_t *t = tmm_map(tmm, pa);

        w->rtt_pa = pa;
        w->table = t;
        w->index = i;
        w->level = l;
        w->entry = t[i];
        if (l >= level || tmm_rtte_state(t[i], l) != TMM_RTTE_TABLE) {
            return;
        }
        pa = tmm_rtte_oa(t[i]);
        l++;
        i = (ipa >> tmm_level_shift(l)) % TMM_RTT_ENTRIES;
    }
}

/* Store @e where the walk stopped, keeping the table's live count. */
void tmm_rtt_set_entry(Tmm *tmm, TmmWalk *w, uint64_t e)
{
    TmmGranule *g = tmm_granule(tmm, w->rtt_pa);
    bool was = tmm_rtte_live(w->entry, w->level);
    bool now = tmm_rtte_live(e, w->level);

    g->refcount += (int)now - (int)was;
    w->table[w->index] = e;
    w->entry = e;
    tmm->generation++;
    if (w->level < TMM_RTT_MAX_LEVEL) {
        tmm->table_generation++;
    }
}

/*
 * The "top" output: the IPA of the first live entry at or after the one
 * where the walk stopped, or the end of that table's range, so that a host
 * tearing a realm down can skip what is already empty.  When the walk
 * stopped at a live entry (a block covering @ipa) the answer is @ipa
 * itself, as the RMM 1.0 scenario tables of DATA_DESTROY, RTT_DESTROY and
 * RTT_UNMAP_UNPROTECTED say ("top == ipa"): aligning it down to the block
 * would hand the host an address below the one it asked about.
 */
uint64_t tmm_rtt_skip_non_live(const TmmWalk *w, uint64_t ipa)
{
    uint64_t size = tmm_level_size(w->level);
    uint64_t base = ipa & ~(size * TMM_RTT_ENTRIES - 1);
    unsigned i;

    if (tmm_rtte_live(w->table[w->index], w->level)) {
        return ipa;
    }
    for (i = w->index + 1; i < TMM_RTT_ENTRIES; i++) {
        if (tmm_rtte_live(w->table[i], w->level)) {
            break;
        }
    }
    return base + i * size;
}

/*
 * RttIsLive (RMM 1.0 A5.5.8): the table at @rtt_pa, whose entries are at
 * @level and start at IPA @base, still references another RMM object: one
 * of its entries is a TABLE or a protected ASSIGNED entry (a DATA granule).
 * An unprotected mapping (ASSIGNED_NS) points at host memory the host can
 * take back at any time, so it does not keep the table alive; the spec
 * gives exactly that example.
 */
bool tmm_rtt_is_live(Tmm *tmm, const TmmRd *rd, uint64_t rtt_pa, int level,
                     uint64_t base)
{
    const uint64_t *t = tmm_map(tmm, rtt_pa);
    uint64_t size = tmm_level_size(level), par = tmm_realm_par_size(rd);
    unsigned i;

    if (!tmm_granule(tmm, rtt_pa)->refcount) {
        return false;           /* no live entry at all */
    }
    for (i = 0; i < TMM_RTT_ENTRIES; i++) {
        unsigned st = tmm_rtte_state(t[i], level);

        if (st == TMM_RTTE_TABLE ||
            (st == TMM_RTTE_ASSIGNED && base + i * size < par)) {
            return true;
        }
    }
    return false;
}

/*
 * Host pointer to @len bytes of realm memory at protected @ipa, through the
 * realm's own mapping: only ASSIGNED entries with RIPAS RAM qualify.
 */
void *tmm_realm_ptr(Tmm *tmm, const TmmRd *rd, uint64_t ipa, size_t len)
{
    TmmWalk w;
    uint64_t pa;
    uint8_t *p;

    if (ipa >= tmm_realm_par_size(rd) ||
        (ipa & TMM_GRANULE_MASK) + len > TMM_GRANULE_SIZE) {
        return NULL;
    }
    tmm_rtt_walk(tmm, rd, ipa, TMM_RTT_MAX_LEVEL, &w);
    if (tmm_rtte_state(w.entry, w.level) != TMM_RTTE_ASSIGNED ||
        tmm_rtte_ripas(w.entry) != TMM_RIPAS_RAM) {
        return NULL;
    }
    pa = tmm_rtte_oa(w.entry) + (ipa & (tmm_level_size(w.level) - 1));
    p = tmm_map(tmm, pa);
    return p ? p + (ipa & TMM_GRANULE_MASK) : NULL;
}

/* Common arguments: rd, an IPA aligned to @align_level, a level range. */
static TmmRd *rtt_args(Tmm *tmm, uint64_t *regs, int min_level,
                       int align_delta, int *level)
{
    TmmRd *rd = tmm_rd_get(tmm, regs[1]);
    uint64_t ipa = regs[2];
    int64_t l = (int64_t)regs[3];

    if (!rd) {
        return NULL;
    }
    if (l < rd->rtt_level_start + min_level || l > TMM_RTT_MAX_LEVEL ||
        l < 0) {
        return NULL;
    }
    if (!tmm_aligned(ipa, tmm_level_size(l - align_delta)) ||
        ipa >= tmm_realm_ipa_size(rd)) {
        return NULL;
    }
    *level = l;
    return rd;
}

/* RMI_RTT_CREATE(rd, rtt, ipa, level) */
void tmm_smc_rtt_create(Tmm *tmm, uint64_t *regs)
{
    uint64_t args[4] = { 0, regs[1], regs[3], regs[4] };
    uint64_t rtt_pa = regs[2], ipa = regs[3], *t;
    unsigned st, i, live = 0;
    TmmWalk w;
    TmmRd *rd;
    int level;

    rd = rtt_args(tmm, args, 1, 1, &level);
    if (!rd || !tmm_granule_in_state(tmm, rtt_pa, TMM_GRANULE_DELEGATED)) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    tmm_rtt_walk(tmm, rd, ipa, level - 1, &w);
    if (w.level < level - 1) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, w.level);
        return;
    }
    st = tmm_rtte_state(w.entry, w.level);
    if (st == TMM_RTTE_TABLE) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, w.level);
        return;
    }
    /* The new table says exactly what the entry it replaces said. */
    t = tmm_map(tmm, rtt_pa);
    for (i = 0; i < TMM_RTT_ENTRIES; i++) {
        uint64_t oa = tmm_rtte_oa(w.entry) + i * tmm_level_size(level);

        if (st == TMM_RTTE_UNASSIGNED) {
            t[i] = w.entry;
        } else if (ipa < tmm_realm_par_size(rd)) {
            t[i] = tmm_rtte_assigned_prot(oa, tmm_rtte_ripas(w.entry),
                                          level);
            live++;
        } else {
            t[i] = tmm_rtte_ns(oa | (w.entry & (DESC_MEMATTR | DESC_S2AP)),
                               level);
            live++;
        }
    }
    tmm_granule_set(tmm, rtt_pa, TMM_GRANULE_RTT);
    tmm_granule(tmm, rtt_pa)->refcount = live;
    tmm_rtt_set_entry(tmm, &w, rtt_pa | DESC_TABLE);
    regs[0] = TMM_RMI_SUCCESS;
}

/* RMI_RTT_DESTROY(rd, ipa, level) -> x1 rtt, x2 top */
void tmm_smc_rtt_destroy(Tmm *tmm, uint64_t *regs)
{
    uint64_t ipa = regs[2], rtt_pa;
    TmmWalk w;
    TmmRd *rd;
    int level;

    rd = rtt_args(tmm, regs, 1, 1, &level);
    regs[1] = regs[2] = 0;
    if (!rd) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    tmm_rtt_walk(tmm, rd, ipa, level - 1, &w);
    if (w.level < level - 1 ||
        tmm_rtte_state(w.entry, w.level) != TMM_RTTE_TABLE) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, w.level);
        regs[2] = tmm_rtt_skip_non_live(&w, ipa);
        return;
    }
    rtt_pa = tmm_rtte_oa(w.entry);
    /*
     * rtt_live.  A table holding only unprotected mappings is not live
     * (A5.5.8) and goes with its mappings: they point at host memory, which
     * the host may take back anyway, and the mapping generation changes so
     * the machine drops the translations it cached.
     */
    if (tmm_rtt_is_live(tmm, rd, rtt_pa, level, ipa)) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, level);
        regs[2] = ipa;
        return;
    }
    /*
     * Whatever the realm had there is gone: protected IPAs become
     * DESTROYED so the realm can tell it lost memory.
     */
    tmm_rtt_set_entry(tmm, &w, tmm_rtte_unassigned(
                          ipa < tmm_realm_par_size(rd) ? TMM_RIPAS_DESTROYED
                                                       : TMM_RIPAS_EMPTY));
    tmm_granule_scrub(tmm, rtt_pa);
    tmm_granule_set(tmm, rtt_pa, TMM_GRANULE_DELEGATED);
    regs[0] = TMM_RMI_SUCCESS;
    regs[1] = rtt_pa;
    regs[2] = tmm_rtt_skip_non_live(&w, ipa);
}

/* Can the 512 entries of @t be one entry at level - 1? Computes it. */
static bool rtt_homogeneous(const uint64_t *t, int level, bool prot,
                            uint64_t *folded)
{
    uint64_t e0 = t[0], size = tmm_level_size(level);
    unsigned st = tmm_rtte_state(e0, level), i;

    if (st == TMM_RTTE_TABLE) {
        return false;
    }
    if (st == TMM_RTTE_UNASSIGNED) {
        for (i = 1; i < TMM_RTT_ENTRIES; i++) {
            if (t[i] != e0) {
                return false;
            }
        }
        *folded = e0;
        return true;
    }
    if (level - 1 < TMM_RTT_MIN_BLOCK_LEVEL ||
        !tmm_aligned(tmm_rtte_oa(e0), tmm_level_size(level - 1))) {
        return false;
    }
    for (i = 1; i < TMM_RTT_ENTRIES; i++) {
        uint64_t expect = e0 + i * size;

        if (t[i] != expect) {
            return false;
        }
    }
    if (prot) {
        *folded = tmm_rtte_assigned_prot(tmm_rtte_oa(e0),
                                         tmm_rtte_ripas(e0), level - 1);
    } else {
        *folded = tmm_rtte_ns(e0, level - 1);
    }
    return true;
}

/* RMI_RTT_FOLD(rd, ipa, level) -> x1 rtt */
void tmm_smc_rtt_fold(Tmm *tmm, uint64_t *regs)
{
    uint64_t ipa = regs[2], rtt_pa, folded;
    TmmWalk w;
    TmmRd *rd;
    int level;

    rd = rtt_args(tmm, regs, 1, 1, &level);
    regs[1] = 0;
    if (!rd) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    tmm_rtt_walk(tmm, rd, ipa, level - 1, &w);
    if (w.level < level - 1 ||
        tmm_rtte_state(w.entry, w.level) != TMM_RTTE_TABLE) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, w.level);
        return;
    }
    rtt_pa = tmm_rtte_oa(w.entry);
    if (!rtt_homogeneous(tmm_map(tmm, rtt_pa), level,
                         ipa < tmm_realm_par_size(rd), &folded)) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, level);
        return;
    }
    tmm_rtt_set_entry(tmm, &w, folded);
    tmm_granule_scrub(tmm, rtt_pa);
    tmm_granule_set(tmm, rtt_pa, TMM_GRANULE_DELEGATED);
    regs[0] = TMM_RMI_SUCCESS;
    regs[1] = rtt_pa;
}

/*
 * Stage-2 MemAttr with FEAT_S2FWB: 0b00xx Device, 0b0101 Normal NC,
 * 0b0110 Normal WB, 0b0111 stage-1 attributes; the rest is reserved.
 */
static bool memattr_valid(uint64_t desc)
{
    unsigned a = (desc & DESC_MEMATTR) >> 2;

    return a <= 3 || (a >= 5 && a <= 7);
}

/* Level and IPA checks of the two unprotected mapping calls. */
static TmmRd *ns_args(Tmm *tmm, uint64_t *regs, int *level)
{
    TmmRd *rd = tmm_rd_get(tmm, regs[1]);
    int64_t l = (int64_t)regs[3];
    uint64_t ipa = regs[2];

    if (!rd || l < rd->rtt_level_start || l < TMM_RTT_MIN_BLOCK_LEVEL ||
        l > TMM_RTT_MAX_LEVEL) {
        return NULL;
    }
    if (!tmm_aligned(ipa, tmm_level_size(l)) ||
        ipa < tmm_realm_par_size(rd) || ipa >= tmm_realm_ipa_size(rd)) {
        return NULL;
    }
    *level = l;
    return rd;
}

/* RMI_RTT_MAP_UNPROTECTED(rd, ipa, level, desc) */
void tmm_smc_rtt_map_unprotected(Tmm *tmm, uint64_t *regs)
{
    uint64_t ipa = regs[2], desc = regs[4];
    TmmWalk w;
    TmmRd *rd;
    int level;

    rd = ns_args(tmm, regs, &level);
    /*
     * attr_valid / addr_align: only the output address and the
     * host-controlled attributes (MemAttr as a FWB encoding, S2AP) may be
     * set, and the output range must lie outside the secure carve-out.
     */
    if (!rd || !memattr_valid(desc) ||
        (desc & ~(oa_mask(level) | DESC_MEMATTR | DESC_S2AP)) ||
        !tmm_range_is_ns(tmm, tmm_rtte_oa(desc), tmm_level_size(level))) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    tmm_rtt_walk(tmm, rd, ipa, level, &w);
    if (w.level < level ||
        tmm_rtte_state(w.entry, w.level) != TMM_RTTE_UNASSIGNED) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, w.level);
        return;
    }
    tmm_rtt_set_entry(tmm, &w, tmm_rtte_ns(desc, level));
    regs[0] = TMM_RMI_SUCCESS;
}

/* RMI_RTT_UNMAP_UNPROTECTED(rd, ipa, level) -> x1 top */
void tmm_smc_rtt_unmap_unprotected(Tmm *tmm, uint64_t *regs)
{
    uint64_t ipa = regs[2];
    TmmWalk w;
    TmmRd *rd;
    int level;

    rd = ns_args(tmm, regs, &level);
    regs[1] = 0;
    if (!rd) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    tmm_rtt_walk(tmm, rd, ipa, level, &w);
    if (w.level < level ||
        tmm_rtte_state(w.entry, w.level) != TMM_RTTE_ASSIGNED) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, w.level);
        regs[1] = tmm_rtt_skip_non_live(&w, ipa);
        return;
    }
    tmm_rtt_set_entry(tmm, &w, tmm_rtte_unassigned(TMM_RIPAS_EMPTY));
    regs[0] = TMM_RMI_SUCCESS;
    regs[1] = tmm_rtt_skip_non_live(&w, ipa);
}

/* RMI_RTT_READ_ENTRY(rd, ipa, level) -> x1 level, x2 state, x3 desc, x4 */
void tmm_smc_rtt_read_entry(Tmm *tmm, uint64_t *regs)
{
    uint64_t ipa = regs[2], desc = 0;
    unsigned st, ripas = TMM_RIPAS_EMPTY;
    bool prot;
    TmmWalk w;
    TmmRd *rd;
    int level;

    rd = rtt_args(tmm, regs, 0, 0, &level);
    regs[1] = regs[2] = regs[3] = regs[4] = 0;
    if (!rd) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    tmm_rtt_walk(tmm, rd, ipa, level, &w);
    st = tmm_rtte_state(w.entry, w.level);
    prot = ipa < tmm_realm_par_size(rd);
    if (st == TMM_RTTE_TABLE) {
        desc = tmm_rtte_oa(w.entry);
    } else if (st == TMM_RTTE_ASSIGNED) {
        desc = prot ? tmm_rtte_oa(w.entry)
                    : rtte_ns_host_desc(w.entry, w.level);
    }
    if (prot && st != TMM_RTTE_TABLE) {
        ripas = tmm_rtte_ripas(w.entry);
    }
    regs[0] = TMM_RMI_SUCCESS;
    regs[1] = w.level;
    regs[2] = st;
    regs[3] = desc;
    regs[4] = ripas;
}

/* RMI_RTT_INIT_RIPAS(rd, base, top) -> x1 top reached */
void tmm_smc_rtt_init_ripas(Tmm *tmm, uint64_t *regs)
{
    uint64_t base = regs[2], top = regs[3], addr, size;
    TmmRd *rd = tmm_rd_get(tmm, regs[1]);
    TmmWalk w;

    regs[1] = 0;
    /* rd, size_valid, top_bound */
    if (!rd || top <= base || top > tmm_realm_par_size(rd)) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    if (rd->state != TMM_REALM_NEW) {
        regs[0] = TMM_RMI_ERROR_REALM;
        return;
    }
    tmm_rtt_walk(tmm, rd, base, TMM_RTT_MAX_LEVEL, &w);
    size = tmm_level_size(w.level);
    /*
     * Each converted entry is one measurement step, so an entry is only
     * converted whole: the base must start it (base_align), it must be
     * unassigned (rtte_state) and the top must cover it (no_progress).
     * RMM 1.0 has no granule-alignment check of its own on the base: a
     * base inside a page fails base_align, ERROR_RTT at the walk level
     * (B4.3.18.2), where TF-RMM answers ERROR_INPUT.
     */
    if (!tmm_aligned(base, size) ||
        tmm_rtte_state(w.entry, w.level) != TMM_RTTE_UNASSIGNED) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, w.level);
        return;
    }
    if (!tmm_aligned(top, TMM_GRANULE_SIZE)) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    /*
     * Any UNASSIGNED entry becomes RAM, DESTROYED ones included: the
     * command does not depend on RIPAS (A5.3.5) and its walk_top only stops
     * at a TABLE (RttSkipEntriesWithRipas with stop_at_destroyed FALSE).
     * TF-RMM refuses DESTROYED here; the spec does not, and nothing is
     * lost: the realm has not run yet and the step is measured.
     */
    for (addr = base; w.index < TMM_RTT_ENTRIES && addr + size <= top;
         w.index++, addr += size) {
        w.entry = w.table[w.index];
        if (tmm_rtte_state(w.entry, w.level) != TMM_RTTE_UNASSIGNED) {
            break;
        }
        tmm_rtt_set_entry(tmm, &w, tmm_rtte_unassigned(TMM_RIPAS_RAM));
        tmm_measure_ripas(&rd->meas, addr, addr + size);
    }
    if (addr == base) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, w.level);
        return;
    }
    regs[0] = TMM_RMI_SUCCESS;
    regs[1] = addr;
}

/* Entry @e with RIPAS @ripas, same HIPAS; false if it cannot change. */
static bool ripas_change(uint64_t e, int level, unsigned ripas, bool destroyed,
                         uint64_t *out)
{
    unsigned st = tmm_rtte_state(e, level);

    if (st == TMM_RTTE_TABLE) {
        return false;
    }
    if (tmm_rtte_ripas(e) == TMM_RIPAS_DESTROYED && !destroyed) {
        return false;
    }
    *out = st == TMM_RTTE_UNASSIGNED
           ? tmm_rtte_unassigned(ripas)
           : tmm_rtte_assigned_prot(tmm_rtte_oa(e), ripas, level);
    return true;
}

/* RMI_RTT_SET_RIPAS(rd, rec, base, top) -> x1 top reached */
void tmm_smc_rtt_set_ripas(Tmm *tmm, uint64_t *regs)
{
    uint64_t rd_pa = regs[1], base = regs[3], top = regs[4];
    uint64_t addr, size, e;
    TmmRd *rd = tmm_rd_get(tmm, rd_pa);
    TmmRec *rec = tmm_rec_get(tmm, regs[2]);
    bool destroyed;
    TmmWalk w;

    regs[1] = 0;
    if (!rd || !rec) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    if (rec->owner != rd_pa) {
        regs[0] = TMM_RMI_ERROR_REC;
        return;
    }
    /*
     * size_valid, base_bound, top_bound: the host may only carry out what
     * the realm asked, in order.
     */
    if (top <= base || rec->pending != TMM_REC_PENDING_RIPAS ||
        rec->running || base != rec->ripas_addr || top > rec->ripas_top) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    destroyed = rec->ripas_flags & 1;
    tmm_rtt_walk(tmm, rd, base, TMM_RTT_MAX_LEVEL, &w);
    size = tmm_level_size(w.level);
    addr = base;
    if (!tmm_aligned(top, TMM_GRANULE_SIZE)) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, w.level);
        return;
    }
    if (!tmm_aligned(base, size)) {
        /*
         * The base is inside a larger entry: acceptable only if that entry
         * already has the requested RIPAS, then skip to its end.
         */
        if (tmm_rtte_state(w.entry, w.level) == TMM_RTTE_TABLE ||
            tmm_rtte_ripas(w.entry) != rec->ripas_value) {
            regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, w.level);
            return;
        }
        addr = (base | (size - 1)) + 1;
        if (addr > top) {
            addr = top;
        }
        w.index++;
    }
    for (; w.index < TMM_RTT_ENTRIES && addr + size <= top;
         w.index++, addr += size) {
        w.entry = w.table[w.index];
        if (!ripas_change(w.entry, w.level, rec->ripas_value, destroyed,
                          &e)) {
            break;
        }
        tmm_rtt_set_entry(tmm, &w, e);
    }
    if (addr == base) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, w.level);
        return;
    }
    rec->ripas_addr = addr;
    regs[0] = TMM_RMI_SUCCESS;
    regs[1] = addr;
}

/* tmm_rtt_walk() to the last level, through tmm->walk_cache. */
static void translate_walk(Tmm *tmm, uint64_t rd_pa, const TmmRd *rd,
                           uint64_t ipa, TmmWalk *w)
{
    uint64_t block = ipa >> tmm_level_shift(TMM_RTT_MAX_LEVEL - 1);
    TmmWalkCache *c = &tmm->walk_cache[block % TMM_WALK_CACHE_SIZE];

    if (c->generation_plus_1 == tmm->table_generation + 1 &&
        c->rd_pa == rd_pa && c->block == block) {
        w->rtt_pa = c->rtt_pa;
        w->table = tmm_map(tmm, c->rtt_pa);
        w->index = (ipa >> tmm_level_shift(TMM_RTT_MAX_LEVEL)) %
                   TMM_RTT_ENTRIES;
        w->level = TMM_RTT_MAX_LEVEL;
        w->entry = w->table[w->index];
        return;
    }
    tmm_rtt_walk(tmm, rd, ipa, TMM_RTT_MAX_LEVEL, w);
    if (w->level == TMM_RTT_MAX_LEVEL) {
        *c = (TmmWalkCache) {
            .generation_plus_1 = tmm->table_generation + 1, .rd_pa = rd_pa,
            .block = block, .rtt_pa = w->rtt_pa,
        };
    }
}

const char *tmm_ripas_name(unsigned ripas)
{
    return ripas == TMM_RIPAS_EMPTY ? "EMPTY" :
           ripas == TMM_RIPAS_DESTROYED ? "DESTROYED" : "RAM";
}

TmmXlateResult tmm_realm_translate(Tmm *tmm, uint64_t rd_pa, uint64_t ipa,
                                   TmmAccess access, TmmTranslation *out)
{
    TmmXlateResult res = TMM_XLATE_EXIT;
    unsigned st;
    TmmWalk w;
    TmmRd *rd;

    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&tmm->lock);
    rd = tmm_rd_get(tmm, rd_pa);
    if (!rd) {
        res = TMM_XLATE_BAD_REALM;
        goto out;
    }
    if (ipa >= tmm_realm_ipa_size(rd)) {
        res = TMM_XLATE_SEA;
        goto out;
    }
    out->protected_ipa = ipa < tmm_realm_par_size(rd);
    translate_walk(tmm, rd_pa, rd, ipa, &w);
    st = tmm_rtte_state(w.entry, w.level);
    out->level = w.level;
    out->map_size = tmm_level_size(w.level);
    if (out->protected_ipa) {
        out->ripas = tmm_rtte_ripas(w.entry);
        if (out->ripas == TMM_RIPAS_EMPTY) {
            res = TMM_XLATE_SEA;
            goto out;
        }
        if (out->ripas != TMM_RIPAS_RAM || st != TMM_RTTE_ASSIGNED) {
            goto out;
        }
        out->writable = true;
    } else {
        uint64_t need = access == TMM_ACCESS_WRITE ? DESC_S2AP_W
                                                   : DESC_S2AP_R;

        if (access == TMM_ACCESS_EXEC) {
            res = TMM_XLATE_SEA;
            goto out;
        }
        if (st != TMM_RTTE_ASSIGNED || !(w.entry & need)) {
            goto out;
        }
        out->writable = w.entry & DESC_S2AP_W;
    }
    out->pa = tmm_rtte_oa(w.entry) + (ipa & (out->map_size - 1));
    res = TMM_XLATE_OK;
out:
    pthread_mutex_unlock(&tmm->lock);
    return res;
}

uint64_t tmm_mapping_generation(Tmm *tmm)
{
    uint64_t g;

    pthread_mutex_lock(&tmm->lock);
    g = tmm->generation;
    pthread_mutex_unlock(&tmm->lock);
    return g;
}

static bool check_fail(char *why, size_t len, const char *msg, uint64_t pa,
                       unsigned i)
{
    snprintf(why, len, "RTT 0x%llx entry %u: %s", (unsigned long long)pa, i,
             msg);
    return false;
}

/* Invariants of one RTT and the tree below it. */
static bool check_table(Tmm *tmm, const TmmRd *rd, uint64_t pa, int level,
                        uint64_t base, uint8_t *seen, char *why, size_t len)
{
    TmmGranule *g = tmm_granule(tmm, pa);
    uint64_t size = tmm_level_size(level), par = tmm_realm_par_size(rd), *t;
    unsigned i, live = 0;

    if (!g || g->state != TMM_GRANULE_RTT || seen[g - tmm->granules]) {
        return check_fail(why, len, "table not an RTT, or shared", pa, 0);
    }
    seen[g - tmm->granules] = 1;
    t = tmm_map(tmm, pa);
    for (i = 0; i < TMM_RTT_ENTRIES; i++) {
        uint64_t e = t[i], ipa = base + i * size, oa = tmm_rtte_oa(e), k;
        bool prot = ipa < par;
        unsigned st, ripas;

        if (e == 0) {
            continue;           /* UNASSIGNED, EMPTY: the common case */
        }
        st = tmm_rtte_state(e, level);
        ripas = tmm_rtte_ripas(e);

        switch (st) {
        case TMM_RTTE_TABLE:
            live++;
            if (!check_table(tmm, rd, oa, level + 1, ipa, seen, why, len)) {
                return false;
            }
            break;
        case TMM_RTTE_ASSIGNED:
            live++;
            if (level < TMM_RTT_MIN_BLOCK_LEVEL || !tmm_aligned(oa, size)) {
                return check_fail(why, len, "bad block", pa, i);
            }
            if (!prot) {
                if (e != tmm_rtte_ns(e, level) ||
                    !tmm_range_is_ns(tmm, oa, size)) {
                    return check_fail(why, len, "unprotected map to secure",
                                      pa, i);
                }
                break;
            }
            if (ripas > TMM_RIPAS_DESTROYED ||
                e != tmm_rtte_assigned_prot(oa, ripas, level)) {
                return check_fail(why, len, "bad assigned entry", pa, i);
            }
            for (k = 0; k < size; k += TMM_GRANULE_SIZE) {
                TmmGranule *d = tmm_granule(tmm, oa + k);

                if (!d || d->state != TMM_GRANULE_DATA ||
                    seen[d - tmm->granules]) {
                    return check_fail(why, len, "DATA missing or shared",
                                      pa, i);
                }
                seen[d - tmm->granules] = 1;
            }
            break;
        default:
            if (ripas > (prot ? TMM_RIPAS_DESTROYED : TMM_RIPAS_EMPTY) ||
                e != tmm_rtte_unassigned(ripas)) {
                return check_fail(why, len, "bad unassigned entry", pa, i);
            }
            break;
        }
    }
    if (live != g->refcount) {
        return check_fail(why, len, "refcount differs from live entries",
                          pa, 0);
    }
    return true;
}

bool tmm_rtt_check_tree(Tmm *tmm, uint64_t rd_pa, const TmmRd *rd,
                        uint8_t *seen, char *why, size_t len)
{
    uint64_t span = tmm_level_size(rd->rtt_level_start) * TMM_RTT_ENTRIES;
    unsigned i;

    if (rd->rtt_level_start < 0 || rd->rtt_level_start > 2 ||
        rd->rtt_num_start < 1 || rd->rtt_num_start > TMM_RTT_NUM_START_MAX ||
        rd->s2sz < TMM_S2SZ_MIN || rd->s2sz > TMM_FEAT_S2SZ_MAX) {
        snprintf(why, len, "RD 0x%llx: bad geometry",
                 (unsigned long long)rd_pa);
        return false;
    }
    for (i = 0; i < rd->rtt_num_start; i++) {
        if (!check_table(tmm, rd, rd->rtt_base + i * TMM_GRANULE_SIZE,
                         rd->rtt_level_start, i * span, seen, why, len)) {
            return false;
        }
    }
    return true;
}
