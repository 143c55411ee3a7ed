/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core unit tests: granules, RMI_VERSION, RMI_FEATURES, dispatcher,
 * and the invariant checker itself.
 */
#include "tmm-test-env.h"

static void test_version(void)
{
    TestMem m;

    test_mem_init(&m, NULL);
    g_assert_cmphex(RMI(&m, TMM_RMI_VERSION, 0x10000), ==, 0);
    g_assert_cmphex(m.x[1], ==, 0x10000);
    g_assert_cmphex(m.x[2], ==, 0x10000);
    g_assert_cmphex(RMI(&m, TMM_RMI_VERSION, 0x10001), ==, 1);
    g_assert_cmphex(m.x[1], ==, 0x10000);
    g_assert_cmphex(m.x[2], ==, 0x10000);
    g_assert_cmphex(RMI(&m, TMM_RMI_VERSION, 0x20000), ==, 1);
    /* an unknown function and an RSI id are not RMI commands */
    g_assert_cmphex(RMI(&m, TMM_SMC_FID(0x156), 1, 2, 3), ==, (uint64_t)-1);
    g_assert_cmphex(m.x[1], ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RSI_VERSION, 0x10000), ==, (uint64_t)-1);
    test_mem_fini(&m, true);
}

static void test_features(void)
{
    TestMem m;
    uint64_t f;

    test_mem_init(&m, NULL);
    g_assert_cmphex(RMI(&m, TMM_RMI_FEATURES, 0), ==, 0);
    f = m.x[1];
    g_assert_cmpuint(f & 0xff, ==, 48);             /* S2SZ */
    g_assert_cmpuint((f >> 8) & 1, ==, 0);          /* LPA2 */
    g_assert_cmpuint((f >> 9) & 1, ==, 0);          /* SVE */
    g_assert_cmpuint((f >> 14) & 0x3f, ==, TMM_FEAT_NUM_BPS);
    g_assert_cmpuint((f >> 20) & 0x3f, ==, TMM_FEAT_NUM_WPS);
    g_assert_cmpuint((f >> 26) & 1, ==, 0);         /* PMU */
    g_assert_cmpuint((f >> 32) & 3, ==, 3);         /* SHA-256, SHA-512 */
    g_assert_cmpuint((f >> 34) & 0xf, ==, TMM_FEAT_GICV3_NUM_LRS);
    g_assert_cmpuint((f >> 38) & 0xf, ==, TMM_FEAT_MAX_RECS_ORDER);
    g_assert_cmphex(RMI(&m, TMM_RMI_FEATURES, 1), ==, 0);
    g_assert_cmphex(m.x[1], ==, 0);
    test_mem_fini(&m, true);
}

static void test_delegate(void)
{
    TestMem m;
    uint64_t pa;
    uint8_t *p;

    test_mem_init(&m, NULL);
    pa = test_sec_granule(&m);
    p = test_ptr(&m, pa);
    g_assert_cmpuint(p[100], ==, 0xa5);
    /* gran_align, gran_bound (no memory, non-secure), gran_state */
    g_assert_cmphex(RMI(&m, TMM_RMI_GRANULE_DELEGATE, pa + 8), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_GRANULE_DELEGATE, TEST_NO_MEM), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_GRANULE_DELEGATE, TEST_MEM_BASE), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_GRANULE_DELEGATE, TEST_NS2_BASE), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_GRANULE_DELEGATE, pa), ==, 0);
    g_assert_cmpint(tmm_granule_state(m.tmm, pa), ==, TMM_GRANULE_DELEGATED);
    g_assert_cmpuint(p[100], ==, 0);        /* scrubbed */
    g_assert_true(tmm_pa_is_secure(m.tmm, pa));
    g_assert_false(tmm_pa_is_secure(m.tmm, TEST_MEM_BASE));
    g_assert_cmpint(tmm_granule_state(m.tmm, TEST_MEM_BASE), ==,
                    TMM_GRANULE_UNDELEGATED);
    g_assert_cmphex(RMI(&m, TMM_RMI_GRANULE_DELEGATE, pa), ==, 1);

    g_assert_cmphex(RMI(&m, TMM_RMI_GRANULE_UNDELEGATE, pa + 8), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_GRANULE_UNDELEGATE, TEST_MEM_BASE), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_GRANULE_UNDELEGATE, TEST_NO_MEM), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_GRANULE_UNDELEGATE, pa + GRAN), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_GRANULE_UNDELEGATE, pa), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_GRANULE_UNDELEGATE, pa), ==, 1);
    test_mem_fini(&m, true);
}

static void *no_mem(void *opaque, uint64_t pa)
{
    return NULL;
}

static void test_new_args(void)
{
    TmmRange bad = { 0x1000, 0x800 };
    TmmRange overlap[2] = { { 0x0, 0x4000 }, { 0x2000, 0x4000 } };
    TmmRange ok = { 0x0, 0x4000 };
    Tmm *t;

    g_assert_null(tmm_new(NULL, NULL, &ok, 1, NULL));
    g_assert_null(tmm_new(no_mem, NULL, NULL, 1, NULL));
    g_assert_null(tmm_new(no_mem, NULL, &bad, 1, NULL));
    g_assert_null(tmm_new(no_mem, NULL, overlap, 2, NULL));
    t = tmm_new(no_mem, NULL, &ok, 1, NULL);
    g_assert_nonnull(t);
    /* secure but without memory behind it: cannot be delegated */
    {
        uint64_t regs[TMM_RMI_REGS] = { TMM_RMI_GRANULE_DELEGATE, 0x1000 };

        tmm_rmi_call(t, regs);
        g_assert_cmphex(regs[0], ==, 1);
    }
    tmm_free(t);
    tmm_free(NULL);
}

