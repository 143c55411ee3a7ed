/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test memory and builders for the TMM core unit tests.
 */
#include <stdlib.h>
#include <string.h>

#include "tmm-test-env.h"

static void *test_map(void *opaque, uint64_t pa)
{
    TestMem *m = opaque;

    if (pa < TEST_MEM_BASE || pa - TEST_MEM_BASE >= TEST_MEM_SIZE) {
        return NULL;
    }
    return m->ram + (pa - TEST_MEM_BASE);
}

void test_mem_init(TestMem *m, const TmmAttestKeys *keys)
{
    TmmRange sec = { TEST_SEC_BASE, TEST_SEC_SIZE };

    memset(m, 0, sizeof(*m));
    m->ram = g_malloc0(TEST_MEM_SIZE);
    /* garbage the host left behind, to see scrubbing work */
    memset(m->ram + TEST_NS_SIZE, 0xa5, TEST_SEC_SIZE);
    m->tmm = tmm_new(test_map, m, &sec, 1, keys);
    g_assert_nonnull(m->tmm);
    /* every call of every test also checks the invariants */
    tmm_set_self_check(m->tmm, true);
    m->next_ns = TEST_MEM_BASE;
    m->next_sec = TEST_SEC_BASE;
}

void test_check(TestMem *m)
{
    char why[256] = "";

    if (!tmm_check_invariants(m->tmm, why, sizeof(why))) {
        g_error("invariant violated: %s", why);
    }
}

void test_mem_fini(TestMem *m, bool all_undelegated)
{
    uint64_t pa;

    test_check(m);
    if (all_undelegated) {
        for (pa = TEST_SEC_BASE; pa < TEST_SEC_BASE + TEST_SEC_SIZE;
             pa += GRAN) {
            g_assert_cmpint(tmm_granule_state(m->tmm, pa), ==,
                            TMM_GRANULE_UNDELEGATED);
        }
    }
    tmm_free(m->tmm);
    g_free(m->ram);
}

void *test_ptr(TestMem *m, uint64_t pa)
{
    return test_map(m, pa);
}

uint64_t test_ns_granule(TestMem *m)
{
    uint64_t pa = m->next_ns;

    g_assert_cmpuint(pa, <, TEST_MEM_BASE + TEST_NS_SIZE);
    m->next_ns += GRAN;
    memset(test_ptr(m, pa), 0, GRAN);
    return pa;
}

uint64_t test_sec_granules(TestMem *m, unsigned n, uint64_t align)
{
    uint64_t pa = (m->next_sec + align - 1) & ~(align - 1);

    g_assert_cmpuint(pa + n * GRAN, <=, TEST_SEC_BASE + TEST_SEC_SIZE);
    m->next_sec = pa + n * GRAN;
    return pa;
}

uint64_t test_sec_granule(TestMem *m)
{
    return test_sec_granules(m, 1, GRAN);
}

uint64_t test_delegated(TestMem *m)
{
    uint64_t pa = test_sec_granule(m);

    g_assert_cmphex(RMI(m, TMM_RMI_GRANULE_DELEGATE, pa), ==, 0);
    return pa;
}

uint64_t test_rmi_v(TestMem *m, const uint64_t *args, unsigned n)
{
    g_assert_cmpuint(n, <=, TMM_RMI_REGS);
    memset(m->x, 0, sizeof(m->x));
    memcpy(m->x, args, n * sizeof(uint64_t));
    tmm_rmi_call(m->tmm, m->x);
    return m->x[0];
}

