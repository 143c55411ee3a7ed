/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core internals: the granule table, the layouts of the objects kept in
 * delegated granules, and the RTT helpers shared by the object files.
 */
#ifndef TMM_INTERNAL_H
#define TMM_INTERNAL_H

#include <pthread.h>
#include <string.h>

#include "tmm.h"
#include "measure/measure.h"
#include "attest/attest.h"

#define TMM_GRANULE_MASK        (TMM_GRANULE_SIZE - 1)
#define TMM_RTT_ENTRIES         512
#define TMM_RTT_MAX_LEVEL       3
/*
 * Block mappings (ASSIGNED, ASSIGNED_NS) exist at levels 1..3 (RMM 1.0
 * A5.5.4, A5.5.6): 1 GiB blocks at level 1 are part of the contract.
 */
#define TMM_RTT_MIN_BLOCK_LEVEL 1
#define TMM_S2SZ_MIN            32
#define TMM_RTT_NUM_START_MAX   16
#define TMM_NR_VMIDS            65536
#define TMM_PA_MASK             0x0000fffffffff000ULL

#define TMM_RMI_STATUS(s, idx)  ((uint64_t)(s) | ((uint64_t)(idx) << 8))

/* Per-granule metadata, for granules of the secure ranges only. */
typedef struct TmmGranule {
    uint8_t state;          /* TmmGranuleState */
    uint32_t refcount;      /* RD: RECs; RTT: live entries; others: 0 */
} TmmGranule;

/*
 * tmm_realm_translate()'s memory of the level-3 table covering a 2 MiB
 * block of a realm's IPA space, good while the monitor's table
 * generation (changed by every write of an entry above the last level,
 * and when a realm goes) is the one it was taken at: a translation (a
 * stage-2 abort's classification, the host's fault-around) then reads
 * one table instead of walking four levels.  Last-level entries
 * change freely (first touch, RIPAS): the entry is always read afresh.
 */
#define TMM_WALK_CACHE_SIZE     64

typedef struct TmmWalkCache {
    uint64_t generation_plus_1;     /* 0: empty */
    uint64_t rd_pa;
    uint64_t block;                 /* IPA >> 21 */
    uint64_t rtt_pa;
} TmmWalkCache;

struct Tmm {
    TmmGranuleMapFn map;
    void *opaque;
    TmmRange *secure;       /* sorted by base */
    size_t *first;          /* index of each range's first granule */
    size_t nr_secure;
    TmmGranule *granules;
    size_t nr_granules;
    const TmmAttestKeys *keys;
    uint8_t vmid_used[TMM_NR_VMIDS / 8];
    size_t nr_vmids;            /* bits set in vmid_used */
    uint64_t generation;
    uint64_t table_generation;  /* see TmmWalkCache */
    bool self_check;
    pthread_mutex_t lock;
    TmmWalkCache walk_cache[TMM_WALK_CACHE_SIZE];
};

/* Realm descriptor, stored in the RD granule. */
typedef struct TmmRd {
    uint32_t state;             /* TmmRealmState */
    uint32_t s2sz;
    uint32_t hash_algo;
    int32_t rtt_level_start;
    uint32_t rtt_num_start;
    uint32_t vmid;
    uint64_t flags;
    uint64_t rtt_base;
    uint64_t rec_index;         /* index the next REC must have */
    uint64_t num_bps, num_wps;  /* the realm parameters, minus one */
    uint8_t rpv[64];
    TmmMeasurements meas;
} TmmRd;

enum {
    TMM_REC_PENDING_NONE = 0,
    TMM_REC_PENDING_RIPAS,      /* IPA_STATE_SET waiting for REC_ENTER */
    TMM_REC_PENDING_HOST_CALL,  /* HOST_CALL waiting for REC_ENTER */
};

