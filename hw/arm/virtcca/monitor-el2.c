/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monitor's EL2 side under TCG: where the TMM runs realms, as the
 * S-EL2 monitor of virtCCA does on hardware.
 *
 * A realm vCPU runs at Secure EL1/EL0 (SCR_EL3.NS = 0, EEL2 = 1) under
 * an EL2 context this file owns:
 *  - HCR_EL2: stage 2 on; IRQs, FIQs and SErrors to EL2 (IMO/FMO/AMO),
 *    so the realm sees only the GICv3 virtual CPU interface and a
 *    physical interrupt makes the REC exit; ID registers trapped (TID3)
 *    and answered from the realm parameters; HVC trapped (HCD clear);
 *    WFI/WFE trapped when the host's REC entry asks for it.
 *  - VSTTBR_EL2/VSTCR_EL2: the realm's RTT root over its IPA space.  The
 *    RTTs are hardware descriptors, so TCG's own two-stage walk decides
 *    what the realm reaches: protected RAM in Secure DRAM, the pages the
 *    host mapped for sharing in Non-secure DRAM.  Non-secure IPA space
 *    (a stage-1 NS bit) walks the same tables: the realm cannot tell.
 *  - ICH_HCR_EL2 and ICH_LR<n>_EL2 from REC entry; VMPIDR_EL2 from the
 *    REC; CNTHCTL_EL2/CNTVOFF_EL2 that leave the timers to the realm.
 *
 * No code runs at EL2 or EL3: every exception the realm takes there comes
 * to virtcca_el2_exception() instead (through the board hook of patch
 * 0004), which completes it in the realm, injects what the monitor
 * injects (an SEA, an UNDEF), or makes the REC exit to the host with the
 * exit the TMM core builds (tmm_rec_exit).
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "exec/cputlb.h"
#include "system/tcg.h"
#include "hw/intc/arm_gicv3_common.h"
#include "target/arm/cpu.h"
#include "target/arm/cpregs.h"
#include "target/arm/cpu-features.h"
#include "target/arm/internals.h"
#include "target/arm/syndrome.h"
#include "monitor-el2.h"
#include "trace.h"

/* HCR_EL2 for a realm, without the entry's WFx trap bits. */
#define REALM_HCR   (HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | \
                     HCR_FB | (1ULL << 10) /* BSU inner shareable */ | \
                     HCR_TID3 | HCR_RW | HCR_APK | HCR_API)

#define ICH_HCR_EN  1ULL
#define ICH_HCR_EOICOUNT_MASK   (0x1fULL << 27)
#define ICH_VMCR_VFIQEN         (1ULL << 3)
#define ICH_VMCR_VBPR1_SHIFT    18
#define ICH_VMCR_VBPR0_SHIFT    21

/* ESR_ELx ISS of a trapped MSR/MRS (EC 0x18) */
#define SYSREG_ISS_READ     1U
#define SYSREG_ISS_RT(iss)  (((iss) >> 5) & 0x1f)
#define SYSREG_ISS_ENC_MASK TMM_SYSREG(3, 7, 15, 15, 7)

#define ESR_FSC_SEA     0x10U
#define ESR_EA          (1U << 9)
#define ESR_WNR         (1U << 6)
#define ESR_CM          (1U << 8)

static const ARMCPRegInfo *cpreg(ARMCPU *cpu, unsigned op0, unsigned op1,
                                 unsigned crn, unsigned crm, unsigned op2)
{
    return get_arm_cp_reginfo(cpu->cp_regs,
                              ENCODE_AA64_CP_REG(op0, op1, crn, crm, op2));
}

/* What an MRS of @ri at the register's own level would read. */
static uint64_t cpreg_value(ARMCPU *cpu, const ARMCPRegInfo *ri)
{
    if (!ri) {
        return 0;
    }
    if (ri->type & ARM_CP_CONST) {
        return ri->resetvalue;
    }
    if (ri->readfn) {
        return ri->readfn(&cpu->env, ri);
    }
    return *(uint64_t *)((char *)&cpu->env + ri->fieldoffset);
}

/* MSR by the monitor itself: the register's write side effects apply. */
static void el2_msr(ARMCPU *cpu, const ARMCPRegInfo *ri, uint64_t v)
{
    if (ri->writefn) {
        ri->writefn(&cpu->env, ri, v);
    } else {
        *(uint64_t *)((char *)&cpu->env + ri->fieldoffset) = v;
    }
}

