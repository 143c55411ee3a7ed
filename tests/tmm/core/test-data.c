/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core unit tests: DATA_CREATE, DATA_CREATE_UNKNOWN, DATA_DESTROY.
 */
#include "tmm-test-env.h"

#define L2SZ    (2ULL << 20)
#define NS_IPA  (1ULL << 39)
#define RTT_ERR(l) RMI_STATUS(TMM_RMI_ERROR_RTT, l)

static void test_create(void)
{
    TestMem m;
    TestRealm r;
    uint64_t src, d, undel, ipa = 0x7000;
    uint8_t rd_before[TMM_GRANULE_SIZE];
    TmmTranslation t;

    test_mem_init(&m, NULL);
    test_realm_new(&m, &r, 1);
    src = test_ns_granule(&m);
    memset(test_ptr(&m, src), 0x3c, GRAN);
    d = test_delegated(&m);
    undel = test_sec_granule(&m);

    /* rd, data, src, flags, ipa */
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rtt_base, d, ipa, src, 0),
                    ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, undel, ipa, src, 0),
                    ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, d + 8, ipa, src, 0),
                    ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, r.rd, ipa, src, 0),
                    ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, d, ipa, undel, 0),
                    ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, d, ipa, src + 8, 0),
                    ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, d, ipa, TEST_NO_MEM,
                        0), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, d, ipa, src, 2),
                    ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, d, ipa + 8, src, 0),
                    ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, d, NS_IPA, src, 0),
                    ==, 1);
    /* rtt_walk */
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, d, ipa, src, 0),
                    ==, RTT_ERR(1));
    test_rtt_to(&m, &r, ipa, 2);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, d, ipa, src, 0),
                    ==, RTT_ERR(2));
    test_rtt_to(&m, &r, ipa, 3);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_INIT_RIPAS, r.rd, ipa, ipa + GRAN),
                    ==, 0);
    test_check(&m);

    memcpy(rd_before, test_ptr(&m, r.rd), GRAN);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, d, ipa, src,
                        TMM_DATA_MEASURE_CONTENT), ==, 0);
    g_assert_cmpint(memcmp(rd_before, test_ptr(&m, r.rd), GRAN), !=, 0);
    g_assert_cmpint(tmm_granule_state(m.tmm, d), ==, TMM_GRANULE_DATA);
    g_assert_cmpuint(((uint8_t *)test_ptr(&m, d))[4095], ==, 0x3c);
    /* rtte_state: already assigned */
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, test_delegated(&m),
                        ipa, src, 0), ==, RTT_ERR(3));
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, ipa, 3), ==, 0);
    g_assert_cmpuint(m.x[4], ==, TMM_RIPAS_RAM);
    g_assert_cmpint(tmm_realm_translate(m.tmm, r.rd, ipa + 5,
                                        TMM_ACCESS_EXEC, &t), ==,
                    TMM_XLATE_OK);
    g_assert_cmphex(t.pa, ==, d + 5);
    g_assert_true(t.protected_ipa);

    /* realm_state: measured data only while NEW */
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, r.rd), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, test_delegated(&m),
                        ipa + GRAN, src, 0), ==, 2);
    /*
     * Issue 15 D12a: realm_state and ipa_bound are unordered (B4.3.1.2.1);
     * the realm is checked first, as TF-RMM does: ERROR_REALM.
     */
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, test_delegated(&m),
                        NS_IPA, src, 0), ==, TMM_RMI_ERROR_REALM);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, test_delegated(&m),
                        ipa + 8, src, 0), ==, TMM_RMI_ERROR_REALM);
    test_check(&m);
    test_realm_teardown(&m, &r);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

static void test_create_unknown(void)
{
    TestMem m;
    TestRealm r;
    uint64_t d, ipa = 0x9000;
    uint8_t rd_before[TMM_GRANULE_SIZE];
    TmmTranslation t;

    test_mem_init(&m, NULL);
    test_realm_new(&m, &r, 1);
    d = test_delegated(&m);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE_UNKNOWN, r.rtt_base, d, ipa),
                    ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE_UNKNOWN, r.rd, d + 1, ipa),
                    ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE_UNKNOWN, r.rd, d, NS_IPA),
                    ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE_UNKNOWN, r.rd, d, ipa),
                    ==, RTT_ERR(1));
    test_rtt_to(&m, &r, ipa, 3);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, r.rd), ==, 0);
    memcpy(rd_before, test_ptr(&m, r.rd), GRAN);
    /* allowed on an active realm, not measured, RIPAS unchanged */
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE_UNKNOWN, r.rd, d, ipa),
                    ==, 0);
    g_assert_cmpint(memcmp(rd_before, test_ptr(&m, r.rd), GRAN), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, ipa, 3), ==, 0);
    g_assert_cmpuint(m.x[2], ==, TMM_RTTE_ASSIGNED);
    g_assert_cmpuint(m.x[4], ==, TMM_RIPAS_EMPTY);
    /* assigned but EMPTY: still an external abort for the realm */
    g_assert_cmpint(tmm_realm_translate(m.tmm, r.rd, ipa, TMM_ACCESS_READ,
                                        &t), ==, TMM_XLATE_SEA);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE_UNKNOWN, r.rd,
                        test_delegated(&m), ipa), ==, RTT_ERR(3));
    test_check(&m);
    test_realm_teardown(&m, &r);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

