/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The realm under TCG: the machine plays the normal-world host and drives
 * the TMM core as a KVM host drives the monitor.
 *
 * - At every system reset, once QEMU has loaded the images into the
 *   host's (Non-secure) memory at the IPAs they will have, the host builds
 *   the realm with the launch plan's RMI sequence (plan/plan-rmi.c): the
 *   images are copied into delegated secure granules and measured.
 * - The vCPUs run the realm at Secure EL1 under the monitor's EL2
 *   (monitor-el2.c): their stage-2 walk over the RTTs is the realm's
 *   IPA space.  Every exception the realm takes to EL2 or EL3 comes to
 *   realm_take_exception(); what the monitor makes an exit to the host
 *   is handled here (realm_host_turn) and the REC is entered again:
 *   RIPAS changes, host calls and PSCI; MMIO the host emulates on its
 *   bus (host-mmio.c); shared RAM it maps on first touch
 *   (RTT_MAP_UNPROTECTED) and protected RAM it backs on first touch
 *   (DATA_CREATE_UNKNOWN, whole 2 MiB blocks where it can), as KVM hosts
 *   do (host-memory.c); interrupts, through the host's virtual GIC
 *   (host-vgic.c).
 * - Devices see only the unprotected half; a DMA aimed at a protected IPA
 *   is refused and reported.
 *
 * Under TCG "secure" is a property of the model: the realm's memory lives
 * in a RAM block that no Non-secure master can reach through the TZASC,
 * and QEMU's own host-side paths to it are refused elsewhere.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/units.h"
#include "exec/cputlb.h"
#include "exec/translation-block.h"
#include "hw/arm/boot.h"
#include "hw/boards.h"
#include "hw/pci/pci.h"
#include "migration/blocker.h"
#include "qapi/qapi-types-virtcca.h"
#include "system/address-spaces.h"
#include "system/device_tree.h"
#include "system/memory.h"
#include "system/ramblock.h"
#include "system/reset.h"
#include "system/runstate.h"
#include "system/tcg.h"
#include "target/arm/arm-powerctl.h"
#include "target/arm/cpu.h"
#include "target/arm/cpu-features.h"
#include "target/arm/internals.h"
#include "hw/core/cpu-private-state.h"
#include "virtcca-guest.h"
#include "tmm.h"
#include "plan-rmi.h"
#include "realm-plan.h"
#include "monitor-el2.h"
#include "host-mmio.h"
#include "host-vgic.h"
#include "host-memory.h"
#include "realm-internal.h"
#include "trace.h"

#define TYPE_VIRTCCA_REALM_DMA_IOMMU "virtcca-realm-dma-iommu-memory-region"

/* Only one realm per machine; the SMC hook needs to find it. */
static VirtccaRealm *the_realm;

/* The monitor's view of physical memory. */
static void *realm_granule_map(void *opaque, uint64_t pa)
{
    VirtccaRealm *r = opaque;

    if (pa >= r->cfg.secure_base && pa - r->cfg.secure_base < r->secure_size) {
        return r->secure_ptr + (pa - r->cfg.secure_base);
    }
    if (pa >= HOST_SCRATCH_PA &&
        pa < HOST_SCRATCH_PA + r->nr_scratch * GRANULE) {
        return r->scratch[(pa - HOST_SCRATCH_PA) / GRANULE];
    }
    if (pa >= r->cfg.ram_base && pa - r->cfg.ram_base < r->ns_size) {
        return r->ns_ptr + (pa - r->cfg.ram_base);
    }
    return NULL;
}

static VirtccaPlanHost realm_host(VirtccaRealm *r)
{
    return (VirtccaPlanHost) {
        .tmm = r->tmm,
        .opaque = r,
        .alloc_granule = virtcca_host_alloc_granule,
        .ns_pa = { HOST_SCRATCH_PA, HOST_SCRATCH_PA + GRANULE },
        .ns_ptr = { r->scratch[0], r->scratch[1] },
    };
}

/*
 * The host's steps for a built realm are the launch plan's: a delegated
 * granule, the RTTs down to a level.  Called with r->lock held.
 */
bool virtcca_realm_delegated(VirtccaRealm *r, uint64_t *pa)
{
    VirtccaPlanHost host = realm_host(r);
    char err[128];

    return virtcca_plan_delegated_granule(&host, pa, err, sizeof(err));
}

bool virtcca_realm_ensure_table(VirtccaRealm *r, uint64_t ipa, int level)
{
    VirtccaPlanHost host = realm_host(r);
    char err[128];

    return virtcca_plan_ensure_table(&host, &r->built, ipa, level, err,
                                     sizeof(err));
}

static void window_refuse(RefusedWindow *w, hwaddr addr, bool write)
{
    w->count++;
    qemu_log_mask(LOG_GUEST_ERROR, "virtcca: %s %s %s +0x%" HWADDR_PRIx
                  ": refused\n", w->who, write ? "write to" : "read of",
                  w->what, addr);
    if (w->tell_user) {
        error_report_once("virtcca: %s tried to reach %s (+0x%" HWADDR_PRIx
                          "); refused", w->who, w->what, addr);
    }
}

