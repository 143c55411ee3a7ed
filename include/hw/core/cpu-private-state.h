/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vCPU register state that the host may not see.
 *
 * A confidential guest's vCPU registers may live where the host cannot
 * read them (virtcca: a realm's REC is the monitor's, and the host sees
 * only what a REC exit hands it).  A board that models this sets the hook
 * below; the paths through which the host would read or change a vCPU's
 * registers (cpu_dump_state() for HMP "info registers" and -d cpu, and
 * the gdbstub's register packets), or memory through its address
 * translation, then refuse with its reason.
 */
#ifndef HW_CORE_CPU_PRIVATE_STATE_H
#define HW_CORE_CPU_PRIVATE_STATE_H

#include "hw/core/cpu.h"

/*
 * Returns why @cpu's registers are withheld from the host, or NULL when
 * they are not.  Defined in hw/core/cpu-common.c; NULL when unset.
 */
extern const char *(*cpu_registers_withheld)(CPUState *cpu);

/*
 * Returns why the host may not reach memory through @cpu's address
 * translation (cpu_memory_rw_debug(): HMP "x", "memsave", the gdbstub's
 * memory packets), or NULL when it may.  Defined in hw/core/cpu-common.c;
 * NULL when unset.
 */
extern const char *(*cpu_memory_withheld)(CPUState *cpu, vaddr addr,
                                          bool is_write);

#endif
