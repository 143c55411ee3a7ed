/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target over the TMM core's RMI and RSI surface.
 *
 * Each input is decoded into a sequence of host (RMI) and realm (RSI, PSCI,
 * exits) operations whose arguments are biased toward granules in the state
 * the call wants, IPAs the realm has mapped, and values near the edges.
 * After every operation the monitor's invariants are checked; a failed RMI
 * call must leave the secure memory and every granule state unchanged; and
 * a successful translation must lead to a DATA granule (protected) or to
 * non-secure memory (unprotected).  Any violation abort()s.
 *
 * Build: CC=clang meson setup build/tmm-fuzz -Dfuzzer=enabled
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The harness peeks at REC state (tmm-internal.h) only to aim its calls,
 * e.g. at a REC that is running or waiting for PSCI_COMPLETE.
 */
#include "tmm-internal.h"

#define GRAN        4096ULL
#define MEM_BASE    0x80000000ULL
#define NR_NS       32
#define NR_SEC      64
#define SEC_BASE    (MEM_BASE + NR_NS * GRAN)
#define MEM_SIZE    ((NR_NS + NR_SEC) * GRAN)
#define MAX_OPS     64

static uint8_t *mem;
static const TmmAttestKeys *keys;

typedef struct Input {
    const uint8_t *p;
    size_t len;
} Input;

/* Bytes run out as zeroes, so every input decodes fully. */
static uint8_t u8(Input *in)
{
    uint8_t v = 0;

    if (in->len) {
        v = *in->p++;
        in->len--;
    }
    return v;
}

static uint64_t u64(Input *in)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < 8; i++) {
        v |= (uint64_t)u8(in) << (8 * i);
    }
    return v;
}

static void *fuzz_map(void *opaque, uint64_t pa)
{
    if (pa < MEM_BASE || pa - MEM_BASE >= MEM_SIZE) {
        return NULL;
    }
    return mem + (pa - MEM_BASE);
}

static uint64_t sec_pa(unsigned i)
{
    return SEC_BASE + (uint64_t)(i % NR_SEC) * GRAN;
}

static uint64_t ns_pa(unsigned i)
{
    return MEM_BASE + (uint64_t)(i % NR_NS) * GRAN;
}

/* Any physical address, mostly granules of the test memory. */
static uint64_t any_pa(Input *in)
{
    uint8_t s = u8(in);

    if (s < 128) {
        return sec_pa(s);
    } else if (s < 192) {
        return ns_pa(s);
    } else if (s < 208) {
        return sec_pa(s) + 8;
    } else if (s < 224) {
        return MEM_BASE + MEM_SIZE + (s & 7) * GRAN;
    }
    return u64(in);
}

/* A granule in @state if there is one (searching from a fuzzed start). */
static uint64_t pick(Tmm *tmm, Input *in, TmmGranuleState state)
{
    uint8_t s = u8(in);
    unsigned i;

    if (s >= 240) {
        return any_pa(in);
    }
    for (i = 0; i < NR_SEC; i++) {
        if (tmm_granule_state(tmm, sec_pa(s + i)) == state) {
            return sec_pa(s + i);
        }
    }
    return sec_pa(s);
}

static unsigned rd_s2sz(Tmm *tmm, uint64_t rd)
{
    unsigned s2sz = 33;

    tmm_realm_info(tmm, rd, &s2sz, NULL, NULL);
    return s2sz;
}

/* An IPA for realm @rd: small protected ones, block-aligned, aliases. */
static uint64_t any_ipa(Tmm *tmm, Input *in, uint64_t rd)
{
    uint8_t s = u8(in), k = u8(in);
    uint64_t ns = 1ULL << (rd_s2sz(tmm, rd) - 1);

    switch (s % 8) {
    case 0:
    case 1:
    case 2:
        return (uint64_t)(k % 64) * GRAN;
    case 3:
        return (uint64_t)(k % 4) << 21;
    case 4:
        return (uint64_t)(k % 4) << 30;
    case 5:
    case 6:
        return ns + (uint64_t)(k % 16) * GRAN;
    default:
        return u64(in);
    }
}

static uint64_t level(Input *in)
{
    uint8_t s = u8(in);

    if (s < 128) {
        return 3;
    }
    return s < 250 ? (uint64_t)(s % 4) : (uint64_t)(int64_t)(s % 3 - 2);
}