/*
 * The protected half of the devices' view: every access is refused and
 * reported.  As an IOMMU that grants nothing, the access fails where it is
 * translated, before any data moves.
 */
static IOMMUTLBEntry realm_dma_translate(IOMMUMemoryRegion *iommu,
                                         hwaddr addr, IOMMUAccessFlags flag,
                                         int iommu_idx)
{
    VirtccaRealm *r = container_of(iommu, VirtccaRealm, dma_protected);

    if (flag != IOMMU_NONE) {
        window_refuse(&r->dma_refused, addr, flag & IOMMU_WO);
    }
    return (IOMMUTLBEntry) {
        .target_as = &address_space_memory,
        .iova = addr & ~(GRANULE - 1),
        .translated_addr = addr & ~(GRANULE - 1),
        .addr_mask = GRANULE - 1,
        .perm = IOMMU_NONE,
    };
}

/* Host side of the exits the monitor makes. */

/* vCPU n's REC run structure, where the monitor reports its exits. */
static uint64_t rec_run_pa(unsigned n)
{
    return HOST_SCRATCH_PA + (SCRATCH_PLAN_PAGES + n) * GRANULE;
}

static uint8_t *rec_run(VirtccaRealm *r, unsigned n)
{
    return r->scratch[SCRATCH_PLAN_PAGES + n];
}

/* RSI_HOST_CALL: answered as an SMCCC call to the hypervisor would be. */
static void realm_host_call(uint8_t *run)
{
    uint64_t fid = ldq_le_p(run + TMM_REC_RUN_EXIT_GPRS);
    uint64_t answer = TMM_SMCCC_NOT_SUPPORTED;
    int i;

    if (fid == 0x80000000) {                /* SMCCC_VERSION */
        answer = 0x10001;
    }
    for (i = 0; i < 31; i++) {
        stq_le_p(run + TMM_REC_RUN_ENTRY_GPRS + 8 * i,
                 ldq_le_p(run + TMM_REC_RUN_EXIT_GPRS + 8 * i));
    }
    stq_le_p(run + TMM_REC_RUN_ENTRY_GPRS, answer);
    stq_le_p(run + TMM_REC_RUN_ENTRY_FLAGS, 0);
}

/* A secondary vCPU's first entry into its REC, on its own thread. */
static void realm_el2_first_entry_work(CPUState *cs, run_on_cpu_data data)
{
    VirtccaRealm *r = the_realm;
    TmmVcpuContext *ctx = data.host_ptr;

    if (r && r->active) {
        virtcca_vgic_init_cpu(ARM_CPU(cs));
        virtcca_el2_first_entry(ARM_CPU(cs), r->tmm, r->built.rd, ctx);
    }
    g_free(ctx);
}

/*
 * CPU_ON and AFFINITY_INFO: the monitor checked the call and holds the
 * calling REC until the host names the target REC (RMI_PSCI_COMPLETE).
 * The monitor alone decides the answer from the target REC's state; for a
 * CPU_ON that made the target runnable, the host then enters that REC and
 * powers its vCPU on where the monitor says.
 */
static void realm_psci_complete(VirtccaRealm *r, unsigned caller,
                                uint32_t fid, uint64_t target_mpidr)
{
    CPUState *target = arm_get_cpu_by_id(target_mpidr);
    TmmVcpuContext ctx;
    uint64_t st;
    int ret;

    if (!target) {
        /* The monitor only lets MPIDRs of existing RECs through. */
        error_report("virtcca: PSCI target MPIDR 0x%" PRIx64 " has no vCPU",
                     target_mpidr);
        return;
    }
    st = realm_rmi(r, TMM_RMI_PSCI_COMPLETE, r->built.recs[caller],
                   r->built.recs[target->cpu_index], 0 /* PSCI_SUCCESS */, 0,
                   NULL);
    if (st != TMM_RMI_SUCCESS) {
        error_report("virtcca: RMI_PSCI_COMPLETE failed: 0x%" PRIx64, st);
        return;
    }
    if ((fid & ~QEMU_PSCI_0_2_64BIT) != QEMU_PSCI_0_2_FN_CPU_ON ||
        ARM_CPU(target)->power_state != PSCI_OFF) {
        return;
    }
    /* Fails unless the monitor made the target runnable just now. */
    if (tmm_rec_enter(r->tmm, r->built.recs[target->cpu_index],
                      rec_run_pa(target->cpu_index), &ctx) !=
        TMM_RMI_SUCCESS) {
        return;
    }
    ret = arm_set_cpu_on(target_mpidr, ctx.pc, ctx.gprs[0], 1, true);
    if (ret != QEMU_ARM_POWERCTL_RET_SUCCESS) {
        error_report("virtcca: cannot power on vCPU %d (%d)",
                     target->cpu_index, ret);
        return;
    }
    /* After the power-on (queued work runs in order): the REC. */
    async_run_on_cpu(target, realm_el2_first_entry_work,
                     RUN_ON_CPU_HOST_PTR(g_memdup2(&ctx, sizeof(ctx))));
}

