/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtcca: a TrustZone platform for Arm CCA realms (virtCCA)
 *
 * A standalone machine, not a variant of "virt": it has one memory map
 * (below), its own device tree, CPUs with EL3 and a GICv3 with the
 * security extensions, as a TrustZone server has.  Linux is booted
 * directly in the Non-secure world, with QEMU's PSCI on the SMC conduit
 * standing in for the firmware, because realms need that conduit.  With
 * -bios, Secure firmware boots instead, at EL3 from a Secure boot ROM,
 * and provides PSCI itself.
 *
 * A TZC-400 (the TZASC) guards a Secure DRAM carve-out above the
 * Non-secure DRAM window: CPUs of both worlds and every device reach that
 * DRAM through the TZC's filter, and the TZC's programming port is in the
 * Secure address space only.
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/datadir.h"
#include "qobject/qlist.h"
#include "system/device_tree.h"
#include "system/kvm.h"
#include "system/reset.h"
#include "system/runstate.h"
#include "system/system.h"
#include "hw/arm/boot.h"
#include "hw/arm/bsa.h"
#include "hw/arm/fdt.h"
#include "hw/arm/machines-qom.h"
#include "hw/char/pl011.h"
#include "hw/irq.h"
#include "hw/or-irq.h"
#include "hw/intc/arm_gicv3_common.h"
#include "hw/loader.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/pci/pci.h"
#include "hw/pci-host/gpex.h"
#include "hw/qdev-properties.h"
#include "hw/sysbus.h"
#include "migration/vmstate.h"
#include "target/arm/cpu.h"
#include "target/arm/cpu-qom.h"
#include "target/arm/gtimer.h"
#include "accel/virtcca/virtcca-accel.h"
#include "tzc400.h"
#include "virtcca-guest.h"
#include "virtcca.h"

/* Generic timer frequency: Armv8.6 and later mandate 1 GHz. */
#define VIRTCCA_GTIMER_HZ   1000000000

/*
 * Where the TZASC answers the accesses it refuses to CPUs (see tzc400.c):
 * in system memory, far beyond the physical address range of any CPU.
 * A device reaching it is refused as if it had addressed the carve-out.
 */
#define VIRTCCA_TZASC_CPU_REFUSAL   0x8000000000000000ULL

/* The TZC-400's regions are 4 KiB granular, and so is the carve-out. */
#define VIRTCCA_SECURE_MEM_ALIGN    (4 * KiB)

/* 24 MiB of GICv3 redistributor space: 123 CPUs (128 KiB each). */
#define VIRTCCA_REDIST_SIZE 0x00F60000

/*
 * The memory map.  Devices sit in the first GiB, DRAM starts at 1 GiB,
 * Secure DRAM follows the 255 GiB Non-secure DRAM window.  The Secure
 * boot ROM and the TZASC's registers exist in the Secure address space
 * only: Non-secure accesses there find nothing.
 * Everything ends well below 2^47 so that a realm's IPA space of 48 bits
 * (the widest the Linux realm guest is known to handle with its DMA
 * bounce buffers) holds the whole map in its protected half.
 */
const MemMapEntry virtcca_memmap[VIRTCCA_MEMMAP_ENTRIES] = {
    [VIRTCCA_GIC_DIST] =    { 0x08000000, 0x00010000 },
    [VIRTCCA_GIC_REDIST] =  { 0x080A0000, VIRTCCA_REDIST_SIZE },
    [VIRTCCA_UART] =        { 0x09000000, 0x00001000 },
    [VIRTCCA_RTC] =         { 0x09010000, 0x00001000 },
    [VIRTCCA_FW_CFG] =      { 0x09020000, 0x00000018 },
    [VIRTCCA_PCIE_MMIO] =   { 0x10000000, 0x2EFF0000 },
    [VIRTCCA_PCIE_PIO] =    { 0x3EFF0000, 0x00010000 },
    [VIRTCCA_PCIE_ECAM] =   { 0x3F000000, 0x01000000 },
    [VIRTCCA_MEM] =         { 0x40000000, 255 * GiB },
    [VIRTCCA_SECURE_ROM] =  { 0x00000000, 0x00100000 },
    [VIRTCCA_TZASC] =       { 0x09030000, 0x00001000 },
    [VIRTCCA_SECURE_MEM] =  { 0x4000000000ULL, 256 * GiB },
    [VIRTCCA_GPIO] =        { 0x09040000, 0x00001000 },
    [VIRTCCA_GIC_ITS] =     { 0x08080000, 0x00020000 },
};

static void virtcca_fdt_add_cpus(VirtCCAMachineState *vms)
{
    MachineState *ms = MACHINE(vms);
    void *fdt = ms->fdt;
    int cpu;

    qemu_fdt_add_subnode(fdt, "/cpus");
    qemu_fdt_setprop_cell(fdt, "/cpus", "#address-cells", 2);
    qemu_fdt_setprop_cell(fdt, "/cpus", "#size-cells", 0);

    /* Added in reverse so that the finished tree lists cpu@0 first. */
    for (cpu = ms->smp.cpus - 1; cpu >= 0; cpu--) {
        ARMCPU *armcpu = ARM_CPU(qemu_get_cpu(cpu));
        g_autofree char *node = g_strdup_printf("/cpus/cpu@%d", cpu);

        qemu_fdt_add_subnode(fdt, node);
        qemu_fdt_setprop_string(fdt, node, "device_type", "cpu");
        qemu_fdt_setprop_string(fdt, node, "compatible",
                                armcpu->dtb_compatible);
        qemu_fdt_setprop_string(fdt, node, "enable-method", "psci");
        qemu_fdt_setprop_u64(fdt, node, "reg", arm_cpu_mp_affinity(armcpu));
    }
}

static void virtcca_fdt_add_timer(VirtCCAMachineState *vms)
{
    void *fdt = MACHINE(vms)->fdt;
    const char compat[] = "arm,armv8-timer";
    const uint32_t flags = GIC_FDT_IRQ_FLAGS_LEVEL_HI;

    qemu_fdt_add_subnode(fdt, "/timer");
    qemu_fdt_setprop(fdt, "/timer", "compatible", compat, sizeof(compat));
    qemu_fdt_setprop(fdt, "/timer", "always-on", NULL, 0);
    qemu_fdt_setprop_cells(fdt, "/timer", "interrupts",
        GIC_FDT_IRQ_TYPE_PPI, INTID_TO_PPI(ARCH_TIMER_S_EL1_IRQ), flags,
        GIC_FDT_IRQ_TYPE_PPI, INTID_TO_PPI(ARCH_TIMER_NS_EL1_IRQ), flags,
        GIC_FDT_IRQ_TYPE_PPI, INTID_TO_PPI(ARCH_TIMER_VIRT_IRQ), flags,
        GIC_FDT_IRQ_TYPE_PPI, INTID_TO_PPI(ARCH_TIMER_NS_EL2_IRQ), flags);
}