static const ARMCPRegInfo *ich_lr(ARMCPU *cpu, unsigned n)
{
    return cpreg(cpu, 3, 4, 12, 12 + (n >> 3), n & 7);
}

static unsigned nr_lrs(ARMCPU *cpu)
{
    GICv3CPUState *gcs = cpu->env.gicv3state;

    return MIN(gcs->num_list_regs, TMM_REC_RUN_NR_LRS);
}

bool virtcca_el2_configure_cpu(Object *cpuobj, Error **errp)
{
    ARMCPU *cpu = ARM_CPU(cpuobj);

    if (!object_property_find(cpuobj, "has_el2")) {
        error_setg(errp, "a realm runs under the monitor's Secure EL2: "
                   "CPU type '%s' has no EL2; use -cpu max",
                   object_get_typename(cpuobj));
        return false;
    }
    object_property_set_bool(cpuobj, "has_el2", true, &error_abort);
    /* (qtest runs no vCPU: its CPU models need not have the feature) */
    if (tcg_enabled() && !cpu_isar_feature(aa64_sel2, cpu)) {
        error_setg(errp, "a realm runs under the monitor's Secure EL2: "
                   "CPU type '%s' has no FEAT_SEL2; use -cpu max",
                   object_get_typename(cpuobj));
        return false;
    }
    return true;
}

/* HCRX_EL2: the features the realm would have without an EL2 at all. */
static uint64_t realm_hcrx(ARMCPU *cpu)
{
    uint64_t v = 0;

    if (cpu_isar_feature(aa64_mops, cpu)) {
        v |= HCRX_MSCEN;
    }
    if (cpu_isar_feature(aa64_tcr2, cpu)) {
        v |= HCRX_TCR2EN;
    }
    if (cpu_isar_feature(aa64_sctlr2, cpu)) {
        v |= HCRX_SCTLR2EN;
    }
    if (cpu_isar_feature(aa64_gcs, cpu)) {
        v |= HCRX_GCSEN;
    }
    return v;
}

void virtcca_el2_first_entry(ARMCPU *cpu, Tmm *tmm, uint64_t rd,
                             const TmmVcpuContext *ctx)
{
    CPUARMState *env = &cpu->env;
    GICv3CPUState *gcs = env->gicv3state;
    TmmStage2 s2;
    uint64_t sl0, t0sz, min_vbpr;

    if (!tmm_realm_stage2(tmm, rd, &s2)) {
        g_assert_not_reached();
    }
    /* 4 KiB granule: SL0 2, 1, 0 start at level 0, 1, 2 */
    sl0 = 2 - s2.level_start;
    t0sz = 64 - s2.s2sz;

    /* No fine-grained traps: nothing of the realm's is the monitor's */
    env->cp15.scr_el3 &= ~(SCR_NS | SCR_IRQ | SCR_FIQ | SCR_EA | SCR_SMD |
                           SCR_FGTEN);
    env->cp15.scr_el3 |= SCR_RW | SCR_EEL2 | SCR_HCE;
    if (cpu_isar_feature(aa64_hcx, cpu)) {
        env->cp15.scr_el3 |= SCR_HXEN;
        env->cp15.hcrx_el2 = realm_hcrx(cpu);
    }
    env->cp15.hcr_el2 = REALM_HCR |
                        (cpu_isar_feature(aa64_fwb, cpu) ? HCR_FWB : 0);
    env->cp15.vsttbr_el2 = s2.rtt_base;
    env->cp15.vstcr_el2 = t0sz | sl0 << R_VTCR_SL0_SHIFT;
    /* The fields both stages share: write-back tables, 48-bit PAs */
    env->cp15.vtcr_el2 = t0sz | sl0 << R_VTCR_SL0_SHIFT |
                         1 << R_VTCR_IRGN0_SHIFT | 1 << R_VTCR_ORGN0_SHIFT |
                         3 << R_VTCR_SH0_SHIFT | 5ULL << R_VTCR_PS_SHIFT;
    env->cp15.vttbr_el2 = s2.rtt_base | (uint64_t)s2.vmid << 48;
    env->cp15.vmpidr_el2 = (1ULL << 31) | ctx->mpidr;
    env->cp15.vpidr_el2 = cpu->midr;
    env->cp15.cnthctl_el2 = R_CNTHCTL_EL1PCTEN_E2H0_MASK |
                            R_CNTHCTL_EL1PCEN_E2H0_MASK;
    env->cp15.cntvoff_el2 = 0;
    env->cp15.cptr_el[2] = 0;
    env->cp15.hstr_el2 = 0;

    /*
     * A new REC's virtual CPU interface starts from its reset state: the
     * binary points at their minimum (Group 1 one above), FIQs enabled.
     */
    min_vbpr = 7 - gcs->vprebits;
    gcs->ich_vmcr_el2 = ICH_VMCR_VFIQEN |
                        (min_vbpr + 1) << ICH_VMCR_VBPR1_SHIFT |
                        min_vbpr << ICH_VMCR_VBPR0_SHIFT;
    memset(gcs->ich_apr, 0, sizeof(gcs->ich_apr));

    pstate_write(env, ctx->pstate);
    virtcca_el2_resume(cpu, ctx);
    arm_rebuild_hflags(env);
    tlb_flush(CPU(cpu));
}

