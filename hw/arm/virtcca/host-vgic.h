/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's virtual GIC for a realm under TCG (host-vgic.c).
 */
#ifndef HW_ARM_VIRTCCA_HOST_VGIC_H
#define HW_ARM_VIRTCCA_HOST_VGIC_H

#include "target/arm/cpu.h"

/* The host's physical CPU interface on @cpu, before its REC first runs. */
void virtcca_vgic_init_cpu(ARMCPU *cpu);

/*
 * Before a REC entry: from the list registers of the last exit in @run,
 * deactivate what the realm finished, add what is pending now, and write
 * the entry's gicv3_lrs[] and gicv3_hcr.
 */
void virtcca_vgic_prepare_entry(ARMCPU *cpu, uint8_t *run);

/* A trapped SGI register write (ICC_SGI1R_EL1 and friends) of the realm. */
void virtcca_vgic_sgi(ARMCPU *cpu, uint32_t sysreg, uint64_t value);

#endif