static void virtcca_fdt_add_gic(VirtCCAMachineState *vms)
{
    void *fdt = MACHINE(vms)->fdt;
    g_autofree char *node = g_strdup_printf("/intc@%" HWADDR_PRIx,
                                virtcca_memmap[VIRTCCA_GIC_DIST].base);

    vms->gic_phandle = qemu_fdt_alloc_phandle(fdt);
    qemu_fdt_setprop_cell(fdt, "/", "interrupt-parent", vms->gic_phandle);

    qemu_fdt_add_subnode(fdt, node);
    qemu_fdt_setprop_string(fdt, node, "compatible", "arm,gic-v3");
    qemu_fdt_setprop_cell(fdt, node, "#interrupt-cells", 3);
    qemu_fdt_setprop_cell(fdt, node, "#address-cells", 2);
    qemu_fdt_setprop_cell(fdt, node, "#size-cells", 2);
    qemu_fdt_setprop(fdt, node, "interrupt-controller", NULL, 0);
    qemu_fdt_setprop_cell(fdt, node, "#redistributor-regions", 1);
    qemu_fdt_setprop_sized_cells(fdt, node, "reg",
        2, virtcca_memmap[VIRTCCA_GIC_DIST].base,
        2, virtcca_memmap[VIRTCCA_GIC_DIST].size,
        2, virtcca_memmap[VIRTCCA_GIC_REDIST].base,
        2, virtcca_memmap[VIRTCCA_GIC_REDIST].size);
    qemu_fdt_setprop_cells(fdt, node, "interrupts", GIC_FDT_IRQ_TYPE_PPI,
                           INTID_TO_PPI(ARCH_GIC_MAINT_IRQ),
                           GIC_FDT_IRQ_FLAGS_LEVEL_HI);
    qemu_fdt_setprop_cell(fdt, node, "phandle", vms->gic_phandle);
    if (vms->msi_phandle) {
        const MemMapEntry *its = &virtcca_memmap[VIRTCCA_GIC_ITS];
        g_autofree char *its_node = g_strdup_printf("%s/its@%" HWADDR_PRIx,
                                                    node, its->base);

        qemu_fdt_setprop(fdt, node, "ranges", NULL, 0);
        qemu_fdt_add_subnode(fdt, its_node);
        qemu_fdt_setprop_string(fdt, its_node, "compatible",
                                "arm,gic-v3-its");
        qemu_fdt_setprop(fdt, its_node, "msi-controller", NULL, 0);
        qemu_fdt_setprop_cell(fdt, its_node, "#msi-cells", 1);
        qemu_fdt_setprop_sized_cells(fdt, its_node, "reg", 2, its->base,
                                     2, its->size);
        qemu_fdt_setprop_cell(fdt, its_node, "phandle", vms->msi_phandle);
    }
}

/*
 * Under TCG, an ITS: PCIe devices signal MSI-X as LPIs, which the GIC
 * reads its tables for from memory (for a realm, the pages it shares).
 * The in-kernel GIC of KVM is left as it is.
 */
static void virtcca_create_its(VirtCCAMachineState *vms)
{
    const MemMapEntry *its = &virtcca_memmap[VIRTCCA_GIC_ITS];
    DeviceState *dev = qdev_new("arm-gicv3-its");

    object_property_set_link(OBJECT(dev), "parent-gicv3", OBJECT(vms->gic),
                             &error_abort);
    sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), &error_fatal);
    sysbus_mmio_map(SYS_BUS_DEVICE(dev), 0, its->base);
    vms->msi_phandle = qemu_fdt_alloc_phandle(MACHINE(vms)->fdt);
    if (vms->realm) {
        /*
         * A device's MSI is a write to GITS_TRANSLATER (in the ITS's
         * second 64 KiB frame) at the address the realm's ITS driver
         * gives it, which is a plain (protected-half) one.
         */
        virtcca_realm_add_msi_doorbell(vms->realm, its->base + 0x10000,
                                       0x10000);
    }
}

static void virtcca_create_fdt(VirtCCAMachineState *vms)
{
    MachineState *ms = MACHINE(vms);
    void *fdt = create_device_tree(&vms->fdt_size);

    if (!fdt) {
        error_report("virtcca: cannot create the device tree");
        exit(1);
    }
    ms->fdt = fdt;

    qemu_fdt_setprop_string(fdt, "/", "compatible", "qemu,virtcca");
    qemu_fdt_setprop_string(fdt, "/", "model", "QEMU virtCCA platform");
    qemu_fdt_setprop_cell(fdt, "/", "#address-cells", 2);
    qemu_fdt_setprop_cell(fdt, "/", "#size-cells", 2);
    qemu_fdt_add_subnode(fdt, "/chosen");

    /* The PL011 and PL031 want an APB clock; it is never gated. */
    vms->clock_phandle = qemu_fdt_alloc_phandle(fdt);
    qemu_fdt_add_subnode(fdt, "/apb-pclk");
    qemu_fdt_setprop_string(fdt, "/apb-pclk", "compatible", "fixed-clock");
    qemu_fdt_setprop_cell(fdt, "/apb-pclk", "#clock-cells", 0);
    qemu_fdt_setprop_cell(fdt, "/apb-pclk", "clock-frequency", 24000000);
    qemu_fdt_setprop_string(fdt, "/apb-pclk", "clock-output-names",
                            "clk24mhz");
    qemu_fdt_setprop_cell(fdt, "/apb-pclk", "phandle", vms->clock_phandle);

    virtcca_fdt_add_cpus(vms);
    virtcca_fdt_add_timer(vms);
}