/* The SEA the monitor injects into the realm, reported at @far. */
static void inject_sea(ARMCPU *cpu, bool insn, uint32_t syn, uint64_t far)
{
    CPUARMState *env = &cpu->env;
    bool same_el = arm_current_el(env) == 1;
    uint32_t ec = (insn ? EC_INSNABORT : EC_DATAABORT) + same_el;

    CPU(cpu)->exception_index = insn ? EXCP_PREFETCH_ABORT : EXCP_DATA_ABORT;
    env->exception.syndrome = ec << ARM_EL_EC_SHIFT | ARM_EL_IL |
                              (insn ? 0 : syn & (ESR_WNR | ESR_CM)) |
                              ESR_EA | ESR_FSC_SEA;
    env->exception.vaddress = far;
    env->exception.target_el = 1;
}

/* An Undefined Instruction exception, returning to the PC. */
static void inject_undef(ARMCPU *cpu)
{
    CPUARMState *env = &cpu->env;

    CPU(cpu)->exception_index = EXCP_UDEF;
    env->exception.syndrome = syn_uncategorized();
    env->exception.target_el = 1;
}

bool virtcca_el2_resume(ARMCPU *cpu, const TmmVcpuContext *ctx)
{
    CPUARMState *env = &cpu->env;
    GICv3CPUState *gcs = env->gicv3state;
    uint64_t hcr = (env->cp15.hcr_el2 & ~(HCR_TWI | HCR_TWE)) |
                   (ctx->entry_flags & TMM_REC_ENTRY_TRAP_WFI ? HCR_TWI : 0) |
                   (ctx->entry_flags & TMM_REC_ENTRY_TRAP_WFE ? HCR_TWE : 0);
    unsigned i, n = nr_lrs(cpu);

    memcpy(env->xregs, ctx->gprs, sizeof(ctx->gprs));
    env->pc = ctx->pc;
    env->cp15.hcr_el2 = hcr;
    /*
     * Most exits change no list register: an MSR of one that holds the
     * value already is skipped (each write re-evaluates the interface).
     */
    for (i = 0; i < n; i++) {
        if (gcs->ich_lr_el2[i] != ctx->gicv3_lrs[i]) {
            el2_msr(cpu, ich_lr(cpu, i), ctx->gicv3_lrs[i]);
        }
    }
    if ((gcs->ich_hcr_el2 & ~ICH_HCR_EOICOUNT_MASK) !=
        ((ctx->gicv3_hcr | ICH_HCR_EN) & ~ICH_HCR_EOICOUNT_MASK)) {
        el2_msr(cpu, cpreg(cpu, 3, 4, 12, 11, 0),
                ctx->gicv3_hcr | ICH_HCR_EN);
    }
    if (ctx->inject_sea) {
        inject_sea(cpu, false, ctx->sea_esr, ctx->sea_far);
        return true;
    }
    return false;
}

