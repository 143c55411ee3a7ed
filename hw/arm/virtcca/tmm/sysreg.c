/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core: the ID registers a realm reads.
 *
 * The monitor runs realms with HCR_EL2.TID3 set, so that every read of
 * an AArch64 ID register traps to it: the realm sees the CPU's features
 * as its realm parameters give them (RMM 1.0: "the realm's view of CPU
 * features follows its parameters"), not the whole CPU.
 */
#include "tmm-internal.h"

/* A 4-bit ID register field at @shift. */
#define FIELD4(shift)           (0xfULL << (shift))

static uint64_t set_field4(uint64_t v, unsigned shift, uint64_t field)
{
    return (v & ~FIELD4(shift)) | ((field & 0xf) << shift);
}

/*
 * What the reference monitor hides (TF-RMM's ID register traps) and what
 * this monitor never offers: ID_AA64PFR0_EL1 without SVE, MPAM and AMU
 * (EL2 and EL3 read as the CPU has them: realm payloads read EL3 before
 * they issue SMCs); ID_AA64PFR1_EL1 without SME, MPAM_frac and MTE (never
 * for realms); ID_AA64DFR0_EL1 without the PMU and branch records, with
 * the realm's breakpoints and watchpoints; ID_AA64MMFR3_EL1 without
 * stage-2 permission indirection and overlays; the SVE and SME feature
 * registers zero.
 */
#define PFR0_SVE        32
#define PFR0_MPAM       40
#define PFR0_AMU        44
#define PFR1_MTE        8
#define PFR1_MPAM_FRAC  16
#define PFR1_SME        24
#define DFR0_PMUVER     8
#define DFR0_BRPS       12
#define DFR0_WRPS       20
#define DFR0_BRBE       52
#define MMFR3_S2PIE     12
#define MMFR3_S2POE     20

static uint64_t realm_id_reg(const TmmRd *rd, uint32_t sysreg, uint64_t v)
{
    switch (sysreg) {
    case TMM_SYSREG(3, 0, 0, 4, 0):                 /* ID_AA64PFR0_EL1 */
        return v & ~(FIELD4(PFR0_SVE) | FIELD4(PFR0_MPAM) |
                     FIELD4(PFR0_AMU));
    case TMM_SYSREG(3, 0, 0, 4, 1):                 /* ID_AA64PFR1_EL1 */
        return v & ~(FIELD4(PFR1_MTE) | FIELD4(PFR1_MPAM_FRAC) |
                     FIELD4(PFR1_SME));
    case TMM_SYSREG(3, 0, 0, 4, 4):                 /* ID_AA64ZFR0_EL1 */
    case TMM_SYSREG(3, 0, 0, 4, 5):                 /* ID_AA64SMFR0_EL1 */
        return 0;
    case TMM_SYSREG(3, 0, 0, 5, 0):                 /* ID_AA64DFR0_EL1 */
        v &= ~(FIELD4(DFR0_PMUVER) | FIELD4(DFR0_BRBE));
        v = set_field4(v, DFR0_BRPS, rd->num_bps);
        return set_field4(v, DFR0_WRPS, rd->num_wps);
    case TMM_SYSREG(3, 0, 0, 7, 3):                 /* ID_AA64MMFR3_EL1 */
        return v & ~(FIELD4(MMFR3_S2PIE) | FIELD4(MMFR3_S2POE));
    default:
        return v;
    }
}

/*
 * The ID register space TID3 traps: Op0 3, Op1 0, CRn 0, CRm 1..7 (the
 * AArch64 and AArch32 ID registers; unallocated encodings read as zero
 * on the CPU and here).
 */
static bool is_id_reg(uint32_t sysreg)
{
    uint32_t crm = (sysreg >> 1) & 0xf;

    return (sysreg & ~(TMM_SYSREG(0, 0, 0, 0xf, 7))) ==
           TMM_SYSREG(3, 0, 0, 0, 0) && crm >= 1 && crm <= 7;
}

bool tmm_rec_sysreg_read(Tmm *tmm, uint64_t rec_pa, uint32_t sysreg,
                         uint64_t hw_value, uint64_t *value)
{
    bool ok = false;
    TmmRec *rec;

    pthread_mutex_lock(&tmm->lock);
    rec = tmm_rec_get(tmm, rec_pa);
    if (rec && rec->running && is_id_reg(sysreg)) {
        *value = realm_id_reg(tmm_map(tmm, rec->owner), sysreg, hw_value);
        ok = true;
    }
    pthread_mutex_unlock(&tmm->lock);
    return ok;
}