static void virtcca_create_cpus(VirtCCAMachineState *vms)
{
    MachineState *ms = MACHINE(vms);
    MachineClass *mc = MACHINE_GET_CLASS(ms);
    const CPUArchIdList *possible = mc->possible_cpu_arch_ids(ms);
    unsigned int n;

    for (n = 0; n < ms->smp.cpus; n++) {
        Object *cpuobj = object_new(possible->cpus[n].type);

        object_property_set_int(cpuobj, "mp-affinity",
                                possible->cpus[n].arch_id, &error_abort);
        if (kvm_enabled()) {
            /*
             * KVM gives guests neither EL3 nor a Secure world; the
             * timer runs at the host's frequency.  No EL2 either, even
             * where the host offers nested virtualisation (-cpu host
             * would ask for it): realms have none, and the machine has
             * no option for it.
             */
            if (object_property_find(cpuobj, "has_el2")) {
                object_property_set_bool(cpuobj, "has_el2", false,
                                         &error_abort);
            }
            /*
             * Secondaries wait for PSCI CPU_ON.  KVM_ARM_VCPU_INIT takes
             * this at realize, before the boot code would set it; for a
             * realm it also decides whether each REC is runnable, which
             * the RIM measures.
             */
            object_property_set_bool(cpuobj, "start-powered-off", n > 0,
                                     &error_abort);
            goto realize;
        }
        /*
         * EL3 is present, as on every TrustZone platform: realm payloads
         * read ID_AA64PFR0_EL1.EL3 before they issue SMCs.  EL2 only for
         * a realm: the monitor's Secure EL2, which it runs realms under
         * (monitor-el2.c); Linux booted directly has no hypervisor.
         */
        if (!object_property_find(cpuobj, "has_el3")) {
            error_report("virtcca: CPU type '%s' has no EL3 (TrustZone); "
                         "use -cpu max", ms->cpu_type);
            exit(1);
        }
        object_property_set_bool(cpuobj, "has_el3", true, &error_abort);
        if (object_property_find(cpuobj, "has_el2")) {
            object_property_set_bool(cpuobj, "has_el2", false, &error_abort);
        }
        object_property_set_int(cpuobj, "cntfrq", VIRTCCA_GTIMER_HZ,
                                &error_abort);
        if (vms->realm) {
            virtcca_realm_configure_cpu(vms->realm, cpuobj);
        }
        /*
         * A realm's IPA space is its monitor's stage 2: the vCPUs' own
         * walk over the RTTs reaches the bus like any other access.
         */
        object_property_set_link(cpuobj, "memory",
                                 OBJECT(get_system_memory()), &error_abort);
        object_property_set_link(cpuobj, "secure-memory",
                                 OBJECT(&vms->secure_sysmem), &error_abort);
realize:
        CPU(cpuobj)->cpu_index = n;
        qdev_realize(DEVICE(cpuobj), NULL, &error_fatal);
        object_unref(cpuobj);
    }
}

static void virtcca_create_gic(VirtCCAMachineState *vms)
{
    MachineState *ms = MACHINE(vms);
    unsigned int ncpu = ms->smp.cpus;
    SysBusDevice *sbd;
    QList *redist_count = qlist_new();
    unsigned int i;

    vms->gic = qdev_new(gicv3_class_name());
    qdev_prop_set_uint32(vms->gic, "revision", 3);
    qdev_prop_set_uint32(vms->gic, "num-cpu", ncpu);
    /* num-irq counts the 32 SGIs and PPIs too. */
    qdev_prop_set_uint32(vms->gic, "num-irq", VIRTCCA_NUM_IRQS + 32);
    /*
     * Security extensions, as on TrustZone hardware.  Booting Linux
     * directly, the GIC resets every interrupt to Non-secure Group 1, as
     * firmware would leave them for the normal world.
     */
    qdev_prop_set_bit(vms->gic, "has-security-extensions", !kvm_enabled());
    if (!kvm_enabled()) {
        qdev_prop_set_bit(vms->gic, "has-lpi", true);
        object_property_set_link(OBJECT(vms->gic), "sysmem",
                                 OBJECT(get_system_memory()), &error_fatal);
    }
    qlist_append_int(redist_count, ncpu);
    qdev_prop_set_array(vms->gic, "redist-region-count", redist_count);

    sbd = SYS_BUS_DEVICE(vms->gic);
    sysbus_realize_and_unref(sbd, &error_fatal);
    sysbus_mmio_map(sbd, 0, virtcca_memmap[VIRTCCA_GIC_DIST].base);
    sysbus_mmio_map(sbd, 1, virtcca_memmap[VIRTCCA_GIC_REDIST].base);

    for (i = 0; i < ncpu; i++) {
        DeviceState *cpudev = DEVICE(qemu_get_cpu(i));
        int ppibase = VIRTCCA_NUM_IRQS + i * GIC_INTERNAL;
        static const int timer_irq[] = {
            [GTIMER_PHYS] = ARCH_TIMER_NS_EL1_IRQ,
            [GTIMER_VIRT] = ARCH_TIMER_VIRT_IRQ,
            [GTIMER_HYP]  = ARCH_TIMER_NS_EL2_IRQ,
            [GTIMER_SEC]  = ARCH_TIMER_S_EL1_IRQ,
            [GTIMER_HYPVIRT] = ARCH_TIMER_NS_EL2_VIRT_IRQ,
            [GTIMER_S_EL2_PHYS] = ARCH_TIMER_S_EL2_IRQ,
            [GTIMER_S_EL2_VIRT] = ARCH_TIMER_S_EL2_VIRT_IRQ,
        };
        int t;

        for (t = 0; t < ARRAY_SIZE(timer_irq); t++) {
            qdev_connect_gpio_out(cpudev, t,
                qdev_get_gpio_in(vms->gic, ppibase + timer_irq[t]));
        }
        qdev_connect_gpio_out_named(cpudev, "pmu-interrupt", 0,
            qdev_get_gpio_in(vms->gic, ppibase + VIRTUAL_PMU_IRQ));

        if (vms->realm) {
            /*
             * The maintenance interrupt is the host's, not a PPI in the
             * GIC the realm programs (host-vgic.c): it makes the REC
             * exit, as any interrupt for the host does.
             */
            DeviceState *irq_or = qdev_new(TYPE_OR_IRQ);

            object_property_add_child(OBJECT(vms), "host-irq[*]",
                                      OBJECT(irq_or));
            qdev_prop_set_uint16(irq_or, "num-lines", 2);
            qdev_realize_and_unref(irq_or, NULL, &error_fatal);
            qdev_connect_gpio_out(irq_or, 0,
                                  qdev_get_gpio_in(cpudev, ARM_CPU_IRQ));
            sysbus_connect_irq(sbd, i, qdev_get_gpio_in(irq_or, 0));
            qdev_connect_gpio_out_named(cpudev,
                                        "gicv3-maintenance-interrupt", 0,
                                        qdev_get_gpio_in(irq_or, 1));
        } else {
            qdev_connect_gpio_out_named(cpudev,
                "gicv3-maintenance-interrupt", 0,
                qdev_get_gpio_in(vms->gic, ppibase + ARCH_GIC_MAINT_IRQ));
            sysbus_connect_irq(sbd, i,
                               qdev_get_gpio_in(cpudev, ARM_CPU_IRQ));
        }
        sysbus_connect_irq(sbd, i + ncpu,
                           qdev_get_gpio_in(cpudev, ARM_CPU_FIQ));
        sysbus_connect_irq(sbd, i + 2 * ncpu,
                           qdev_get_gpio_in(cpudev, ARM_CPU_VIRQ));
        sysbus_connect_irq(sbd, i + 3 * ncpu,
                           qdev_get_gpio_in(cpudev, ARM_CPU_VFIQ));
    }

    if (!kvm_enabled()) {
        virtcca_create_its(vms);
    }
    virtcca_fdt_add_gic(vms);
}