static TmmRec *rec_at(Tmm *tmm, uint64_t pa)
{
    if (tmm_granule_state(tmm, pa) != TMM_GRANULE_REC) {
        return NULL;
    }
    return fuzz_map(NULL, pa);
}

enum { ANY_REC, RUNNING_REC, IDLE_REC, PSCI_REC };

/* A REC in the wanted condition if there is one, else any REC. */
static uint64_t pick_rec(Tmm *tmm, Input *in, int want)
{
    uint8_t s = u8(in);
    unsigned i;

    for (i = 0; want != ANY_REC && s < 224 && i < NR_SEC; i++) {
        TmmRec *rec = rec_at(tmm, sec_pa(s + i));

        if (rec && (want == RUNNING_REC ? rec->running :
                    want == IDLE_REC ? !rec->running && rec->runnable :
                    rec->psci_pending)) {
            return sec_pa(s + i);
        }
    }
    return pick(tmm, in, TMM_GRANULE_REC);
}

/* The REC of the same realm as @rec with MPIDR @mpidr, if any. */
static uint64_t rec_by_mpidr(Tmm *tmm, uint64_t rec, uint64_t mpidr)
{
    TmmRec *r = rec_at(tmm, rec);
    unsigned i;

    for (i = 0; r && i < NR_SEC; i++) {
        TmmRec *t = rec_at(tmm, sec_pa(i));

        if (t && t->owner == r->owner && t->mpidr == mpidr) {
            return sec_pa(i);
        }
    }
    return rec;
}

static uint64_t rec_owner(Tmm *tmm, uint64_t rec)
{
    TmmRec *r = rec_at(tmm, rec);

    return r ? r->owner : 0;
}

static void check(Tmm *tmm, const char *what)
{
    char why[256];

    if (!tmm_check_invariants(tmm, why, sizeof(why))) {
        fprintf(stderr, "invariant violated after %s: %s\n", what, why);
        abort();
    }
}

static void fill_realm_params(Tmm *tmm, Input *in, uint64_t p)
{
    static const struct { uint8_t s2sz, sl, num; } g[] = {
        { 33, 1, 1 }, { 32, 2, 4 }, { 40, 1, 2 }, { 39, 1, 1 },
    };
    uint8_t *b = fuzz_map(NULL, p), s = u8(in);
    uint64_t v;
    uint32_t num;

    memset(b, 0, GRAN);
    v = g[s % 4].s2sz;
    if (s >= 250) {
        v = u8(in);
    }
    memcpy(b + 0x8, &v, 8);
    b[0x30] = u8(in) & 1 ? (u8(in) & 3) : 0;
    b[0x18] = u8(in) & 7;                       /* num_bps: 0 reserved */
    b[0x20] = u8(in) & 7;                       /* num_wps */
    v = u8(in) < 8 ? u64(in) : 0;               /* flags */
    memcpy(b, &v, 8);
    b[0x800] = u8(in) & 3;                      /* vmid */
    v = s < 250 ? pick(tmm, in, TMM_GRANULE_DELEGATED) : any_pa(in);
    if (g[s % 4].num > 1) {
        v &= ~(g[s % 4].num * GRAN - 1);
    }
    memcpy(b + 0x808, &v, 8);
    v = g[s % 4].sl;
    memcpy(b + 0x810, &v, 8);
    num = g[s % 4].num;
    memcpy(b + 0x818, &num, 4);
}

static void fill_rec_params(Tmm *tmm, Input *in, uint64_t p)
{
    uint8_t *b = fuzz_map(NULL, p);
    uint64_t v;
    unsigned i;

    memset(b, 0, GRAN);
    b[0] = u8(in) & 1;
    b[0x100] = u8(in) % 4;                      /* mpidr */
    v = (uint64_t)(u8(in) % 64) * GRAN;         /* pc */
    memcpy(b + 0x200, &v, 8);
    for (i = 0; i < 8; i++) {
        b[0x300 + 8 * i] = u8(in);
    }
    v = u8(in) < 240 ? 1 : u8(in) % 20;
    memcpy(b + 0x800, &v, 8);
    for (i = 0; i < 2; i++) {
        v = pick(tmm, in, TMM_GRANULE_DELEGATED);
        memcpy(b + 0x808 + 8 * i, &v, 8);
    }
}

