/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The virtcca machine's launch plan for -accel virtcca.  The layout is
 * the one the TCG realm builds (realm.c), so a guest has the same RIM on
 * either path: RAM at the DRAM base, the kernel, initrd and DTB where
 * arm_load_kernel() put them, and populate ranges [DRAM base, kernel end)
 * and [initrd start, DTB end), zero pages included, which is what
 * openEuler's host kernel measures.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/loader.h"
#include "system/memory.h"
#include "target/arm/cpu.h"
#include <libfdt.h>
#include "virtcca.h"
#include "realm-plan.h"

bool virtcca_machine_realm_plan(MachineState *ms, VirtccaPlan *plan,
                                Error **errp)
{
    VirtCCAMachineState *vms = VIRTCCA_MACHINE(ms);
    struct arm_boot_info *binfo = &vms->bootinfo;
    uint64_t ram_base = virtcca_memmap[VIRTCCA_MEM].base;
    const uint8_t *ram = memory_region_get_ram_ptr(ms->ram);
    uint64_t dtb_size = ms->fdt ? fdt_totalsize(ms->fdt) : 0;
    int64_t ksize;
    CPUState *cs;

    if (!ms->kernel_filename) {
        error_setg(errp, "virtcca: a realm needs -kernel");
        return false;
    }
    ksize = get_image_size(ms->kernel_filename, NULL);
    if (ksize <= 0 || binfo->entry < ram_base ||
        binfo->entry + ksize > ram_base + ms->ram_size) {
        error_setg(errp, "virtcca: the kernel image is not in the realm's "
                   "RAM");
        return false;
    }

    virtcca_plan_add_ram(plan, ram_base, ram_base + ms->ram_size);
    virtcca_plan_add_image(plan, "kernel", binfo->entry,
                           ram + (binfo->entry - ram_base), ksize);
    if (binfo->initrd_size) {
        virtcca_plan_add_image(plan, "initrd", binfo->initrd_start,
                               ram + (binfo->initrd_start - ram_base),
                               binfo->initrd_size);
    }
    if (dtb_size && binfo->dtb_start) {
        virtcca_plan_add_image(plan, "dtb", binfo->dtb_start,
                               ram + (binfo->dtb_start - ram_base),
                               dtb_size);
    }
    if (dtb_size && binfo->dtb_start) {
        /*
         * Measure what openEuler's host kernel measures, zero pages
         * included; if the loader placed the images otherwise, only
         * their granules.
         */
        virtcca_plan_add_linux_populate(plan, binfo->loader_start,
                                        binfo->entry, ksize,
                                        binfo->initrd_start,
                                        binfo->dtb_start, dtb_size);
    }
    CPU_FOREACH(cs) {
        VirtccaPlanRec rec = { .mpidr = arm_cpu_mp_affinity(ARM_CPU(cs)) };

        if (cs == first_cpu) {
            rec.runnable = true;
            rec.pc = binfo->entry;
            rec.gprs[0] = binfo->dtb_start;
        }
        virtcca_plan_add_rec(plan, &rec);
    }
    virtcca_plan_sort(plan);
    return true;
}