/*
 * The node of a PrimeCell peripheral ("arm,<name>", "arm,primecell") at
 * memory-map @region, with its SPI.  Returns the node's path.
 */
static char *virtcca_fdt_add_primecell(VirtCCAMachineState *vms,
                                       const char *name, int region,
                                       int irq)
{
    void *fdt = MACHINE(vms)->fdt;
    hwaddr base = virtcca_memmap[region].base;
    char *node = g_strdup_printf("/%s@%" HWADDR_PRIx, name, base);
    g_autofree char *model = g_strdup_printf("arm,%s", name);
    char *compat[] = { model, (char *)"arm,primecell" };

    qemu_fdt_add_subnode(fdt, node);
    qemu_fdt_setprop_string_array(fdt, node, "compatible", compat, 2);
    qemu_fdt_setprop_sized_cells(fdt, node, "reg", 2, base, 2,
                                 virtcca_memmap[region].size);
    qemu_fdt_setprop_cells(fdt, node, "interrupts", GIC_FDT_IRQ_TYPE_SPI,
                           irq, GIC_FDT_IRQ_FLAGS_LEVEL_HI);
    return node;
}

static void virtcca_create_uart(VirtCCAMachineState *vms)
{
    void *fdt = MACHINE(vms)->fdt;
    const char clocks[] = "uartclk\0apb_pclk";
    g_autofree char *node = NULL;
    DeviceState *dev = qdev_new(TYPE_PL011);

    qdev_prop_set_chr(dev, "chardev", serial_hd(0));
    sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), &error_fatal);
    sysbus_mmio_map(SYS_BUS_DEVICE(dev), 0, virtcca_memmap[VIRTCCA_UART].base);
    sysbus_connect_irq(SYS_BUS_DEVICE(dev), 0,
                       qdev_get_gpio_in(vms->gic, VIRTCCA_UART_IRQ));

    node = virtcca_fdt_add_primecell(vms, "pl011", VIRTCCA_UART,
                                     VIRTCCA_UART_IRQ);
    qemu_fdt_setprop_cells(fdt, node, "clocks", vms->clock_phandle,
                           vms->clock_phandle);
    qemu_fdt_setprop(fdt, node, "clock-names", clocks, sizeof(clocks));
    qemu_fdt_setprop_string(fdt, "/chosen", "stdout-path", node);
}

/*
 * QEMU's system_powerdown (virsh shutdown, the monitor's
 * system_powerdown): press the power button.
 */
static void virtcca_powerdown_req(Notifier *n, void *opaque)
{
    VirtCCAMachineState *vms = container_of(n, VirtCCAMachineState,
                                            powerdown);

    qemu_set_irq(qdev_get_gpio_in(vms->power_button, 0), 1);
}

/*
 * A power button, as a device tree describes one: a PL061 line, with
 * gpio-keys reporting KEY_POWER.  The machine has no ACPI.
 */
static void virtcca_create_power_button(VirtCCAMachineState *vms)
{
    void *fdt = MACHINE(vms)->fdt;
    uint32_t phandle = qemu_fdt_alloc_phandle(fdt);
    g_autofree char *node = NULL;
    DeviceState *pl061;

    pl061 = sysbus_create_simple("pl061", virtcca_memmap[VIRTCCA_GPIO].base,
                                 qdev_get_gpio_in(vms->gic, VIRTCCA_GPIO_IRQ));
    vms->power_button = sysbus_create_simple("gpio-key", -1,
        qdev_get_gpio_in(pl061, VIRTCCA_GPIO_POWER_BUTTON));
    vms->powerdown.notify = virtcca_powerdown_req;
    qemu_register_powerdown_notifier(&vms->powerdown);

    node = virtcca_fdt_add_primecell(vms, "pl061", VIRTCCA_GPIO,
                                     VIRTCCA_GPIO_IRQ);
    qemu_fdt_setprop_cell(fdt, node, "clocks", vms->clock_phandle);
    qemu_fdt_setprop_string(fdt, node, "clock-names", "apb_pclk");
    qemu_fdt_setprop(fdt, node, "gpio-controller", NULL, 0);
    qemu_fdt_setprop_cell(fdt, node, "#gpio-cells", 2);
    qemu_fdt_setprop_cell(fdt, node, "phandle", phandle);

    qemu_fdt_add_subnode(fdt, "/gpio-keys");
    qemu_fdt_setprop_string(fdt, "/gpio-keys", "compatible", "gpio-keys");
    qemu_fdt_add_subnode(fdt, "/gpio-keys/poweroff");
    qemu_fdt_setprop_string(fdt, "/gpio-keys/poweroff", "label",
                            "GPIO Key Poweroff");
    qemu_fdt_setprop_cell(fdt, "/gpio-keys/poweroff", "linux,code",
                          116 /* KEY_POWER */);
    qemu_fdt_setprop_cells(fdt, "/gpio-keys/poweroff", "gpios", phandle,
                           VIRTCCA_GPIO_POWER_BUTTON, 0);
}

