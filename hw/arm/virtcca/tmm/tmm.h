/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core: an RMM 1.0 monitor (Arm DEN0137 1.0-rel0) as a library.
 *
 * The monitor owns a table of granule states for the secure ranges it is
 * given, and keeps every object it creates (RD, REC, REC aux, RTT, DATA)
 * inside delegated granules of that memory, as plain structs.  The host
 * drives it through tmm_rmi_call(); the realm's vCPUs run outside the
 * library (in QEMU), so REC_ENTER is split in three steps:
 *
 *   1. tmm_rec_enter(rec, run, &ctx): the RMI REC_ENTER checks; applies the
 *      run entry part (MMIO read value, INJECT_SEA, RIPAS response,
 *      HOST_CALL results) and returns the vCPU context to load.  The REC is
 *      then RUNNING until step 3.
 *   2. The machine runs the vCPU.  For memory accesses it asks
 *      tmm_realm_translate().  For an SMC it calls tmm_rec_smc(); for IRQ,
 *      FIQ, SError or a stage-2 abort that the translate call said needs
 *      the host, it calls tmm_rec_exit().
 *   3. tmm_rec_smc() either returns TMM_SMC_RESUME (the realm continues
 *      with the updated registers, nothing seen by the host) or
 *      TMM_SMC_EXIT; tmm_rec_exit() always exits.  On exit the library
 *      saves the context in the REC, fills the run exit part and the REC
 *      leaves RUNNING: the host's REC_ENTER call returns RMI_SUCCESS.
 *
 * Exits and what they expose in the run exit part (RMM 1.0 rules):
 *   SYNC (data abort at an unprotected IPA, or at a protected IPA whose
 *     RIPAS is RAM and that is not mapped, or DESTROYED; instruction abort
 *     at a protected unmapped RAM / DESTROYED IPA; also an RSI call whose
 *     buffer is such an IPA, with the PC left at the SMC so that the realm
 *     repeats the call after the host has mapped the granule): esr (EC, IL,
 *     and for an
 *     emulatable data abort ISV, SAS, SSE, SRT, SF, AR, WnR; always the
 *     DFSC/IFSC), hpfar; far only for an emulatable (unprotected, ISV=1)
 *     abort; gprs[0] = the written value for an emulatable write.
 *   IRQ / FIQ / SERROR: exit_reason only (the host owns the interrupt
 *     controller here).
 *   PSCI: gprs[0] = function id, gprs[1] = target MPIDR for CPU_ON and
 *     AFFINITY_INFO, every other gpr zero; CPU_ON and AFFINITY_INFO need
 *     RMI_PSCI_COMPLETE before the calling REC can be entered again.
 *   RIPAS_CHANGE: ripas_base, ripas_top, ripas_value; the host applies it
 *     with RMI_RTT_SET_RIPAS and answers with the RIPAS_RESPONSE entry flag.
 *   HOST_CALL: imm and gprs[0..30] from the realm's host call structure;
 *     on the next REC_ENTER the entry gprs[0..30] are written back to it.
 *
 * What the host may change between exits: only the run entry part.  The
 * entry gprs matter for HOST_CALL (all 31) and after an emulatable MMIO read
 * with EMUL_MMIO (gprs[0] goes to the register the load targeted).
 * EMUL_MMIO also steps the PC over the faulting instruction (read or
 * write).  INJECT_SEA after a data abort exit at an unprotected IPA makes
 * the machine inject a synchronous external abort (inject_sea in the
 * context); it takes precedence over EMUL_MMIO and is ignored after any
 * other exit.  TRAP_WFI/TRAP_WFE are passed on in entry_flags.  The entry
 * gicv3_hcr and gicv3_lrs are checked as RMM 1.0 A6.1 requires (REC_ENTER
 * fails with ERROR_REC on an invalid value; the TMM_GICV3_* constants say
 * what is valid) but not applied, and the exit GICv3 and timer fields are
 * not written: the machine delivers interrupts to the realm's vCPU itself.
 *
 * Memory outcomes for the realm (tmm_realm_translate(), RMM 1.0):
 *   protected, ASSIGNED, RIPAS RAM        -> TMM_XLATE_OK
 *   protected, RIPAS EMPTY (any HIPAS)    -> TMM_XLATE_SEA
 *   protected, RIPAS RAM, UNASSIGNED      -> TMM_XLATE_EXIT
 *   protected, RIPAS DESTROYED            -> TMM_XLATE_EXIT
 *   unprotected, mapped (S2AP permits)    -> TMM_XLATE_OK
 *   unprotected, unmapped or not permitted-> TMM_XLATE_EXIT
 *   unprotected, instruction fetch        -> TMM_XLATE_SEA
 *   IPA outside 2^s2sz                    -> TMM_XLATE_SEA (our choice)
 * A PSCI exit carries no argument the monitor consumes itself: CPU_ON's
 * entry point and context id stay in the calling REC until
 * RMI_PSCI_COMPLETE (A4.3.7: exit.gprs holds "sanitised parameters").
 *
 * A returned PA stays valid only until the next mapping change: the machine
 * must drop cached translations when tmm_mapping_generation() changes.
 *
 * A RUNNING REC cannot be destroyed (REC_DESTROY fails with ERROR_REC) nor
 * entered again; the machine must end every entry with an exit.
 *
 * Thread safety: every public function takes the monitor's lock.
 */