/*
 * PSCI exits.  Returns true when the calling REC is to be entered again,
 * false when its vCPU stops.
 */
static bool realm_psci(VirtccaRealm *r, CPUState *cs, uint8_t *run)
{
    uint32_t fid = ldq_le_p(run + TMM_REC_RUN_EXIT_GPRS);
    uint64_t self = arm_cpu_mp_affinity(ARM_CPU(cs));

    stq_le_p(run + TMM_REC_RUN_ENTRY_FLAGS, 0);
    trace_virtcca_realm_psci(cs->cpu_index, fid,
                             ldq_le_p(run + TMM_REC_RUN_EXIT_GPRS + 8));
    switch (fid & ~QEMU_PSCI_0_2_64BIT) {
    case QEMU_PSCI_0_2_FN_CPU_OFF:
        /* The REC stays off until another REC's CPU_ON names it. */
        break;
    case QEMU_PSCI_0_2_FN_CPU_ON:
    case QEMU_PSCI_0_2_FN_AFFINITY_INFO:
        realm_psci_complete(r, cs->cpu_index, fid,
                            ldq_le_p(run + TMM_REC_RUN_EXIT_GPRS + 8));
        return true;
    case QEMU_PSCI_0_2_FN_SYSTEM_OFF:
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        break;
    case QEMU_PSCI_0_2_FN_SYSTEM_RESET:
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        break;
    default:
        /* CPU_SUSPEND: a hint; the REC simply runs on. */
        return true;
    }
    /* None of these return to the caller: the vCPU stops now. */
    arm_set_cpu_off(self);
    return false;
}

#define ESR_EC(esr)     (((esr) >> 26) & 0x3f)
#define EC_WFX          0x01
#define EC_SYSREG       0x18
#define EC_IABT_LOWER   0x20
#define EC_DABT_LOWER   0x24

/* A SYNC exit of the realm running under the monitor's EL2. */
static void realm_sync_exit(VirtccaRealm *r, ARMCPU *cpu, uint8_t *run,
                            bool rsi)
{
    int n = CPU(cpu)->cpu_index;
    uint64_t esr = ldq_le_p(run + TMM_REC_RUN_EXIT_ESR);
    uint64_t ipa = (ldq_le_p(run + TMM_REC_RUN_EXIT_HPFAR) >> 4) << 12 |
                   ldq_le_p(run + TMM_REC_RUN_EXIT_FAR);

    stq_le_p(run + TMM_REC_RUN_ENTRY_FLAGS, 0);
    switch (ESR_EC(esr)) {
    case EC_SYSREG:
        r->exits[n][VIRTCCA_EXIT_SYSREG]++;
        virtcca_vgic_sgi(cpu, esr & TMM_SYSREG(3, 7, 15, 15, 7),
                         ldq_le_p(run + TMM_REC_RUN_EXIT_GPRS));
        return;
    case EC_WFX:
        r->exits[n][VIRTCCA_EXIT_WFX]++;
        return;
    case EC_DABT_LOWER:
    case EC_IABT_LOWER:
        break;
    default:
        return;
    }
    if (ipa < SHARED_BIT) {
        r->exits[n][VIRTCCA_EXIT_POPULATE]++;
        virtcca_host_protected_abort(r, n, run, rsi ? "RSI buffer" : "access");
    } else if (virtcca_host_has_ram_at(r, ipa & ~SHARED_BIT)) {
        r->exits[n][VIRTCCA_EXIT_SHARED_MAP]++;
        if (!virtcca_host_map_shared(r, ipa)) {
            stq_le_p(run + TMM_REC_RUN_ENTRY_FLAGS, TMM_REC_ENTRY_INJECT_SEA);
        }
    } else if (esr & (1U << 24)) {                  /* ISV */
        r->exits[n][VIRTCCA_EXIT_MMIO]++;
        virtcca_host_emulate_mmio(n, esr, ipa & ~SHARED_BIT, run);
    } else {
        r->exits[n][VIRTCCA_EXIT_MMIO]++;
        qemu_log_mask(LOG_GUEST_ERROR, "virtcca: realm access to device "
                      "registers at unprotected IPA 0x%" PRIx64 " cannot be "
                      "emulated (no instruction syndrome): synchronous "
                      "external abort\n", ipa);
        stq_le_p(run + TMM_REC_RUN_ENTRY_FLAGS, TMM_REC_ENTRY_INJECT_SEA);
    }
}

/*
 * The host's turn: the REC exited (reason in its run structure); handle
 * the exit and enter the REC again, which fills @ctx.  @rsi: the exit
 * came from an SMC.  Returns false when the vCPU stops instead.  Called
 * with r->lock held.
 */