static void virtcca_create_rtc(VirtCCAMachineState *vms)
{
    void *fdt = MACHINE(vms)->fdt;
    g_autofree char *node = NULL;

    sysbus_create_simple("pl031", virtcca_memmap[VIRTCCA_RTC].base,
                         qdev_get_gpio_in(vms->gic, VIRTCCA_RTC_IRQ));

    node = virtcca_fdt_add_primecell(vms, "pl031", VIRTCCA_RTC,
                                     VIRTCCA_RTC_IRQ);
    qemu_fdt_setprop_cell(fdt, node, "clocks", vms->clock_phandle);
    qemu_fdt_setprop_string(fdt, node, "clock-names", "apb_pclk");
}

static void virtcca_create_fw_cfg(VirtCCAMachineState *vms)
{
    MachineState *ms = MACHINE(vms);
    hwaddr base = virtcca_memmap[VIRTCCA_FW_CFG].base;
    hwaddr size = virtcca_memmap[VIRTCCA_FW_CFG].size;
    g_autofree char *node = g_strdup_printf("/fw-cfg@%" HWADDR_PRIx, base);
    FWCfgState *fw_cfg;

    fw_cfg = fw_cfg_init_mem_wide(base + 8, base, 8, base + 16,
                                  &address_space_memory);
    fw_cfg_add_i16(fw_cfg, FW_CFG_NB_CPUS, ms->smp.cpus);

    qemu_fdt_add_subnode(ms->fdt, node);
    qemu_fdt_setprop_string(ms->fdt, node, "compatible", "qemu,fw-cfg-mmio");
    qemu_fdt_setprop_sized_cells(ms->fdt, node, "reg", 2, base, 2, size);
    qemu_fdt_setprop(ms->fdt, node, "dma-coherent", NULL, 0);
}

/* INTx of slot N pin P goes to SPI base + (N + P) % 4, the usual swizzle. */
static void virtcca_fdt_add_pcie_irq_map(VirtCCAMachineState *vms,
                                         const char *node)
{
    void *fdt = MACHINE(vms)->fdt;
    uint32_t map[4][4][10];
    int slot, pin, i;

    for (slot = 0; slot < 4; slot++) {
        for (pin = 0; pin < 4; pin++) {
            uint32_t entry[10] = {
                PCI_DEVFN(slot, 0) << 8, 0, 0, pin + 1,
                vms->gic_phandle, 0, 0, GIC_FDT_IRQ_TYPE_SPI,
                VIRTCCA_PCIE_IRQ + (slot + pin) % PCI_NUM_PINS,
                GIC_FDT_IRQ_FLAGS_LEVEL_HI,
            };

            for (i = 0; i < 10; i++) {
                map[slot][pin][i] = cpu_to_be32(entry[i]);
            }
        }
    }
    qemu_fdt_setprop(fdt, node, "interrupt-map", map, sizeof(map));
    qemu_fdt_setprop_cells(fdt, node, "interrupt-map-mask",
                           PCI_DEVFN(3, 0) << 8, 0, 0, 0x7);
}

static void virtcca_create_pcie(VirtCCAMachineState *vms)
{
    MachineState *ms = MACHINE(vms);
    void *fdt = ms->fdt;
    const MemMapEntry *ecam = &virtcca_memmap[VIRTCCA_PCIE_ECAM];
    const MemMapEntry *mmio = &virtcca_memmap[VIRTCCA_PCIE_MMIO];
    const MemMapEntry *pio = &virtcca_memmap[VIRTCCA_PCIE_PIO];
    g_autofree char *node = g_strdup_printf("/pcie@%" HWADDR_PRIx,
                                            mmio->base);
    DeviceState *dev = qdev_new(TYPE_GPEX_HOST);
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);
    MemoryRegion *ecam_alias = g_new0(MemoryRegion, 1);
    MemoryRegion *mmio_alias = g_new0(MemoryRegion, 1);
    int nr_buses = ecam->size / PCIE_MMCFG_SIZE_MIN;
    int i;

    sysbus_realize_and_unref(sbd, &error_fatal);

    /* The window shows PCI memory space 1:1 at the same addresses. */
    memory_region_init_alias(ecam_alias, OBJECT(dev), "pcie-ecam",
                             sysbus_mmio_get_region(sbd, 0), 0, ecam->size);
    memory_region_add_subregion(get_system_memory(), ecam->base, ecam_alias);
    memory_region_init_alias(mmio_alias, OBJECT(dev), "pcie-mmio",
                             sysbus_mmio_get_region(sbd, 1),
                             mmio->base, mmio->size);
    memory_region_add_subregion(get_system_memory(), mmio->base, mmio_alias);
    sysbus_mmio_map(sbd, 2, pio->base);

    for (i = 0; i < PCI_NUM_PINS; i++) {
        sysbus_connect_irq(sbd, i,
                           qdev_get_gpio_in(vms->gic, VIRTCCA_PCIE_IRQ + i));
        gpex_set_irq_num(GPEX_HOST(dev), i, VIRTCCA_PCIE_IRQ + i);
    }
    if (vms->realm) {
        virtcca_realm_setup_pci(vms->realm, PCI_HOST_BRIDGE(dev)->bus);
    }
    pci_init_nic_devices(PCI_HOST_BRIDGE(dev)->bus,
                         MACHINE_GET_CLASS(ms)->default_nic);

    qemu_fdt_add_subnode(fdt, node);
    qemu_fdt_setprop_string(fdt, node, "compatible", "pci-host-ecam-generic");
    qemu_fdt_setprop_string(fdt, node, "device_type", "pci");
    qemu_fdt_setprop_cell(fdt, node, "#address-cells", 3);
    qemu_fdt_setprop_cell(fdt, node, "#size-cells", 2);
    qemu_fdt_setprop_cell(fdt, node, "#interrupt-cells", 1);
    qemu_fdt_setprop_cell(fdt, node, "linux,pci-domain", 0);
    qemu_fdt_setprop_cells(fdt, node, "bus-range", 0, nr_buses - 1);
    qemu_fdt_setprop(fdt, node, "dma-coherent", NULL, 0);
    qemu_fdt_setprop_sized_cells(fdt, node, "reg", 2, ecam->base,
                                 2, ecam->size);
    qemu_fdt_setprop_sized_cells(fdt, node, "ranges",
        1, FDT_PCI_RANGE_IOPORT, 2, 0, 2, pio->base, 2, pio->size,
        1, FDT_PCI_RANGE_MMIO, 2, mmio->base, 2, mmio->base, 2, mmio->size);
    virtcca_fdt_add_pcie_irq_map(vms, node);
    if (vms->msi_phandle) {
        /* Requester ID = device ID, for all 64 Ki of them */
        qemu_fdt_setprop_cells(fdt, node, "msi-map", 0, vms->msi_phandle,
                               0, 0x10000);
    }
}