static void test_destroy(void)
{
    TestMem m;
    TestRealm r;
    uint64_t d1, d2;
    TmmTranslation t;

    test_mem_init(&m, NULL);
    test_realm_new(&m, &r, 1);
    d1 = test_data(&m, &r, 0x1000, 0x77, 0);
    d2 = test_data(&m, &r, 0x4000, 0x77, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_DESTROY, r.rtt_base, 0x1000), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_DESTROY, r.rd, 0x1001), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_DESTROY, r.rd, NS_IPA), ==, 1);
    g_assert_cmphex(m.x[1], ==, 0);
    /* walk, state: top tells where the next live entry is */
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_DESTROY, r.rd, L2SZ), ==,
                    RTT_ERR(2));
    g_assert_cmphex(m.x[2], ==, 1ULL << 30);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_DESTROY, r.rd, 0x2000), ==,
                    RTT_ERR(3));
    g_assert_cmphex(m.x[2], ==, 0x4000);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_DESTROY, r.rd, 0x1000), ==, 0);
    g_assert_cmphex(m.x[1], ==, d1);
    g_assert_cmphex(m.x[2], ==, 0x4000);
    g_assert_cmpint(tmm_granule_state(m.tmm, d1), ==, TMM_GRANULE_DELEGATED);
    g_assert_cmpuint(((uint8_t *)test_ptr(&m, d1))[0], ==, 0);  /* scrubbed */
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, 0x1000, 3), ==, 0);
    g_assert_cmpuint(m.x[2], ==, TMM_RTTE_UNASSIGNED);
    g_assert_cmpuint(m.x[4], ==, TMM_RIPAS_DESTROYED);
    /* DESTROYED: the host is told, the realm cannot use it */
    g_assert_cmpint(tmm_realm_translate(m.tmm, r.rd, 0x1000, TMM_ACCESS_READ,
                                        &t), ==, TMM_XLATE_EXIT);
    g_assert_cmpuint(t.ripas, ==, TMM_RIPAS_DESTROYED);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_DESTROY, r.rd, 0x4000), ==, 0);
    g_assert_cmphex(m.x[1], ==, d2);
    g_assert_cmphex(m.x[2], ==, L2SZ);
    /* DATA_CREATE_UNKNOWN may back it, keeping DESTROYED */
    d1 = test_delegated(&m);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE_UNKNOWN, r.rd, d1, 0x1000),
                    ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, 0x1000, 3), ==, 0);
    g_assert_cmpuint(m.x[4], ==, TMM_RIPAS_DESTROYED);
    g_assert_cmpint(tmm_realm_translate(m.tmm, r.rd, 0x1000, TMM_ACCESS_READ,
                                        &t), ==, TMM_XLATE_EXIT);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_DESTROY, r.rd, 0x1000), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, 0x1000, 3), ==, 0);
    g_assert_cmpuint(m.x[4], ==, TMM_RIPAS_DESTROYED);
    test_check(&m);
    test_realm_teardown(&m, &r);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

/*
 * Issue 15 D3: neither create call depends on RIPAS (RMM 1.0 A5.3.5).  On
 * a NEW realm with L2 and L3 tables at IPA 0, DATA_CREATE at 0x1000 over
 * an UNASSIGNED EMPTY entry succeeds and leaves it ASSIGNED, RAM (success
 * condition rtte_ripas); DATA_CREATE_UNKNOWN leaves the RIPAS as it was;
 * DATA_CREATE over a DESTROYED entry makes it RAM again.
 */
