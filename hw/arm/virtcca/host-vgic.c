/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's virtual GIC for a realm under TCG: what KVM's vGIC does
 * for a realm on hardware, through the REC run structure.
 *
 * QEMU has no software vGIC, and a CPU has one GICv3 CPU interface, so
 * the machine's GICv3 plays both parts a KVM host keeps apart:
 *  - it is the realm's emulated distributor and redistributors: the
 *    realm reaches them through MMIO exits, which the host emulates
 *    with Non-secure accesses (the realm sees a GIC with security, from
 *    the Non-secure side);
 *  - it is the host's physical interrupt controller: a device's
 *    interrupt, the timer's PPI or an SGI pends there, and is signalled
 *    to the vCPU, which, in the realm with HCR_EL2.IMO/FMO set, makes the
 *    REC exit (reason IRQ).
 * Before every REC entry the host, at Non-secure EL2, acknowledges what
 * is pending for it at the physical CPU interface (ICC_IAR1_EL1, then
 * ICC_EOIR1_EL1 with EOImode 1: a priority drop, the interrupt stays
 * active) and hands it to the realm as a virtual interrupt in a list
 * register, with HW = 0 as RMM 1.0 requires and EOI = 1: when the realm
 * deactivates it, the maintenance interrupt makes the REC exit, and the
 * host deactivates the physical interrupt (ICC_DIR_EL1).  A level
 * interrupt still asserted then pends again at once.  So the realm's
 * own configuration (enables, priorities, routing) decides delivery, and
 * the realm only ever sees the virtual CPU interface.
 *
 * Only this file touches the physical CPU interface, and only as the
 * host at Non-secure EL2 (host_icc_*): the CPU briefly takes the host's
 * world, as a real world switch would.
 */

#include "qemu/osdep.h"
#include "hw/intc/arm_gicv3_common.h"
#include "target/arm/cpu.h"
#include "target/arm/cpregs.h"
#include "target/arm/internals.h"
#include "host-vgic.h"
#include "tmm.h"
#include "trace.h"

/* ICH_LR<n>_EL2 */
#define LR_STATE_SHIFT      62
#define LR_STATE_MASK       (3ULL << LR_STATE_SHIFT)
#define LR_PENDING          (1ULL << LR_STATE_SHIFT)
#define LR_GROUP1           (1ULL << 60)
#define LR_EOI              (1ULL << 41)
#define LR_PRIORITY_SHIFT   48
#define LR_VINTID_MASK      0xffffffffULL

#define ICH_HCR_UIE         (1ULL << 1)
#define ICC_CTLR_EOIMODE    (1ULL << 1)
#define INTID_SPECIAL       1020    /* 1020..1023 */
#define INTID_LPI_FIRST     8192

/* The host's access to the physical CPU interface, at Non-secure EL2. */
static uint64_t host_icc(ARMCPU *cpu, unsigned crn, unsigned crm,
                         unsigned op2, bool write, uint64_t v)
{
    CPUARMState *env = &cpu->env;
    const ARMCPRegInfo *ri = get_arm_cp_reginfo(cpu->cp_regs,
                                 ENCODE_AA64_CP_REG(3, 0, crn, crm, op2));
    uint64_t scr = env->cp15.scr_el3;
    uint32_t pstate = env->pstate;

    env->cp15.scr_el3 |= SCR_NS;
    env->pstate = (pstate & ~PSTATE_M) | PSTATE_MODE_EL2h;
    if (write) {
        ri->writefn(env, ri, v);
    } else {
        v = ri->readfn(env, ri);
    }
    env->cp15.scr_el3 = scr;
    env->pstate = pstate;
    return v;
}

#define host_iar1(cpu)          host_icc(cpu, 12, 12, 0, false, 0)
#define host_eoir1(cpu, id)     host_icc(cpu, 12, 12, 1, true, id)
#define host_dir(cpu, id)       host_icc(cpu, 12, 11, 1, true, id)

void virtcca_vgic_init_cpu(ARMCPU *cpu)
{
    GICv3CPUState *gcs = cpu->env.gicv3state;

    /*
     * The host's own CPU interface: every priority, Group 1 on, split
     * priority drop and deactivation.
     */
    gcs->icc_pmr_el1 = 0xff;
    gcs->icc_ctlr_el1[GICV3_NS] |= ICC_CTLR_EOIMODE;
    gcs->icc_igrpen[GICV3_G1NS] = 1;
    arm_call_el_change_hook(cpu);
}