static bool realm_host_turn(VirtccaRealm *r, ARMCPU *cpu, TmmVcpuContext *ctx,
                            bool rsi, bool *flush)
{
    CPUState *cs = CPU(cpu);
    uint64_t rec = r->built.recs[cs->cpu_index];
    uint8_t *run = rec_run(r, cs->cpu_index);
    uint64_t reason = ldq_le_p(run + TMM_REC_RUN_EXIT_REASON);

    trace_virtcca_realm_rec_exit(cs->cpu_index, reason);
    switch (reason) {
    case TMM_EXIT_RIPAS_CHANGE:
        trace_virtcca_realm_ripas_change(cs->cpu_index,
            ldq_le_p(run + TMM_REC_RUN_EXIT_RIPAS_BASE),
            ldq_le_p(run + TMM_REC_RUN_EXIT_RIPAS_TOP));
        if (run[TMM_REC_RUN_EXIT_RIPAS_VALUE] == TMM_RIPAS_RAM) {
            virtcca_host_unmap_shared(r,
                ldq_le_p(run + TMM_REC_RUN_EXIT_RIPAS_BASE),
                ldq_le_p(run + TMM_REC_RUN_EXIT_RIPAS_TOP));
        }
        virtcca_host_set_ripas(r, rec, run);
        *flush = true;
        break;
    case TMM_EXIT_HOST_CALL:
        realm_host_call(run);
        break;
    case TMM_EXIT_SYNC:
        realm_sync_exit(r, cpu, run, rsi);
        break;
    case TMM_EXIT_PSCI:
        if (!realm_psci(r, cs, run)) {
            return false;
        }
        break;
    case TMM_EXIT_IRQ:
    case TMM_EXIT_FIQ:
        r->exits[cs->cpu_index][VIRTCCA_EXIT_IRQ]++;
        stq_le_p(run + TMM_REC_RUN_ENTRY_FLAGS, 0);
        break;
    default:
        stq_le_p(run + TMM_REC_RUN_ENTRY_FLAGS, 0);
        break;
    }
    if (reason != TMM_EXIT_IRQ && reason != TMM_EXIT_FIQ &&
        reason != TMM_EXIT_SYNC) {
        r->exits[cs->cpu_index][VIRTCCA_EXIT_SMC]++;
    }
    virtcca_vgic_prepare_entry(cpu, run);
    if (tmm_rec_enter(r->tmm, rec, rec_run_pa(cs->cpu_index), ctx) !=
        TMM_RMI_SUCCESS) {
        error_report("virtcca: REC_ENTER failed; stopping the realm");
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_PANIC);
        return false;
    }
    return true;
}

/*
 * The realm runs on with what REC_ENTER gave: true unless the monitor
 * injects an exception, which QEMU then delivers.
 */
static bool realm_resume(VirtccaRealm *r, ARMCPU *cpu,
                         const TmmVcpuContext *ctx, bool flush)
{
    bool deliver = virtcca_el2_resume(cpu, ctx);

    if (flush) {
        /* The new RIPAS must be visible before the realm runs on. */
        tlb_flush_all_cpus_synced(CPU(cpu));
        async_safe_run_on_cpu(CPU(cpu), virtcca_host_release_reclaimed,
                              RUN_ON_CPU_HOST_PTR(r));
    }
    return !deliver;
}

static bool realm_smc(ARMCPU *cpu)
{
    VirtccaRealm *r = the_realm;
    CPUState *cs = CPU(cpu);
    uint64_t rec = r->built.recs[cs->cpu_index];
    TmmVcpuContext ctx;
    TmmSmcResult res;
    bool flush = false;

    virtcca_el2_save(cpu, &ctx);
    qemu_mutex_lock(&r->lock);
    res = tmm_rec_smc(r->tmm, rec, &ctx);
    if (res == TMM_SMC_EXIT &&
        !realm_host_turn(r, cpu, &ctx, true, &flush)) {
        qemu_mutex_unlock(&r->lock);
        return true;
    }
    qemu_mutex_unlock(&r->lock);
    if (res == TMM_SMC_ERROR) {
        return false;
    }
    return realm_resume(r, cpu, &ctx, flush);
}

/* An exit to the host the monitor's EL2 side decided on. */
static bool realm_el2_exit(VirtccaRealm *r, ARMCPU *cpu,
                           const TmmExitEvent *ev)
{
    CPUState *cs = CPU(cpu);
    uint64_t rec = r->built.recs[cs->cpu_index];
    TmmVcpuContext ctx;
    bool flush = false;

    virtcca_el2_save(cpu, &ctx);
    qemu_mutex_lock(&r->lock);
    if (tmm_rec_exit(r->tmm, rec, &ctx, ev) != TMM_RMI_SUCCESS) {
        qemu_mutex_unlock(&r->lock);
        error_report("virtcca: vCPU %d: its REC is not running; stopping "
                     "the realm", cs->cpu_index);
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_PANIC);
        return true;
    }
    if (!realm_host_turn(r, cpu, &ctx, false, &flush)) {
        qemu_mutex_unlock(&r->lock);
        return true;
    }
    qemu_mutex_unlock(&r->lock);
    return realm_resume(r, cpu, &ctx, flush);
}

/*
 * Every exception of a realm vCPU comes here first: what would trap to
 * the monitor at EL2 on hardware is the monitor's.  Returns true when the
 * exception was handled; false lets QEMU deliver it (as changed here).
 */