uint64_t test_realm_params(TestMem *m, unsigned s2sz, int sl, unsigned num,
                           uint64_t rtt_base, unsigned vmid,
                           unsigned hash_algo)
{
    uint64_t p = test_ns_granule(m);
    uint8_t *b = test_ptr(m, p);

    test_st(m, p, TMM_REALM_PARAMS_S2SZ, s2sz);
    /* 0 is reserved: every realm has at least two of each */
    test_st(m, p, TMM_REALM_PARAMS_NUM_BPS, TMM_FEAT_NUM_BPS);
    test_st(m, p, TMM_REALM_PARAMS_NUM_WPS, TMM_FEAT_NUM_WPS);
    b[TMM_REALM_PARAMS_HASH_ALGO] = hash_algo;
    memset(b + TMM_REALM_PARAMS_RPV, 0x5a, 64);
    b[TMM_REALM_PARAMS_VMID] = vmid & 0xff;
    b[TMM_REALM_PARAMS_VMID + 1] = vmid >> 8;
    test_st(m, p, TMM_REALM_PARAMS_RTT_BASE, rtt_base);
    test_st(m, p, TMM_REALM_PARAMS_RTT_LEVEL_START, (uint64_t)(int64_t)sl);
    memcpy(b + TMM_REALM_PARAMS_RTT_NUM_START, &num, 4);
    return p;
}

void test_realm_new_geom(TestMem *m, TestRealm *r, unsigned vmid,
                         unsigned s2sz, int sl, unsigned num)
{
    unsigned i;

    memset(r, 0, sizeof(*r));
    r->s2sz = s2sz;
    r->sl = sl;
    r->num = num;
    r->rd = test_delegated(m);
    r->rtt_base = test_sec_granules(m, num, num * GRAN);
    for (i = 0; i < num; i++) {
        g_assert_cmphex(RMI(m, TMM_RMI_GRANULE_DELEGATE,
                            r->rtt_base + i * GRAN), ==, 0);
    }
    r->params = test_realm_params(m, s2sz, sl, num, r->rtt_base, vmid, 0);
    g_assert_cmphex(RMI(m, TMM_RMI_REALM_CREATE, r->rd, r->params), ==, 0);
}

void test_realm_new(TestMem *m, TestRealm *r, unsigned vmid)
{
    test_realm_new_geom(m, r, vmid, 40, 1, 2);
}

static uint64_t level_size(int level)
{
    return 1ULL << (12 + 9 * (3 - level));
}

void test_rtt_to(TestMem *m, TestRealm *r, uint64_t ipa, int level)
{
    int l;

    for (l = r->sl + 1; l <= level; l++) {
        uint64_t base = ipa & ~(level_size(l - 1) - 1);

        g_assert_cmphex(RMI(m, TMM_RMI_RTT_READ_ENTRY, r->rd, base, l - 1),
                        ==, 0);
        if (m->x[2] == TMM_RTTE_TABLE) {
            continue;
        }
        g_assert_cmphex(RMI(m, TMM_RMI_RTT_CREATE, r->rd, test_delegated(m),
                            base, l), ==, 0);
    }
}

uint64_t test_data(TestMem *m, TestRealm *r, uint64_t ipa, uint8_t fill,
                   uint64_t flags)
{
    uint64_t src = test_ns_granule(m), data = test_delegated(m);

    memset(test_ptr(m, src), fill, GRAN);
    test_rtt_to(m, r, ipa, 3);
    g_assert_cmphex(RMI(m, TMM_RMI_RTT_READ_ENTRY, r->rd, ipa, 3), ==, 0);
    if (m->x[4] != TMM_RIPAS_RAM) {
        g_assert_cmphex(RMI(m, TMM_RMI_RTT_INIT_RIPAS, r->rd, ipa, ipa + GRAN),
                        ==, 0);
    }
    g_assert_cmphex(RMI(m, TMM_RMI_DATA_CREATE, r->rd, data, ipa, src, flags),
                    ==, 0);
    return data;
}