/*
 * Secure DRAM behind the TZASC.  The TZC's filtered view is what system
 * memory maps, so the Secure view (which includes system memory), the
 * Non-secure view and DMA all go through the filter.
 */
static void virtcca_create_secure_memory(VirtCCAMachineState *vms)
{
    const MemMapEntry *smem = &virtcca_memmap[VIRTCCA_SECURE_MEM];
    const MemMapEntry *regs = &virtcca_memmap[VIRTCCA_TZASC];
    SysBusDevice *sbd;

    if (!vms->secure_mem_size) {
        return;
    }
    /* The machine is not a device: register the RAM block by name. */
    memory_region_init_ram_nomigrate(&vms->secure_ram, OBJECT(vms),
                                     "virtcca.secure-ram",
                                     vms->secure_mem_size, &error_fatal);
    vmstate_register_ram_global(&vms->secure_ram);

    vms->tzasc = qdev_new(TYPE_TZC400);
    object_property_add_child(OBJECT(vms), "tzasc", OBJECT(vms->tzasc));
    object_property_set_link(OBJECT(vms->tzasc), "upstream",
                             OBJECT(&vms->secure_ram), &error_abort);
    object_property_set_link(OBJECT(vms->tzasc), "ns-view",
                             OBJECT(get_system_memory()), &error_abort);
    object_property_set_link(OBJECT(vms->tzasc), "s-view",
                             OBJECT(&vms->secure_sysmem), &error_abort);
    qdev_prop_set_uint64(vms->tzasc, "base", smem->base);
    qdev_prop_set_uint64(vms->tzasc, "cpu-refusal-base",
                         VIRTCCA_TZASC_CPU_REFUSAL);
    sbd = SYS_BUS_DEVICE(vms->tzasc);
    sysbus_realize_and_unref(sbd, &error_fatal);

    memory_region_add_subregion(&vms->secure_sysmem, regs->base,
                                sysbus_mmio_get_region(sbd, 0));
    memory_region_add_subregion(get_system_memory(), smem->base,
                                sysbus_mmio_get_region(sbd, 1));
    memory_region_add_subregion(get_system_memory(),
                                VIRTCCA_TZASC_CPU_REFUSAL,
                                sysbus_mmio_get_region(sbd, 2));
    memory_region_add_subregion(&vms->secure_sysmem, smem->base,
                                sysbus_mmio_get_region(sbd, 3));
    qdev_connect_gpio_out_named(vms->tzasc, "irq", 0,
                                qdev_get_gpio_in(vms->gic,
                                                 VIRTCCA_TZASC_IRQ));
}

static void virtcca_tzasc_write(VirtCCAMachineState *vms, hwaddr offset,
                                uint32_t value)
{
    MemTxAttrs secure = { .secure = 1 };
    MemTxResult res;

    address_space_stl_le(&vms->secure_as,
                         virtcca_memmap[VIRTCCA_TZASC].base + offset, value,
                         secure, &res);
    assert(res == MEMTX_OK);
}

/*
 * What this platform's boot firmware does before anything else runs, so
 * that the carve-out is never reachable from the Non-secure world, with
 * or without -bios:
 *  - region 1 covers the Secure DRAM carve-out, Secure read/write, no
 *    NSAID may read or write it (the TMM will open parts of it later);
 *  - region 0, the background, is Secure-only too: the filter guards
 *    nothing but the carve-out, and nothing else may leak through it;
 *  - a refused access answers DECERR and raises TZCINT (SPI 7);
 *  - the gate keepers are opened last, once the rules are in place.
 */
static void virtcca_program_tzasc(VirtCCAMachineState *vms)
{
    uint64_t base = virtcca_memmap[VIRTCCA_SECURE_MEM].base;
    uint64_t top = base + vms->secure_mem_size - 1;
    uint32_t secure_rw = TZC400_ATTR_S_RD_EN | TZC400_ATTR_S_WR_EN;

    if (!vms->tzasc) {
        return;
    }
    virtcca_tzasc_write(vms, TZC400_REGION_BASE_LOW(1), base);
    virtcca_tzasc_write(vms, TZC400_REGION_BASE_HIGH(1), base >> 32);
    virtcca_tzasc_write(vms, TZC400_REGION_TOP_LOW(1), top);
    virtcca_tzasc_write(vms, TZC400_REGION_TOP_HIGH(1), top >> 32);
    virtcca_tzasc_write(vms, TZC400_REGION_ID_ACCESS(1), 0);
    virtcca_tzasc_write(vms, TZC400_REGION_ATTRIBUTES(1),
                        secure_rw | TZC400_ATTR_FILTER_EN_MASK);
    virtcca_tzasc_write(vms, TZC400_REGION_ID_ACCESS(0), 0);
    virtcca_tzasc_write(vms, TZC400_REGION_ATTRIBUTES(0), secure_rw);
    virtcca_tzasc_write(vms, TZC400_ACTION,
                        TZC400_ACTION_DECERR | TZC400_ACTION_INT);
    virtcca_tzasc_write(vms, TZC400_GATE_KEEPER,
                        MAKE_64BIT_MASK(0, TZC400_NUM_FILTERS));
}

/*
 * TZCINT belongs to the Secure world: firmware makes it Secure Group 0,
 * which the Non-secure world (and so a realm's host and the realm) can
 * neither see nor configure.  Booting Linux directly, no Secure software
 * runs to take it, so it stays disabled; a -bios firmware does all this
 * itself.
 */
static void virtcca_program_gic(VirtCCAMachineState *vms)
{
    MemTxAttrs secure = { .secure = 1 };
    hwaddr gicd = virtcca_memmap[VIRTCCA_GIC_DIST].base;
    unsigned intid = 32 + VIRTCCA_TZASC_IRQ;
    hwaddr reg = (intid / 32) * 4;
    uint32_t bit = 1U << (intid % 32), v;

    if (!vms->tzasc || vms->bootinfo.firmware_loaded) {
        return;
    }
    /* GICD_IGROUPR and GICD_IGRPMODR both 0: Secure Group 0. */
    v = address_space_ldl_le(&vms->secure_as, gicd + 0x080 + reg, secure,
                             NULL);
    address_space_stl_le(&vms->secure_as, gicd + 0x080 + reg, v & ~bit,
                         secure, NULL);
    v = address_space_ldl_le(&vms->secure_as, gicd + 0xd00 + reg, secure,
                             NULL);
    address_space_stl_le(&vms->secure_as, gicd + 0xd00 + reg, v & ~bit,
                         secure, NULL);
}