static uint8_t snap[NR_SEC * GRAN];

static void snapshot(Tmm *tmm, uint8_t *states)
{
    unsigned i;

    memcpy(snap, mem + NR_NS * GRAN, sizeof(snap));
    for (i = 0; i < NR_SEC; i++) {
        states[i] = tmm_granule_state(tmm, sec_pa(i));
    }
}

static void check_unchanged(Tmm *tmm, const uint8_t *states, uint64_t fid,
                            uint64_t status)
{
    unsigned i;

    if (memcmp(snap, mem + NR_NS * GRAN, sizeof(snap))) {
        fprintf(stderr, "RMI %#llx failed (%#llx) but changed memory\n",
                (unsigned long long)fid, (unsigned long long)status);
        abort();
    }
    for (i = 0; i < NR_SEC; i++) {
        if (states[i] != tmm_granule_state(tmm, sec_pa(i))) {
            fprintf(stderr, "RMI %#llx failed but changed granule %u\n",
                    (unsigned long long)fid, i);
            abort();
        }
    }
}

/* With FUZZ_STATS set: how often each RMI command succeeded. */
static unsigned long rmi_ok[0x20], rmi_all[0x20];
static unsigned long smc_res[3];
static bool trace;

static void print_stats(void)
{
    unsigned i;

    for (i = 0; i < 0x20; i++) {
        if (rmi_all[i]) {
            fprintf(stderr, "fuzz-stats: RMI 0x%x: %lu/%lu succeeded\n",
                    0x150 + i, rmi_ok[i], rmi_all[i]);
        }
    }
    fprintf(stderr, "fuzz-stats: SMC resume %lu exit %lu refused %lu\n",
            smc_res[0], smc_res[1], smc_res[2]);
}

/* One RMI call; failures must not change anything. */
static void rmi(Tmm *tmm, uint64_t *regs)
{
    uint8_t states[NR_SEC];
    uint64_t fid = regs[0];

    snapshot(tmm, states);
    if (trace) {
        fprintf(stderr, "rmi %#llx(%#llx, %#llx, %#llx, %#llx)",
                (unsigned long long)regs[0], (unsigned long long)regs[1],
                (unsigned long long)regs[2], (unsigned long long)regs[3],
                (unsigned long long)regs[4]);
    }
    tmm_rmi_call(tmm, regs);
    if (trace) {
        fprintf(stderr, " -> %#llx\n", (unsigned long long)regs[0]);
    }
    rmi_all[(fid - 0xC4000150) % 0x20]++;
    if (regs[0] != 0) {
        check_unchanged(tmm, states, fid, regs[0]);
    } else {
        rmi_ok[(fid - 0xC4000150) % 0x20]++;
    }
}

static void check_translation(Tmm *tmm, Input *in, uint64_t rd)
{
    TmmTranslation t;
    uint64_t ipa = any_ipa(tmm, in, rd);
    TmmAccess acc = u8(in) % 3;

    if (tmm_realm_translate(tmm, rd, ipa, acc, &t) != TMM_XLATE_OK) {
        return;
    }
    if (t.protected_ipa
        ? tmm_granule_state(tmm, t.pa) != TMM_GRANULE_DATA
        : tmm_pa_is_secure(tmm, t.pa)) {
        fprintf(stderr, "IPA %#llx of realm %#llx reaches PA %#llx\n",
                (unsigned long long)ipa, (unsigned long long)rd,
                (unsigned long long)t.pa);
        abort();
    }
}

static const uint64_t realm_fids[] = {
    0xC4000190, 0xC4000191, 0xC4000192, 0xC4000193, 0xC4000194,
    0xC4000195, 0xC4000196, 0xC4000197, 0xC4000198, 0xC4000199,
    0x84000000, 0xC4000001, 0x84000002, 0xC4000003, 0x84000003,
    0xC4000004, 0x84000008, 0x84000009, 0x8400000A, 0x80000000,
    0x80000001, 0xC4000150, 0x84000005, 0xC40001A0,
};

/* The vCPU state the machine holds for each REC, and its run granule. */
static TmmVcpuContext vcpu[NR_SEC];
static uint64_t run_of[NR_SEC];

