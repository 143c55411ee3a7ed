/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel stand-in: the arm64 vCPU its KVM presents.  See standin-arm64.h.
 */
#include <string.h>

#include "standin-arm64.h"
#include "standin-abi.h"
#include "tmm.h"

#define SYSREG(op0, op1, crn, crm, op2) VKVM_REG_SYS(op0, op1, crn, crm, op2)

/* The stand-in CPU's ID registers; every other one reads as zero. */
static const struct {
    uint64_t id, value;
} id_values[] = {
    /* HiSilicon TSV110, as on virtCCA servers */
    { SYSREG(3, 0, 0, 0, 0), 0x481fd010 },              /* MIDR_EL1 */
    /* EL0 and EL1 AArch64 only, GIC system registers */
    { SYSREG(3, 0, 0, 4, 0), 0x01000011 },              /* ID_AA64PFR0 */
    /* DebugVer 8.2, the monitor's breakpoints and watchpoints, 2 CTX */
    { SYSREG(3, 0, 0, 5, 0), 0x10000008 |               /* ID_AA64DFR0 */
                             (uint64_t)TMM_FEAT_NUM_BPS << 12 |
                             (uint64_t)TMM_FEAT_NUM_WPS << 20 },
    /* AES+PMULL, SHA1, SHA2, CRC32, LSE atomics, RDM */
    { SYSREG(3, 0, 0, 6, 0), 0x10211120 },              /* ID_AA64ISAR0 */
    { SYSREG(3, 0, 0, 6, 1), 0x1 },                     /* ID_AA64ISAR1 */
    /* 48-bit PA, 16-bit ASID, mixed endian, 4K and 16K granules */
    { SYSREG(3, 0, 0, 7, 0), 0x101125 },                /* ID_AA64MMFR0 */
    { SYSREG(3, 0, 0, 7, 1), 0x111122 },                /* ID_AA64MMFR1 */
    { SYSREG(3, 0, 0, 7, 2), 0x1 },                     /* ID_AA64MMFR2 */
};

/* Writable system registers of EL1 and EL0 that KVM lists. */
static const uint64_t sysregs[] = {
    SYSREG(3, 0, 1, 0, 0),      /* SCTLR_EL1 */
    SYSREG(3, 0, 1, 0, 2),      /* CPACR_EL1 */
    SYSREG(3, 0, 2, 0, 0),      /* TTBR0_EL1 */
    SYSREG(3, 0, 2, 0, 1),      /* TTBR1_EL1 */
    SYSREG(3, 0, 2, 0, 2),      /* TCR_EL1 */
    SYSREG(3, 0, 5, 1, 0),      /* AFSR0_EL1 */
    SYSREG(3, 0, 5, 1, 1),      /* AFSR1_EL1 */
    SYSREG(3, 0, 5, 2, 0),      /* ESR_EL1 */
    SYSREG(3, 0, 6, 0, 0),      /* FAR_EL1 */
    SYSREG(3, 0, 7, 4, 0),      /* PAR_EL1 */
    SYSREG(3, 0, 10, 2, 0),     /* MAIR_EL1 */
    SYSREG(3, 0, 10, 3, 0),     /* AMAIR_EL1 */
    SYSREG(3, 0, 12, 0, 0),     /* VBAR_EL1 */
    SYSREG(3, 0, 13, 0, 1),     /* CONTEXTIDR_EL1 */
    SYSREG(3, 0, 13, 0, 4),     /* TPIDR_EL1 */
    SYSREG(3, 0, 14, 1, 0),     /* CNTKCTL_EL1 */
    SYSREG(3, 2, 0, 0, 0),      /* CSSELR_EL1 */
    SYSREG(3, 3, 13, 0, 2),     /* TPIDR_EL0 */
    SYSREG(3, 3, 13, 0, 3),     /* TPIDRRO_EL0 */
    SYSREG(3, 3, 14, 3, 1),     /* KVM_REG_ARM_TIMER_CTL */
    SYSREG(3, 3, 14, 3, 2),     /* KVM_REG_ARM_TIMER_CNT */
    SYSREG(3, 3, 14, 0, 2),     /* KVM_REG_ARM_TIMER_CVAL */
};

#define MPIDR           SYSREG(3, 0, 0, 0, 5)
#define PSCI_1_1        0x10001