#ifndef TMM_H
#define TMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest/attest.h"

#define TMM_GRANULE_SIZE        4096ULL
#define TMM_GRANULE_SHIFT       12

/* SMC function identifiers */
#define TMM_SMC_FID(n)          (0xC4000000ULL | (n))
#define TMM_RMI_VERSION                 TMM_SMC_FID(0x150)
#define TMM_RMI_GRANULE_DELEGATE        TMM_SMC_FID(0x151)
#define TMM_RMI_GRANULE_UNDELEGATE      TMM_SMC_FID(0x152)
#define TMM_RMI_DATA_CREATE             TMM_SMC_FID(0x153)
#define TMM_RMI_DATA_CREATE_UNKNOWN     TMM_SMC_FID(0x154)
#define TMM_RMI_DATA_DESTROY            TMM_SMC_FID(0x155)
#define TMM_RMI_REALM_ACTIVATE          TMM_SMC_FID(0x157)
#define TMM_RMI_REALM_CREATE            TMM_SMC_FID(0x158)
#define TMM_RMI_REALM_DESTROY           TMM_SMC_FID(0x159)
#define TMM_RMI_REC_CREATE              TMM_SMC_FID(0x15A)
#define TMM_RMI_REC_DESTROY             TMM_SMC_FID(0x15B)
#define TMM_RMI_REC_ENTER               TMM_SMC_FID(0x15C)
#define TMM_RMI_RTT_CREATE              TMM_SMC_FID(0x15D)
#define TMM_RMI_RTT_DESTROY             TMM_SMC_FID(0x15E)
#define TMM_RMI_RTT_MAP_UNPROTECTED     TMM_SMC_FID(0x15F)
#define TMM_RMI_RTT_READ_ENTRY          TMM_SMC_FID(0x161)
#define TMM_RMI_RTT_UNMAP_UNPROTECTED   TMM_SMC_FID(0x162)
#define TMM_RMI_PSCI_COMPLETE           TMM_SMC_FID(0x164)
#define TMM_RMI_FEATURES                TMM_SMC_FID(0x165)
#define TMM_RMI_RTT_FOLD                TMM_SMC_FID(0x166)
#define TMM_RMI_REC_AUX_COUNT           TMM_SMC_FID(0x167)
#define TMM_RMI_RTT_INIT_RIPAS          TMM_SMC_FID(0x168)
#define TMM_RMI_RTT_SET_RIPAS           TMM_SMC_FID(0x169)

#define TMM_RSI_VERSION                 TMM_SMC_FID(0x190)
#define TMM_RSI_FEATURES                TMM_SMC_FID(0x191)
#define TMM_RSI_MEASUREMENT_READ        TMM_SMC_FID(0x192)
#define TMM_RSI_MEASUREMENT_EXTEND      TMM_SMC_FID(0x193)
#define TMM_RSI_ATTEST_TOKEN_INIT       TMM_SMC_FID(0x194)
#define TMM_RSI_ATTEST_TOKEN_CONTINUE   TMM_SMC_FID(0x195)
#define TMM_RSI_REALM_CONFIG            TMM_SMC_FID(0x196)
#define TMM_RSI_IPA_STATE_SET           TMM_SMC_FID(0x197)
#define TMM_RSI_IPA_STATE_GET           TMM_SMC_FID(0x198)
#define TMM_RSI_HOST_CALL               TMM_SMC_FID(0x199)