static uint64_t realm_arg(Tmm *tmm, Input *in, uint64_t rd)
{
    uint8_t s = u8(in);

    if (s < 96) {
        return any_ipa(tmm, in, rd);
    } else if (s < 192) {
        return s % 8;
    }
    return u64(in);
}

static void realm_smc_on(Tmm *tmm, Input *in, uint64_t rec)
{
    TmmVcpuContext *c = &vcpu[(rec - SEC_BASE) / GRAN % NR_SEC];
    uint8_t s = u8(in);
    uint64_t rd = rec_owner(tmm, rec);
    unsigned i, n;

    c->gprs[0] = s < 240 ? realm_fids[s % (sizeof(realm_fids) / 8)]
                         : u64(in);
    n = u8(in) % 11;
    for (i = 1; i <= n; i++) {
        c->gprs[i] = realm_arg(tmm, in, rd);
    }
    if (c->gprs[0] == TMM_RSI_IPA_STATE_SET ||
        c->gprs[0] == TMM_RSI_IPA_STATE_GET) {
        /* mostly a small, well-formed range */
        c->gprs[2] = c->gprs[1] + (uint64_t)(u8(in) % 8) * GRAN;
        c->gprs[3] = u8(in) % 3;
        c->gprs[4] = u8(in) % 3;
    } else if ((c->gprs[0] & ~0x40000000ULL) == 0x84000003 ||
               (c->gprs[0] & ~0x40000000ULL) == 0x84000004) {
        c->gprs[1] = u8(in) % 3;                /* target MPIDR */
        c->gprs[2] = u8(in) < 200 ? (uint64_t)(u8(in) % 16) * GRAN : 0;
    }
    smc_res[tmm_rec_smc(tmm, rec, c)]++;
}

static void realm_smc(Tmm *tmm, Input *in)
{
    realm_smc_on(tmm, in, pick_rec(tmm, in, RUNNING_REC));
}

static void realm_exit(Tmm *tmm, Input *in)
{
    uint64_t rec = pick_rec(tmm, in, RUNNING_REC);
    TmmVcpuContext *c = &vcpu[(rec - SEC_BASE) / GRAN % NR_SEC];
    TmmExitEvent ev;
    uint64_t rd = rec_owner(tmm, rec);

    ev.kind = u8(in) % 5;
    ev.esr = (ev.kind == TMM_EVENT_INSN_ABORT ? 0x20ULL : 0x24ULL) << 26 |
             (1ULL << 25) | ((uint64_t)u8(in) << 16) | (u8(in) & 0x47) |
             ((uint64_t)(u8(in) & 0xf) << 21);
    ev.far = u64(in);
    ev.ipa = any_ipa(tmm, in, rd);
    c->gprs[u8(in) % 31] = u64(in);
    tmm_rec_exit(tmm, rec, c, &ev);
}