static bool realm_take_exception(ARMCPU *cpu)
{
    VirtccaRealm *r = the_realm;
    CPUState *cs = CPU(cpu);
    TmmExitEvent ev;

    if (!r || !r->active) {
        return false;
    }
    switch (virtcca_el2_exception(cpu, r->tmm, r->built.rd,
                                  r->built.recs[cs->cpu_index], &ev)) {
    case VIRTCCA_EL2_DONE:
        return true;
    case VIRTCCA_EL2_SMC:
        return realm_smc(cpu);
    case VIRTCCA_EL2_EXIT:
        return realm_el2_exit(r, cpu, &ev);
    default:
        return false;
    }
}

/* A REC's registers are the monitor's; the host sees only REC exits. */
static const char *realm_registers_withheld(CPUState *cs)
{
    VirtccaRealm *r = the_realm;

    if (!r || !r->active) {
        return NULL;
    }
    return "virtcca: a realm vCPU's registers live in the monitor's REC; "
           "the host sees only what a REC exit hands it";
}

/*
 * The host reaching memory through a realm vCPU's translation (HMP "x",
 * the gdbstub): the realm's stage 1 and the monitor's stage 2 are not the
 * host's to use, whatever they lead to.
 */
static const char *realm_memory_withheld(CPUState *cs, vaddr addr,
                                         bool is_write)
{
    VirtccaRealm *r = the_realm;

    if (!r || !r->active) {
        return NULL;
    }
    qatomic_inc(&r->host_refused);
    qemu_log_mask(LOG_GUEST_ERROR, "virtcca: host %s of realm memory at "
                  "virtual address 0x%" VADDR_PRIx " through vCPU %d "
                  "refused\n", is_write ? "write" : "read", addr,
                  cs->cpu_index);
    return "virtcca: a realm vCPU's address translation is the monitor's";
}

/*
 * A realm vCPU has the features its realm parameters give it, as the
 * monitor's ID register traps present them (RMM 1.0): no SVE and no PMU
 * (this monitor offers neither), no SME and no MTE (never for realms),
 * one context-aware breakpoint; its breakpoints and watchpoints are the
 * realm's num_bps and num_wps, taken here from what the CPU has.  Called
 * before the vCPU is realized.
 */
void virtcca_realm_configure_cpu(VirtccaRealm *r, Object *cpuobj)
{
    static const char *const absent[] = { "sve", "sme", "pmu" };
    ARMCPU *cpu = ARM_CPU(cpuobj);
    Error *err = NULL;
    int i;

    for (i = 0; i < ARRAY_SIZE(absent); i++) {
        if (object_property_find(cpuobj, absent[i])) {
            object_property_set_bool(cpuobj, absent[i], false, &error_abort);
        }
    }
    /*
     * QEMU's CPU keeps PMCR_EL0 without a PMU: it reports no counters
     * (on hardware the monitor makes PMU registers undefined).
     */
    cpu->isar.reset_pmcr_el0 &= ~(0x1fULL << 11);
    if (!virtcca_el2_configure_cpu(cpuobj, &err)) {
        error_report_err(err);
        exit(1);
    }
    FIELD_DP64_IDREG(&cpu->isar, ID_AA64PFR1, MTE, 0);
    FIELD_DP64_IDREG(&cpu->isar, ID_AA64DFR0, CTX_CMPS, 0);
    /* Both count minus one, as the realm parameters do. */
    r->num_bps = FIELD_EX64_IDREG(&cpu->isar, ID_AA64DFR0, BRPS);
    r->num_wps = FIELD_EX64_IDREG(&cpu->isar, ID_AA64DFR0, WRPS);
}

/*
 * The images are in the realm's granules now; the host's staged copy is
 * never read again (a reset stages them anew), so it goes back to the
 * host's allocator instead of doubling the images' footprint.
 */
static void realm_drop_staged_images(VirtccaRealm *r, const VirtccaPlan *plan)
{
    RAMBlock *rb = r->cfg.ns_ram->ram_block;
    size_t i;

    for (i = 0; i < plan->nr_populate; i++) {
        const VirtccaPlanRange *p = &plan->populate[i];

        if (p->base >= r->cfg.ram_base && p->top > p->base &&
            p->top - r->cfg.ram_base <= r->ns_size) {
            ram_block_discard_range(rb, p->base - r->cfg.ram_base,
                                    p->top - p->base);
        }
    }
}

