/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core: PSCI for realms (RMM 1.0).  The monitor owns REC state, so it
 * answers what it can (version, features, argument errors) and exits to
 * the host for the rest: the host schedules vCPUs and must confirm the
 * target REC of CPU_ON and AFFINITY_INFO with RMI_PSCI_COMPLETE.
 */
#include "tmm-internal.h"

#define PSCI_VERSION            0x84000000ULL
#define PSCI_CPU_SUSPEND        0x84000001ULL
#define PSCI_CPU_OFF            0x84000002ULL
#define PSCI_CPU_ON             0x84000003ULL
#define PSCI_AFFINITY_INFO      0x84000004ULL
#define PSCI_SYSTEM_OFF         0x84000008ULL
#define PSCI_SYSTEM_RESET       0x84000009ULL
#define PSCI_FEATURES           0x8400000AULL
#define PSCI_SMC64              0x40000000ULL

#define PSCI_VERSION_1_1        0x10001ULL

#define PSCI_SUCCESS            0ULL
#define PSCI_NOT_SUPPORTED      ((uint64_t)-1)
#define PSCI_INVALID_PARAMETERS ((uint64_t)-2)
#define PSCI_DENIED             ((uint64_t)-3)
#define PSCI_ALREADY_ON         ((uint64_t)-4)
#define PSCI_INVALID_ADDRESS    ((uint64_t)-9)
#define PSCI_AFF_ON             0ULL
#define PSCI_AFF_OFF            1ULL

bool tmm_psci_is_psci(uint64_t fid)
{
    fid &= ~PSCI_SMC64;
    return fid >= PSCI_VERSION && fid <= PSCI_VERSION + 0x1f;
}

/* The 32-bit calls take 32-bit arguments. */
static uint64_t arg(const TmmVcpuContext *ctx, uint64_t fid, unsigned n)
{
    return (fid & PSCI_SMC64) ? ctx->gprs[n] : ctx->gprs[n] & 0xffffffffULL;
}

static bool psci_supported(uint64_t fid)
{
    switch (fid) {
    case PSCI_VERSION:
    case PSCI_CPU_SUSPEND:
    case PSCI_CPU_SUSPEND | PSCI_SMC64:
    case PSCI_CPU_OFF:
    case PSCI_CPU_ON:
    case PSCI_CPU_ON | PSCI_SMC64:
    case PSCI_AFFINITY_INFO:
    case PSCI_AFFINITY_INFO | PSCI_SMC64:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_FEATURES:
    case 0x80000000ULL:         /* SMCCC_VERSION, needed for SMCCC 1.1 */
        return true;
    default:
        return false;
    }
}

/*
 * Exit to the host with the call and the first @nargs of its arguments, the
 * rest of exit.gprs zero.  RMM 1.0 A4.3.7 has the exit carry "sanitised
 * parameters": the host gets what it must act on (the target MPIDR of
 * CPU_ON and AFFINITY_INFO, so it can name the target REC), never what
 * the monitor consumes itself, such as CPU_ON's entry point and context
 * id (the REC keeps them until RMI_PSCI_COMPLETE): they would tell the
 * host where the realm's code and data lie.
 */
static TmmSmcResult psci_exit(Tmm *tmm, TmmRec *rec, TmmVcpuContext *ctx,
                              uint64_t fid, unsigned nargs)
{
    uint8_t *run = tmm_rec_do_exit(tmm, rec, ctx, TMM_EXIT_PSCI);
    unsigned i;

    tmm_st64(run, TMM_REC_RUN_EXIT_GPRS, fid);
    for (i = 1; i <= nargs; i++) {
        tmm_st64(run, TMM_REC_RUN_EXIT_GPRS + 8 * i, arg(ctx, fid, i));
    }
    return TMM_SMC_EXIT;
}

/* A target MPIDR names an existing REC of this realm. */
static bool target_valid(const TmmRd *rd, uint64_t mpidr)
{
    uint64_t idx = tmm_mpidr_to_index(mpidr);

    return idx != UINT64_MAX && idx < rd->rec_index;
}