static void host_op(Tmm *tmm, Input *in, uint8_t op)
{
    uint64_t r[TMM_RMI_REGS] = { 0 };
    uint64_t rd = pick(tmm, in, TMM_GRANULE_RD);

    switch (op) {
    case 0:
        r[0] = TMM_RMI_GRANULE_DELEGATE;
        r[1] = pick(tmm, in, TMM_GRANULE_UNDELEGATED);
        break;
    case 1:
        r[0] = TMM_RMI_GRANULE_UNDELEGATE;
        r[1] = pick(tmm, in, TMM_GRANULE_DELEGATED);
        break;
    case 2:
        r[0] = TMM_RMI_REALM_CREATE;
        r[1] = pick(tmm, in, TMM_GRANULE_DELEGATED);
        r[2] = ns_pa(u8(in));
        fill_realm_params(tmm, in, r[2]);
        break;
    case 3:
        r[0] = TMM_RMI_REALM_ACTIVATE;
        r[1] = rd;
        break;
    case 4:
        r[0] = TMM_RMI_REALM_DESTROY;
        r[1] = rd;
        break;
    case 5:
        r[0] = TMM_RMI_REC_CREATE;
        r[1] = rd;
        r[2] = pick(tmm, in, TMM_GRANULE_DELEGATED);
        r[3] = ns_pa(u8(in));
        fill_rec_params(tmm, in, r[3]);
        break;
    case 6:
        r[0] = TMM_RMI_REC_DESTROY;
        r[1] = pick(tmm, in, TMM_GRANULE_REC);
        break;
    case 7:
        r[0] = TMM_RMI_RTT_CREATE;
        r[1] = rd;
        r[2] = pick(tmm, in, TMM_GRANULE_DELEGATED);
        r[3] = any_ipa(tmm, in, rd);
        r[4] = level(in);
        break;
    case 8:
    case 9:
    case 11:
    case 12:
        r[0] = op == 8 ? TMM_RMI_RTT_DESTROY : op == 9 ? TMM_RMI_RTT_FOLD :
               op == 11 ? TMM_RMI_RTT_UNMAP_UNPROTECTED :
               TMM_RMI_RTT_READ_ENTRY;
        r[1] = rd;
        r[2] = any_ipa(tmm, in, rd);
        r[3] = level(in);
        break;
    case 10:
        r[0] = TMM_RMI_RTT_MAP_UNPROTECTED;
        r[1] = rd;
        r[2] = any_ipa(tmm, in, rd);
        r[3] = level(in);
        r[4] = (u8(in) < 200 ? ns_pa(u8(in)) : any_pa(in)) |
               ((uint64_t)(u8(in) & (u8(in) < 200 ? 0x3f : 0xff)) << 2);
        break;
    case 13:
        r[0] = TMM_RMI_RTT_INIT_RIPAS;
        r[1] = rd;
        r[2] = any_ipa(tmm, in, rd);
        r[3] = r[2] + (uint64_t)(u8(in) % 8) * GRAN;
        break;
    case 14: {
        uint64_t rec = pick(tmm, in, TMM_GRANULE_REC);
        uint64_t run = run_of[(rec - SEC_BASE) / GRAN % NR_SEC];

        r[0] = TMM_RMI_RTT_SET_RIPAS;
        r[1] = u8(in) < 224 && rec_owner(tmm, rec) ? rec_owner(tmm, rec) : rd;
        r[2] = rec;
        /* what the realm asked for, as the last exit in @run says */
        memcpy(&r[3], (uint8_t *)fuzz_map(NULL, run) + 0xd00, 8);
        memcpy(&r[4], (uint8_t *)fuzz_map(NULL, run) + 0xd08, 8);
        if (u8(in) & 1) {
            r[3] = any_ipa(tmm, in, rd);
            r[4] = r[3] + (uint64_t)(u8(in) % 8) * GRAN;
        }
        break;
    }
    case 15:
    case 16:
        r[0] = op == 15 ? TMM_RMI_DATA_CREATE : TMM_RMI_DATA_CREATE_UNKNOWN;
        r[1] = rd;
        r[2] = pick(tmm, in, TMM_GRANULE_DELEGATED);
        r[3] = any_ipa(tmm, in, rd);
        r[4] = u8(in) < 224 ? ns_pa(u8(in)) : any_pa(in);
        r[5] = u8(in) & 3;
        break;
    case 17:
        r[0] = TMM_RMI_DATA_DESTROY;
        r[1] = rd;
        r[2] = any_ipa(tmm, in, rd);
        break;
    case 18:
        r[0] = TMM_RMI_PSCI_COMPLETE;
        r[1] = pick_rec(tmm, in, PSCI_REC);
        r[2] = u8(in) < 224 && rec_at(tmm, r[1])
               ? rec_by_mpidr(tmm, r[1], rec_at(tmm, r[1])->psci_target)
               : pick(tmm, in, TMM_GRANULE_REC);
        r[3] = u8(in) < 128 ? 0 : (uint64_t)(int64_t)-(int)(u8(in) % 8);
        break;
    case 19:
        r[0] = TMM_SMC_FID(0x150 + u8(in) % 0x1a);
        r[1] = u8(in) & 1 ? 0x10000 : u64(in);
        r[2] = u64(in);
        r[3] = u64(in);
        break;
    default:
        return;
    }
    rmi(tmm, r);
}

