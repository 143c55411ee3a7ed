/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core: the RSI 1.0 dispatcher.  Calls come from a running REC through
 * tmm_rec_smc(); arguments are in ctx->gprs and so are the results.  Realm
 * memory named by an RSI argument is reached through the realm's own
 * stage-2 mapping (protected, ASSIGNED, RIPAS RAM).  Where no granule is
 * assigned yet (RIPAS RAM or DESTROYED) the REC exits with a stage-2 data
 * abort at that IPA and its PC still at the SMC: once the host has mapped
 * memory there, the realm issues the call again.  Anything else fails with
 * ERROR_INPUT.
 */
#include "tmm-internal.h"

#define RSI_CONFIG_IPA_WIDTH    0x000
#define RSI_CONFIG_HASH_ALGO    0x008
#define RSI_CONFIG_RPV          0x200
#define RSI_HOST_CALL_SIZE      0x100
#define RSI_CHANGE_DESTROYED    1ULL

#define SMC_INSN_SIZE           4

/* A protected IPA that the host has yet to back with a granule. */
static bool rsi_buffer_unassigned(Tmm *tmm, const TmmRd *rd, uint64_t ipa,
                                  int *level)
{
    TmmWalk w;
    unsigned ripas;

    if (ipa >= tmm_realm_par_size(rd)) {
        return false;
    }
    tmm_rtt_walk(tmm, rd, ipa, TMM_RTT_MAX_LEVEL, &w);
    ripas = tmm_rtte_ripas(w.entry);
    *level = w.level;
    return tmm_rtte_state(w.entry, w.level) == TMM_RTTE_UNASSIGNED &&
           (ripas == TMM_RIPAS_RAM || ripas == TMM_RIPAS_DESTROYED);
}

/*
 * The buffer of an RSI call is not mapped: ERROR_INPUT in x0 if the host
 * cannot fix that, otherwise a REC exit for a data abort at the buffer,
 * with the PC rewound so that the SMC runs again on the next entry.
 */
static TmmSmcResult rsi_buffer_fault(Tmm *tmm, TmmRec *rec, TmmRd *rd,
                                     TmmVcpuContext *ctx, uint64_t ipa,
                                     bool write)
{
    TmmExitEvent ev = { .kind = TMM_EVENT_DATA_ABORT, .ipa = ipa };
    int level;

    if (!rsi_buffer_unassigned(tmm, rd, ipa, &level)) {
        ctx->gprs[0] = TMM_RSI_ERROR_INPUT;
        return TMM_SMC_RESUME;
    }
    ev.esr = ESR_EC_DABT_LOWER | ESR_IL | (write ? ESR_WNR : 0) |
             ESR_DFSC_TRANSLATION(level);
    ctx->pc -= SMC_INSN_SIZE;
    tmm_rec_exit_abort(tmm, rec, rd, ctx, &ev);
    return TMM_SMC_EXIT;
}

static void rsi_version(uint64_t *x)
{
    x[0] = x[1] == TMM_ABI_VERSION ? TMM_RSI_SUCCESS : TMM_RSI_ERROR_INPUT;
    x[1] = TMM_ABI_VERSION;
    x[2] = TMM_ABI_VERSION;
}

static void rsi_measurement_read(TmmRd *rd, uint64_t *x)
{
    uint64_t idx = x[1];
    unsigned i;

    if (idx >= TMM_MEASUREMENT_SLOTS) {
        x[0] = TMM_RSI_ERROR_INPUT;
        return;
    }
    for (i = 0; i < 8; i++) {
        x[1 + i] = tmm_ld64(rd->meas.slot[idx], 8 * i);
    }
    x[0] = TMM_RSI_SUCCESS;
}

static void rsi_measurement_extend(TmmRd *rd, uint64_t *x)
{
    uint8_t data[64];
    unsigned i;

    for (i = 0; i < 8; i++) {
        tmm_st64(data, 8 * i, x[3 + i]);
    }
    if (x[1] < 1 || x[1] > 4 || x[2] > sizeof(data) ||
        !tmm_measure_extend(&rd->meas, x[1], data, x[2])) {
        x[0] = TMM_RSI_ERROR_INPUT;
        return;
    }
    x[0] = TMM_RSI_SUCCESS;
}