/* Build the realm from what the loader staged: the documented plan. */
static bool realm_build(VirtccaRealm *r, Error **errp)
{
    VirtccaGuest *g = r->guest;
    MachineState *ms = r->ms;
    TmmRange secure = { r->cfg.secure_base, r->secure_size };
    VirtccaPlanHost host;
    VirtccaPlan plan;
    TmmVcpuContext ctx;
    ARMCPU *cpu = ARM_CPU(first_cpu);
    char err[256];
    bool ok;

    if (r->tmm) {
        tmm_free(r->tmm);
        virtcca_plan_realm_free(&r->built);
    }
    r->active = false;
    virtcca_host_memory_reset(r);
    memset(r->exits, 0, sizeof(*r->exits) * r->ms->smp.max_cpus);
    r->tmm = tmm_new(realm_granule_map, r, &secure, 1, r->keys);
    if (!r->tmm) {
        error_setg(errp, "virtcca: cannot start the monitor");
        return false;
    }
    /*
     * For fuzzing (tests/realm/fuzz.py): the monitor checks its
     * invariants after every RMI call, REC entry and exit and realm SMC,
     * and aborts QEMU on a violation.
     */
    tmm_set_self_check(r->tmm, getenv("VIRTCCA_TMM_SELF_CHECK") != NULL);

    virtcca_plan_init(&plan);
    plan.params.hash_algo = g->hash_algo;
    plan.params.s2sz = REALM_S2SZ;
    plan.params.num_bps = r->num_bps;
    plan.params.num_wps = r->num_wps;
    memcpy(plan.params.rpv, g->rpv, sizeof(g->rpv));
    if (!virtcca_machine_realm_plan(ms, &plan, errp)) {
        virtcca_plan_free(&plan);
        return false;
    }

    host = realm_host(r);
    ok = virtcca_plan_build(&plan, &host, &r->built, err, sizeof(err));
    if (ok && g->measurement_log) {
        char *text = virtcca_plan_to_text(&plan);
        GError *gerr = NULL;

        ok = g_file_set_contents(g->measurement_log, text, -1, &gerr);
        free(text);
        if (!ok) {
            error_setg(errp, "measurement-log: %s", gerr->message);
            g_error_free(gerr);
            virtcca_plan_free(&plan);
            return false;
        }
    }
    if (ok) {
        realm_drop_staged_images(r, &plan);
    }
    virtcca_plan_free(&plan);
    if (!ok) {
        error_setg(errp, "virtcca: building the realm failed: %s", err);
        return false;
    }
    if (tmm_rec_enter(r->tmm, r->built.recs[0], rec_run_pa(0), &ctx) !=
        TMM_RMI_SUCCESS) {
        error_setg(errp, "virtcca: the realm's first REC_ENTER failed");
        return false;
    }
    virtcca_vgic_init_cpu(cpu);
    virtcca_el2_first_entry(cpu, r->tmm, r->built.rd, &ctx);
    r->active = true;
    return true;
}

/*
 * On a reset the old realm stops at once: the loader writes the images
 * again in the hold phase, and they must reach the host's staging memory,
 * not the old realm's protected IPAs (which refuse host writes).
 */
static void virtcca_guest_reset_enter(Object *obj, ResetType type)
{
    VirtccaGuest *g = VIRTCCA_GUEST(obj);

    if (g->realm) {
        g->realm->active = false;
    }
}

static void virtcca_guest_reset_exit(Object *obj, ResetType type)
{
    VirtccaGuest *g = VIRTCCA_GUEST(obj);
    Error *err = NULL;

    if (g->realm && !realm_build(g->realm, &err)) {
        error_report_err(err);
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_PANIC);
    }
}