/*
 * The priority the realm gave @intid, as it reads it back: a Non-secure
 * access to a GIC with security sees the priority shifted (GICv3 4.8.6).
 */
static uint8_t realm_priority(GICv3CPUState *gcs, uint32_t intid)
{
    uint8_t p = intid < GIC_INTERNAL ? gcs->gicr_ipriorityr[intid]
                                     : gcs->gic->gicd_ipriority[intid];

    return (p << 1) & 0xff;
}

void virtcca_vgic_prepare_entry(ARMCPU *cpu, uint8_t *run)
{
    GICv3CPUState *gcs = cpu->env.gicv3state;
    /* The list registers the CPU has (ICH_VTR_EL2.ListRegs + 1) */
    unsigned nr_lrs = MIN(gcs->num_list_regs, TMM_REC_RUN_NR_LRS);
    uint64_t lrs[TMM_REC_RUN_NR_LRS] = { 0 }, hcr = 0;
    unsigned i, used = 0;
    bool changed = false;
    uint32_t intid;

    /* What the realm finished since the last entry */
    for (i = 0; i < nr_lrs; i++) {
        uint64_t lr = ldq_le_p(run + TMM_REC_RUN_EXIT_GICV3_LRS + 8 * i);

        if (!(lr & LR_STATE_MASK) && (lr & LR_EOI)) {
            intid = lr & LR_VINTID_MASK;
            trace_virtcca_vgic_deactivate(CPU(cpu)->cpu_index, intid);
            host_dir(cpu, intid);
            changed = true;
        }
        if (lr & LR_STATE_MASK) {
            lrs[i] = lr;
            used++;
        }
    }
    /*
     * What is pending for the realm now, while there is room; nothing is
     * unless the GIC signals the CPU (IRQ or FIQ line up).
     */
    while (used < nr_lrs &&
           cpu_test_interrupt(CPU(cpu), CPU_INTERRUPT_HARD |
                                        CPU_INTERRUPT_FIQ)) {
        unsigned free = nr_lrs;

        intid = host_iar1(cpu);
        if (intid >= INTID_SPECIAL && intid < INTID_LPI_FIRST) {
            break;                  /* 1023: nothing pending */
        }
        changed = true;
        host_eoir1(cpu, intid);
        trace_virtcca_vgic_inject(CPU(cpu)->cpu_index, intid);
        for (i = 0; i < nr_lrs; i++) {
            if (lrs[i] && (lrs[i] & LR_VINTID_MASK) == intid) {
                /*
                 * Again while the realm still holds it: an LPI (no
                 * active state at the physical interface) or an edge.
                 */
                lrs[i] |= LR_PENDING;
                break;
            }
            if (!lrs[i] && free == nr_lrs) {
                free = i;
            }
        }
        if (i < nr_lrs) {
            continue;
        }
        /* (5 priority bits, as the CPU interface implements) */
        lrs[free] = LR_PENDING | LR_GROUP1 | intid |
                    (uint64_t)(realm_priority(gcs, intid) & 0xf8)
                    << LR_PRIORITY_SHIFT;
        if (intid < INTID_LPI_FIRST) {
            /* deactivated by the realm: tell the host (maintenance) */
            lrs[free] |= LR_EOI;
        }
        used++;
    }
    if (used == nr_lrs) {
        /* Full: a maintenance interrupt when the realm has room again */
        hcr |= ICH_HCR_UIE;
    }
    for (i = 0; i < TMM_REC_RUN_NR_LRS; i++) {
        stq_le_p(run + TMM_REC_RUN_ENTRY_GICV3_LRS + 8 * i, lrs[i]);
    }
    stq_le_p(run + TMM_REC_RUN_ENTRY_GICV3_HCR, hcr);
    if (changed) {
        /* The physical interface as the realm's world signals it */
        arm_call_el_change_hook(cpu);
    }
}

void virtcca_vgic_sgi(ARMCPU *cpu, uint32_t sysreg, uint64_t value)
{
    unsigned op2 = (sysreg >> 17) & 7;

    trace_virtcca_vgic_sgi(CPU(cpu)->cpu_index, value);
    host_icc(cpu, 12, 11, op2, true, value);
    arm_call_el_change_hook(cpu);
}