TmmSmcResult tmm_psci_call(Tmm *tmm, TmmRec *rec, TmmRd *rd,
                           TmmVcpuContext *ctx)
{
    uint64_t fid = ctx->gprs[0];
    uint64_t *x = ctx->gprs;

    switch (fid) {
    case PSCI_VERSION:
        x[0] = PSCI_VERSION_1_1;
        return TMM_SMC_RESUME;
    case PSCI_FEATURES:
        x[0] = psci_supported(arg(ctx, fid, 1)) ? PSCI_SUCCESS
                                                 : PSCI_NOT_SUPPORTED;
        return TMM_SMC_RESUME;
    case PSCI_CPU_SUSPEND:
    case PSCI_CPU_SUSPEND | PSCI_SMC64:
        /* Treated as a power-down hint: the host may run something else */
        x[0] = PSCI_SUCCESS;
        return psci_exit(tmm, rec, ctx, fid, 0);
    case PSCI_CPU_OFF:
        x[0] = PSCI_SUCCESS;
        rec->runnable = 0;
        return psci_exit(tmm, rec, ctx, fid, 0);
    case PSCI_CPU_ON:
    case PSCI_CPU_ON | PSCI_SMC64:
        if (!target_valid(rd, arg(ctx, fid, 1))) {
            x[0] = PSCI_INVALID_PARAMETERS;
            return TMM_SMC_RESUME;
        }
        if (arg(ctx, fid, 2) >= tmm_realm_par_size(rd)) {
            x[0] = PSCI_INVALID_ADDRESS;
            return TMM_SMC_RESUME;
        }
        if (arg(ctx, fid, 1) == rec->mpidr) {
            x[0] = PSCI_ALREADY_ON;
            return TMM_SMC_RESUME;
        }
        break;
    case PSCI_AFFINITY_INFO:
    case PSCI_AFFINITY_INFO | PSCI_SMC64:
        if (!target_valid(rd, arg(ctx, fid, 1)) || arg(ctx, fid, 2) != 0) {
            x[0] = PSCI_INVALID_PARAMETERS;
            return TMM_SMC_RESUME;
        }
        if (arg(ctx, fid, 1) == rec->mpidr) {
            x[0] = PSCI_AFF_ON;
            return TMM_SMC_RESUME;
        }
        break;
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
        /* Either way this realm never runs again (RMM 1.0). */
        rd->state = TMM_REALM_SYSTEM_OFF;
        return psci_exit(tmm, rec, ctx, fid, 0);
    default:
        x[0] = PSCI_NOT_SUPPORTED;
        return TMM_SMC_RESUME;
    }
    /* CPU_ON and AFFINITY_INFO: the host must name the target REC. */
    rec->psci_pending = 1;
    rec->psci_fid = fid & ~PSCI_SMC64;
    rec->psci_target = arg(ctx, fid, 1);
    rec->psci_entry = arg(ctx, fid, 2);
    rec->psci_context = arg(ctx, fid, 3);
    return psci_exit(tmm, rec, ctx, fid, 1);
}

/* RMI_PSCI_COMPLETE(calling rec, target rec, status) */
void tmm_smc_psci_complete(Tmm *tmm, uint64_t *regs)
{
    TmmRec *caller = tmm_rec_get(tmm, regs[1]);
    TmmRec *target = tmm_rec_get(tmm, regs[2]);
    uint64_t status = regs[3];

    regs[0] = TMM_RMI_ERROR_INPUT;
    if (regs[1] == regs[2] || !caller || !target || !caller->psci_pending ||
        caller->owner != target->owner ||
        target->mpidr != caller->psci_target) {
        return;
    }
    if (caller->psci_fid == PSCI_CPU_ON) {
        if (status != PSCI_SUCCESS && status != PSCI_DENIED) {
            return;
        }
        if (status != PSCI_SUCCESS) {
            caller->gprs[0] = status;
        } else if (target->runnable) {
            caller->gprs[0] = PSCI_ALREADY_ON;
        } else {
            /* Reset the target to the entry point, as PSCI defines */
            memset(target->gprs, 0, sizeof(target->gprs));
            target->gprs[0] = caller->psci_context;
            target->pc = caller->psci_entry;
            target->pstate = 0x3c5;
            target->runnable = 1;
            caller->gprs[0] = PSCI_SUCCESS;
        }
    } else {
        if (status != PSCI_SUCCESS) {
            return;
        }
        caller->gprs[0] = target->runnable ? PSCI_AFF_ON : PSCI_AFF_OFF;
    }
    caller->psci_pending = 0;
    regs[0] = TMM_RMI_SUCCESS;
}