/* Delegate a fresh granule (or reuse a delegated one). */
static uint64_t fresh(Tmm *tmm, Input *in)
{
    uint64_t r[TMM_RMI_REGS] = { TMM_RMI_GRANULE_DELEGATE };

    uint64_t pa = pick(tmm, in, TMM_GRANULE_UNDELEGATED);

    r[1] = pa;
    rmi(tmm, r);
    return r[0] == 0 ? pa : pick(tmm, in, TMM_GRANULE_DELEGATED);
}

/*
 * A whole, valid realm in one operation, so that the fuzzer spends its time
 * on what comes after: 33-bit IPA space, RTTs down to level 3 in both
 * halves, some RAM and DATA, one or two RECs, maybe activated.
 */
static void build_realm(Tmm *tmm, Input *in)
{
    uint64_t r[TMM_RMI_REGS], rd = fresh(tmm, in), rtt = fresh(tmm, in);
    uint64_t p = ns_pa(u8(in)), src = ns_pa(u8(in)), v;
    uint8_t *b = fuzz_map(NULL, p), flags = u8(in);
    uint32_t num = 1;
    unsigned i, n;

    memset(b, 0, GRAN);
    v = 33;
    memcpy(b + 0x8, &v, 8);
    b[0x18] = TMM_FEAT_NUM_BPS;
    b[0x20] = TMM_FEAT_NUM_WPS;
    b[0x30] = flags & 1;
    b[0x800] = (flags >> 1) & 3;
    memcpy(b + 0x808, &rtt, 8);
    v = 1;
    memcpy(b + 0x810, &v, 8);
    memcpy(b + 0x818, &num, 4);
    memset(r, 0, sizeof(r));
    r[0] = TMM_RMI_REALM_CREATE;
    r[1] = rd;
    r[2] = p;
    rmi(tmm, r);
    if (r[0]) {
        return;
    }
    for (i = 0; i < 4; i++) {
        memset(r, 0, sizeof(r));
        r[0] = TMM_RMI_RTT_CREATE;
        r[1] = rd;
        r[2] = fresh(tmm, in);
        r[3] = i < 2 ? 0 : 1ULL << 32;
        r[4] = 2 + (i & 1);
        rmi(tmm, r);
    }
    memset(r, 0, sizeof(r));
    r[0] = TMM_RMI_RTT_INIT_RIPAS;
    r[1] = rd;
    r[2] = 0;
    r[3] = 16 * GRAN;
    rmi(tmm, r);
    n = flags >> 6;
    for (i = 0; i < n; i++) {
        memset(r, 0, sizeof(r));
        r[0] = TMM_RMI_DATA_CREATE;
        r[1] = rd;
        r[2] = fresh(tmm, in);
        r[3] = i * GRAN;
        r[4] = src;
        r[5] = u8(in) & 1;
        rmi(tmm, r);
    }
    for (i = 0; i < 1 + ((flags >> 3) & 1); i++) {
        uint64_t rp = ns_pa(u8(in)), aux = fresh(tmm, in);
        uint8_t *q = fuzz_map(NULL, rp);

        memset(q, 0, GRAN);
        q[0] = i == 0 || (flags & 0x20);
        q[0x100] = i;
        v = 1;
        memcpy(q + 0x800, &v, 8);
        memcpy(q + 0x808, &aux, 8);
        memset(r, 0, sizeof(r));
        r[0] = TMM_RMI_REC_CREATE;
        r[1] = rd;
        r[2] = fresh(tmm, in);
        r[3] = rp;
        rmi(tmm, r);
    }
    if (flags & 0x10) {
        memset(r, 0, sizeof(r));
        r[0] = TMM_RMI_REALM_ACTIVATE;
        r[1] = rd;
        rmi(tmm, r);
    }
}

/*
 * One round trip of a realm vCPU, the way a host drives it: enter, one SMC
 * from the realm, the host's answer to what exited (SET_RIPAS over the
 * requested range, PSCI_COMPLETE for the named target), enter again, and
 * exit on an interrupt.
 */
/*
 * The GICv3 fields of a run page's entry part: zero (what a host without
 * pending interrupts passes) unless the input asks for host-chosen bits,
 * which REC_ENTER must validate.
 */