static void virtcca_reset(MachineState *ms, ResetType type)
{
    qemu_devices_reset(type);
    virtcca_program_tzasc(VIRTCCA_MACHINE(ms));
    virtcca_program_gic(VIRTCCA_MACHINE(ms));
}

/*
 * -bios: a 1 MiB Secure boot ROM at 0, where the CPUs start at EL3.  It
 * is in the Secure address space only, so the image goes in through it.
 */
static void virtcca_load_firmware(VirtCCAMachineState *vms)
{
    MachineState *ms = MACHINE(vms);
    const MemMapEntry *rom = &virtcca_memmap[VIRTCCA_SECURE_ROM];
    g_autofree char *path = qemu_find_file(QEMU_FILE_TYPE_BIOS,
                                           ms->firmware);
    Error *err = NULL;

    memory_region_init_rom_nomigrate(&vms->secure_rom, OBJECT(vms),
                                     "virtcca.secure-rom", rom->size,
                                     &error_fatal);
    vmstate_register_ram_global(&vms->secure_rom);
    memory_region_add_subregion(&vms->secure_sysmem, rom->base,
                                &vms->secure_rom);
    if (!path) {
        error_report("virtcca: cannot find the firmware '%s' (-bios)",
                     ms->firmware);
        exit(1);
    }
    if (load_image_targphys_as(path, rom->base, rom->size, &vms->secure_as,
                               &err) < 0) {
        error_reportf_err(err, "virtcca: -bios: ");
        exit(1);
    }
}

static void *virtcca_get_dtb(const struct arm_boot_info *binfo, int *size)
{
    VirtCCAMachineState *vms = container_of(binfo, VirtCCAMachineState,
                                            bootinfo);
    MachineState *ms = MACHINE(vms);

    *size = vms->fdt_size;
    return ms->fdt;
}

/*
 * With confidential-guest-support, the guest runs as a realm: the host
 * (this machine) builds it in Secure DRAM at every reset.
 */
static void virtcca_create_realm(VirtCCAMachineState *vms)
{
    MachineState *ms = MACHINE(vms);
    uint64_t need = virtcca_realm_secure_memory_needed(ms->ram_size);
    VirtccaRealmConfig cfg;

    if (!object_dynamic_cast(OBJECT(ms->cgs), TYPE_VIRTCCA_GUEST)) {
        error_report("confidential-guest-support: '%s' is a %s, not a "
                     "virtcca-guest", object_get_canonical_path_component(
                         OBJECT(ms->cgs)),
                     object_get_typename(OBJECT(ms->cgs)));
        exit(1);
    }
    /* Unless told otherwise, make the carve-out as large as the realm. */
    if (!vms->secure_mem_size_set && vms->secure_mem_size < need) {
        vms->secure_mem_size = need;
    }
    cfg = (VirtccaRealmConfig) {
        .secure_ram = &vms->secure_ram,
        .secure_base = virtcca_memmap[VIRTCCA_SECURE_MEM].base,
        .secure_size = vms->secure_mem_size,
        .ns_ram = ms->ram,
        .ram_base = virtcca_memmap[VIRTCCA_MEM].base,
        .binfo = &vms->bootinfo,
    };
    vms->realm = virtcca_realm_new(VIRTCCA_GUEST(ms->cgs), ms, &cfg,
                                   &error_fatal);
}

/*
 * Under KVM (-accel kvm, or -accel virtcca for a realm) the guest has no
 * EL3 and no Secure world: no TZASC, Secure DRAM or Secure firmware; the
 * GICv3 is the in-kernel one, without security extensions.  The realm is
 * the host kernel's (accel/virtcca/).
 */
static void virtcca_check_kvm(VirtCCAMachineState *vms)
{
    MachineState *ms = MACHINE(vms);

    if (ms->cgs && !virtcca_accel_class()) {
        error_report("virtcca: a realm under KVM needs -accel virtcca");
        exit(1);
    }
    if (ms->firmware) {
        error_report("virtcca: -bios boots Secure firmware at EL3, which "
                     "needs TCG: KVM guests have no EL3");
        exit(1);
    }
    if (vms->secure_mem_size_set && vms->secure_mem_size) {
        error_report("virtcca: secure-memory-size: the Secure DRAM "
                     "carve-out exists under TCG only");
        exit(1);
    }
    vms->secure_mem_size = 0;
}

/* KVM_CREATE_VM's type: a realm's under -accel virtcca, else the default. */
static int virtcca_kvm_type(MachineState *ms, const char *type_str)
{
    VirtccaAccelClass *vac = virtcca_accel_class();

    return vac ? vac->vm_type(current_accel(), ms) : 0;
}

static void virtcca_init(MachineState *ms)
{
    VirtCCAMachineState *vms = VIRTCCA_MACHINE(ms);
    const MemMapEntry *mem = &virtcca_memmap[VIRTCCA_MEM];
    unsigned int max_cpus = VIRTCCA_REDIST_SIZE / GICV3_REDIST_SIZE;

    if (ms->smp.max_cpus > max_cpus) {
        error_report("virtcca: at most %u CPUs are supported (-smp)",
                     max_cpus);
        exit(1);
    }
    if (ms->ram_size > mem->size) {
        error_report("virtcca: at most %" PRIu64 " GiB of RAM is supported "
                     "(-m)", mem->size / GiB);
        exit(1);
    }

    /*
     * The Secure world sees the Non-secure one plus what is secure only;
     * secure-only regions go in at higher priority.
     */
    memory_region_init(&vms->secure_sysmem, OBJECT(ms), "virtcca.secure",
                       UINT64_MAX);
    memory_region_add_subregion_overlap(&vms->secure_sysmem, 0,
                                        get_system_memory(), -1);
    address_space_init(&vms->secure_as, &vms->secure_sysmem,
                       "virtcca-secure");

    if (kvm_enabled()) {
        virtcca_check_kvm(vms);
    } else if (ms->cgs) {
        virtcca_create_realm(vms);
    }
    virtcca_create_cpus(vms);
    memory_region_add_subregion(get_system_memory(), mem->base, ms->ram);

    virtcca_create_fdt(vms);
    virtcca_create_gic(vms);
    virtcca_create_secure_memory(vms);
    if (vms->realm) {
        virtcca_realm_attach_secure_memory(vms->realm);
    }
    virtcca_create_uart(vms);
    virtcca_create_rtc(vms);
    virtcca_create_power_button(vms);
    virtcca_create_fw_cfg(vms);
    virtcca_create_pcie(vms);

    vms->bootinfo.ram_size = ms->ram_size;
    vms->bootinfo.board_id = -1;
    vms->bootinfo.loader_start = mem->base;
    vms->bootinfo.get_dtb = virtcca_get_dtb;
    vms->bootinfo.secure_boot = false;
    if (ms->firmware) {
        /*
         * Firmware owns EL3 and implements PSCI.  CPUs start at EL3 at
         * the ROM's address 0 (the entry point stays 0); a -kernel goes
         * to fw_cfg for the firmware, the DTB to the base of DRAM.
         */
        virtcca_load_firmware(vms);
        vms->bootinfo.firmware_loaded = true;
        vms->bootinfo.psci_conduit = QEMU_PSCI_CONDUIT_DISABLED;
    } else {
        /*
         * Realms reach the monitor and PSCI through SMC only, so the
         * conduit is SMC whether or not a realm runs; arm_load_kernel()
         * writes /psci.
         */
        vms->bootinfo.psci_conduit = QEMU_PSCI_CONDUIT_SMC;
    }
    arm_load_kernel(ARM_CPU(first_cpu), ms, &vms->bootinfo);
}