static void rsi_token_init(Tmm *tmm, TmmRec *rec, TmmRd *rd, uint64_t *x)
{
    TmmRealmClaims claims;
    size_t len = 0;
    unsigned i;

    /* A new INIT abandons any token this REC was handing out. */
    rec->token_active = 0;
    rec->token_len = rec->token_off = 0;
    x[0] = TMM_RSI_ERROR_UNKNOWN;
    if (!tmm->keys) {
        return;
    }
    for (i = 0; i < 8; i++) {
        tmm_st64(claims.challenge, 8 * i, x[1 + i]);
    }
    memcpy(claims.rpv, rd->rpv, sizeof(claims.rpv));
    claims.measurements = &rd->meas;
    len = tmm_attest_token(tmm->keys, &claims, tmm_map(tmm, rec->aux[0]),
                           TMM_TOKEN_MAX_SIZE);
    if (!len) {
        return;
    }
    rec->token_active = 1;
    rec->token_len = len;
    x[0] = TMM_RSI_SUCCESS;
    x[1] = len;
}

static TmmSmcResult rsi_token_continue(Tmm *tmm, TmmRec *rec, TmmRd *rd,
                                       TmmVcpuContext *ctx)
{
    uint64_t *x = ctx->gprs;
    uint64_t addr = x[1], off = x[2], size = x[3], n;
    uint8_t *dst;

    if (!rec->token_active) {
        x[0] = TMM_RSI_ERROR_STATE;
        return TMM_SMC_RESUME;
    }
    if (!tmm_aligned(addr, TMM_GRANULE_SIZE) || off >= TMM_GRANULE_SIZE ||
        size > TMM_GRANULE_SIZE - off) {
        x[0] = TMM_RSI_ERROR_INPUT;
        return TMM_SMC_RESUME;
    }
    dst = tmm_realm_ptr(tmm, rd, addr, TMM_GRANULE_SIZE);
    if (!dst) {
        return rsi_buffer_fault(tmm, rec, rd, ctx, addr, true);
    }
    n = rec->token_len - rec->token_off;
    if (n > size) {
        n = size;
    }
    memcpy(dst + off, (uint8_t *)tmm_map(tmm, rec->aux[0]) + rec->token_off,
           n);
    rec->token_off += n;
    x[1] = n;
    if (rec->token_off < rec->token_len) {
        x[0] = TMM_RSI_INCOMPLETE;
        return TMM_SMC_RESUME;
    }
    rec->token_active = 0;
    x[0] = TMM_RSI_SUCCESS;
    return TMM_SMC_RESUME;
}

static TmmSmcResult rsi_realm_config(Tmm *tmm, TmmRec *rec, TmmRd *rd,
                                     TmmVcpuContext *ctx)
{
    uint64_t *x = ctx->gprs;
    uint8_t *cfg;

    if (!tmm_aligned(x[1], TMM_GRANULE_SIZE)) {
        x[0] = TMM_RSI_ERROR_INPUT;
        return TMM_SMC_RESUME;
    }
    cfg = tmm_realm_ptr(tmm, rd, x[1], TMM_GRANULE_SIZE);
    if (!cfg) {
        return rsi_buffer_fault(tmm, rec, rd, ctx, x[1], true);
    }
    memset(cfg, 0, TMM_GRANULE_SIZE);
    tmm_st64(cfg, RSI_CONFIG_IPA_WIDTH, rd->s2sz);
    cfg[RSI_CONFIG_HASH_ALGO] = rd->hash_algo;
    memcpy(cfg + RSI_CONFIG_RPV, rd->rpv, sizeof(rd->rpv));
    x[0] = TMM_RSI_SUCCESS;
    return TMM_SMC_RESUME;
}

static bool ipa_range_valid(const TmmRd *rd, uint64_t base, uint64_t top)
{
    return tmm_aligned(base, TMM_GRANULE_SIZE) &&
           tmm_aligned(top, TMM_GRANULE_SIZE) && base < top &&
           top <= tmm_realm_par_size(rd);
}

static TmmSmcResult rsi_ipa_state_set(Tmm *tmm, TmmRec *rec, TmmRd *rd,
                                      TmmVcpuContext *ctx)
{
    /*
     * ripas is X3[7:0] and flags has one defined bit: X3[63:8] and flags
     * bits 63:1 are SBZ and B5.3.6.2 has no failure condition for them,
     * so they are ignored (TF-RMM does the same) rather than refused.
     */
    uint64_t *x = ctx->gprs, base = x[1], top = x[2], ripas = x[3] & 0xff;
    uint64_t flags = x[4] & RSI_CHANGE_DESTROYED;
    uint8_t *run;

    if (!ipa_range_valid(rd, base, top) || ripas > TMM_RIPAS_RAM) {
        x[0] = TMM_RSI_ERROR_INPUT;
        return TMM_SMC_RESUME;
    }
    rec->pending = TMM_REC_PENDING_RIPAS;
    rec->ripas_base = rec->ripas_addr = base;
    rec->ripas_top = top;
    rec->ripas_value = ripas;
    rec->ripas_flags = flags;
    run = tmm_rec_do_exit(tmm, rec, ctx, TMM_EXIT_RIPAS_CHANGE);
    tmm_st64(run, TMM_REC_RUN_EXIT_RIPAS_BASE, base);
    tmm_st64(run, TMM_REC_RUN_EXIT_RIPAS_TOP, top);
    run[TMM_REC_RUN_EXIT_RIPAS_VALUE] = ripas;
    return TMM_SMC_EXIT;
}