static void fill_run_gic(Input *in, uint8_t *rp)
{
    uint64_t v = 0;

    memset(rp + TMM_REC_RUN_ENTRY_GICV3_HCR, 0, 8 * (1 + TMM_REC_RUN_NR_LRS));
    if (u8(in) < 16) {
        v = u64(in);
        memcpy(rp + TMM_REC_RUN_ENTRY_GICV3_HCR, &v, 8);
        v = u64(in);
        memcpy(rp + TMM_REC_RUN_ENTRY_GICV3_LRS + 8 * (u8(in) & 15), &v, 8);
    }
}

static void realm_round_trip(Tmm *tmm, Input *in)
{
    uint64_t rec = pick_rec(tmm, in, IDLE_REC), run = ns_pa(u8(in));
    TmmVcpuContext *c = &vcpu[(rec - SEC_BASE) / GRAN % NR_SEC];
    TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };
    uint64_t r[TMM_RMI_REGS], flags = 0, reason;
    uint8_t *rp = fuzz_map(NULL, run);
    TmmRec *rs;

    memcpy(rp, &flags, 8);
    fill_run_gic(in, rp);
    run_of[(rec - SEC_BASE) / GRAN % NR_SEC] = run;
    if (tmm_rec_enter(tmm, rec, run, c) != 0) {
        return;
    }
    check(tmm, "entry");
    realm_smc_on(tmm, in, rec);
    check(tmm, "SMC");
    rs = rec_at(tmm, rec);
    if (rs && rs->running) {
        tmm_rec_exit(tmm, rec, c, &ev);
        return;
    }
    memcpy(&reason, rp + 0x800, 8);
    if (reason == TMM_EXIT_RIPAS_CHANGE) {
        uint64_t base, top;

        memcpy(&base, rp + 0xd00, 8);
        memcpy(&top, rp + 0xd08, 8);
        while (base < top && u8(in) < 240) {
            memset(r, 0, sizeof(r));
            r[0] = TMM_RMI_RTT_SET_RIPAS;
            r[1] = rec_owner(tmm, rec);
            r[2] = rec;
            r[3] = base;
            r[4] = u8(in) < 128 ? top : base + GRAN;
            rmi(tmm, r);
            if (r[0]) {
                break;
            }
            base = r[1];
        }
        flags = u8(in) & TMM_REC_ENTRY_RIPAS_RESPONSE;
    } else if (reason == TMM_EXIT_PSCI && rs && rs->psci_pending) {
        memset(r, 0, sizeof(r));
        r[0] = TMM_RMI_PSCI_COMPLETE;
        r[1] = rec;
        r[2] = rec_by_mpidr(tmm, rec, rs->psci_target);
        r[3] = u8(in) < 200 ? 0 : (uint64_t)-3;
        rmi(tmm, r);
    } else if (reason == TMM_EXIT_SYNC) {
        flags = u8(in) & (TMM_REC_ENTRY_EMUL_MMIO | TMM_REC_ENTRY_INJECT_SEA);
    }
    memcpy(rp, &flags, 8);
    if (tmm_rec_enter(tmm, rec, run, c) == 0) {
        check(tmm, "entry");
        tmm_rec_exit(tmm, rec, c, &ev);
    }
}

/* Tear down what lies below (@ipa, @level) as a host would. */
static void teardown_entry(Tmm *tmm, Input *in, uint64_t rd, unsigned s2sz,
                           uint64_t ipa, int level)
{
    uint64_t r[TMM_RMI_REGS] = { TMM_RMI_RTT_READ_ENTRY, rd, ipa, level };
    uint64_t size = 1ULL << (12 + 9 * (3 - level));
    unsigned i;

    tmm_rmi_call(tmm, r);       /* reads nothing it could change */
    if (r[0] || r[1] != (uint64_t)level) {
        return;
    }
    if (r[2] == TMM_RTTE_ASSIGNED) {
        memset(r, 0, sizeof(r));
        r[1] = rd;
        r[2] = ipa;
        r[3] = level;
        if (ipa >= 1ULL << (s2sz - 1)) {
            r[0] = TMM_RMI_RTT_UNMAP_UNPROTECTED;
        } else if (level == 3) {
            r[0] = TMM_RMI_DATA_DESTROY;
        } else {
            r[0] = TMM_RMI_RTT_CREATE;  /* split the block first */
            r[2] = fresh(tmm, in);
            r[3] = ipa;
            r[4] = level + 1;
        }
        rmi(tmm, r);
        if (r[0] || level == 3 || ipa >= 1ULL << (s2sz - 1)) {
            return;
        }
    } else if (r[2] != TMM_RTTE_TABLE) {
        return;
    }
    for (i = 0; i < 512; i++) {
        teardown_entry(tmm, in, rd, s2sz, ipa + i * (size >> 9), level + 1);
    }
    memset(r, 0, sizeof(r));
    r[0] = TMM_RMI_RTT_DESTROY;
    r[1] = rd;
    r[2] = ipa;
    r[3] = level + 1;
    rmi(tmm, r);
}

