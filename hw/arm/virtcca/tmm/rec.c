/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core: realm execution contexts (RMI_REC_CREATE, REC_DESTROY,
 * REC_ENTER) and the exit side of REC_ENTER: exits to the host and the SMC
 * entry point of a running REC.  See tmm.h for the contract.
 */
#include "tmm-internal.h"

#define PSTATE_EL1H_MASKED      0x3c5ULL    /* EL1h, D, A, I, F masked */

#define SMCCC_VERSION           0x80000000ULL
#define SMCCC_ARCH_FEATURES     0x80000001ULL
#define SMCCC_VERSION_1_1       0x10001ULL
#define RSI_FID_FIRST           TMM_SMC_FID(0x190)
#define RSI_FID_LAST            TMM_SMC_FID(0x1AF)

/* REC index of an MPIDR (Aff0 0..15 per cluster), or UINT64_MAX. */
uint64_t tmm_mpidr_to_index(uint64_t mpidr)
{
    uint64_t idx;

    if (mpidr & ~0xff00ffff0fULL) {
        return UINT64_MAX;
    }
    idx = (mpidr & 0xf) | ((mpidr >> 8) & 0xff) << 4 |
          ((mpidr >> 16) & 0xff) << 12 | ((mpidr >> 32) & 0xff) << 20;
    return idx < (1ULL << TMM_FEAT_MAX_RECS_ORDER) ? idx : UINT64_MAX;
}

/* RMI_REC_CREATE(rd, rec, params) */
void tmm_smc_rec_create(Tmm *tmm, uint64_t *regs)
{
    uint64_t rd_pa = regs[1], rec_pa = regs[2];
    uint64_t flags, mpidr, num_aux, aux[TMM_REC_AUX_MAX];
    const uint8_t *p;
    TmmMeasuredRecParams mp;
    TmmRec *rec;
    TmmRd *rd;
    unsigned i, j;

    regs[0] = TMM_RMI_ERROR_INPUT;
    rd = tmm_rd_get(tmm, rd_pa);
    if (!rd || !tmm_granule_in_state(tmm, rec_pa, TMM_GRANULE_DELEGATED)) {
        return;
    }
    p = tmm_map_ns(tmm, regs[3]);
    if (!p) {
        return;
    }
    /* Only RUNNABLE is defined; other flag bits are ignored. */
    flags = tmm_ld64(p, TMM_REC_PARAMS_FLAGS) & TMM_REC_PARAMS_RUNNABLE;
    /*
     * num_aux, aux_align, aux_alias, aux_state.  The spec orders realm_state
     * only after the RD checks (B4.3.12.2.1), so either error may win when
     * both apply; the aux list is checked first, as TF-RMM does, so that
     * both monitors answer a host alike.
     */
    num_aux = tmm_ld64(p, TMM_REC_PARAMS_NUM_AUX);
    if (num_aux != TMM_REC_AUX_COUNT) {
        return;
    }
    for (i = 0; i < num_aux; i++) {
        aux[i] = tmm_ld64(p, TMM_REC_PARAMS_AUX + 8 * i);
        if (aux[i] == rec_pa ||
            !tmm_granule_in_state(tmm, aux[i], TMM_GRANULE_DELEGATED)) {
            return;
        }
        for (j = 0; j < i; j++) {
            if (aux[j] == aux[i]) {
                return;
            }
        }
    }
    if (rd->state != TMM_REALM_NEW) {
        regs[0] = TMM_RMI_ERROR_REALM;
        return;
    }
    /* RECs are created in MPIDR order, so REC index = MPIDR index. */
    mpidr = tmm_ld64(p, TMM_REC_PARAMS_MPIDR);
    if (tmm_mpidr_to_index(mpidr) != rd->rec_index) {
        return;
    }

    rec = tmm_map(tmm, rec_pa);
    memset(rec, 0, TMM_GRANULE_SIZE);
    rec->owner = rd_pa;
    rec->rec_index = rd->rec_index;
    rec->mpidr = mpidr;
    rec->pc = tmm_ld64(p, TMM_REC_PARAMS_PC);
    rec->pstate = PSTATE_EL1H_MASKED;
    rec->runnable = flags & TMM_REC_PARAMS_RUNNABLE;
    for (i = 0; i < 8; i++) {
        rec->gprs[i] = tmm_ld64(p, TMM_REC_PARAMS_GPRS + 8 * i);
    }
    rec->num_aux = num_aux;
    for (i = 0; i < num_aux; i++) {
        rec->aux[i] = aux[i];
        tmm_granule_set(tmm, aux[i], TMM_GRANULE_REC_AUX);
    }

    memset(&mp, 0, sizeof(mp));
    mp.flags = flags;
    mp.pc = rec->pc;
    memcpy(mp.gprs, rec->gprs, sizeof(mp.gprs));
    tmm_measure_rec(&rd->meas, &mp);

    tmm_granule_set(tmm, rec_pa, TMM_GRANULE_REC);
    tmm_granule(tmm, rd_pa)->refcount++;
    rd->rec_index++;
    regs[0] = TMM_RMI_SUCCESS;
}

