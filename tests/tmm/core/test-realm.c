/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core unit tests: RMI_REALM_CREATE/ACTIVATE/DESTROY, REC_AUX_COUNT.
 */
#include "tmm-test-env.h"

/* Delegate @num RTT granules aligned for concatenation. */
static uint64_t rtts(TestMem *m, unsigned num)
{
    uint64_t base = test_sec_granules(m, num, num * GRAN);
    unsigned i;

    for (i = 0; i < num; i++) {
        g_assert_cmphex(RMI(m, TMM_RMI_GRANULE_DELEGATE, base + i * GRAN),
                        ==, 0);
    }
    return base;
}

static void test_create_fail(void)
{
    TestMem m;
    uint64_t rd, rtt, p, rtt2, undel;
    uint8_t *b;
    char snap[TMM_GRANULE_SIZE];

    test_mem_init(&m, NULL);
    rd = test_delegated(&m);
    rtt = rtts(&m, 2);
    p = test_realm_params(&m, 40, 1, 2, rtt, 7, 0);
    b = test_ptr(&m, p);

    /* rd_align, rd_bound, rd_state */
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, rd + 8, p), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, TEST_NO_MEM, p), ==, 1);
    undel = test_sec_granule(&m);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, undel, p), ==, 1);
    /* params_align, params_bound, params_pas */
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, rd, p + 8), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, rd, TEST_NO_MEM), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, rd, rtt), ==, 1);

    memcpy(snap, b, sizeof(snap));
#define TRY_BAD(stmt) do { \
        stmt; \
        g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, rd, p), ==, 1); \
        memcpy(b, snap, sizeof(snap)); \
    } while (0)
    /* params_supp: flags, s2sz, bps/wps, hash */
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_FLAGS, TMM_REALM_FLAG_LPA2));
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_FLAGS, TMM_REALM_FLAG_SVE));
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_FLAGS, TMM_REALM_FLAG_PMU));
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_S2SZ, 49));
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_S2SZ, 31));
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_NUM_BPS, TMM_FEAT_NUM_BPS + 1));
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_NUM_WPS, TMM_FEAT_NUM_WPS + 1));
    /* params_valid: num_bps and num_wps of 0 are reserved (issue 15 D1) */
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_NUM_BPS, 0));
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_NUM_WPS, 0));
    TRY_BAD(b[TMM_REALM_PARAMS_HASH_ALGO] = 2);
    /* rtt_num_level: geometry must match the IPA width */
    TRY_BAD(b[TMM_REALM_PARAMS_RTT_NUM_START] = 1);
    TRY_BAD(b[TMM_REALM_PARAMS_RTT_NUM_START] = 4);
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_RTT_LEVEL_START, 0));
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_RTT_LEVEL_START, 3));
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_RTT_LEVEL_START, -1));
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_S2SZ, 44));
    /* rtt_align: concatenated tables are aligned to their size */
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_RTT_BASE, rtt + GRAN));
    /* rtt_state: every table granule delegated */
    rtt2 = rtts(&m, 1);
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_RTT_BASE, undel & ~(2 * GRAN - 1)));
    /* rtt_alias: the RD cannot also be an RTT */
    TRY_BAD(test_st(&m, p, TMM_REALM_PARAMS_RTT_BASE, rd & ~(2 * GRAN - 1)));
#undef TRY_BAD
    test_check(&m);

    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, rd, p), ==, 0);
    g_assert_cmpint(tmm_granule_state(m.tmm, rd), ==, TMM_GRANULE_RD);
    g_assert_cmpint(tmm_granule_state(m.tmm, rtt), ==, TMM_GRANULE_RTT);
    g_assert_cmpint(tmm_granule_state(m.tmm, rtt + GRAN), ==,
                    TMM_GRANULE_RTT);
    /* vmid_valid: unique among live realms */
    {
        uint64_t rd2 = test_delegated(&m), base2 = rtts(&m, 2);
        uint64_t p2 = test_realm_params(&m, 40, 1, 2, base2, 7, 1);

        g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, rd2, p2), ==, 1);
        test_st(&m, p2, TMM_REALM_PARAMS_VMID, 8);
        g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, rd2, p2), ==, 0);
        /* an RD is not delegated any more; nor are its RTTs */
        g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, rd2, p2), ==, 1);
        g_assert_cmphex(RMI(&m, TMM_RMI_REALM_DESTROY, rd2), ==, 0);
        /* the VMID is free again */
        g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, rd2, p2), ==, 0);
        g_assert_cmphex(RMI(&m, TMM_RMI_REALM_DESTROY, rd2), ==, 0);
    }
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_DESTROY, rd), ==, 0);
    (void)rtt2;
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

/*
 * Issue 15 D1/D2: num_bps and num_wps count minus one (1 is two of each),
 * and undefined flags bits are Reserved SBZ, which RMM 1.0 gives no
 * failure condition: REALM_CREATE succeeds and measures the flags as given.
 */