void virtcca_el2_save(ARMCPU *cpu, TmmVcpuContext *ctx)
{
    CPUARMState *env = &cpu->env;
    GICv3CPUState *gcs = env->gicv3state;
    unsigned i, n = nr_lrs(cpu);

    memset(ctx, 0, sizeof(*ctx));
    memcpy(ctx->gprs, env->xregs, sizeof(ctx->gprs));
    ctx->pc = env->pc;
    ctx->pstate = pstate_read(env);
    for (i = 0; i < n; i++) {
        ctx->gicv3_lrs[i] = gcs->ich_lr_el2[i];
    }
    ctx->gicv3_hcr = gcs->ich_hcr_el2 & ~ICH_HCR_EN;
    ctx->gicv3_misr = cpreg_value(cpu, cpreg(cpu, 3, 4, 12, 11, 2));
    ctx->gicv3_vmcr = gcs->ich_vmcr_el2;
    ctx->cntv_ctl = env->cp15.c14_timer[GTIMER_VIRT].ctl;
    ctx->cntv_cval = env->cp15.c14_timer[GTIMER_VIRT].cval;
    ctx->cntp_ctl = env->cp15.c14_timer[GTIMER_PHYS].ctl;
    ctx->cntp_cval = env->cp15.c14_timer[GTIMER_PHYS].cval;
}

/*
 * A stage-2 abort.  The monitor injects an SEA itself where the host can
 * do nothing (protected IPA with RIPAS EMPTY or DESTROYED, an instruction
 * fetch from the unprotected half); everything else is the host's: an
 * unprotected IPA it has not mapped (MMIO, or shared RAM on first touch),
 * protected RAM it has not backed yet.
 */
static VirtccaEl2Action stage2_abort(ARMCPU *cpu, Tmm *tmm, uint64_t rd,
                                     TmmExitEvent *ev)
{
    CPUARMState *env = &cpu->env;
    bool insn = CPU(cpu)->exception_index == EXCP_PREFETCH_ABORT;
    uint32_t syn = env->exception.syndrome;
    uint64_t ipa = (env->cp15.hpfar_el2 >> 4) << 12 |
                   (env->exception.vaddress & 0xfff);
    TmmAccess access = insn ? TMM_ACCESS_EXEC :
                       (syn & ESR_WNR) ? TMM_ACCESS_WRITE : TMM_ACCESS_READ;
    TmmTranslation t = { .ripas = TMM_RIPAS_EMPTY };
    TmmXlateResult res;

    res = tmm_realm_translate(tmm, rd, ipa, access, &t);
    if (res == TMM_XLATE_EXIT && t.protected_ipa &&
        t.ripas == TMM_RIPAS_DESTROYED) {
        /* The host took the granule: nothing it could do would help. */
        res = TMM_XLATE_SEA;
    }
    trace_virtcca_el2_stage2_abort(CPU(cpu)->cpu_index, ipa, syn, res);
    switch (res) {
    case TMM_XLATE_SEA:
        qemu_log_mask(LOG_GUEST_ERROR, "virtcca: realm %s %s IPA 0x%" PRIx64
                      " (%s%s): synchronous external abort\n",
                      insn ? "instruction fetch from" :
                      access == TMM_ACCESS_WRITE ? "write to" : "access to",
                      t.protected_ipa ? "protected" : "unprotected", ipa,
                      t.protected_ipa ? "RIPAS " : "never executable",
                      t.protected_ipa ? tmm_ripas_name(t.ripas) : "");
        inject_sea(cpu, insn, syn, env->exception.vaddress);
        return VIRTCCA_EL2_DELIVER;
    case TMM_XLATE_OK:
        /*
         * Mapped by now (another vCPU gave the granule meanwhile): the
         * access is tried again.  A fault other than translation or
         * access flag on a mapping is the host's to answer.
         */
        if ((syn & 0x3c) == 0x04 || (syn & 0x3c) == 0x08) {
            return VIRTCCA_EL2_DONE;
        }
        break;
    default:
        break;
    }
    ev->kind = insn ? TMM_EVENT_INSN_ABORT : TMM_EVENT_DATA_ABORT;
    ev->esr = syn;
    ev->far = env->exception.vaddress;
    ev->ipa = ipa;
    return VIRTCCA_EL2_EXIT;
}

static bool is_sgi_write(uint32_t enc)
{
    return enc == TMM_SYSREG(3, 0, 12, 11, 5) ||      /* ICC_SGI1R_EL1 */
           enc == TMM_SYSREG(3, 0, 12, 11, 6) ||      /* ICC_ASGI1R_EL1 */
           enc == TMM_SYSREG(3, 0, 12, 11, 7);        /* ICC_SGI0R_EL1 */
}