/* RMI_REC_DESTROY(rec) */
void tmm_smc_rec_destroy(Tmm *tmm, uint64_t *regs)
{
    uint64_t rec_pa = regs[1], rd_pa;
    TmmRec *rec = tmm_rec_get(tmm, rec_pa);
    unsigned i;

    if (!rec) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    /* A REC the machine is running cannot go away under its vCPU. */
    if (rec->running) {
        regs[0] = TMM_RMI_ERROR_REC;
        return;
    }
    rd_pa = rec->owner;
    for (i = 0; i < rec->num_aux; i++) {
        tmm_granule_scrub(tmm, rec->aux[i]);
        tmm_granule_set(tmm, rec->aux[i], TMM_GRANULE_DELEGATED);
    }
    tmm_granule_scrub(tmm, rec_pa);
    tmm_granule_set(tmm, rec_pa, TMM_GRANULE_DELEGATED);
    tmm_granule(tmm, rd_pa)->refcount--;
    regs[0] = TMM_RMI_SUCCESS;
}

/* ICH_LR<n>_EL2 fields (GICv3/v4) */
#define LR_VINTID_MASK          0xffffffffULL
#define LR_EOI                  (1ULL << 41)
#define LR_PINTID_MASK          (0x1fffULL << 32)
#define LR_RES0_47_45           (7ULL << 45)
#define LR_PRIORITY_SHIFT       48
#define LR_RES0_59_56           (0xfULL << 56)
#define LR_HW                   (1ULL << 61)
#define LR_STATE_MASK           (3ULL << 62)
#define GIC_INTID_SPECIAL       1020        /* 1020..1023: never in an LR */
#define GIC_INTID_LPI_FIRST     8192

/*
 * Gicv3ConfigIsValid (RMM 1.0 A6.1): the host's ICH_HCR_EL2 may only set
 * the maintenance interrupt enables and TDIR; each list register must be
 * an architecturally valid ICH_LR<n>_EL2 encoding with HW == 0 (the
 * monitor cannot check the physical interrupt HW == 1 would link to).
 * Valid means: RES0 fields clear (pINTID but its EOI bit, since HW == 0;
 * the priority bits and INTID bits this interface does not implement),
 * and for a list register in use a vINTID that names an SGI, PPI, SPI or
 * LPI, held by no other list register in use (the GIC architecture makes
 * that UNPREDICTABLE).  The GIC extended ranges are not implemented.
 */
_Static_assert(TMM_FEAT_GICV3_NUM_LRS < TMM_REC_RUN_NR_LRS,
               "the run structure holds every list register");