static void virtcca_get_secure_mem_size(Object *obj, Visitor *v,
                                        const char *name, void *opaque,
                                        Error **errp)
{
    VirtCCAMachineState *vms = VIRTCCA_MACHINE(obj);
    uint64_t value = vms->secure_mem_size;

    visit_type_size(v, name, &value, errp);
}

static void virtcca_set_secure_mem_size(Object *obj, Visitor *v,
                                        const char *name, void *opaque,
                                        Error **errp)
{
    VirtCCAMachineState *vms = VIRTCCA_MACHINE(obj);
    uint64_t max = virtcca_memmap[VIRTCCA_SECURE_MEM].size;
    uint64_t value;

    if (!visit_type_size(v, name, &value, errp)) {
        return;
    }
    if (value % VIRTCCA_SECURE_MEM_ALIGN) {
        error_setg(errp, "virtcca: secure-memory-size must be a multiple "
                   "of 4 KiB (the TZASC's region granule)");
        return;
    }
    if (value > max) {
        error_setg(errp, "virtcca: secure-memory-size must be at most "
                   "%" PRIu64 " GiB", max / GiB);
        return;
    }
    vms->secure_mem_size = value;
    vms->secure_mem_size_set = true;
}

static void virtcca_instance_init(Object *obj)
{
    VIRTCCA_MACHINE(obj)->secure_mem_size = 64 * MiB;
}

static const CPUArchIdList *virtcca_possible_cpu_arch_ids(MachineState *ms)
{
    unsigned int n;

    if (ms->possible_cpus) {
        return ms->possible_cpus;
    }
    ms->possible_cpus = g_malloc0(sizeof(CPUArchIdList) +
                                  sizeof(CPUArchId) * ms->smp.max_cpus);
    ms->possible_cpus->len = ms->smp.max_cpus;
    for (n = 0; n < ms->smp.max_cpus; n++) {
        /*
         * Sixteen CPUs per cluster (Aff1), as many as a GICv3 SGI target
         * list holds; also the numbering RMM derives REC indexes from.
         */
        ms->possible_cpus->cpus[n].type = ms->cpu_type;
        ms->possible_cpus->cpus[n].arch_id = ((n / 16) << ARM_AFF1_SHIFT) |
                                             (n % 16);
        ms->possible_cpus->cpus[n].props.has_thread_id = true;
        ms->possible_cpus->cpus[n].props.thread_id = n;
    }
    return ms->possible_cpus;
}

static GlobalProperty virtcca_globals[] = {
    /*
     * Guests boot from -kernel: option ROMs are never run, and Debian's
     * build ships none, so the default NIC must not ask for one.
     */
    { "virtio-net-pci", "romfile", "" },
};

static void virtcca_class_init(ObjectClass *oc, const void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);
    static const char * const valid_cpu_types[] = {
        ARM_CPU_TYPE_NAME("max"),
        ARM_CPU_TYPE_NAME("neoverse-n2"),
        ARM_CPU_TYPE_NAME("neoverse-v1"),
        ARM_CPU_TYPE_NAME("cortex-a76"),
        NULL,
    };

    mc->desc = "virtCCA: TrustZone platform for Arm CCA realms";
    /*
     * libvirt knows the Arm virt family by name ("virt", "virt-*"): under
     * this alias it lays out PCIe and offers the PL011 as a <serial>.
     */
    mc->alias = "virt-virtcca";
    mc->init = virtcca_init;
    mc->max_cpus = VIRTCCA_REDIST_SIZE / GICV3_REDIST_SIZE;
    mc->default_cpu_type = ARM_CPU_TYPE_NAME("max");
    mc->valid_cpu_types = valid_cpu_types;
    mc->default_ram_size = 1 * GiB;
    mc->default_ram_id = "virtcca.ram";
    mc->default_nic = "virtio-net-pci";
    mc->block_default_type = IF_VIRTIO;
    mc->no_cdrom = 1;
    mc->pci_allow_0_address = true;
    mc->minimum_page_bits = 12;
    mc->possible_cpu_arch_ids = virtcca_possible_cpu_arch_ids;
    mc->reset = virtcca_reset;
    mc->kvm_type = virtcca_kvm_type;
    object_class_property_add(oc, "secure-memory-size", "size",
                              virtcca_get_secure_mem_size,
                              virtcca_set_secure_mem_size, NULL, NULL);
    object_class_property_set_description(oc, "secure-memory-size",
        "Size of the Secure DRAM carve-out behind the TZASC, at "
        "0x4000000000 (a multiple of 4 KiB; 0 for none; default 64M)");
    compat_props_add(mc->compat_props, virtcca_globals,
                     G_N_ELEMENTS(virtcca_globals));
}

static const TypeInfo virtcca_machine_types[] = {
    {
        .name = TYPE_VIRTCCA_MACHINE,
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(VirtCCAMachineState),
        .instance_init = virtcca_instance_init,
        .class_init = virtcca_class_init,
        .interfaces = aarch64_machine_interfaces,
    },
};

DEFINE_TYPES(virtcca_machine_types)