#define TMM_ABI_VERSION         0x10000ULL      /* 1.0 for RMI and RSI */

/* RMI status (x0 = status | index << 8) */
enum {
    TMM_RMI_SUCCESS = 0,
    TMM_RMI_ERROR_INPUT = 1,
    TMM_RMI_ERROR_REALM = 2,
    TMM_RMI_ERROR_REC = 3,
    TMM_RMI_ERROR_RTT = 4,
};

/* RSI status */
enum {
    TMM_RSI_SUCCESS = 0,
    TMM_RSI_ERROR_INPUT = 1,
    TMM_RSI_ERROR_STATE = 2,
    TMM_RSI_INCOMPLETE = 3,
    TMM_RSI_ERROR_UNKNOWN = 4,
};

#define TMM_SMCCC_NOT_SUPPORTED ((uint64_t)-1)

typedef enum TmmGranuleState {
    TMM_GRANULE_UNDELEGATED = 0,
    TMM_GRANULE_DELEGATED,
    TMM_GRANULE_RD,
    TMM_GRANULE_REC,
    TMM_GRANULE_REC_AUX,
    TMM_GRANULE_DATA,
    TMM_GRANULE_RTT,
} TmmGranuleState;

typedef enum TmmRealmState {
    TMM_REALM_NEW = 0,
    TMM_REALM_ACTIVE = 1,
    TMM_REALM_SYSTEM_OFF = 2,
} TmmRealmState;

enum {
    TMM_RTTE_UNASSIGNED = 0,
    TMM_RTTE_ASSIGNED = 1,
    TMM_RTTE_TABLE = 2,
};

enum {
    TMM_RIPAS_EMPTY = 0,
    TMM_RIPAS_RAM = 1,
    TMM_RIPAS_DESTROYED = 2,
};

enum {
    TMM_EXIT_SYNC = 0,
    TMM_EXIT_IRQ = 1,
    TMM_EXIT_FIQ = 2,
    TMM_EXIT_PSCI = 3,
    TMM_EXIT_RIPAS_CHANGE = 4,
    TMM_EXIT_HOST_CALL = 5,
    TMM_EXIT_SERROR = 6,
};

/* REC run entry flags */
#define TMM_REC_ENTRY_EMUL_MMIO         (1ULL << 0)
#define TMM_REC_ENTRY_INJECT_SEA        (1ULL << 1)
#define TMM_REC_ENTRY_TRAP_WFI          (1ULL << 2)
#define TMM_REC_ENTRY_TRAP_WFE          (1ULL << 3)
#define TMM_REC_ENTRY_RIPAS_RESPONSE    (1ULL << 4)

/* Realm params flags, REC params flags, DATA_CREATE flags */
#define TMM_REALM_FLAG_LPA2             (1ULL << 0)
#define TMM_REALM_FLAG_SVE              (1ULL << 1)
#define TMM_REALM_FLAG_PMU              (1ULL << 2)
#define TMM_REC_PARAMS_RUNNABLE         (1ULL << 0)
#define TMM_DATA_MEASURE_CONTENT        (1ULL << 0)

/* Layout offsets of the host-visible structures (cca-abi.md section 2) */
#define TMM_REALM_PARAMS_FLAGS          0x000
#define TMM_REALM_PARAMS_S2SZ           0x008
#define TMM_REALM_PARAMS_SVE_VL         0x010
#define TMM_REALM_PARAMS_NUM_BPS        0x018
#define TMM_REALM_PARAMS_NUM_WPS        0x020
#define TMM_REALM_PARAMS_PMU_NUM_CTRS   0x028
#define TMM_REALM_PARAMS_HASH_ALGO      0x030
#define TMM_REALM_PARAMS_RPV            0x400
#define TMM_REALM_PARAMS_VMID           0x800
#define TMM_REALM_PARAMS_RTT_BASE       0x808
#define TMM_REALM_PARAMS_RTT_LEVEL_START 0x810
#define TMM_REALM_PARAMS_RTT_NUM_START  0x818

#define TMM_REC_PARAMS_FLAGS            0x000
#define TMM_REC_PARAMS_MPIDR            0x100
#define TMM_REC_PARAMS_PC               0x200
#define TMM_REC_PARAMS_GPRS             0x300
#define TMM_REC_PARAMS_NUM_AUX          0x800
#define TMM_REC_PARAMS_AUX              0x808