/* Realm execution context, stored in the REC granule. */
typedef struct TmmRec {
    uint64_t owner;             /* PA of the RD */
    uint64_t rec_index;
    uint64_t mpidr;
    uint64_t gprs[31];
    uint64_t pc;
    uint64_t pstate;
    uint8_t runnable;
    uint8_t running;
    uint64_t run_pa;            /* run granule while running */
    uint64_t num_aux;
    uint64_t aux[TMM_REC_AUX_MAX];

    /* What the last exit was, for the next REC_ENTER's flags */
    uint8_t last_data_abort;    /* INJECT_SEA is meaningful */
    uint8_t emulatable;         /* EMUL_MMIO is meaningful */
    uint8_t mmio_write;
    uint8_t mmio_srt;
    uint8_t mmio_sas;
    uint8_t mmio_sse;
    uint8_t mmio_sf;
    uint64_t abort_far;
    uint64_t abort_esr;

    uint8_t pending;            /* TMM_REC_PENDING_* */
    uint8_t ripas_value;
    uint8_t ripas_flags;
    uint64_t ripas_base;
    uint64_t ripas_top;
    uint64_t ripas_addr;        /* how far RTT_SET_RIPAS got */
    uint64_t host_call_ipa;

    uint8_t psci_pending;
    uint64_t psci_fid;
    uint64_t psci_target;
    uint64_t psci_entry;
    uint64_t psci_context;

    uint8_t token_active;       /* a token is being handed out */
    uint64_t token_len;
    uint64_t token_off;
} TmmRec;

_Static_assert(sizeof(TmmRd) <= TMM_GRANULE_SIZE, "RD fits a granule");
_Static_assert(sizeof(TmmRec) <= TMM_GRANULE_SIZE, "REC fits a granule");
_Static_assert(TMM_TOKEN_MAX_SIZE <= TMM_GRANULE_SIZE, "token fits aux");

/* granule.c */
TmmGranule *tmm_granule(Tmm *tmm, uint64_t pa);
void *tmm_map(Tmm *tmm, uint64_t pa);
void *tmm_map_ns(Tmm *tmm, uint64_t pa);
bool tmm_range_is_ns(Tmm *tmm, uint64_t pa, uint64_t size);
TmmGranule *tmm_granule_in_state(Tmm *tmm, uint64_t pa,
                                 TmmGranuleState state);
void tmm_granule_set(Tmm *tmm, uint64_t pa, TmmGranuleState state);
void tmm_granule_scrub(Tmm *tmm, uint64_t pa);
TmmRd *tmm_rd_get(Tmm *tmm, uint64_t rd_pa);
TmmRec *tmm_rec_get(Tmm *tmm, uint64_t rec_pa);
void tmm_smc_granule_delegate(Tmm *tmm, uint64_t *regs);
void tmm_smc_granule_undelegate(Tmm *tmm, uint64_t *regs);
bool tmm_check_invariants_locked(Tmm *tmm, char *why, size_t len);
void tmm_self_check_now(Tmm *tmm, const char *what);

/* After every call that changes state; a test of one flag unless fuzzing. */
static inline void tmm_self_check(Tmm *tmm, const char *what)
{
    if (tmm->self_check) {
        tmm_self_check_now(tmm, what);
    }
}

static inline uint64_t tmm_ld64(const void *base, size_t off)
{
    uint64_t v;

    memcpy(&v, (const uint8_t *)base + off, sizeof(v));
    return v;
}

static inline void tmm_st64(void *base, size_t off, uint64_t v)
{
    memcpy((uint8_t *)base + off, &v, sizeof(v));
}

static inline bool tmm_aligned(uint64_t v, uint64_t align)
{
    return (v & (align - 1)) == 0;
}

/* realm.c */
uint64_t tmm_features0(void);
void tmm_smc_realm_create(Tmm *tmm, uint64_t *regs);
void tmm_smc_realm_activate(Tmm *tmm, uint64_t *regs);
void tmm_smc_realm_destroy(Tmm *tmm, uint64_t *regs);
void tmm_smc_rec_aux_count(Tmm *tmm, uint64_t *regs);
uint64_t tmm_realm_ipa_size(const TmmRd *rd);
uint64_t tmm_realm_par_size(const TmmRd *rd);

/* rtt.c */
typedef struct TmmWalk {
    uint64_t rtt_pa;            /* RTT granule where the walk stopped */
    uint64_t *table;
    unsigned index;             /* entry index in that granule */
    int level;                  /* level of that entry */
    uint64_t entry;
} TmmWalk;

static inline unsigned tmm_level_shift(int level)
{
    return TMM_GRANULE_SHIFT + 9 * (TMM_RTT_MAX_LEVEL - level);
}

static inline uint64_t tmm_level_size(int level)
{
    return 1ULL << tmm_level_shift(level);
}

