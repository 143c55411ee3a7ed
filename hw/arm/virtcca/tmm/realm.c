/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core: realms (RMI_REALM_CREATE/ACTIVATE/DESTROY, REC_AUX_COUNT).
 */
#include "tmm-internal.h"

uint64_t tmm_features0(void)
{
    return (uint64_t)TMM_FEAT_S2SZ_MAX |
           /* LPA2, SVE and PMU are not offered: bits 8, 9, 26 stay 0 */
           ((uint64_t)TMM_FEAT_NUM_BPS << 14) |
           ((uint64_t)TMM_FEAT_NUM_WPS << 20) |
           (1ULL << 32) | (1ULL << 33) |
           ((uint64_t)TMM_FEAT_GICV3_NUM_LRS << 34) |
           ((uint64_t)TMM_FEAT_MAX_RECS_ORDER << 38);
}

uint64_t tmm_realm_ipa_size(const TmmRd *rd)
{
    return 1ULL << rd->s2sz;
}

/* Size of the protected half: IPAs below it are protected. */
uint64_t tmm_realm_par_size(const TmmRd *rd)
{
    return 1ULL << (rd->s2sz - 1);
}

/*
 * The starting level and the number of concatenated starting tables must be
 * the ones VMSAv8-64 implies for the IPA width; the host states all three so
 * that a mismatch fails rather than silently building another realm.
 */
static bool rtt_geometry_valid(uint64_t s2sz, int64_t sl, uint64_t num)
{
    int covered, extra;

    if (sl < 0 || sl > 2) {
        return false;
    }
    covered = tmm_level_shift(sl) + 9;      /* bits one table resolves */
    if ((int)s2sz <= (int)tmm_level_shift(sl)) {
        return false;                       /* level sl is not needed */
    }
    extra = (int)s2sz - covered;
    if (extra < 0) {
        extra = 0;
    }
    if (extra > 4) {
        return false;                       /* more than 16 tables */
    }
    return num == (1ULL << extra);
}

static bool realm_params_valid(const uint8_t *p)
{
    uint64_t flags = tmm_ld64(p, TMM_REALM_PARAMS_FLAGS);
    uint64_t s2sz = tmm_ld64(p, TMM_REALM_PARAMS_S2SZ);
    uint64_t bps = tmm_ld64(p, TMM_REALM_PARAMS_NUM_BPS);
    uint64_t wps = tmm_ld64(p, TMM_REALM_PARAMS_NUM_WPS);

    /*
     * LPA2, SVE and PMU are not supported by this monitor.  Flags bits
     * 63:3 are Reserved, SBZ (B4.4.11): the spec has no failure condition
     * for them, so like TF-RMM they are ignored here (and measured, since
     * the RIM copies the flags field whole).
     */
    if (flags & (TMM_REALM_FLAG_LPA2 | TMM_REALM_FLAG_SVE |
                 TMM_REALM_FLAG_PMU)) {
        return false;
    }
    if (s2sz < TMM_S2SZ_MIN || s2sz > TMM_FEAT_S2SZ_MAX) {
        return false;
    }
    /*
     * num_bps and num_wps count minus one, like ID_AA64DFR0_EL1.BRPs and
     * WRPs, and 0 is reserved (B4.4.12): the architecture has at least two
     * of each.
     */
    if (bps == 0 || bps > TMM_FEAT_NUM_BPS ||
        wps == 0 || wps > TMM_FEAT_NUM_WPS) {
        return false;
    }
    if (!tmm_hash_algo_valid(p[TMM_REALM_PARAMS_HASH_ALGO])) {
        return false;
    }
    return true;
}