uint64_t test_rec(TestMem *m, TestRealm *r, uint64_t mpidr, uint64_t pc,
                  bool runnable)
{
    uint64_t p = test_ns_granule(m), rec = test_delegated(m);
    uint64_t aux = test_delegated(m);
    unsigned i;

    test_st(m, p, TMM_REC_PARAMS_FLAGS, runnable);
    test_st(m, p, TMM_REC_PARAMS_MPIDR, mpidr);
    test_st(m, p, TMM_REC_PARAMS_PC, pc);
    for (i = 0; i < 8; i++) {
        test_st(m, p, TMM_REC_PARAMS_GPRS + 8 * i, 0x100 + i);
    }
    test_st(m, p, TMM_REC_PARAMS_NUM_AUX, 1);
    test_st(m, p, TMM_REC_PARAMS_AUX, aux);
    g_assert_cmphex(RMI(m, TMM_RMI_REC_CREATE, r->rd, rec, p), ==, 0);
    g_assert_cmpuint(r->nr_recs, <, 8);
    r->recs[r->nr_recs++] = rec;
    return rec;
}

/* Tear down everything below the entry at (@ipa, @level). */
static void teardown_entry(TestMem *m, TestRealm *r, uint64_t ipa, int level)
{
    uint64_t par = 1ULL << (r->s2sz - 1);
    unsigned i;

    g_assert_cmphex(RMI(m, TMM_RMI_RTT_READ_ENTRY, r->rd, ipa, level), ==, 0);
    g_assert_cmpint(m->x[1], ==, level);
    if (m->x[2] == TMM_RTTE_ASSIGNED) {
        if (ipa >= par) {
            g_assert_cmphex(RMI(m, TMM_RMI_RTT_UNMAP_UNPROTECTED, r->rd, ipa,
                                level), ==, 0);
            return;
        }
        if (level == 3) {
            g_assert_cmphex(RMI(m, TMM_RMI_DATA_DESTROY, r->rd, ipa), ==, 0);
            return;
        }
        /* A block: split it so that each DATA granule can go. */
        g_assert_cmphex(RMI(m, TMM_RMI_RTT_CREATE, r->rd, test_delegated(m),
                            ipa, level + 1), ==, 0);
    } else if (m->x[2] != TMM_RTTE_TABLE) {
        return;
    }
    for (i = 0; i < 512; i++) {
        teardown_entry(m, r, ipa + i * level_size(level + 1), level + 1);
    }
    g_assert_cmphex(RMI(m, TMM_RMI_RTT_DESTROY, r->rd, ipa, level + 1), ==, 0);
    g_assert_cmphex(RMI(m, TMM_RMI_GRANULE_UNDELEGATE, m->x[1]), ==, 0);
}

void test_realm_teardown(TestMem *m, TestRealm *r)
{
    uint64_t i, n = (1ULL << r->s2sz) / level_size(r->sl);

    for (i = 0; i < r->nr_recs; i++) {
        g_assert_cmphex(RMI(m, TMM_RMI_REC_DESTROY, r->recs[i]), ==, 0);
    }
    r->nr_recs = 0;
    for (i = 0; i < n; i++) {
        teardown_entry(m, r, i * level_size(r->sl), r->sl);
    }
    g_assert_cmphex(RMI(m, TMM_RMI_REALM_DESTROY, r->rd), ==, 0);
}

void test_undelegate_all(TestMem *m)
{
    uint64_t pa;

    for (pa = TEST_SEC_BASE; pa < TEST_SEC_BASE + TEST_SEC_SIZE; pa += GRAN) {
        if (tmm_granule_state(m->tmm, pa) == TMM_GRANULE_DELEGATED) {
            g_assert_cmphex(RMI(m, TMM_RMI_GRANULE_UNDELEGATE, pa), ==, 0);
        }
    }
}

uint64_t test_enter(TestMem *m, uint64_t rec, uint64_t run,
                    TmmVcpuContext *ctx)
{
    return tmm_rec_enter(m->tmm, rec, run, ctx);
}

TmmSmcResult test_smc(TestMem *m, uint64_t rec, TmmVcpuContext *ctx,
                      const uint64_t *args, unsigned n)
{
    g_assert_cmpuint(n, <=, 31);
    memcpy(ctx->gprs, args, n * sizeof(uint64_t));
    return tmm_rec_smc(m->tmm, rec, ctx);
}