#define TMM_REC_RUN_ENTRY_FLAGS         0x000
#define TMM_REC_RUN_ENTRY_GPRS          0x200
#define TMM_REC_RUN_ENTRY_GICV3_HCR     0x300
#define TMM_REC_RUN_ENTRY_GICV3_LRS     0x308
#define TMM_REC_RUN_NR_LRS              16
#define TMM_REC_RUN_EXIT                0x800
#define TMM_REC_RUN_EXIT_REASON         (0x800 + 0x000)
#define TMM_REC_RUN_EXIT_ESR            (0x800 + 0x100)
#define TMM_REC_RUN_EXIT_FAR            (0x800 + 0x108)
#define TMM_REC_RUN_EXIT_HPFAR          (0x800 + 0x110)
#define TMM_REC_RUN_EXIT_GPRS           (0x800 + 0x200)
#define TMM_REC_RUN_EXIT_GICV3_HCR      (0x800 + 0x300)
#define TMM_REC_RUN_EXIT_GICV3_LRS      (0x800 + 0x308)
#define TMM_REC_RUN_EXIT_GICV3_MISR     (0x800 + 0x388)
#define TMM_REC_RUN_EXIT_GICV3_VMCR     (0x800 + 0x390)
#define TMM_REC_RUN_EXIT_CNTP_CTL       (0x800 + 0x400)
#define TMM_REC_RUN_EXIT_CNTP_CVAL      (0x800 + 0x408)
#define TMM_REC_RUN_EXIT_CNTV_CTL       (0x800 + 0x410)
#define TMM_REC_RUN_EXIT_CNTV_CVAL      (0x800 + 0x418)
#define TMM_REC_RUN_EXIT_RIPAS_BASE     (0x800 + 0x500)
#define TMM_REC_RUN_EXIT_RIPAS_TOP      (0x800 + 0x508)
#define TMM_REC_RUN_EXIT_RIPAS_VALUE    (0x800 + 0x510)
#define TMM_REC_RUN_EXIT_IMM            (0x800 + 0x600)

/*
 * FEATURES register 0 as this monitor reports it.  NUM_BPS, NUM_WPS and
 * GICV3_NUM_LRS count minus one (RMM 1.0 B4.4.6), as the realm params'
 * num_bps/num_wps do (0 reserved) and as ID_AA64DFR0_EL1.BRPs/WRPs do: 5
 * and 3 are the 6 breakpoints and 4 watchpoints of QEMU's -cpu max, so a
 * realm's BRPs/WRPs can be its num_bps/num_wps unchanged.
 */
#define TMM_FEAT_S2SZ_MAX               48
#define TMM_FEAT_NUM_BPS                5
#define TMM_FEAT_NUM_WPS                3
#define TMM_FEAT_GICV3_NUM_LRS          15
#define TMM_FEAT_MAX_RECS_ORDER         8       /* up to 256 RECs a realm */

/*
 * The GICv3 virtual CPU interface the realm sees, as REC_ENTER validates
 * the host's gicv3_hcr and gicv3_lrs against it (RMM 1.0 A6.1): of
 * ICH_HCR_EL2 the host sets only UIE, LRENPIE, NPIE, VGrp0EIE, VGrp0DIE,
 * VGrp1EIE, VGrp1DIE and TDIR; a list register has HW == 0 and its RES0
 * fields clear; 5 priority bits (the architectural minimum, as QEMU's
 * GICv3 CPU interface) and 16 virtual INTID bits.
 */
#define TMM_GICV3_HCR_HOST_BITS         0x40feULL
#define TMM_GICV3_VPRI_BITS             5
#define TMM_GICV3_VID_BITS              16

/* REC aux granules: the first holds the attestation token in progress. */
#define TMM_REC_AUX_COUNT               1
#define TMM_REC_AUX_MAX                 16

typedef struct Tmm Tmm;

/*
 * Host pointer to the 4 KiB granule at @pa (granule aligned), or NULL when
 * there is no memory there.  Must be stable for the lifetime of the Tmm.
 */
typedef void *(*TmmGranuleMapFn)(void *opaque, uint64_t pa);

typedef struct TmmRange {
    uint64_t base;      /* granule aligned */
    uint64_t size;      /* granule multiple */
} TmmRange;

/*
 * A monitor over the memory reached through @map.  @secure lists the
 * carve-out (the only delegable memory).  @keys may be NULL: then
 * RSI_ATTESTATION_TOKEN_INIT fails.  Returns NULL on bad arguments.
 */