static void rsi_ipa_state_get(Tmm *tmm, TmmRd *rd, uint64_t *x)
{
    uint64_t base = x[1], end = x[2], addr;
    unsigned ripas;
    TmmWalk w;

    if (!ipa_range_valid(rd, base, end)) {
        x[0] = TMM_RSI_ERROR_INPUT;
        return;
    }
    tmm_rtt_walk(tmm, rd, base, TMM_RTT_MAX_LEVEL, &w);
    ripas = tmm_rtte_ripas(w.entry);
    addr = (base | (tmm_level_size(w.level) - 1)) + 1;
    while (addr < end) {
        tmm_rtt_walk(tmm, rd, addr, TMM_RTT_MAX_LEVEL, &w);
        if (tmm_rtte_ripas(w.entry) != ripas) {
            break;
        }
        addr += tmm_level_size(w.level);
    }
    x[0] = TMM_RSI_SUCCESS;
    x[1] = addr < end ? addr : end;
    x[2] = ripas;
}

static TmmSmcResult rsi_host_call(Tmm *tmm, TmmRec *rec, TmmRd *rd,
                                  TmmVcpuContext *ctx)
{
    uint64_t ipa = ctx->gprs[1];
    const uint8_t *hc = NULL;
    uint8_t *run;
    unsigned i;

    if (!tmm_aligned(ipa, RSI_HOST_CALL_SIZE)) {
        ctx->gprs[0] = TMM_RSI_ERROR_INPUT;
        return TMM_SMC_RESUME;
    }
    hc = tmm_realm_ptr(tmm, rd, ipa, RSI_HOST_CALL_SIZE);
    if (!hc) {
        return rsi_buffer_fault(tmm, rec, rd, ctx, ipa, false);
    }
    rec->pending = TMM_REC_PENDING_HOST_CALL;
    rec->host_call_ipa = ipa;
    run = tmm_rec_do_exit(tmm, rec, ctx, TMM_EXIT_HOST_CALL);
    tmm_st64(run, TMM_REC_RUN_EXIT_IMM, hc[0] | (uint16_t)hc[1] << 8);
    for (i = 0; i < 31; i++) {
        tmm_st64(run, TMM_REC_RUN_EXIT_GPRS + 8 * i, tmm_ld64(hc, 8 + 8 * i));
    }
    return TMM_SMC_EXIT;
}

TmmSmcResult tmm_rsi_call(Tmm *tmm, TmmRec *rec, TmmRd *rd,
                          TmmVcpuContext *ctx)
{
    uint64_t *x = ctx->gprs;

    switch (x[0]) {
    case TMM_RSI_VERSION:
        rsi_version(x);
        break;
    case TMM_RSI_FEATURES:
        x[0] = TMM_RSI_SUCCESS;
        x[1] = 0;               /* no feature register is defined in 1.0 */
        break;
    case TMM_RSI_MEASUREMENT_READ:
        rsi_measurement_read(rd, x);
        break;
    case TMM_RSI_MEASUREMENT_EXTEND:
        rsi_measurement_extend(rd, x);
        break;
    case TMM_RSI_ATTEST_TOKEN_INIT:
        rsi_token_init(tmm, rec, rd, x);
        break;
    case TMM_RSI_ATTEST_TOKEN_CONTINUE:
        return rsi_token_continue(tmm, rec, rd, ctx);
    case TMM_RSI_REALM_CONFIG:
        return rsi_realm_config(tmm, rec, rd, ctx);
    case TMM_RSI_IPA_STATE_SET:
        return rsi_ipa_state_set(tmm, rec, rd, ctx);
    case TMM_RSI_IPA_STATE_GET:
        rsi_ipa_state_get(tmm, rd, x);
        break;
    case TMM_RSI_HOST_CALL:
        return rsi_host_call(tmm, rec, rd, ctx);
    default:
        x[0] = TMM_SMCCC_NOT_SUPPORTED;
        break;
    }
    return TMM_SMC_RESUME;
}