static void test_create_params_edges(void)
{
    TestMem m;
    TestRealm r;
    uint64_t rd, rtt, p;
    TmmMeasurements meas;
    uint8_t image[TMM_GRANULE_SIZE] = { 0 }, rim[32];
    gsize rim_len = sizeof(rim);
    GChecksum *sha;

    test_mem_init(&m, NULL);
    rd = test_delegated(&m);
    rtt = rtts(&m, 2);
    p = test_realm_params(&m, 40, 1, 2, rtt, 3, 0);
    test_st(&m, p, TMM_REALM_PARAMS_NUM_BPS, 1);
    test_st(&m, p, TMM_REALM_PARAMS_NUM_WPS, 1);
    test_st(&m, p, TMM_REALM_PARAMS_FLAGS, 1ULL << 8);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, rd, p), ==, 0);
    g_assert_true(tmm_realm_measurements(m.tmm, rd, &meas));
    /* RIM = SHA-256 of the measured params: flags bit 8 included */
    image[TMM_REALM_PARAMS_FLAGS + 1] = 1;
    image[TMM_REALM_PARAMS_S2SZ] = 40;
    image[TMM_REALM_PARAMS_NUM_BPS] = 1;
    image[TMM_REALM_PARAMS_NUM_WPS] = 1;
    sha = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(sha, image, sizeof(image));
    g_checksum_get_digest(sha, rim, &rim_len);
    g_checksum_free(sha);
    g_assert_cmpmem(meas.slot[0], 32, rim, 32);
    test_check(&m);
    memset(&r, 0, sizeof(r));
    r.rd = rd;
    r.rtt_base = rtt;
    r.s2sz = 40;
    r.sl = 1;
    r.num = 2;
    test_realm_teardown(&m, &r);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

static void test_geometries(void)
{
    static const struct { unsigned s2sz; int sl; unsigned num; } g[] = {
        { 48, 0, 1 }, { 40, 0, 1 }, { 39, 1, 1 }, { 32, 1, 1 },
        { 43, 1, 16 }, { 34, 2, 16 }, { 32, 2, 4 },
    };
    TestMem m;
    TestRealm r;
    unsigned i;

    test_mem_init(&m, NULL);
    for (i = 0; i < G_N_ELEMENTS(g); i++) {
        test_realm_new_geom(&m, &r, i, g[i].s2sz, g[i].sl, g[i].num);
        /* map something in both halves, at the deepest level */
        test_data(&m, &r, 0x3000, 1, 0);
        test_rtt_to(&m, &r, 1ULL << (g[i].s2sz - 1), 3);
        g_assert_cmphex(RMI(&m, TMM_RMI_RTT_MAP_UNPROTECTED, r.rd,
                            1ULL << (g[i].s2sz - 1), 3,
                            TEST_MEM_BASE | (3 << 6)), ==, 0);
        test_check(&m);
        test_realm_teardown(&m, &r);
        test_undelegate_all(&m);
    }
    test_mem_fini(&m, true);
}

static void test_activate_destroy(void)
{
    TestMem m;
    TestRealm r;
    uint64_t rec;

    test_mem_init(&m, NULL);
    test_realm_new(&m, &r, 1);
    /* rd checks of each call */
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, r.rd + 8), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, r.rtt_base), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_DESTROY, r.rtt_base), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_DESTROY, TEST_NO_MEM), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_AUX_COUNT, r.rtt_base), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_AUX_COUNT, r.rd), ==, 0);
    g_assert_cmpuint(m.x[1], ==, TMM_REC_AUX_COUNT);

    /* realm_live: a REC, then an RTT under the root */
    rec = test_rec(&m, &r, 0, 0x1000, true);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_DESTROY, r.rd), ==, 2);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_DESTROY, rec), ==, 0);
    r.nr_recs = 0;
    test_rtt_to(&m, &r, 1ULL << 39, 2);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_DESTROY, r.rd), ==, 2);
    test_check(&m);

    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, r.rd), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, r.rd), ==, 2);
    {
        unsigned s2sz, vmid;
        TmmRealmState st;

        g_assert_true(tmm_realm_info(m.tmm, r.rd, &s2sz, &st, &vmid));
        g_assert_cmpuint(s2sz, ==, 40);
        g_assert_cmpint(st, ==, TMM_REALM_ACTIVE);
        g_assert_cmpuint(vmid, ==, 1);
        g_assert_true(tmm_realm_info(m.tmm, r.rd, NULL, NULL, NULL));
        g_assert_false(tmm_realm_info(m.tmm, r.rtt_base, &s2sz, &st, &vmid));
    }
    test_realm_teardown(&m, &r);
    /* the RD and its root RTTs are delegated and scrubbed */
    g_assert_cmpint(tmm_granule_state(m.tmm, r.rd), ==,
                    TMM_GRANULE_DELEGATED);
    g_assert_cmpint(tmm_granule_state(m.tmm, r.rtt_base), ==,
                    TMM_GRANULE_DELEGATED);
    g_assert_cmphex(test_ld(&m, r.rd, 0x10), ==, 0);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tmm/realm/create-fail", test_create_fail);
    g_test_add_func("/tmm/realm/create-params-edges",
                    test_create_params_edges);
    g_test_add_func("/tmm/realm/geometries", test_geometries);
    g_test_add_func("/tmm/realm/activate-destroy", test_activate_destroy);
    return g_test_run();
}