static bool gicv3_config_valid(const uint8_t *run)
{
    uint64_t must_be_zero = (LR_PINTID_MASK & ~LR_EOI) | LR_RES0_47_45 |
                            LR_RES0_59_56 | LR_HW |
                            (((1ULL << (8 - TMM_GICV3_VPRI_BITS)) - 1)
                             << LR_PRIORITY_SHIFT) |
                            (LR_VINTID_MASK &
                             ~((1ULL << TMM_GICV3_VID_BITS) - 1));
    uint64_t lrs[TMM_REC_RUN_NR_LRS];
    unsigned i, j;

    if (tmm_ld64(run, TMM_REC_RUN_ENTRY_GICV3_HCR) &
        ~TMM_GICV3_HCR_HOST_BITS) {
        return false;
    }
    for (i = 0; i <= TMM_FEAT_GICV3_NUM_LRS; i++) {
        uint64_t intid;

        lrs[i] = tmm_ld64(run, TMM_REC_RUN_ENTRY_GICV3_LRS + 8 * i);
        if (lrs[i] & must_be_zero) {
            return false;
        }
        if (!(lrs[i] & LR_STATE_MASK)) {
            continue;           /* not in use: its vINTID means nothing */
        }
        intid = lrs[i] & LR_VINTID_MASK;
        if (intid >= GIC_INTID_SPECIAL && intid < GIC_INTID_LPI_FIRST) {
            return false;
        }
        for (j = 0; j < i; j++) {
            if ((lrs[j] & LR_STATE_MASK) &&
                (lrs[j] & LR_VINTID_MASK) == intid) {
                return false;
            }
        }
    }
    return true;
}

/* The value an emulated MMIO load puts in its target register. */
static uint64_t mmio_read_value(const TmmRec *rec, uint64_t v)
{
    unsigned bits = 8u << rec->mmio_sas;

    if (bits < 64) {
        v &= (1ULL << bits) - 1;
        if (rec->mmio_sse && (v >> (bits - 1)) & 1) {
            v |= ~0ULL << bits;
        }
    }
    if (!rec->mmio_sf) {
        v &= 0xffffffffULL;
    }
    return v;
}