/* Two secure ranges given out of order still describe the same memory. */
static TestMem *multi_mem;

static void *multi_map(void *opaque, uint64_t pa)
{
    if (pa < TEST_MEM_BASE || pa - TEST_MEM_BASE >= TEST_MEM_SIZE) {
        return NULL;
    }
    return multi_mem->ram + (pa - TEST_MEM_BASE);
}

static void test_multi_range(void)
{
    TmmRange r[2] = {
        { TEST_SEC_BASE + (4 << 20), 4 << 20 },
        { TEST_SEC_BASE, 1 << 20 },
    };
    TestMem m;
    Tmm *t;
    char why[128];
    uint64_t regs[TMM_RMI_REGS] = { TMM_RMI_GRANULE_DELEGATE };

    test_mem_init(&m, NULL);
    multi_mem = &m;
    t = tmm_new(multi_map, NULL, r, 2, NULL);
    g_assert_nonnull(t);
    regs[1] = TEST_SEC_BASE + (4 << 20) + GRAN;
    tmm_rmi_call(t, regs);
    g_assert_cmphex(regs[0], ==, 0);
    regs[0] = TMM_RMI_GRANULE_DELEGATE;
    regs[1] = TEST_SEC_BASE + (2 << 20);    /* the gap is not secure */
    tmm_rmi_call(t, regs);
    g_assert_cmphex(regs[0], ==, 1);
    g_assert_true(tmm_check_invariants(t, why, sizeof(why)));
    tmm_free(t);
    test_mem_fini(&m, true);
}

/* The checker must be able to fail: corrupt state behind its back. */
static void test_invariants_detect(void)
{
    TestMem m;
    TestRealm r, r2;
    char why[256];
    uint64_t data, *e, saved, rec;
    uint8_t *rdp;

    test_mem_init(&m, NULL);
    test_realm_new(&m, &r, 1);
    data = test_data(&m, &r, 0x200000, 0x11, 0);
    test_check(&m);

    /* a DATA entry pointing at a DELEGATED granule */
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, 0x200000, 3), ==, 0);
    g_assert_cmphex(m.x[3], ==, data);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, 0x200000, 2), ==, 0);
    e = (uint64_t *)test_ptr(&m, m.x[3]) + 0;
    saved = *e;
    *e = (saved & ~0x0000fffffffff000ULL) | test_delegated(&m);
    g_assert_false(tmm_check_invariants(m.tmm, why, sizeof(why)));
    g_assert_nonnull(strstr(why, "DATA"));
    *e = saved;
    test_check(&m);

    /* an unprotected mapping to secure memory */
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_MAP_UNPROTECTED, r.rd,
                        1ULL << 39, 2, TEST_MEM_BASE), !=, 0);
    test_rtt_to(&m, &r, 1ULL << 39, 3);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_MAP_UNPROTECTED, r.rd, 1ULL << 39, 3,
                        TEST_MEM_BASE | (3 << 6)), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, 1ULL << 39, 2),
                    ==, 0);
    e = test_ptr(&m, m.x[3]);
    saved = *e;
    *e = (saved & ~0x0000fffffffff000ULL) | TEST_SEC_BASE;
    g_assert_false(tmm_check_invariants(m.tmm, why, sizeof(why)));
    *e = saved;

    /* a refcount out of step with the entries */
    e[1] = e[0] + GRAN;
    g_assert_false(tmm_check_invariants(m.tmm, why, sizeof(why)));
    g_assert_nonnull(strstr(why, "refcount"));
    e[1] = 0;
    test_check(&m);

    /* an RTT of one realm reachable from another */
    test_realm_new(&m, &r2, 2);
    test_rtt_to(&m, &r2, 0, 2);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r2.rd, 0, 1), ==, 0);
    e = test_ptr(&m, r2.rtt_base);
    saved = e[0];
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, 0x200000, 2), ==, 0);
    e[0] = (saved & ~0x0000fffffffff000ULL) | m.x[3];
    g_assert_false(tmm_check_invariants(m.tmm, why, sizeof(why)));
    e[0] = saved;
    test_check(&m);

    /* two realms with one VMID, and a REC whose owner is not an RD */
    rdp = test_ptr(&m, r2.rd);
    rdp[20] = 1;        /* TmmRd.vmid, low byte: now equals realm 1's */
    g_assert_false(tmm_check_invariants(m.tmm, why, sizeof(why)));
    rdp[20] = 2;
    rec = test_rec(&m, &r, 0, 0x1000, true);
    test_st(&m, rec, 0, TEST_SEC_BASE + 0x7ff000);
    g_assert_false(tmm_check_invariants(m.tmm, why, sizeof(why)));
    test_st(&m, rec, 0, r.rd);
    test_check(&m);

    test_realm_teardown(&m, &r);
    test_realm_teardown(&m, &r2);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tmm/granule/version", test_version);
    g_test_add_func("/tmm/granule/features", test_features);
    g_test_add_func("/tmm/granule/delegate", test_delegate);
    g_test_add_func("/tmm/granule/new-args", test_new_args);
    g_test_add_func("/tmm/granule/multi-range", test_multi_range);
    g_test_add_func("/tmm/granule/invariants-detect", test_invariants_detect);
    return g_test_run();
}