/* RMI_REALM_CREATE(rd, params_ptr) */
void tmm_smc_realm_create(Tmm *tmm, uint64_t *regs)
{
    uint64_t rd_pa = regs[1], params_pa = regs[2];
    const uint8_t *p;
    uint64_t rtt_base, num, s2sz, vmid, i;
    int64_t sl;
    TmmRd *rd;
    TmmMeasuredRealmParams mp;

    regs[0] = TMM_RMI_ERROR_INPUT;
    if (!tmm_granule_in_state(tmm, rd_pa, TMM_GRANULE_DELEGATED)) {
        return;
    }
    p = tmm_map_ns(tmm, params_pa);
    if (!p || !realm_params_valid(p)) {
        return;
    }
    s2sz = tmm_ld64(p, TMM_REALM_PARAMS_S2SZ);
    rtt_base = tmm_ld64(p, TMM_REALM_PARAMS_RTT_BASE);
    sl = (int64_t)tmm_ld64(p, TMM_REALM_PARAMS_RTT_LEVEL_START);
    num = p[TMM_REALM_PARAMS_RTT_NUM_START] |
          (uint32_t)p[TMM_REALM_PARAMS_RTT_NUM_START + 1] << 8 |
          (uint32_t)p[TMM_REALM_PARAMS_RTT_NUM_START + 2] << 16 |
          (uint32_t)p[TMM_REALM_PARAMS_RTT_NUM_START + 3] << 24;
    vmid = p[TMM_REALM_PARAMS_VMID] |
           (uint32_t)p[TMM_REALM_PARAMS_VMID + 1] << 8;

    /* rtt_align: concatenated tables are aligned to their total size */
    if (!rtt_geometry_valid(s2sz, sl, num) ||
        !tmm_aligned(rtt_base, num * TMM_GRANULE_SIZE)) {
        return;
    }
    /* rtt_alias / rtt_state */
    for (i = 0; i < num; i++) {
        uint64_t pa = rtt_base + i * TMM_GRANULE_SIZE;

        if (pa == rd_pa ||
            !tmm_granule_in_state(tmm, pa, TMM_GRANULE_DELEGATED)) {
            return;
        }
    }
    /* vmid_valid: VMIDs are unique among live realms */
    if (tmm->vmid_used[vmid / 8] & (1u << (vmid % 8))) {
        return;
    }

    rd = tmm_map(tmm, rd_pa);
    memset(rd, 0, TMM_GRANULE_SIZE);
    rd->state = TMM_REALM_NEW;
    rd->s2sz = s2sz;
    rd->hash_algo = p[TMM_REALM_PARAMS_HASH_ALGO];
    rd->rtt_level_start = sl;
    rd->rtt_num_start = num;
    rd->vmid = vmid;
    rd->flags = tmm_ld64(p, TMM_REALM_PARAMS_FLAGS);
    rd->rtt_base = rtt_base;
    rd->num_bps = tmm_ld64(p, TMM_REALM_PARAMS_NUM_BPS);
    rd->num_wps = tmm_ld64(p, TMM_REALM_PARAMS_NUM_WPS);
    memcpy(rd->rpv, p + TMM_REALM_PARAMS_RPV, sizeof(rd->rpv));

    memset(&mp, 0, sizeof(mp));
    mp.flags = rd->flags;
    mp.s2sz = s2sz;
    mp.sve_vl = tmm_ld64(p, TMM_REALM_PARAMS_SVE_VL);
    mp.num_bps = tmm_ld64(p, TMM_REALM_PARAMS_NUM_BPS);
    mp.num_wps = tmm_ld64(p, TMM_REALM_PARAMS_NUM_WPS);
    mp.pmu_num_ctrs = tmm_ld64(p, TMM_REALM_PARAMS_PMU_NUM_CTRS);
    mp.hash_algo = rd->hash_algo;
    tmm_measure_realm_create(&rd->meas, &mp);

    for (i = 0; i < num; i++) {
        /* delegated granules are already zero: all entries UNASSIGNED */
        tmm_granule_set(tmm, rtt_base + i * TMM_GRANULE_SIZE,
                        TMM_GRANULE_RTT);
    }
    tmm_granule_set(tmm, rd_pa, TMM_GRANULE_RD);
    tmm->vmid_used[vmid / 8] |= 1u << (vmid % 8);
    tmm->nr_vmids++;
    regs[0] = TMM_RMI_SUCCESS;
}

/* RMI_REALM_ACTIVATE(rd) */
void tmm_smc_realm_activate(Tmm *tmm, uint64_t *regs)
{
    TmmRd *rd = tmm_rd_get(tmm, regs[1]);

    if (!rd) {
        regs[0] = TMM_RMI_ERROR_INPUT;
    } else if (rd->state != TMM_REALM_NEW) {
        regs[0] = TMM_RMI_ERROR_REALM;
    } else {
        rd->state = TMM_REALM_ACTIVE;
        regs[0] = TMM_RMI_SUCCESS;
    }
}