uint64_t tmm_rec_enter_locked(Tmm *tmm, uint64_t rec_pa, uint64_t run_pa,
                              TmmVcpuContext *ctx)
{
    TmmRec *rec = tmm_rec_get(tmm, rec_pa);
    uint8_t *run = tmm_map_ns(tmm, run_pa);
    uint64_t flags, *hc;
    TmmRd *rd;
    unsigned i;

    if (!rec || !run) {
        return TMM_RMI_ERROR_INPUT;
    }
    rd = tmm_map(tmm, rec->owner);
    flags = tmm_ld64(run, TMM_REC_RUN_ENTRY_FLAGS);
    /* realm_new, rec_psci, system_off, rec_runnable, rec_mmio */
    if (rd->state == TMM_REALM_NEW) {
        return TMM_RMI_ERROR_REALM;
    }
    if (rec->running || rec->psci_pending) {
        return TMM_RMI_ERROR_REC;
    }
    if (rd->state == TMM_REALM_SYSTEM_OFF) {
        return TMM_RMI_STATUS(TMM_RMI_ERROR_REALM, 1);
    }
    if (!rec->runnable ||
        ((flags & TMM_REC_ENTRY_EMUL_MMIO) && !rec->emulatable)) {
        return TMM_RMI_ERROR_REC;
    }
    /* rec_gicv3: every GIC field taken from the host is checked */
    if (!gicv3_config_valid(run)) {
        return TMM_RMI_ERROR_REC;
    }

    /* Checks done: now complete what the last exit left pending. */
    if (rec->pending == TMM_REC_PENDING_RIPAS) {
        rec->gprs[0] = TMM_RSI_SUCCESS;
        rec->gprs[1] = rec->ripas_addr;
        rec->gprs[2] = (flags & TMM_REC_ENTRY_RIPAS_RESPONSE) ? 1 : 0;
    } else if (rec->pending == TMM_REC_PENDING_HOST_CALL) {
        hc = tmm_realm_ptr(tmm, rd, rec->host_call_ipa, 0x100);
        for (i = 0; hc && i < 31; i++) {
            hc[1 + i] = tmm_ld64(run, TMM_REC_RUN_ENTRY_GPRS + 8 * i);
        }
        rec->gprs[0] = TMM_RSI_SUCCESS;
    }
    rec->pending = TMM_REC_PENDING_NONE;

    memset(ctx, 0, sizeof(*ctx));
    if ((flags & TMM_REC_ENTRY_INJECT_SEA) && rec->last_data_abort) {
        ctx->inject_sea = true;
        ctx->sea_far = rec->abort_far;
        ctx->sea_esr = rec->abort_esr;
    } else if (flags & TMM_REC_ENTRY_EMUL_MMIO) {
        if (!rec->mmio_write && rec->mmio_srt != 31) {
            rec->gprs[rec->mmio_srt] =
                mmio_read_value(rec, tmm_ld64(run, TMM_REC_RUN_ENTRY_GPRS));
        }
        rec->pc += 4;
    }
    rec->emulatable = 0;
    rec->last_data_abort = 0;
    rec->running = 1;
    rec->run_pa = run_pa;

    memcpy(ctx->gprs, rec->gprs, sizeof(ctx->gprs));
    ctx->pc = rec->pc;
    ctx->pstate = rec->pstate;
    ctx->mpidr = rec->mpidr;
    ctx->entry_flags = flags & (TMM_REC_ENTRY_TRAP_WFI |
                                TMM_REC_ENTRY_TRAP_WFE);
    /* Checked above (gicv3_config_valid): the EL2 side installs them. */
    ctx->gicv3_hcr = tmm_ld64(run, TMM_REC_RUN_ENTRY_GICV3_HCR);
    for (i = 0; i <= TMM_FEAT_GICV3_NUM_LRS; i++) {
        ctx->gicv3_lrs[i] = tmm_ld64(run, TMM_REC_RUN_ENTRY_GICV3_LRS + 8 * i);
    }
    return TMM_RMI_SUCCESS;
}

uint64_t tmm_rec_enter(Tmm *tmm, uint64_t rec_pa, uint64_t run_pa,
                       TmmVcpuContext *ctx)
{
    uint64_t ret;

    pthread_mutex_lock(&tmm->lock);
    ret = tmm_rec_enter_locked(tmm, rec_pa, run_pa, ctx);
    tmm_self_check(tmm, "REC entry");
    pthread_mutex_unlock(&tmm->lock);
    return ret;
}

/* Save the vCPU, clear the run exit part, leave RUNNING. */
uint8_t *tmm_rec_do_exit(Tmm *tmm, TmmRec *rec, const TmmVcpuContext *ctx,
                         uint64_t reason)
{
    uint8_t *run = tmm_map_ns(tmm, rec->run_pa);
    unsigned i;

    memcpy(rec->gprs, ctx->gprs, sizeof(rec->gprs));
    rec->pc = ctx->pc;
    rec->pstate = ctx->pstate;
    rec->running = 0;
    memset(run + TMM_REC_RUN_EXIT, 0, TMM_GRANULE_SIZE - TMM_REC_RUN_EXIT);
    tmm_st64(run, TMM_REC_RUN_EXIT_REASON, reason);
    /*
     * The interrupt and timer state at every exit (RMM 1.0): what the
     * host needs to run its virtual GIC and to raise the timer PPIs.
     */
    tmm_st64(run, TMM_REC_RUN_EXIT_GICV3_HCR, ctx->gicv3_hcr);
    for (i = 0; i <= TMM_FEAT_GICV3_NUM_LRS; i++) {
        tmm_st64(run, TMM_REC_RUN_EXIT_GICV3_LRS + 8 * i, ctx->gicv3_lrs[i]);
    }
    tmm_st64(run, TMM_REC_RUN_EXIT_GICV3_MISR, ctx->gicv3_misr);
    tmm_st64(run, TMM_REC_RUN_EXIT_GICV3_VMCR, ctx->gicv3_vmcr);
    tmm_st64(run, TMM_REC_RUN_EXIT_CNTP_CTL, ctx->cntp_ctl);
    tmm_st64(run, TMM_REC_RUN_EXIT_CNTP_CVAL, ctx->cntp_cval);
    tmm_st64(run, TMM_REC_RUN_EXIT_CNTV_CTL, ctx->cntv_ctl);
    tmm_st64(run, TMM_REC_RUN_EXIT_CNTV_CVAL, ctx->cntv_cval);
    return run;
}