VirtccaRealm *virtcca_realm_new(VirtccaGuest *g, MachineState *ms,
                                const VirtccaRealmConfig *cfg, Error **errp)
{
    VirtccaRealm *r;
    char *kerr = NULL;
    uint64_t need;

    if (the_realm) {
        error_setg(errp, "virtcca: only one realm per machine");
        return NULL;
    }
    if (g->sve_vl || g->pmu_counters) {
        error_setg(errp, "%s: the monitor offers realms neither SVE nor a "
                   "PMU", g->sve_vl ? "sve-vector-length" :
                   "num-pmu-counters");
        return NULL;
    }
    if (!ms->kernel_filename) {
        error_setg(errp, "virtcca: a realm needs -kernel");
        return NULL;
    }
    need = virtcca_realm_secure_memory_needed(ms->ram_size);
    if (cfg->secure_size < need) {
        error_setg(errp, "secure-memory-size: the realm needs at least "
                   "%" PRIu64 " MiB of secure memory for -m %" PRIu64 "M",
                   need / MiB, ms->ram_size / MiB);
        return NULL;
    }

    r = g_new0(VirtccaRealm, 1);
    r->guest = g;
    r->ms = ms;
    r->cfg = *cfg;
    r->secure_size = cfg->secure_size;
    r->ns_ptr = memory_region_get_ram_ptr(cfg->ns_ram);
    r->ns_size = memory_region_size(cfg->ns_ram);
    r->nr_scratch = SCRATCH_PLAN_PAGES + ms->smp.max_cpus;
    r->scratch = g_malloc0(r->nr_scratch * GRANULE);
    qemu_mutex_init(&r->lock);
    r->free_granules = g_array_new(false, false, sizeof(uint64_t));
    r->reclaimed = g_array_new(false, false, sizeof(uint64_t));
    virtcca_host_memory_init(r);
    r->exits = g_malloc0(sizeof(*r->exits) * ms->smp.max_cpus);

    r->keys = tmm_attest_keys_load(g->rak_file, g->platform_key_file, &kerr);
    if (!r->keys) {
        error_setg(errp, "%s: %s", g->rak_file ? "rak-key" : "platform-key",
                   kerr ? kerr : "cannot load");
        free(kerr);
        g_array_free(r->free_granules, true);
        g_array_free(r->reclaimed, true);
        g_free(r->scratch);
        g_free(r);
        return NULL;
    }

    /* The view of devices: the unprotected half only. */
    memory_region_init(&r->dma_space, OBJECT(g), "virtcca-realm-dma",
                       SHARED_BIT * 2);
    r->dma_refused = (RefusedWindow) {
        .who = "a device's DMA", .what = "protected realm memory at IPA",
        .tell_user = true,
    };
    memory_region_init_iommu(&r->dma_protected, sizeof(r->dma_protected),
                             TYPE_VIRTCCA_REALM_DMA_IOMMU, OBJECT(g),
                             "virtcca-realm-dma-protected", SHARED_BIT);
    memory_region_add_subregion(&r->dma_space, 0,
                                MEMORY_REGION(&r->dma_protected));
    memory_region_init_alias(&r->dma_unprotected, OBJECT(g),
                             "virtcca-realm-dma-unprotected",
                             get_system_memory(), 0, SHARED_BIT);
    memory_region_add_subregion(&r->dma_space, SHARED_BIT,
                                &r->dma_unprotected);
    address_space_init(&r->dma_as, &r->dma_space, "virtcca-realm-dma");

    /*
     * The realm's state lives in secure memory that the host cannot read:
     * it cannot be saved, snapshotted or migrated (virtCCA refuses too).
     */
    error_setg(&r->migration_blocker, "virtcca: a realm's memory is "
               "private to it; it cannot be saved, snapshotted or migrated");
    if (migrate_add_blocker(&r->migration_blocker, errp) < 0) {
        tmm_attest_keys_free(r->keys);
        g_array_free(r->free_granules, true);
        g_array_free(r->reclaimed, true);
        g_free(r->scratch);
        g_free(r);
        return NULL;
    }

    /*
     * Devices must use the DMA API, so that Linux bounces through shared
     * buffers: every virtio device offers VIRTIO_F_ACCESS_PLATFORM.
     */
    object_register_sugar_prop("virtio-device", "iommu_platform", "on",
                               false);
    /*
     * A DMA the device view refuses must fail in the device, not be
     * bounced through a buffer of zeros that the device then reports as
     * done: with no bounce buffer, mapping anything but RAM fails (virtio
     * marks the device broken).  Every legitimate target is shared RAM.
     */
    object_register_sugar_prop("pci-device", "x-max-bounce-buffer-size", "0",
                               false);

    virtcca_guest_refuse_host_dumps();
    arm_board_take_exception = realm_take_exception;
    cpu_registers_withheld = realm_registers_withheld;
    cpu_memory_withheld = realm_memory_withheld;
    the_realm = r;
    g->realm = r;
    qemu_register_resettable(OBJECT(g));
    CONFIDENTIAL_GUEST_SUPPORT(g)->ready = true;
    return r;
}

uint64_t virtcca_realm_secure_memory_needed(uint64_t ram_size)
{
    /* Every RAM granule may be populated, plus about 1/256 for RTTs. */
    return ROUND_UP(ram_size + ram_size / 256 + 16 * MiB, GRANULE);
}

void virtcca_realm_attach_secure_memory(VirtccaRealm *r)
{
    MemoryRegion *ram = r->cfg.secure_ram;

    assert(memory_region_size(ram) == r->secure_size);
    r->secure_ptr = memory_region_get_ram_ptr(ram);
}

void virtcca_realm_add_msi_doorbell(VirtccaRealm *r, hwaddr base,
                                    uint64_t size)
{
    memory_region_init_alias(&r->dma_doorbell, OBJECT(r->guest),
                             "virtcca-realm-dma-msi-doorbell",
                             get_system_memory(), base, size);
    memory_region_add_subregion_overlap(&r->dma_space, base,
                                        &r->dma_doorbell, 1);
}

static AddressSpace *realm_pci_dma_as(PCIBus *bus, void *opaque, int devfn)
{
    return &((VirtccaRealm *)opaque)->dma_as;
}

static const PCIIOMMUOps realm_pci_iommu_ops = {
    .get_address_space = realm_pci_dma_as,
};

void virtcca_realm_setup_pci(VirtccaRealm *r, PCIBus *bus)
{
    pci_setup_iommu(bus, &realm_pci_iommu_ops, r);
}

static char *hex(const uint8_t *b, size_t n)
{
    GString *s = g_string_sized_new(2 * n);
    size_t i;

    for (i = 0; i < n; i++) {
        g_string_append_printf(s, "%02x", b[i]);
    }
    return g_string_free(s, false);
}

