/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monitor's EL2 side under TCG: the realm's vCPUs run at Secure EL1
 * and EL0 under an EL2 the monitor owns (monitor-el2.c).
 */
#ifndef HW_ARM_VIRTCCA_MONITOR_EL2_H
#define HW_ARM_VIRTCCA_MONITOR_EL2_H

#include "target/arm/cpu.h"
#include "tmm.h"

/* Set up a CPU that is to run a realm (before it is realized). */
bool virtcca_el2_configure_cpu(Object *cpuobj, Error **errp);

/*
 * Enter the REC for the first time on @cpu (after a reset or a PSCI
 * CPU_ON): the whole EL3/EL2 context the monitor runs realms in, then
 * virtcca_el2_resume().
 */
void virtcca_el2_first_entry(ARMCPU *cpu, Tmm *tmm, uint64_t rd,
                             const TmmVcpuContext *ctx);

/*
 * What a REC_ENTER returned: registers, list registers, trap flags.
 * Returns true when the monitor injects an exception (an SEA the host
 * asked for), which the caller lets QEMU deliver.
 */
bool virtcca_el2_resume(ARMCPU *cpu, const TmmVcpuContext *ctx);

/* The vCPU's state at an exit, as the monitor reports it. */
void virtcca_el2_save(ARMCPU *cpu, TmmVcpuContext *ctx);

typedef enum VirtccaEl2Action {
    VIRTCCA_EL2_DELIVER,    /* the realm takes it at EL1, as changed */
    VIRTCCA_EL2_DONE,       /* the monitor completed it: run on */
    VIRTCCA_EL2_SMC,        /* an SMC: RSI, PSCI or SMCCC */
    VIRTCCA_EL2_EXIT,       /* the REC exits to the host with @ev */
} VirtccaEl2Action;

/*
 * An exception of a realm vCPU that would go to EL2 or EL3: what the
 * monitor does with it.
 */
VirtccaEl2Action virtcca_el2_exception(ARMCPU *cpu, Tmm *tmm, uint64_t rd,
                                       uint64_t rec, TmmExitEvent *ev);

/* Per-vCPU exit counts by reason (TMM_EXIT_* and the SYNC kinds). */
typedef enum VirtccaExitCount {
    VIRTCCA_EXIT_MMIO,
    VIRTCCA_EXIT_SHARED_MAP,
    VIRTCCA_EXIT_POPULATE,
    VIRTCCA_EXIT_SYSREG,
    VIRTCCA_EXIT_WFX,
    VIRTCCA_EXIT_IRQ,
    VIRTCCA_EXIT_SMC,       /* RSI and PSCI exits: host calls, RIPAS, PSCI */
    VIRTCCA_EXIT__MAX,
} VirtccaExitCount;

#endif