Tmm *tmm_new(TmmGranuleMapFn map, void *opaque,
             const TmmRange *secure, size_t nr_secure,
             const TmmAttestKeys *keys);
void tmm_free(Tmm *tmm);

/*
 * One RMI call: regs[0] is the function id, regs[1..] its arguments.  On
 * return regs[0] holds the status and regs[1..] the outputs (unused output
 * registers are zeroed).  Unknown function ids get SMCCC NOT_SUPPORTED.
 * REC_ENTER through this entry point behaves as tmm_rec_enter() with the
 * context discarded.
 */
#define TMM_RMI_REGS 8
void tmm_rmi_call(Tmm *tmm, uint64_t regs[TMM_RMI_REGS]);

/* Granule state of @pa as the monitor sees it (UNDELEGATED if not secure). */
TmmGranuleState tmm_granule_state(Tmm *tmm, uint64_t pa);
bool tmm_pa_is_secure(Tmm *tmm, uint64_t pa);

/* The register state of a realm vCPU that crosses the library boundary. */
typedef struct TmmVcpuContext {
    uint64_t gprs[31];
    uint64_t pc;
    uint64_t pstate;
    uint64_t mpidr;         /* out of tmm_rec_enter only */
    uint64_t entry_flags;   /* out of tmm_rec_enter: TRAP_WFI/TRAP_WFE */
    bool inject_sea;        /* out of tmm_rec_enter: inject an SEA first */
    uint64_t sea_far;       /* the address to report with it */
    uint64_t sea_esr;       /* the abort's syndrome (WnR, CM) */
    /*
     * The GICv3 virtual CPU interface and the timers, for a monitor that
     * runs the realm under its own EL2 (hw/arm/virtcca/monitor-el2.c).
     * Out of tmm_rec_enter: the host's ICH_HCR_EL2 bits and list
     * registers, checked.  Into an exit: what the CPU holds, reported to
     * the host in the run structure.  Zero where there is no EL2.
     */
    uint64_t gicv3_hcr;
    uint64_t gicv3_lrs[TMM_REC_RUN_NR_LRS];
    uint64_t gicv3_misr;    /* in only */
    uint64_t gicv3_vmcr;    /* in only */
    uint64_t cntp_ctl, cntp_cval, cntv_ctl, cntv_cval;  /* in only */
} TmmVcpuContext;

/* RMI REC_ENTER: returns the RMI status; on success fills @ctx. */
uint64_t tmm_rec_enter(Tmm *tmm, uint64_t rec_pa, uint64_t run_pa,
                       TmmVcpuContext *ctx);

typedef enum TmmExitKind {
    TMM_EVENT_DATA_ABORT,   /* stage-2 data abort: esr, far, ipa */
    TMM_EVENT_INSN_ABORT,   /* stage-2 instruction abort: esr, far, ipa */
    TMM_EVENT_IRQ,
    TMM_EVENT_FIQ,
    TMM_EVENT_SERROR,
    /*
     * A trapped system register write the host emulates (ICC_SGI1R_EL1,
     * ICC_ASGI1R_EL1, ICC_SGI0R_EL1: the host owns the distributor):
     * esr is the trap's syndrome, value what the realm wrote.
     */
    TMM_EVENT_SYSREG_WRITE,
    TMM_EVENT_WFX,          /* a trapped WFI or WFE: esr */
} TmmExitKind;

typedef struct TmmExitEvent {
    TmmExitKind kind;
    uint64_t esr;           /* ESR_EL2 syndrome as the CPU reports it */
    uint64_t far;           /* faulting virtual address */
    uint64_t ipa;           /* faulting IPA */
    uint64_t value;         /* TMM_EVENT_SYSREG_WRITE: the value written */
} TmmExitEvent;

/*
 * Exit the running REC to the host because of @ev; @ctx is the vCPU state
 * at the exit (pc at the faulting instruction for aborts).  Returns the
 * status the host's REC_ENTER returns (RMI_SUCCESS) or an error if @rec is
 * not running.
 */
uint64_t tmm_rec_exit(Tmm *tmm, uint64_t rec_pa, const TmmVcpuContext *ctx,
                      const TmmExitEvent *ev);

