/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core: DATA granules (RMI_DATA_CREATE, DATA_CREATE_UNKNOWN,
 * DATA_DESTROY).  A DATA granule is reachable from exactly one level-3
 * entry (or one block entry after RTT_FOLD) of one realm.
 */
#include "tmm-internal.h"

/*
 * Checks shared by both create calls, in the spec's order; on success
 * returns the RD and leaves the walk at the level-3 entry for @ipa.
 */
static TmmRd *data_create_check(Tmm *tmm, uint64_t *regs, bool measured,
                                TmmWalk *w)
{
    uint64_t rd_pa = regs[1], data_pa = regs[2], ipa = regs[3];
    TmmRd *rd;

    regs[0] = TMM_RMI_ERROR_INPUT;
    rd = tmm_rd_get(tmm, rd_pa);
    if (!rd || !tmm_granule_in_state(tmm, data_pa, TMM_GRANULE_DELEGATED)) {
        return NULL;
    }
    if (measured && (!tmm_map_ns(tmm, regs[4]) ||
                     (regs[5] & ~TMM_DATA_MEASURE_CONTENT))) {
        return NULL;
    }
    /*
     * Measured content can only be added before activation.  realm_state
     * and ipa_bound are unordered (B4.3.1.2.1); checking the realm first
     * answers as TF-RMM does.
     */
    if (measured && rd->state != TMM_REALM_NEW) {
        regs[0] = TMM_RMI_ERROR_REALM;
        return NULL;
    }
    if (!tmm_aligned(ipa, TMM_GRANULE_SIZE) ||
        ipa >= tmm_realm_par_size(rd)) {
        return NULL;
    }
    tmm_rtt_walk(tmm, rd, ipa, TMM_RTT_MAX_LEVEL, w);
    /*
     * rtt_walk, rtte_state.  Neither call depends on RIPAS (A5.3.5):
     * DATA_CREATE makes the entry RAM whatever it was, which its RIM step
     * (ipa included) records; DATA_CREATE_UNKNOWN leaves RIPAS as it is.
     */
    if (w->level < TMM_RTT_MAX_LEVEL ||
        tmm_rtte_state(w->entry, w->level) != TMM_RTTE_UNASSIGNED) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, w->level);
        return NULL;
    }
    return rd;
}

/* RMI_DATA_CREATE(rd, data, ipa, src, flags) */
void tmm_smc_data_create(Tmm *tmm, uint64_t *regs)
{
    uint64_t data_pa = regs[2], ipa = regs[3], flags = regs[5];
    uint8_t *data;
    TmmWalk w;
    TmmRd *rd;

    rd = data_create_check(tmm, regs, true, &w);
    if (!rd) {
        return;
    }
    data = tmm_map(tmm, data_pa);
    /*
     * Hash the secure copy, as it arrives: the host cannot change it
     * behind our back.
     */
    tmm_measure_data_copy(&rd->meas, ipa, flags, data,
                          tmm_map_ns(tmm, regs[4]));
    tmm_granule_set(tmm, data_pa, TMM_GRANULE_DATA);
    tmm_rtt_set_entry(tmm, &w, tmm_rtte_assigned_prot(data_pa, TMM_RIPAS_RAM,
                                                      TMM_RTT_MAX_LEVEL));
    regs[0] = TMM_RMI_SUCCESS;
}

/* RMI_DATA_CREATE_UNKNOWN(rd, data, ipa): contents zero, RIPAS unchanged */
void tmm_smc_data_create_unknown(Tmm *tmm, uint64_t *regs)
{
    uint64_t data_pa = regs[2];
    TmmWalk w;

    if (!data_create_check(tmm, regs, false, &w)) {
        return;
    }
    tmm_granule_set(tmm, data_pa, TMM_GRANULE_DATA);
    tmm_rtt_set_entry(tmm, &w,
                      tmm_rtte_assigned_prot(data_pa, tmm_rtte_ripas(w.entry),
                                             TMM_RTT_MAX_LEVEL));
    regs[0] = TMM_RMI_SUCCESS;
}

/* RMI_DATA_DESTROY(rd, ipa) -> x1 data, x2 top */
void tmm_smc_data_destroy(Tmm *tmm, uint64_t *regs)
{
    uint64_t ipa = regs[2], data_pa;
    TmmRd *rd = tmm_rd_get(tmm, regs[1]);
    unsigned ripas;
    TmmWalk w;

    regs[1] = regs[2] = 0;
    if (!rd || !tmm_aligned(ipa, TMM_GRANULE_SIZE) ||
        ipa >= tmm_realm_par_size(rd)) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    tmm_rtt_walk(tmm, rd, ipa, TMM_RTT_MAX_LEVEL, &w);
    if (w.level < TMM_RTT_MAX_LEVEL ||
        tmm_rtte_state(w.entry, w.level) != TMM_RTTE_ASSIGNED) {
        regs[0] = TMM_RMI_STATUS(TMM_RMI_ERROR_RTT, w.level);
        regs[2] = tmm_rtt_skip_non_live(&w, ipa);
        return;
    }
    data_pa = tmm_rtte_oa(w.entry);
    ripas = tmm_rtte_ripas(w.entry);
    /* The realm must be able to tell that RAM it had has gone. */
    if (ripas == TMM_RIPAS_RAM) {
        ripas = TMM_RIPAS_DESTROYED;
    }
    tmm_rtt_set_entry(tmm, &w, tmm_rtte_unassigned(ripas));
    tmm_granule_scrub(tmm, data_pa);
    tmm_granule_set(tmm, data_pa, TMM_GRANULE_DELEGATED);
    regs[0] = TMM_RMI_SUCCESS;
    regs[1] = data_pa;
    regs[2] = tmm_rtt_skip_non_live(&w, ipa);
}