/* Destroy a realm's RECs, memory and RTTs, then the realm. */
static void teardown_realm(Tmm *tmm, Input *in)
{
    uint64_t rd = pick(tmm, in, TMM_GRANULE_RD), r[TMM_RMI_REGS];
    unsigned s2sz, i, sl, nr;

    if (!tmm_realm_info(tmm, rd, &s2sz, NULL, NULL) || s2sz > 40) {
        return;
    }
    sl = ((TmmRd *)fuzz_map(NULL, rd))->rtt_level_start;
    nr = (1ULL << s2sz) >> (12 + 9 * (3 - sl));
    for (i = 0; i < NR_SEC; i++) {
        TmmRec *rec = rec_at(tmm, sec_pa(i));

        if (rec && rec->owner == rd && u8(in) < 240) {
            memset(r, 0, sizeof(r));
            r[0] = TMM_RMI_REC_DESTROY;
            r[1] = sec_pa(i);
            rmi(tmm, r);
        }
    }
    for (i = 0; i < nr; i++) {
        teardown_entry(tmm, in, rd, s2sz,
                       (uint64_t)i << (12 + 9 * (3 - sl)), sl);
    }
    memset(r, 0, sizeof(r));
    r[0] = TMM_RMI_REALM_DESTROY;
    r[1] = rd;
    rmi(tmm, r);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char *err = NULL;

    mem = malloc(MEM_SIZE);
    /* Attestation is costly; keep it reachable but load keys once. */
    keys = tmm_attest_keys_generate(&err);
    if (!mem || !keys) {
        fprintf(stderr, "fuzz init: %s\n", err ? err : "out of memory");
        abort();
    }
    trace = getenv("FUZZ_TRACE") != NULL;
    if (getenv("FUZZ_STATS")) {
        atexit(print_stats);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    TmmRange sec = { SEC_BASE, NR_SEC * GRAN };
    Input in = { data, size };
    unsigned ops = 0;
    Tmm *tmm;

    memset(mem, 0, MEM_SIZE);
    memset(vcpu, 0, sizeof(vcpu));
    for (ops = 0; ops < NR_SEC; ops++) {
        run_of[ops] = MEM_BASE;
    }
    ops = 0;
    tmm = tmm_new(fuzz_map, NULL, &sec, 1, keys);
    if (!tmm) {
        abort();
    }
    while (in.len && ops++ < MAX_OPS) {
        uint8_t op = u8(&in) % 29;

        if (op == 28) {
            teardown_realm(tmm, &in);
        } else if (op == 26) {
            build_realm(tmm, &in);
        } else if (op == 27) {
            realm_round_trip(tmm, &in);
        } else if (op < 20) {
            host_op(tmm, &in, op);
        } else if (op == 20 || op == 21) {
            uint64_t rec = pick_rec(tmm, &in, IDLE_REC);
            uint64_t run = ns_pa(u8(&in));
            uint64_t flags = u8(&in) & 0x1f;

            memcpy(fuzz_map(NULL, run), &flags, 8);
            fill_run_gic(&in, fuzz_map(NULL, run));
            run_of[(rec - SEC_BASE) / GRAN % NR_SEC] = run;
            tmm_rec_enter(tmm, rec, run,
                          &vcpu[(rec - SEC_BASE) / GRAN % NR_SEC]);
        } else if (op == 22 || op == 23) {
            realm_smc(tmm, &in);
        } else if (op == 24) {
            realm_exit(tmm, &in);
        } else {
            check_translation(tmm, &in, pick(tmm, &in, TMM_GRANULE_RD));
        }
        check(tmm, "operation");
    }
    tmm_free(tmm);
    return 0;
}
