/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Arm CoreLink TZC-400 TrustZone Address Space Controller
 *
 * The model sits between the bus and one memory (the "upstream" link, the
 * DRAM it protects) and exposes the filtered view of that memory as an
 * IOMMU memory region (sysbus MMIO 1) for the board to map where the DRAM
 * lives.  Sysbus MMIO 0 is the 4 KiB programming port, which the board
 * must map in the Secure address space only.  Sysbus MMIO 2 is where the
 * CPUs' refused accesses are answered: the board maps it in system memory
 * at "cpu-refusal-base", an address nothing else uses, and links the
 * roots of the CPUs' Non-secure and Secure views ("ns-view", "s-view")
 * (see tzc400.c for why).  Sysbus MMIO 3, optional, is the memory the
 * filter opens to Secure accesses both ways, for the board to map over
 * MMIO 1 in the Secure view only: the same permissions, reached without
 * an IOMMU translation.  The single GPIO output "irq" is TZCINT.
 *
 * Register layout and reset values: Arm CoreLink TZC-400 TrustZone
 * Address Space Controller Technical Reference Manual (DDI 0504).
 */
#ifndef HW_ARM_VIRTCCA_TZC400_H
#define HW_ARM_VIRTCCA_TZC400_H

#include "hw/sysbus.h"
#include "qom/object.h"

#define TYPE_TZC400 "tzc400"
OBJECT_DECLARE_SIMPLE_TYPE(TZC400State, TZC400)

#define TYPE_TZC400_IOMMU_MEMORY_REGION "tzc400-iommu-memory-region"

#define TZC400_NUM_FILTERS  4
#define TZC400_NUM_REGIONS  9

/* Register offsets, for boards that program the TZC as firmware would. */
#define TZC400_BUILD_CONFIG         0x000
#define TZC400_ACTION               0x004
#define TZC400_GATE_KEEPER          0x008
#define TZC400_SPECULATION_CTRL     0x00c
#define TZC400_INT_STATUS           0x010
#define TZC400_INT_CLEAR            0x014
#define TZC400_FAIL_ADDRESS_LOW(f)  (0x020 + (f) * 0x10)
#define TZC400_FAIL_ADDRESS_HIGH(f) (0x024 + (f) * 0x10)
#define TZC400_FAIL_CONTROL(f)      (0x028 + (f) * 0x10)
#define TZC400_FAIL_ID(f)           (0x02c + (f) * 0x10)
#define TZC400_REGION_BASE_LOW(n)   (0x100 + (n) * 0x20)
#define TZC400_REGION_BASE_HIGH(n)  (0x104 + (n) * 0x20)
#define TZC400_REGION_TOP_LOW(n)    (0x108 + (n) * 0x20)
#define TZC400_REGION_TOP_HIGH(n)   (0x10c + (n) * 0x20)
#define TZC400_REGION_ATTRIBUTES(n) (0x110 + (n) * 0x20)
#define TZC400_REGION_ID_ACCESS(n)  (0x114 + (n) * 0x20)

/* ACTION.reaction_value */
#define TZC400_ACTION_DECERR        (1u << 0)   /* else OKAY, RAZ/WI */
#define TZC400_ACTION_INT           (1u << 1)   /* drive TZCINT */

/* REGION_ATTRIBUTES */
#define TZC400_ATTR_S_WR_EN         (1u << 31)
#define TZC400_ATTR_S_RD_EN         (1u << 30)
#define TZC400_ATTR_FILTER_EN_MASK  0xfu

/* REGION_ID_ACCESS: one read and one write enable bit per NSAID. */
#define TZC400_NSAID_RD_EN(id)      (1u << (id))
#define TZC400_NSAID_WR_EN(id)      (1u << (16 + (id)))

/* FAIL_CONTROL */
#define TZC400_FAIL_CONTROL_WRITE   (1u << 24)
#define TZC400_FAIL_CONTROL_NS      (1u << 21)
#define TZC400_FAIL_CONTROL_PRIV    (1u << 20)

struct TZC400State {
    SysBusDevice parent_obj;

    /* Registers */
    uint32_t action;
    uint32_t gate_keeper;       /* open_request bits; status mirrors them */
    uint32_t speculation_ctrl;
    uint32_t int_status;
    uint32_t fail_address_low[TZC400_NUM_FILTERS];
    uint32_t fail_address_high[TZC400_NUM_FILTERS];
    uint32_t fail_control[TZC400_NUM_FILTERS];
    uint32_t fail_id[TZC400_NUM_FILTERS];
    uint32_t region_base_low[TZC400_NUM_REGIONS];
    uint32_t region_base_high[TZC400_NUM_REGIONS];
    uint32_t region_top_low[TZC400_NUM_REGIONS];
    uint32_t region_top_high[TZC400_NUM_REGIONS];
    uint32_t region_attributes[TZC400_NUM_REGIONS];
    uint32_t region_id_access[TZC400_NUM_REGIONS];

    /* Accesses refused since the machine was created (QOM "violations"). */
    uint64_t violations;

    qemu_irq irq;

    /* Properties */
    MemoryRegion *upstream;     /* the memory behind the filter */
    MemoryRegion *ns_view;      /* root of the CPUs' Non-secure view */
    MemoryRegion *s_view;       /* root of the CPUs' Secure view */
    uint64_t cpu_refusal_base;  /* where the board maps MMIO 2 */
    uint64_t base;              /* bus address of the upstream's byte 0 */
    uint32_t filter;            /* filter unit the upstream port feeds */

    MemoryRegion regs;
    IOMMUMemoryRegion downstream;
    MemoryRegion blocked_io;
    MemoryRegion refused_io;    /* answers transactions refused already */
    MemoryRegion cpu_refusal;   /* alias of blocked_io, MMIO 2 */
    MemoryRegion s_direct;      /* MMIO 3: holds s_direct_ram */
    /* Runs of upstream open to Secure reads and writes; the rest disabled */
    MemoryRegion s_direct_ram[TZC400_NUM_REGIONS];
    AddressSpace upstream_as;
    AddressSpace blocked_io_as;
    AddressSpace refused_io_as;
    AddressSpace ns_view_as;
    AddressSpace s_view_as;
};

#endif