/* A stage-2 abort: what the host may see of it (RMM 1.0 exposure rules). */
void tmm_rec_exit_abort(Tmm *tmm, TmmRec *rec, TmmRd *rd,
                        const TmmVcpuContext *ctx, const TmmExitEvent *ev)
{
    bool prot = ev->ipa < tmm_realm_par_size(rd);
    bool data = ev->kind == TMM_EVENT_DATA_ABORT;
    uint64_t esr = ev->esr, far = 0, keep = ESR_EC_MASK | ESR_IL |
                                             ESR_FSC_MASK;
    uint8_t *run;

    run = tmm_rec_do_exit(tmm, rec, ctx, TMM_EXIT_SYNC);
    if (data && !prot && (esr & ESR_ISV)) {
        /* Emulatable MMIO: the host needs the access, not the realm VA. */
        keep |= ESR_ISV | ESR_SAS_MASK | ESR_SSE | ESR_SRT_MASK | ESR_SF |
                ESR_AR | ESR_WNR;
        far = ev->far & TMM_GRANULE_MASK;
        rec->emulatable = 1;
        rec->mmio_write = (esr & ESR_WNR) != 0;
        rec->mmio_srt = (esr & ESR_SRT_MASK) >> ESR_SRT_SHIFT;
        rec->mmio_sas = (esr & ESR_SAS_MASK) >> ESR_SAS_SHIFT;
        rec->mmio_sse = (esr & ESR_SSE) != 0;
        rec->mmio_sf = (esr & ESR_SF) != 0;
        if (rec->mmio_write) {
            uint64_t v = rec->mmio_srt == 31 ? 0 : ctx->gprs[rec->mmio_srt];
            unsigned bits = 8u << rec->mmio_sas;

            if (bits < 64) {
                v &= (1ULL << bits) - 1;
            }
            tmm_st64(run, TMM_REC_RUN_EXIT_GPRS, v);
        }
    } else if (data && !prot) {
        keep |= ESR_WNR;
    }
    /* The host may answer only its own (unprotected) memory with an SEA. */
    rec->last_data_abort = data && !prot;
    rec->abort_far = ev->far;
    rec->abort_esr = ev->esr;
    tmm_st64(run, TMM_REC_RUN_EXIT_ESR, esr & keep);
    tmm_st64(run, TMM_REC_RUN_EXIT_FAR, far);
    tmm_st64(run, TMM_REC_RUN_EXIT_HPFAR,
             (ev->ipa >> TMM_GRANULE_SHIFT) << 4);
}

/*
 * A trapped instruction the host completes: a system register write it
 * emulates or a WFI/WFE it may wait on.  The host sees the syndrome's
 * class, direction and register encoding, never which realm register
 * was involved (Rt), and for a write the value in gprs[0].  The
 * instruction is done when the REC runs again: the monitor steps past
 * it now.
 */
#define ESR_SYSREG_RT_MASK      (0x1fULL << 5)