/*
 * What a trapped system register read of the running REC @rec_pa returns
 * (HCR_EL2.TID3: the ID registers).  @sysreg is the register's encoding
 * as ESR_EL2's ISS holds it for a trapped access (Op0 [21:20], Op2
 * [19:17], Op1 [16:14], CRn [13:10], CRm [4:1]); @hw_value what the CPU
 * has.  The realm's view follows its parameters and what the reference
 * monitor hides: its breakpoints and watchpoints, no SVE, SME, PMU, MTE,
 * AMU, MPAM or branch records (sysreg.c).  Returns false when @sysreg is
 * not one the monitor emulates (the caller injects an UNDEF).
 */
#define TMM_SYSREG(op0, op1, crn, crm, op2) \
    (((uint32_t)(op0) << 20) | ((uint32_t)(op2) << 17) | \
     ((uint32_t)(op1) << 14) | ((uint32_t)(crn) << 10) | \
     ((uint32_t)(crm) << 1))
bool tmm_rec_sysreg_read(Tmm *tmm, uint64_t rec_pa, uint32_t sysreg,
                         uint64_t hw_value, uint64_t *value);

typedef enum TmmSmcResult {
    TMM_SMC_RESUME = 0,     /* ctx updated; keep running the realm */
    TMM_SMC_EXIT = 1,       /* REC exited; host's REC_ENTER returns */
    TMM_SMC_ERROR = 2,      /* @rec is not running: a machine bug */
} TmmSmcResult;

/*
 * An SMC executed by the running REC.  @ctx: the registers at the SMC with
 * pc already past it.  Handles RSI, PSCI, SMCCC_VERSION and
 * SMCCC_ARCH_FEATURES; anything else returns NOT_SUPPORTED in x0.
 */
TmmSmcResult tmm_rec_smc(Tmm *tmm, uint64_t rec_pa, TmmVcpuContext *ctx);

typedef enum TmmXlateResult {
    TMM_XLATE_OK = 0,
    TMM_XLATE_EXIT = 1,     /* stage-2 fault for the host: tmm_rec_exit */
    TMM_XLATE_SEA = 2,      /* inject a synchronous external abort */
    TMM_XLATE_BAD_REALM = 3,/* @rd_pa is not an RD */
} TmmXlateResult;

typedef enum TmmAccess {
    TMM_ACCESS_READ,
    TMM_ACCESS_WRITE,
    TMM_ACCESS_EXEC,
} TmmAccess;

typedef struct TmmTranslation {
    uint64_t pa;            /* valid when OK */
    uint64_t map_size;      /* bytes mapped by the entry (4K/2M/1G) */
    bool protected_ipa;
    bool writable;
    uint8_t ripas;          /* protected IPAs only */
    uint8_t level;          /* RTT level at which the walk stopped */
} TmmTranslation;

TmmXlateResult tmm_realm_translate(Tmm *tmm, uint64_t rd_pa, uint64_t ipa,
                                   TmmAccess access, TmmTranslation *out);

/* "EMPTY", "RAM" or "DESTROYED", for messages. */
const char *tmm_ripas_name(unsigned ripas);

/* Incremented by every change that may invalidate a translation. */
uint64_t tmm_mapping_generation(Tmm *tmm);

/* Realm facts the machine needs: s2sz (IPA width), state, vmid. */
bool tmm_realm_info(Tmm *tmm, uint64_t rd_pa, unsigned *s2sz,
                    TmmRealmState *state, unsigned *vmid);

/*
 * What the monitor programs into its stage-2 registers to run the realm
 * (VSTTBR_EL2, VSTCR_EL2, the VMID): the RTTs are the hardware's tables.
 */
typedef struct TmmStage2 {
    uint64_t rtt_base;
    int level_start;
    unsigned num_start;
    unsigned s2sz;
    unsigned vmid;
} TmmStage2;

bool tmm_realm_stage2(Tmm *tmm, uint64_t rd_pa, TmmStage2 *out);

/*
 * A copy of the realm's measurements (RIM and REMs), for the platform's
 * introspection; false if @rd_pa is not an RD.
 */
bool tmm_realm_measurements(Tmm *tmm, uint64_t rd_pa, TmmMeasurements *out);

/*
 * Verify the monitor's invariants; on violation returns false with a
 * description in @why.  Linear in the secure memory size.
 */
bool tmm_check_invariants(Tmm *tmm, char *why, size_t len);

/*
 * Debug aid: when enabled, the invariants are checked after every RMI call,
 * REC entry, exit and SMC, and a violation abort()s with a message.
 */
void tmm_set_self_check(Tmm *tmm, bool enable);

#endif