static void realm_fill_info_locked(VirtccaRealm *r, VirtccaInfo *info)
{
    static const char *const states[] = { "new", "active", "system-off" };
    VirtccaGranules *g = g_new0(VirtccaGranules, 1);
    uint64_t count[TMM_GRANULE_RTT + 1] = { 0 };
    TmmMeasurements m;
    TmmRealmState state;
    TmmTranslation t;
    uint64_t pa, ipa;
    size_t size;
    int i;

    info->realm = true;
    info->has_dma_refused = info->has_host_refused = true;
    info->dma_refused = r->dma_refused.count;
    info->host_refused = r->host_refused;
    info->has_exits = true;
    {
        VirtccaExitsList **tail = &info->exits;
        unsigned cpu;

        for (cpu = 0; cpu < r->ms->smp.cpus; cpu++) {
            VirtccaExits *e = g_new0(VirtccaExits, 1);
            uint64_t *n = r->exits[cpu];

            e->cpu = cpu;
            e->mmio = qatomic_read(&n[VIRTCCA_EXIT_MMIO]);
            e->shared_map = qatomic_read(&n[VIRTCCA_EXIT_SHARED_MAP]);
            e->populate = qatomic_read(&n[VIRTCCA_EXIT_POPULATE]);
            e->sysreg = qatomic_read(&n[VIRTCCA_EXIT_SYSREG]);
            e->wfx = qatomic_read(&n[VIRTCCA_EXIT_WFX]);
            e->irq = qatomic_read(&n[VIRTCCA_EXIT_IRQ]);
            e->smc = qatomic_read(&n[VIRTCCA_EXIT_SMC]);
            QAPI_LIST_APPEND(tail, e);
        }
    }
    info->granules = g;
    if (!r->tmm) {
        return;
    }
    for (pa = 0; pa < r->secure_size; pa += GRANULE) {
        count[tmm_granule_state(r->tmm, r->cfg.secure_base + pa)]++;
    }
    g->undelegated = count[TMM_GRANULE_UNDELEGATED];
    g->delegated = count[TMM_GRANULE_DELEGATED];
    g->rd = count[TMM_GRANULE_RD];
    g->rec = count[TMM_GRANULE_REC];
    g->rec_aux = count[TMM_GRANULE_REC_AUX];
    g->data = count[TMM_GRANULE_DATA];
    g->rtt = count[TMM_GRANULE_RTT];
    if (!tmm_realm_info(r->tmm, r->built.rd, NULL, &state, NULL) ||
        !tmm_realm_measurements(r->tmm, r->built.rd, &m)) {
        return;
    }
    info->state = g_strdup(states[state]);
    info->measurement_algorithm = g_strdup(tmm_hash_name(m.algo));
    size = tmm_hash_size(m.algo);
    info->rim = hex(m.slot[0], size);
    for (i = 4; i >= 1; i--) {
        QAPI_LIST_PREPEND(info->rems, hex(m.slot[i], size));
    }
    info->has_rems = true;
    info->has_ripas_ram_bytes = info->has_ripas_empty_bytes = true;
    info->has_ripas_destroyed_bytes = true;
    for (ipa = r->cfg.ram_base; ipa < r->cfg.ram_base + r->ms->ram_size;
         ipa += GRANULE) {
        tmm_realm_translate(r->tmm, r->built.rd, ipa, TMM_ACCESS_READ, &t);
        if (t.ripas == TMM_RIPAS_RAM) {
            info->ripas_ram_bytes += GRANULE;
        } else if (t.ripas == TMM_RIPAS_EMPTY) {
            info->ripas_empty_bytes += GRANULE;
        } else {
            info->ripas_destroyed_bytes += GRANULE;
        }
    }
}

void virtcca_realm_fill_info(VirtccaRealm *r, VirtccaInfo *info)
{
    qemu_mutex_lock(&r->lock);
    realm_fill_info_locked(r, info);
    qemu_mutex_unlock(&r->lock);
}

AddressSpace *virtcca_realm_dma_as(VirtccaRealm *r)
{
    return &r->dma_as;
}

static ResettableState *virtcca_guest_get_reset_state(Object *obj)
{
    return &VIRTCCA_GUEST(obj)->reset_state;
}

void virtcca_guest_reset_class_init(ObjectClass *oc)
{
    ResettableClass *rc = RESETTABLE_CLASS(oc);

    rc->get_state = virtcca_guest_get_reset_state;
    /*
     * The exit phase runs after every hold phase, in particular after the
     * loader has written the images: only then can the realm be built.
     */
    rc->phases.enter = virtcca_guest_reset_enter;
    rc->phases.exit = virtcca_guest_reset_exit;
}

static void virtcca_realm_dma_iommu_class_init(ObjectClass *oc,
                                               const void *data)
{
    IOMMU_MEMORY_REGION_CLASS(oc)->translate = realm_dma_translate;
}

static const TypeInfo virtcca_realm_types[] = {
    {
        .name = TYPE_VIRTCCA_REALM_DMA_IOMMU,
        .parent = TYPE_IOMMU_MEMORY_REGION,
        .class_init = virtcca_realm_dma_iommu_class_init,
    },
};

DEFINE_TYPES(virtcca_realm_types)
