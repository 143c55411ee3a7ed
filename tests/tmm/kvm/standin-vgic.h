/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel stand-in: the in-kernel GICv3 (KVM_DEV_TYPE_ARM_VGIC_V3) as far
 * as a VMM configures it: the number of interrupts, the distributor and
 * redistributor addresses, initialisation, and the interrupt lines the
 * VMM drives (KVM_IRQ_LINE).  Its register state is not offered
 * (GRP_DIST_REGS and the other state groups answer ENXIO): a realm's
 * interrupt state is not the host's to save or restore, so QEMU never
 * puts or gets it.  The real thing needs CCA hardware.
 */
#ifndef STANDIN_VGIC_H
#define STANDIN_VGIC_H

#include <stdbool.h>
#include <stdint.h>

#define STANDIN_VGIC_MAX_IRQS   1024
#define STANDIN_VGIC_MAX_REDIST_REGIONS 8

typedef struct StandinVgic {
    uint32_t nr_irqs;               /* 0 until set or initialised */
    bool initialized;
    uint64_t dist_base;             /* ~0: not set */
    uint64_t redist_base;
    uint64_t redist_regions[STANDIN_VGIC_MAX_REDIST_REGIONS];
    unsigned nr_redist_regions;
    uint8_t spi_level[STANDIN_VGIC_MAX_IRQS / 8];
} StandinVgic;

void standin_vgic_init(StandinVgic *g);
/* KVM_SET/GET/HAS_DEVICE_ATTR: 0 or -errno.  @nr_vcpus for INIT. */
long standin_vgic_set_attr(StandinVgic *g, uint32_t group, uint64_t attr,
                           const void *value, unsigned nr_vcpus);
long standin_vgic_get_attr(StandinVgic *g, uint32_t group, uint64_t attr,
                           void *value);
long standin_vgic_has_attr(uint32_t group, uint64_t attr);
/* KVM_IRQ_LINE of layout @irq (KVM_ARM_IRQ_TYPE_*): 0 or -errno. */
long standin_vgic_irq_line(StandinVgic *g, uint32_t irq, uint32_t level,
                           unsigned nr_vcpus);

#endif
