/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hook in target/arm's exception entry (patches/0004) through which a
 * board's model of the secure monitor takes SMCs before they trap to EL3.
 */
#ifndef HW_ARM_VIRTCCA_SMC_HOOK_H
#define HW_ARM_VIRTCCA_SMC_HOOK_H

#include "target/arm/cpu-qom.h"

/* Returns true when the SMC was handled; false lets it proceed. */
extern bool (*arm_smc_handler)(ARMCPU *cpu);

#endif
