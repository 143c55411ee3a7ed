/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtcca: a TrustZone platform for Arm CCA realms (virtCCA)
 *
 * The machine's memory map and state, shared by the machine's source
 * files.
 */
#ifndef HW_ARM_VIRTCCA_H
#define HW_ARM_VIRTCCA_H

#include "exec/hwaddr.h"
#include "hw/boards.h"
#include "hw/arm/boot.h"
#include "qom/object.h"

#define TYPE_VIRTCCA_MACHINE MACHINE_TYPE_NAME("virtcca")
OBJECT_DECLARE_SIMPLE_TYPE(VirtCCAMachineState, VIRTCCA_MACHINE)

/* Regions of the memory map; the table lives in virtcca.c. */
enum {
    VIRTCCA_GIC_DIST,
    VIRTCCA_GIC_REDIST,
    VIRTCCA_UART,
    VIRTCCA_RTC,
    VIRTCCA_FW_CFG,
    VIRTCCA_PCIE_MMIO,
    VIRTCCA_PCIE_PIO,
    VIRTCCA_PCIE_ECAM,
    VIRTCCA_MEM,
    VIRTCCA_SECURE_ROM,     /* Secure address space only, with -bios */
    VIRTCCA_TZASC,          /* Secure address space only */
    VIRTCCA_SECURE_MEM,     /* behind the TZASC; the size is the maximum */
    VIRTCCA_GPIO,           /* PL061: the power button */
    VIRTCCA_GIC_ITS,        /* under TCG: MSIs for PCIe */
    VIRTCCA_MEMMAP_ENTRIES,
};

/* Shared peripheral interrupts (SPI numbers, GIC INTID - 32). */
enum {
    VIRTCCA_UART_IRQ = 1,
    VIRTCCA_RTC_IRQ = 2,
    VIRTCCA_PCIE_IRQ = 3,   /* four of them: INTA..INTD */
    VIRTCCA_TZASC_IRQ = 7,  /* TZCINT */
    VIRTCCA_GPIO_IRQ = 8,
};

/* The PL061 line of the power button (gpio-keys, KEY_POWER). */
#define VIRTCCA_GPIO_POWER_BUTTON 3

#define VIRTCCA_NUM_IRQS 64

extern const MemMapEntry virtcca_memmap[VIRTCCA_MEMMAP_ENTRIES];

struct VirtCCAMachineState {
    MachineState parent_obj;

    struct arm_boot_info bootinfo;
    DeviceState *gic;
    MemoryRegion secure_sysmem;
    AddressSpace secure_as;     /* what Secure firmware sees */
    MemoryRegion secure_rom;    /* -bios */
    MemoryRegion secure_ram;    /* the Secure DRAM carve-out */
    DeviceState *tzasc;         /* TZC-400 in front of secure_ram */
    uint64_t secure_mem_size;   /* machine property secure-memory-size */
    bool secure_mem_size_set;   /* ... given by the user */
    struct VirtccaRealm *realm; /* with confidential-guest-support */
    uint32_t gic_phandle;
    uint32_t msi_phandle;   /* the ITS, 0 without one */
    uint32_t clock_phandle;
    DeviceState *power_button; /* gpio-key: a press, released by itself */
    Notifier powerdown;
    int fdt_size;
};

#endif