static void tmm_rec_exit_trap(Tmm *tmm, TmmRec *rec,
                              const TmmVcpuContext *ctx,
                              const TmmExitEvent *ev)
{
    uint64_t keep = ESR_EC_MASK | ESR_IL | 0x1ffffffULL;
    uint8_t *run;

    if (ev->kind == TMM_EVENT_SYSREG_WRITE) {
        keep &= ~ESR_SYSREG_RT_MASK;
    }
    run = tmm_rec_do_exit(tmm, rec, ctx, TMM_EXIT_SYNC);
    rec->pc = ctx->pc + 4;
    tmm_st64(run, TMM_REC_RUN_EXIT_ESR, ev->esr & keep);
    if (ev->kind == TMM_EVENT_SYSREG_WRITE) {
        tmm_st64(run, TMM_REC_RUN_EXIT_GPRS, ev->value);
    }
}

uint64_t tmm_rec_exit(Tmm *tmm, uint64_t rec_pa, const TmmVcpuContext *ctx,
                      const TmmExitEvent *ev)
{
    TmmRec *rec;
    TmmRd *rd;
    uint64_t ret = TMM_RMI_SUCCESS;

    pthread_mutex_lock(&tmm->lock);
    rec = tmm_rec_get(tmm, rec_pa);
    if (!rec || !rec->running) {
        ret = TMM_RMI_ERROR_REC;
        goto out;
    }
    rd = tmm_map(tmm, rec->owner);
    switch (ev->kind) {
    case TMM_EVENT_DATA_ABORT:
    case TMM_EVENT_INSN_ABORT:
        tmm_rec_exit_abort(tmm, rec, rd, ctx, ev);
        break;
    case TMM_EVENT_IRQ:
        tmm_rec_do_exit(tmm, rec, ctx, TMM_EXIT_IRQ);
        break;
    case TMM_EVENT_FIQ:
        tmm_rec_do_exit(tmm, rec, ctx, TMM_EXIT_FIQ);
        break;
    case TMM_EVENT_SYSREG_WRITE:
    case TMM_EVENT_WFX:
        tmm_rec_exit_trap(tmm, rec, ctx, ev);
        break;
    default:
        tmm_rec_do_exit(tmm, rec, ctx, TMM_EXIT_SERROR);
        break;
    }
out:
    tmm_self_check(tmm, "a REC exit");
    pthread_mutex_unlock(&tmm->lock);
    return ret;
}

TmmSmcResult tmm_rec_smc(Tmm *tmm, uint64_t rec_pa, TmmVcpuContext *ctx)
{
    TmmSmcResult res = TMM_SMC_RESUME;
    uint64_t fid = ctx->gprs[0];
    TmmRec *rec;
    TmmRd *rd;

    pthread_mutex_lock(&tmm->lock);
    rec = tmm_rec_get(tmm, rec_pa);
    if (!rec || !rec->running) {
        res = TMM_SMC_ERROR;
        goto out;
    }
    rd = tmm_map(tmm, rec->owner);
    if (fid >= RSI_FID_FIRST && fid <= RSI_FID_LAST) {
        res = tmm_rsi_call(tmm, rec, rd, ctx);
    } else if (tmm_psci_is_psci(fid)) {
        res = tmm_psci_call(tmm, rec, rd, ctx);
    } else if (fid == SMCCC_VERSION) {
        ctx->gprs[0] = SMCCC_VERSION_1_1;
    } else if (fid == SMCCC_ARCH_FEATURES) {
        /* no SMCCC_ARCH_WORKAROUND_* is offered to realms */
        ctx->gprs[0] = ctx->gprs[1] == SMCCC_ARCH_FEATURES
                       ? 0 : TMM_SMCCC_NOT_SUPPORTED;
    } else {
        ctx->gprs[0] = TMM_SMCCC_NOT_SUPPORTED;
    }
out:
    tmm_self_check(tmm, "a realm SMC");
    pthread_mutex_unlock(&tmm->lock);
    return res;
}