unsigned tmm_rtte_state(uint64_t e, int level);
unsigned tmm_rtte_ripas(uint64_t e);
uint64_t tmm_rtte_oa(uint64_t e);
bool tmm_rtte_live(uint64_t e, int level);
uint64_t tmm_rtte_unassigned(unsigned ripas);
uint64_t tmm_rtte_assigned_prot(uint64_t pa, unsigned ripas, int level);
uint64_t tmm_rtte_ns(uint64_t host_desc, int level);

void tmm_rtt_walk(Tmm *tmm, const TmmRd *rd, uint64_t ipa, int level,
                  TmmWalk *w);
void tmm_rtt_set_entry(Tmm *tmm, TmmWalk *w, uint64_t e);
uint64_t tmm_rtt_skip_non_live(const TmmWalk *w, uint64_t ipa);
bool tmm_rtt_is_live(Tmm *tmm, const TmmRd *rd, uint64_t rtt_pa, int level,
                     uint64_t base);
void *tmm_realm_ptr(Tmm *tmm, const TmmRd *rd, uint64_t ipa, size_t len);
bool tmm_rtt_check_tree(Tmm *tmm, uint64_t rd_pa, const TmmRd *rd,
                        uint8_t *seen, char *why, size_t len);
void tmm_smc_rtt_create(Tmm *tmm, uint64_t *regs);
void tmm_smc_rtt_destroy(Tmm *tmm, uint64_t *regs);
void tmm_smc_rtt_fold(Tmm *tmm, uint64_t *regs);
void tmm_smc_rtt_map_unprotected(Tmm *tmm, uint64_t *regs);
void tmm_smc_rtt_unmap_unprotected(Tmm *tmm, uint64_t *regs);
void tmm_smc_rtt_read_entry(Tmm *tmm, uint64_t *regs);
void tmm_smc_rtt_init_ripas(Tmm *tmm, uint64_t *regs);
void tmm_smc_rtt_set_ripas(Tmm *tmm, uint64_t *regs);

/* data.c */
void tmm_smc_data_create(Tmm *tmm, uint64_t *regs);
void tmm_smc_data_create_unknown(Tmm *tmm, uint64_t *regs);
void tmm_smc_data_destroy(Tmm *tmm, uint64_t *regs);

/* ESR_EL2 fields of the stage-2 aborts the monitor reports (rec.c, rsi.c) */
#define ESR_EC_SHIFT            26
#define ESR_EC_MASK             (0x3fULL << 26)
#define ESR_IL                  (1ULL << 25)
#define ESR_ISV                 (1ULL << 24)
#define ESR_SAS_SHIFT           22
#define ESR_SAS_MASK            (3ULL << 22)
#define ESR_SSE                 (1ULL << 21)
#define ESR_SRT_SHIFT           16
#define ESR_SRT_MASK            (0x1fULL << 16)
#define ESR_SF                  (1ULL << 15)
#define ESR_AR                  (1ULL << 14)
#define ESR_WNR                 (1ULL << 6)
#define ESR_FSC_MASK            0x3fULL
#define ESR_EC_DABT_LOWER       (0x24ULL << ESR_EC_SHIFT)
#define ESR_DFSC_TRANSLATION(l) (0x04ULL + (l))

/* rec.c */
void tmm_smc_rec_create(Tmm *tmm, uint64_t *regs);
void tmm_smc_rec_destroy(Tmm *tmm, uint64_t *regs);
uint64_t tmm_rec_enter_locked(Tmm *tmm, uint64_t rec_pa, uint64_t run_pa,
                              TmmVcpuContext *ctx);
uint8_t *tmm_rec_do_exit(Tmm *tmm, TmmRec *rec, const TmmVcpuContext *ctx,
                         uint64_t reason);
void tmm_rec_exit_abort(Tmm *tmm, TmmRec *rec, TmmRd *rd,
                        const TmmVcpuContext *ctx, const TmmExitEvent *ev);
uint64_t tmm_mpidr_to_index(uint64_t mpidr);

/* rsi.c */
TmmSmcResult tmm_rsi_call(Tmm *tmm, TmmRec *rec, TmmRd *rd,
                          TmmVcpuContext *ctx);

/* psci.c */
bool tmm_psci_is_psci(uint64_t fid);
TmmSmcResult tmm_psci_call(Tmm *tmm, TmmRec *rec, TmmRd *rd,
                           TmmVcpuContext *ctx);
void tmm_smc_psci_complete(Tmm *tmm, uint64_t *regs);

#endif