static uint64_t reg_ids[STANDIN_ARM64_MAX_REGS];
static size_t nr_reg_ids;

static void add(uint64_t id)
{
    reg_ids[nr_reg_ids++] = id;
}

static void build_list(void)
{
    size_t i;
    int n;

    if (nr_reg_ids) {
        return;
    }
    for (n = 0; n < 31; n++) {
        add(VKVM_REG_CORE_X(n));
    }
    add(SKVM_REG_CORE(VKVM_REG_SIZE_U64, SKVM_CORE_OFF_SP));
    add(VKVM_REG_CORE_PC);
    add(SKVM_REG_CORE(VKVM_REG_SIZE_U64, SKVM_CORE_OFF_PSTATE));
    add(SKVM_REG_CORE(VKVM_REG_SIZE_U64, SKVM_CORE_OFF_SP_EL1));
    add(SKVM_REG_CORE(VKVM_REG_SIZE_U64, SKVM_CORE_OFF_ELR_EL1));
    for (n = 0; n < 5; n++) {
        add(SKVM_REG_CORE(VKVM_REG_SIZE_U64, SKVM_CORE_OFF_SPSR + 8 * n));
    }
    for (n = 0; n < 32; n++) {
        add(SKVM_REG_CORE(SKVM_REG_SIZE_U128, SKVM_CORE_OFF_VREGS + 16 * n));
    }
    add(SKVM_REG_CORE(SKVM_REG_SIZE_U32, SKVM_CORE_OFF_FPSR));
    add(SKVM_REG_CORE(SKVM_REG_SIZE_U32, SKVM_CORE_OFF_FPCR));
    add(SKVM_REG_PSCI_VERSION);
    add(MPIDR);
    /* The ID register space op0 3, op1 0, CRn 0, CRm 1..7. */
    for (n = 8; n < 64; n++) {
        add(SYSREG(3, 0, 0, n >> 3, n & 7));
    }
    add(id_values[0].id);
    for (i = 0; i < sizeof(sysregs) / sizeof(sysregs[0]); i++) {
        add(sysregs[i]);
    }
}

size_t standin_arm64_nr_regs(void)
{
    build_list();
    return nr_reg_ids;
}

uint64_t standin_arm64_reg_id(size_t i)
{
    build_list();
    return i < nr_reg_ids ? reg_ids[i] : 0;
}

int standin_arm64_reg_index(uint64_t id)
{
    size_t i;

    build_list();
    for (i = 0; i < nr_reg_ids; i++) {
        if (reg_ids[i] == id) {
            return i;
        }
    }
    return -1;
}

size_t standin_arm64_reg_size(uint64_t id)
{
    return 1u << ((id & SKVM_REG_SIZE_MASK) >> SKVM_REG_SIZE_SHIFT);
}

bool standin_arm64_reg_is_id(uint64_t id)
{
    return (id & ~(uint64_t)0x3f) == (SYSREG(3, 0, 0, 0, 0) & ~0x3fULL) &&
           id != MPIDR;
}

uint64_t *standin_arm64_reg64(StandinArm64Regs *r, uint64_t id)
{
    int i = standin_arm64_reg_index(id);

    return i < 0 ? NULL : &r->value[i][0];
}

void standin_arm64_reset(StandinArm64Regs *r, uint64_t mpidr)
{
    size_t i;

    memset(r, 0, sizeof(*r));
    for (i = 0; i < sizeof(id_values) / sizeof(id_values[0]); i++) {
        *standin_arm64_reg64(r, id_values[i].id) = id_values[i].value;
    }
    /* KVM's reset state: EL1h with DAIF masked, MMU off, PSCI 1.1. */
    *standin_arm64_reg64(r, SKVM_REG_CORE(VKVM_REG_SIZE_U64,
                                          SKVM_CORE_OFF_PSTATE)) = 0x3c5;
    *standin_arm64_reg64(r, SYSREG(3, 0, 1, 0, 0)) = 0x30d00800;
    *standin_arm64_reg64(r, SKVM_REG_PSCI_VERSION) = PSCI_1_1;
    /* MPIDR's bit 31 is RES1. */
    *standin_arm64_reg64(r, MPIDR) = mpidr | 1ULL << 31;
}
