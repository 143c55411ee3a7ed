/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel stand-in: the in-kernel GICv3.  See standin-vgic.h.
 *
 * Rules, with the kernel's errno:
 *   an attribute group or attribute it does not offer          ENXIO
 *   NR_IRQS: not a multiple of 32, below 64 or above 1024       EINVAL
 *     set twice, or after CTRL_INIT                             EBUSY
 *   ADDR: not 64 KiB aligned                                    EINVAL
 *     set twice                                                 EEXIST
 *     REDIST mixed with REDIST_REGION; a region with flags,
 *     no redistributors, or not the next index                  EINVAL
 *   IRQ_LINE: before CTRL_INIT                                  EBUSY
 *     SPI outside NR_IRQS, PPI outside 16..31 or to a vCPU
 *     that does not exist, an unknown type                      EINVAL
 *     the CPU type (a userspace GIC's)                          ENXIO
 */
#include <errno.h>
#include <string.h>

#include "standin-vgic.h"
#include "standin-abi.h"

#define UNSET           (~0ULL)
#define SZ_64K          0x10000ULL

#define IRQ_TYPE(irq)   (((irq) >> 24) & 0xf)
#define IRQ_VCPU(irq)   (((irq) >> 16) & 0xff)
#define IRQ_VCPU2(irq)  (((irq) >> 28) & 0xf)
#define IRQ_NUM(irq)    ((irq) & 0xffff)
#define IRQ_TYPE_CPU    0
#define IRQ_TYPE_SPI    1
#define IRQ_TYPE_PPI    2

void standin_vgic_init(StandinVgic *g)
{
    memset(g, 0, sizeof(*g));
    g->dist_base = UNSET;
    g->redist_base = UNSET;
}

static long set_addr(StandinVgic *g, uint64_t type, uint64_t value)
{
    switch (type) {
    case SKVM_VGIC_V3_ADDR_TYPE_DIST:
        if (value % SZ_64K) {
            return -EINVAL;
        }
        if (g->dist_base != UNSET) {
            return -EEXIST;
        }
        g->dist_base = value;
        return 0;
    case SKVM_VGIC_V3_ADDR_TYPE_REDIST:
        if (value % SZ_64K || g->nr_redist_regions) {
            return -EINVAL;
        }
        if (g->redist_base != UNSET) {
            return -EEXIST;
        }
        g->redist_base = value;
        return 0;
    case SKVM_VGIC_V3_ADDR_TYPE_REDIST_REGION: {
        /* index [11:0], flags [15:12], base [51:16], count [63:52] */
        unsigned index = value & 0xfff;

        if (g->redist_base != UNSET || (value >> 12 & 0xf) ||
            !(value >> 52) || index != g->nr_redist_regions ||
            index >= STANDIN_VGIC_MAX_REDIST_REGIONS) {
            return -EINVAL;
        }
        g->redist_regions[g->nr_redist_regions++] = value;
        return 0;
    }
    default:
        return -ENXIO;
    }
}

long standin_vgic_set_attr(StandinVgic *g, uint32_t group, uint64_t attr,
                           const void *value, unsigned nr_vcpus)
{
    uint64_t v64;
    uint32_t v32;

    switch (group) {
    case SKVM_VGIC_GRP_ADDR:
        memcpy(&v64, value, 8);
        return set_addr(g, attr, v64);
    case SKVM_VGIC_GRP_NR_IRQS:
        if (attr) {
            return -ENXIO;
        }
        memcpy(&v32, value, 4);
        if (v32 < 64 || v32 > STANDIN_VGIC_MAX_IRQS || v32 % 32) {
            return -EINVAL;
        }
        if (g->initialized || g->nr_irqs) {
            return -EBUSY;
        }
        g->nr_irqs = v32;
        return 0;
    case SKVM_VGIC_GRP_CTRL:
        if (attr != SKVM_VGIC_CTRL_INIT) {
            return -ENXIO;
        }
        if (!g->nr_irqs) {
            g->nr_irqs = STANDIN_VGIC_MAX_IRQS;
        }
        g->initialized = true;
        return 0;
    default:
        return -ENXIO;
    }
}

long standin_vgic_get_attr(StandinVgic *g, uint32_t group, uint64_t attr,
                           void *value)
{
    if (group == SKVM_VGIC_GRP_NR_IRQS && !attr) {
        memcpy(value, &g->nr_irqs, 4);
        return 0;
    }
    if (group == SKVM_VGIC_GRP_ADDR &&
        (attr == SKVM_VGIC_V3_ADDR_TYPE_DIST ||
         attr == SKVM_VGIC_V3_ADDR_TYPE_REDIST)) {
        uint64_t base = attr == SKVM_VGIC_V3_ADDR_TYPE_DIST ? g->dist_base
                                                          : g->redist_base;

        memcpy(value, &base, 8);
        return 0;
    }
    return -ENXIO;
}

long standin_vgic_has_attr(uint32_t group, uint64_t attr)
{
    switch (group) {
    case SKVM_VGIC_GRP_ADDR:
        return attr == SKVM_VGIC_V3_ADDR_TYPE_DIST ||
               attr == SKVM_VGIC_V3_ADDR_TYPE_REDIST ||
               attr == SKVM_VGIC_V3_ADDR_TYPE_REDIST_REGION ? 0 : -ENXIO;
    case SKVM_VGIC_GRP_NR_IRQS:
        return attr ? -ENXIO : 0;
    case SKVM_VGIC_GRP_CTRL:
        return attr == SKVM_VGIC_CTRL_INIT ? 0 : -ENXIO;
    default:
        return -ENXIO;
    }
}

long standin_vgic_irq_line(StandinVgic *g, uint32_t irq, uint32_t level,
                           unsigned nr_vcpus)
{
    unsigned vcpu = IRQ_VCPU2(irq) * 256 + IRQ_VCPU(irq);
    unsigned num = IRQ_NUM(irq);

    switch (IRQ_TYPE(irq)) {
    case IRQ_TYPE_CPU:
        return -ENXIO;
    case IRQ_TYPE_SPI:
        if (!g->initialized) {
            return -EBUSY;
        }
        if (num < 32 || num >= g->nr_irqs) {
            return -EINVAL;
        }
        if (level) {
            g->spi_level[num / 8] |= 1u << (num % 8);
        } else {
            g->spi_level[num / 8] &= ~(1u << (num % 8));
        }
        return 0;
    case IRQ_TYPE_PPI:
        if (!g->initialized) {
            return -EBUSY;
        }
        return num < 16 || num >= 32 || vcpu >= nr_vcpus ? -EINVAL : 0;
    default:
        return -EINVAL;
    }
}