/*
 * A trapped MRS or MSR: an ID register read the monitor answers, an SGI
 * the host generates (it owns the distributor); anything else was not
 * the realm's to use.
 */
static VirtccaEl2Action sysreg_trap(ARMCPU *cpu, Tmm *tmm, uint64_t rec,
                                    TmmExitEvent *ev)
{
    CPUARMState *env = &cpu->env;
    uint32_t syn = env->exception.syndrome, iss = syn & 0x1ffffff;
    uint32_t enc = iss & SYSREG_ISS_ENC_MASK;
    unsigned rt = SYSREG_ISS_RT(iss);
    unsigned op0 = (enc >> 20) & 3, op2 = (enc >> 17) & 7;
    unsigned op1 = (enc >> 14) & 7, crn = (enc >> 10) & 15;
    unsigned crm = (enc >> 1) & 15;
    uint64_t v;

    if (iss & SYSREG_ISS_READ) {
        v = cpreg_value(cpu, cpreg(cpu, op0, op1, crn, crm, op2));
        if (tmm_rec_sysreg_read(tmm, rec, enc, v, &v)) {
            if (rt != 31) {
                env->xregs[rt] = v;
            }
            env->pc += 4;
            return VIRTCCA_EL2_DONE;
        }
    } else if (is_sgi_write(enc)) {
        ev->kind = TMM_EVENT_SYSREG_WRITE;
        ev->esr = syn;
        ev->value = rt == 31 ? 0 : env->xregs[rt];
        return VIRTCCA_EL2_EXIT;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "virtcca: realm %s S%u_%u_C%u_C%u_%u at "
                  "0x%" PRIx64 ": not the realm's: undefined instruction\n",
                  iss & SYSREG_ISS_READ ? "read of" : "write to",
                  op0, op1, crn, crm, op2, env->pc);
    inject_undef(cpu);
    return VIRTCCA_EL2_DELIVER;
}

VirtccaEl2Action virtcca_el2_exception(ARMCPU *cpu, Tmm *tmm, uint64_t rd,
                                       uint64_t rec, TmmExitEvent *ev)
{
    CPUState *cs = CPU(cpu);
    CPUARMState *env = &cpu->env;
    uint32_t syn = env->exception.syndrome;

    if (cs->exception_index == EXCP_SMC) {
        return VIRTCCA_EL2_SMC;
    }
    if (env->exception.target_el < 2) {
        return VIRTCCA_EL2_DELIVER;         /* the realm's own */
    }
    memset(ev, 0, sizeof(*ev));
    switch (cs->exception_index) {
    case EXCP_HVC:
        /*
         * The monitor makes it an Undefined Instruction for the realm,
         * returning past the HVC (the trap's preferred return address,
         * where the PC already is).
         */
        trace_virtcca_realm_hvc(cs->cpu_index, env->pc - 4);
        qemu_log_mask(LOG_GUEST_ERROR, "virtcca: realm HVC at 0x%" PRIx64
                      ": undefined instruction\n", env->pc - 4);
        inject_undef(cpu);
        return VIRTCCA_EL2_DELIVER;
    case EXCP_IRQ:
    case EXCP_FIQ:
        ev->kind = TMM_EVENT_IRQ;
        return VIRTCCA_EL2_EXIT;
    case EXCP_DATA_ABORT:
    case EXCP_PREFETCH_ABORT:
        return stage2_abort(cpu, tmm, rd, ev);
    case EXCP_UDEF:
        if (syn_get_ec(syn) == EC_SYSTEMREGISTERTRAP) {
            return sysreg_trap(cpu, tmm, rec, ev);
        }
        if (syn_get_ec(syn) == EC_WFX_TRAP) {
            ev->kind = TMM_EVENT_WFX;
            ev->esr = syn;
            return VIRTCCA_EL2_EXIT;
        }
        break;
    default:
        break;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "virtcca: realm exception %d (syndrome "
                  "0x%" PRIx32 ") at 0x%" PRIx64 " to EL%d: the monitor "
                  "makes it an undefined instruction\n", cs->exception_index,
                  syn, env->pc, env->exception.target_el);
    inject_undef(cpu);
    return VIRTCCA_EL2_DELIVER;
}