static void test_create_any_ripas(void)
{
    TestMem m;
    TestRealm r;
    uint64_t src, d, d2, d3;
    uint8_t rim[TMM_HASH_MAX_SIZE];
    TmmMeasurements meas;
    TmmTranslation t;

    test_mem_init(&m, NULL);
    test_realm_new(&m, &r, 1);
    test_rtt_to(&m, &r, 0, 3);
    src = test_ns_granule(&m);
    memset(test_ptr(&m, src), 0x5e, GRAN);
    d = test_delegated(&m);
    g_assert_true(tmm_realm_measurements(m.tmm, r.rd, &meas));
    memcpy(rim, meas.slot[0], sizeof(rim));

    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, 0x1000, 3), ==, 0);
    g_assert_cmpuint(m.x[4], ==, TMM_RIPAS_EMPTY);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, d, 0x1000, src,
                        TMM_DATA_MEASURE_CONTENT), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, 0x1000, 3), ==, 0);
    g_assert_cmpuint(m.x[2], ==, TMM_RTTE_ASSIGNED);
    g_assert_cmphex(m.x[3], ==, d);
    g_assert_cmpuint(m.x[4], ==, TMM_RIPAS_RAM);
    /* the RIM records the step, IPA included */
    g_assert_true(tmm_realm_measurements(m.tmm, r.rd, &meas));
    g_assert_cmpint(memcmp(rim, meas.slot[0], sizeof(rim)), !=, 0);
    g_assert_cmpint(tmm_realm_translate(m.tmm, r.rd, 0x1008,
                                        TMM_ACCESS_READ, &t), ==,
                    TMM_XLATE_OK);
    g_assert_cmphex(t.pa, ==, d + 8);

    d2 = test_delegated(&m);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE_UNKNOWN, r.rd, d2, 0x2000),
                    ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, 0x2000, 3), ==, 0);
    g_assert_cmpuint(m.x[2], ==, TMM_RTTE_ASSIGNED);
    g_assert_cmpuint(m.x[4], ==, TMM_RIPAS_EMPTY);

    /* DESTROYED, realm still NEW: DATA_CREATE makes it RAM */
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_DESTROY, r.rd, 0x1000), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, 0x1000, 3), ==, 0);
    g_assert_cmpuint(m.x[4], ==, TMM_RIPAS_DESTROYED);
    d3 = test_delegated(&m);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, d3, 0x1000, src, 0),
                    ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, r.rd, 0x1000, 3), ==, 0);
    g_assert_cmpuint(m.x[2], ==, TMM_RTTE_ASSIGNED);
    g_assert_cmpuint(m.x[4], ==, TMM_RIPAS_RAM);
    test_check(&m);
    test_realm_teardown(&m, &r);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

/*
 * Issue 15 D11: DATA_DESTROY at 0x201000 inside a folded 2 MiB block at
 * 0x200000: the walk stops at the live level-2 entry, ERROR_RTT(2), and
 * top is the IPA asked about (B4.3.3 scenario "ipa is mapped as a block":
 * top == ipa), never an address below it.
 */
static void test_destroy_in_block(void)
{
    TestMem m;
    TestRealm r;
    uint64_t data, src, i;

    test_mem_init(&m, NULL);
    test_realm_new(&m, &r, 1);
    data = test_sec_granules(&m, 512, L2SZ);
    src = test_ns_granule(&m);
    test_rtt_to(&m, &r, L2SZ, 3);
    for (i = 0; i < 512; i++) {
        g_assert_cmphex(RMI(&m, TMM_RMI_GRANULE_DELEGATE, data + i * GRAN),
                        ==, 0);
        g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, r.rd, data + i * GRAN,
                            L2SZ + i * GRAN, src, 0), ==, 0);
    }
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_FOLD, r.rd, L2SZ, 3), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_DESTROY, r.rd, L2SZ + GRAN), ==,
                    RTT_ERR(2));
    g_assert_cmphex(m.x[2], ==, L2SZ + GRAN);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_DESTROY, r.rd, L2SZ), ==,
                    RTT_ERR(2));
    g_assert_cmphex(m.x[2], ==, L2SZ);
    /* a non-live entry still reports the next live one, above the IPA */
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_DESTROY, r.rd, 2 * L2SZ + GRAN), ==,
                    RTT_ERR(2));
    g_assert_cmphex(m.x[2], ==, 1ULL << 30);
    test_check(&m);
    test_realm_teardown(&m, &r);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tmm/data/create", test_create);
    g_test_add_func("/tmm/data/create-unknown", test_create_unknown);
    g_test_add_func("/tmm/data/destroy", test_destroy);
    g_test_add_func("/tmm/data/create-any-ripas", test_create_any_ripas);
    g_test_add_func("/tmm/data/destroy-in-block", test_destroy_in_block);
    return g_test_run();
}