/* RMI_REALM_DESTROY(rd) */
void tmm_smc_realm_destroy(Tmm *tmm, uint64_t *regs)
{
    uint64_t rd_pa = regs[1], i, span;
    TmmRd *rd = tmm_rd_get(tmm, rd_pa);

    if (!rd) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    /*
     * realm_live (A2.1.4): RECs, or a live starting-level RTT.  Unprotected
     * mappings alone do not make an RTT live (A5.5.8).
     */
    if (tmm_granule(tmm, rd_pa)->refcount) {
        regs[0] = TMM_RMI_ERROR_REALM;
        return;
    }
    span = tmm_level_size(rd->rtt_level_start) * TMM_RTT_ENTRIES;
    for (i = 0; i < rd->rtt_num_start; i++) {
        if (tmm_rtt_is_live(tmm, rd, rd->rtt_base + i * TMM_GRANULE_SIZE,
                            rd->rtt_level_start, i * span)) {
            regs[0] = TMM_RMI_ERROR_REALM;
            return;
        }
    }
    for (i = 0; i < rd->rtt_num_start; i++) {
        uint64_t pa = rd->rtt_base + i * TMM_GRANULE_SIZE;

        tmm_granule_scrub(tmm, pa);
        tmm_granule_set(tmm, pa, TMM_GRANULE_DELEGATED);
    }
    tmm->vmid_used[rd->vmid / 8] &= ~(1u << (rd->vmid % 8));
    tmm->nr_vmids--;
    tmm_granule_scrub(tmm, rd_pa);
    tmm_granule_set(tmm, rd_pa, TMM_GRANULE_DELEGATED);
    tmm->generation++;
    tmm->table_generation++;
    regs[0] = TMM_RMI_SUCCESS;
}

/* RMI_REC_AUX_COUNT(rd) */
void tmm_smc_rec_aux_count(Tmm *tmm, uint64_t *regs)
{
    if (!tmm_rd_get(tmm, regs[1])) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    regs[0] = TMM_RMI_SUCCESS;
    regs[1] = TMM_REC_AUX_COUNT;
}

bool tmm_realm_info(Tmm *tmm, uint64_t rd_pa, unsigned *s2sz,
                    TmmRealmState *state, unsigned *vmid)
{
    TmmRd *rd;

    pthread_mutex_lock(&tmm->lock);
    rd = tmm_rd_get(tmm, rd_pa);
    if (rd) {
        if (s2sz) {
            *s2sz = rd->s2sz;
        }
        if (state) {
            *state = rd->state;
        }
        if (vmid) {
            *vmid = rd->vmid;
        }
    }
    pthread_mutex_unlock(&tmm->lock);
    return rd != NULL;
}

bool tmm_realm_stage2(Tmm *tmm, uint64_t rd_pa, TmmStage2 *out)
{
    TmmRd *rd;

    pthread_mutex_lock(&tmm->lock);
    rd = tmm_rd_get(tmm, rd_pa);
    if (rd) {
        out->rtt_base = rd->rtt_base;
        out->level_start = rd->rtt_level_start;
        out->num_start = rd->rtt_num_start;
        out->s2sz = rd->s2sz;
        out->vmid = rd->vmid;
    }
    pthread_mutex_unlock(&tmm->lock);
    return rd != NULL;
}

/*
 * The platform's view of a realm's measurements, for introspection by the
 * platform operator (RMM 1.0 gives the host no such call: the realm reads
 * them with RSI, verifiers get them in the token).  They are not secret.
 */
bool tmm_realm_measurements(Tmm *tmm, uint64_t rd_pa, TmmMeasurements *out)
{
    TmmRd *rd;

    pthread_mutex_lock(&tmm->lock);
    rd = tmm_rd_get(tmm, rd_pa);
    if (rd) {
        *out = rd->meas;
    }
    pthread_mutex_unlock(&tmm->lock);
    return rd != NULL;
}
