/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core unit tests: the RSI 1.0 commands and RMI_RTT_SET_RIPAS.
 */
#include "tmm-test-env.h"
#include "measure/measure.h"

#define L1SZ        (1ULL << 30)
#define NS_IPA      (1ULL << 39)
#define RTT_ERR(l)  RMI_STATUS(TMM_RMI_ERROR_RTT, l)

typedef struct Env {
    TestMem m;
    TestRealm r;
    uint64_t rec, rec1, run;
    TmmVcpuContext ctx;
} Env;

/*
 * Realm: code at 0x1000, buffers at 0x2000..0x5000 (DATA), 0x6000..0x8000
 * RAM but unbacked, 1 GiB..2 GiB RAM as one level-1 entry; two RECs.
 */
static void env_init(Env *e, const TmmAttestKeys *keys)
{
    uint64_t ipa;

    test_mem_init(&e->m, keys);
    test_realm_new(&e->m, &e->r, 1);
    for (ipa = 0x1000; ipa < 0x6000; ipa += GRAN) {
        test_data(&e->m, &e->r, ipa, 0xee, 0);
    }
    g_assert_cmphex(RMI(&e->m, TMM_RMI_RTT_INIT_RIPAS, e->r.rd, 0x6000,
                        0x8000), ==, 0);
    g_assert_cmphex(RMI(&e->m, TMM_RMI_RTT_INIT_RIPAS, e->r.rd, L1SZ,
                        2 * L1SZ), ==, 0);
    e->rec = test_rec(&e->m, &e->r, 0, 0x1000, true);
    e->rec1 = test_rec(&e->m, &e->r, 1, 0x1000, true);
    g_assert_cmphex(RMI(&e->m, TMM_RMI_REALM_ACTIVATE, e->r.rd), ==, 0);
    e->run = test_ns_granule(&e->m);
    g_assert_cmphex(test_enter(&e->m, e->rec, e->run, &e->ctx), ==, 0);
}

static void env_fini(Env *e)
{
    TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };

    tmm_rec_exit(e->m.tmm, e->rec, &e->ctx, &ev);
    test_check(&e->m);
    test_realm_teardown(&e->m, &e->r);
    test_undelegate_all(&e->m);
    test_mem_fini(&e->m, true);
}

/* The REC's last exit asked the host for RIPAS @ripas over [base, top). */
static void assert_ripas_exit(Env *e, uint64_t base, uint64_t top,
                              uint8_t ripas)
{
    g_assert_cmphex(test_ld(&e->m, e->run, TMM_REC_RUN_EXIT_REASON), ==,
                    TMM_EXIT_RIPAS_CHANGE);
    g_assert_cmphex(test_ld(&e->m, e->run, TMM_REC_RUN_EXIT_RIPAS_BASE), ==,
                    base);
    g_assert_cmphex(test_ld(&e->m, e->run, TMM_REC_RUN_EXIT_RIPAS_TOP), ==,
                    top);
    g_assert_cmpuint(((uint8_t *)test_ptr(&e->m, e->run))
                     [TMM_REC_RUN_EXIT_RIPAS_VALUE], ==, ripas);
}

static uint64_t realm_ld(Env *e, uint64_t ipa, size_t off)
{
    TmmTranslation t;

    g_assert_cmpint(tmm_realm_translate(e->m.tmm, e->r.rd, ipa,
                                        TMM_ACCESS_READ, &t), ==,
                    TMM_XLATE_OK);
    return test_ld(&e->m, t.pa, off);
}

static void test_version_features(void)
{
    Env e;

    env_init(&e, NULL);
    g_assert_cmpint(SMC(&e.m, e.rec, &e.ctx, TMM_RSI_VERSION, 0x10000), ==,
                    TMM_SMC_RESUME);
    g_assert_cmphex(e.ctx.gprs[0], ==, 0);
    g_assert_cmphex(e.ctx.gprs[1], ==, 0x10000);
    g_assert_cmphex(e.ctx.gprs[2], ==, 0x10000);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_VERSION, 0x20000);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    g_assert_cmphex(e.ctx.gprs[1], ==, 0x10000);
    g_assert_cmphex(e.ctx.gprs[2], ==, 0x10000);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_FEATURES, 0, 0x55);
    g_assert_cmphex(e.ctx.gprs[0], ==, 0);
    g_assert_cmphex(e.ctx.gprs[1], ==, 0);
    env_fini(&e);
}

static void test_measurement(void)
{
    Env e;
    uint64_t rim[8], rem1[8], rem2[8];
    unsigned i;
    bool zero = true;

    env_init(&e, NULL);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_MEASUREMENT_READ, 0);
    g_assert_cmphex(e.ctx.gprs[0], ==, 0);
    memcpy(rim, &e.ctx.gprs[1], sizeof(rim));
    for (i = 0; i < 4; i++) {
        zero &= rim[i] == 0;
    }
    g_assert_false(zero);
    for (i = 4; i < 8; i++) {
        g_assert_cmphex(rim[i], ==, 0);     /* SHA-256: 32 bytes used */
    }
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_MEASUREMENT_READ, 5);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_MEASUREMENT_READ, 1);
    memcpy(rem1, &e.ctx.gprs[1], sizeof(rem1));
    for (i = 0; i < 8; i++) {
        g_assert_cmphex(rem1[i], ==, 0);
    }
    /* index_bound, size_bound */
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_MEASUREMENT_EXTEND, 0, 8, 1);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_MEASUREMENT_EXTEND, 5, 8, 1);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_MEASUREMENT_EXTEND, 1, 65, 1);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_MEASUREMENT_EXTEND, 1, 8,
        0x0807060504030201ULL);
    g_assert_cmphex(e.ctx.gprs[0], ==, 0);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_MEASUREMENT_READ, 1);
    memcpy(rem2, &e.ctx.gprs[1], sizeof(rem2));
    g_assert_cmpint(memcmp(rem1, rem2, sizeof(rem1)), !=, 0);
    {
        /* REM[1] = H(REM[1] || data), as the measurement unit defines */
        TmmMeasurements mm;
        uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

        memset(&mm, 0, sizeof(mm));
        mm.algo = TMM_HASH_SHA256;
        g_assert_true(tmm_measure_extend(&mm, 1, data, 8));
        g_assert_cmpint(memcmp(mm.slot[1], rem2, 64), ==, 0);
    }
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_MEASUREMENT_READ, 0);
    g_assert_cmpint(memcmp(rim, &e.ctx.gprs[1], sizeof(rim)), ==, 0);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_MEASUREMENT_READ, 2);
    g_assert_cmphex(e.ctx.gprs[1], ==, 0);
    env_fini(&e);
}

static void test_realm_config(void)
{
    Env e;
    TmmTranslation t;

    env_init(&e, NULL);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_REALM_CONFIG, 0x2008);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_REALM_CONFIG, 0x9000);  /* EMPTY */
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_REALM_CONFIG, NS_IPA);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_REALM_CONFIG, 1ULL << 45);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_REALM_CONFIG, 0x2000);
    g_assert_cmphex(e.ctx.gprs[0], ==, 0);
    g_assert_cmphex(realm_ld(&e, 0x2000, 0), ==, 40);
    g_assert_cmphex(realm_ld(&e, 0x2000, 8), ==, 0);     /* SHA-256 */
    g_assert_cmphex(realm_ld(&e, 0x2000, 0x200), ==, 0x5a5a5a5a5a5a5a5aULL);
    g_assert_cmphex(realm_ld(&e, 0x2000, 0x240), ==, 0);
    g_assert_cmpint(tmm_realm_translate(e.m.tmm, e.r.rd, 0x2000,
                                        TMM_ACCESS_READ, &t), ==,
                    TMM_XLATE_OK);
    env_fini(&e);
}

/* IPA_STATE_SET exit, then the host's SET_RIPAS calls and the answer. */
static void test_ipa_state_set(void)
{
    Env e;
    TestRealm other;
    TmmTranslation t;
    uint64_t base = 0x2000, top = 0x5000;

    env_init(&e, NULL);
    /* addr_align, size, rgn_bound, ripas_valid */
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_SET, base + 1, top, 0, 0);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_SET, base, base, 0, 0);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_SET, base, NS_IPA + GRAN, 0,
        0);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_SET, base, top, 2, 0);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    /* no request pending yet */
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec, base,
                        top), ==, 1);

    g_assert_cmpint(SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_SET, base,
                        top, TMM_RIPAS_EMPTY, 0), ==, TMM_SMC_EXIT);
    assert_ripas_exit(&e, base, top, TMM_RIPAS_EMPTY);
    /* rd, rec, rec_owner, size, base_bound, top_bound */
    test_realm_new(&e.m, &other, 2);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rtt_base, e.rec,
                        base, top), ==, 1);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.r.rd, base,
                        top), ==, 1);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, other.rd, e.rec, base,
                        top), ==, 3);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec, base,
                        base), ==, 1);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec,
                        base + GRAN, top), ==, 1);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec, base,
                        top + GRAN), ==, 1);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec, base,
                        top - 0x800), ==, RTT_ERR(3));
    /* the other REC has nothing pending */
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec1, base,
                        top), ==, 1);
    test_check(&e.m);
    /* in two steps */
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec, base,
                        base + GRAN), ==, 0);
    g_assert_cmphex(e.m.x[1], ==, base + GRAN);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec,
                        base + GRAN, top), ==, 0);
    g_assert_cmphex(e.m.x[1], ==, top);
    g_assert_cmpint(tmm_realm_translate(e.m.tmm, e.r.rd, base + GRAN,
                                        TMM_ACCESS_READ, &t), ==,
                    TMM_XLATE_SEA);
    test_check(&e.m);
    g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);
    g_assert_cmphex(e.ctx.gprs[0], ==, 0);
    g_assert_cmphex(e.ctx.gprs[1], ==, top);
    g_assert_cmphex(e.ctx.gprs[2], ==, 0);
    /* SET_RIPAS is done with this request */
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec, top,
                        top + GRAN), ==, 1);

    /* back to RAM: the DATA is visible again; the host rejects half */
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_SET, base, top,
        TMM_RIPAS_RAM, 0);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec, base,
                        base + GRAN), ==, 0);
    test_st(&e.m, e.run, TMM_REC_RUN_ENTRY_FLAGS,
            TMM_REC_ENTRY_RIPAS_RESPONSE);
    g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);
    g_assert_cmphex(e.ctx.gprs[1], ==, base + GRAN);
    g_assert_cmphex(e.ctx.gprs[2], ==, 1);
    g_assert_cmpint(tmm_realm_translate(e.m.tmm, e.r.rd, base,
                                        TMM_ACCESS_WRITE, &t), ==,
                    TMM_XLATE_OK);
    test_st(&e.m, e.run, TMM_REC_RUN_ENTRY_FLAGS, 0);

    /* a base inside a larger entry of the requested RIPAS is skipped */
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_SET, L1SZ + GRAN,
        L1SZ + 3 * GRAN, TMM_RIPAS_RAM, 0);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec,
                        L1SZ + GRAN, L1SZ + 3 * GRAN), ==, 0);
    g_assert_cmphex(e.m.x[1], ==, L1SZ + 3 * GRAN);
    g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);
    /* ... but not if it would change part of it */
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_SET, L1SZ + GRAN,
        L1SZ + 3 * GRAN, TMM_RIPAS_EMPTY, 0);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec,
                        L1SZ + GRAN, L1SZ + 3 * GRAN), ==, RTT_ERR(1));
    /* the whole 1 GiB entry at once */
    g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);
    g_assert_cmphex(e.ctx.gprs[1], ==, L1SZ + GRAN);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_SET, L1SZ, 2 * L1SZ,
        TMM_RIPAS_EMPTY, 0);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec, L1SZ,
                        2 * L1SZ), ==, 0);
    g_assert_cmphex(e.m.x[1], ==, 2 * L1SZ);
    g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);

    /* DESTROYED needs CHANGE_DESTROYED */
    g_assert_cmphex(RMI(&e.m, TMM_RMI_DATA_DESTROY, e.r.rd, 0x1000), ==, 0);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_GRANULE_UNDELEGATE, e.m.x[1]), ==, 0);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_SET, 0x1000, 0x2000,
        TMM_RIPAS_RAM, 0);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec, 0x1000,
                        0x2000), ==, RTT_ERR(3));
    g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);
    g_assert_cmphex(e.ctx.gprs[1], ==, 0x1000);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_SET, 0x1000, 0x2000,
        TMM_RIPAS_RAM, 1);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec, 0x1000,
                        0x2000), ==, 0);
    /* RAM, unbacked: the host must now provide memory */
    g_assert_cmpint(tmm_realm_translate(e.m.tmm, e.r.rd, 0x1000,
                                        TMM_ACCESS_READ, &t), ==,
                    TMM_XLATE_EXIT);
    g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_DATA_CREATE_UNKNOWN, e.r.rd,
                        test_delegated(&e.m), 0x1000), ==, 0);
    g_assert_cmpint(tmm_realm_translate(e.m.tmm, e.r.rd, 0x1000,
                                        TMM_ACCESS_READ, &t), ==,
                    TMM_XLATE_OK);
    g_assert_cmphex(test_ld(&e.m, t.pa, 0), ==, 0);
    test_realm_teardown(&e.m, &other);
    env_fini(&e);
}

/*
 * Issue 15 D9: RSI_IPA_STATE_SET has no failure condition on its flags
 * (B5.3.6.2) and X3[63:8] and flags bits 63:1 are SBZ: an undefined flags
 * bit (bit 1) is ignored, the request exits as RIPAS_CHANGE, and it does
 * not stand for CHANGE_DESTROYED (bit 0).
 */
static void test_ipa_state_set_sbz(void)
{
    Env e;
    uint64_t base = 0x2000, top = 0x3000;

    env_init(&e, NULL);
    {
        TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };

        tmm_rec_exit(e.m.tmm, e.rec, &e.ctx, &ev);
    }
    g_assert_cmphex(RMI(&e.m, TMM_RMI_DATA_DESTROY, e.r.rd, base), ==, 0);
    g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);
    g_assert_cmpint(SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_SET, base,
                        top, 0x100 | TMM_RIPAS_RAM, 1ULL << 1), ==,
                    TMM_SMC_EXIT);
    assert_ripas_exit(&e, base, top, TMM_RIPAS_RAM);
    /* not CHANGE_DESTROYED: the DESTROYED entry cannot change */
    g_assert_cmphex(RMI(&e.m, TMM_RMI_RTT_SET_RIPAS, e.r.rd, e.rec, base,
                        top), ==, RTT_ERR(3));
    test_st(&e.m, e.run, TMM_REC_RUN_ENTRY_FLAGS,
            TMM_REC_ENTRY_RIPAS_RESPONSE);
    g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_SUCCESS);
    g_assert_cmphex(e.ctx.gprs[1], ==, base);
    g_assert_cmphex(e.ctx.gprs[2], ==, 1);
    test_st(&e.m, e.run, TMM_REC_RUN_ENTRY_FLAGS, 0);
    env_fini(&e);
}

static void test_ipa_state_get(void)
{
    Env e;

    env_init(&e, NULL);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_GET, 0x1001, 0x2000);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_GET, 0x2000, 0x2000);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_GET, 0x2000, NS_IPA + GRAN);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    /* 0x1000..0x8000 is RAM (backed or not), then EMPTY */
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_GET, 0x1000, 0x100000);
    g_assert_cmphex(e.ctx.gprs[0], ==, 0);
    g_assert_cmphex(e.ctx.gprs[1], ==, 0x8000);
    g_assert_cmphex(e.ctx.gprs[2], ==, TMM_RIPAS_RAM);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_GET, 0x2000, 0x3000);
    g_assert_cmphex(e.ctx.gprs[1], ==, 0x3000);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_GET, 0x8000, L1SZ + GRAN);
    g_assert_cmphex(e.ctx.gprs[1], ==, L1SZ);
    g_assert_cmphex(e.ctx.gprs[2], ==, TMM_RIPAS_EMPTY);
    /* across a level-1 entry */
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_IPA_STATE_GET, L1SZ + GRAN, NS_IPA);
    g_assert_cmphex(e.ctx.gprs[1], ==, 2 * L1SZ);
    g_assert_cmphex(e.ctx.gprs[2], ==, TMM_RIPAS_RAM);
    env_fini(&e);
}

static void test_host_call(void)
{
    Env e;
    TmmTranslation t;
    uint64_t hc = 0x3100, pa;
    unsigned i;

    env_init(&e, NULL);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_HOST_CALL, hc + 8);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_HOST_CALL, NS_IPA);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    g_assert_cmpint(tmm_realm_translate(e.m.tmm, e.r.rd, hc,
                                        TMM_ACCESS_WRITE, &t), ==,
                    TMM_XLATE_OK);
    pa = t.pa;
    test_st(&e.m, pa, 0, 0xbeef);
    for (i = 0; i < 31; i++) {
        test_st(&e.m, pa, 8 + 8 * i, 1000 + i);
    }
    g_assert_cmpint(SMC(&e.m, e.rec, &e.ctx, TMM_RSI_HOST_CALL, hc), ==,
                    TMM_SMC_EXIT);
    g_assert_cmphex(test_ld(&e.m, e.run, TMM_REC_RUN_EXIT_REASON), ==,
                    TMM_EXIT_HOST_CALL);
    g_assert_cmphex(test_ld(&e.m, e.run, TMM_REC_RUN_EXIT_IMM), ==, 0xbeef);
    for (i = 0; i < 31; i++) {
        g_assert_cmphex(test_ld(&e.m, e.run, TMM_REC_RUN_EXIT_GPRS + 8 * i),
                        ==, 1000 + i);
        test_st(&e.m, e.run, TMM_REC_RUN_ENTRY_GPRS + 8 * i, 2000 + i);
    }
    g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);
    g_assert_cmphex(e.ctx.gprs[0], ==, 0);
    for (i = 0; i < 31; i++) {
        g_assert_cmphex(test_ld(&e.m, pa, 8 + 8 * i), ==, 2000 + i);
    }
    g_assert_cmphex(test_ld(&e.m, pa, 0), ==, 0xbeef);
    env_fini(&e);
}

/*
 * An RSI buffer at protected RAM with no granule behind it: the REC exits
 * with a stage-2 data abort at the buffer and its PC back at the SMC; once
 * the host has backed the IPA, the re-issued call succeeds.
 */
static void test_buffer_unassigned(void)
{
    static const struct {
        uint64_t fid, ipa;
        bool write;
    } calls[] = {
        { TMM_RSI_REALM_CONFIG, 0x6000, true },
        { TMM_RSI_HOST_CALL, 0x7000, false },
    };
    Env e;
    unsigned i;
    uint64_t esr;

    env_init(&e, NULL);
    for (i = 0; i < G_N_ELEMENTS(calls); i++) {
        e.ctx.pc = 0x1004;                  /* past the SMC at 0x1000 */
        g_assert_cmpint(SMC(&e.m, e.rec, &e.ctx, calls[i].fid, calls[i].ipa),
                        ==, TMM_SMC_EXIT);
        g_assert_cmphex(test_ld(&e.m, e.run, TMM_REC_RUN_EXIT_REASON), ==,
                        TMM_EXIT_SYNC);
        esr = test_ld(&e.m, e.run, TMM_REC_RUN_EXIT_ESR);
        g_assert_cmphex(esr >> 26, ==, 0x24);           /* data abort */
        g_assert_cmphex(esr & 0x3f, ==, 0x07);          /* translation, L3 */
        g_assert_cmphex(test_ld(&e.m, e.run, TMM_REC_RUN_EXIT_HPFAR), ==,
                        (calls[i].ipa >> 12) << 4);
        g_assert_cmphex(test_ld(&e.m, e.run, TMM_REC_RUN_EXIT_FAR), ==, 0);
        /* An SEA is not the host's to inject for protected memory. */
        test_st(&e.m, e.run, TMM_REC_RUN_ENTRY_FLAGS,
                TMM_REC_ENTRY_INJECT_SEA);
        g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);
        g_assert_false(e.ctx.inject_sea);
        g_assert_cmphex(e.ctx.pc, ==, 0x1000);
        g_assert_cmphex(e.ctx.gprs[0], ==, calls[i].fid);
        g_assert_cmphex(e.ctx.gprs[1], ==, calls[i].ipa);
        /* The host backs the IPA; the realm issues the SMC again. */
        test_st(&e.m, e.run, TMM_REC_RUN_ENTRY_FLAGS, 0);
        g_assert_cmphex(RMI(&e.m, TMM_RMI_DATA_CREATE_UNKNOWN, e.r.rd,
                            test_delegated(&e.m), calls[i].ipa), ==, 0);
        e.ctx.pc = 0x1004;
        SMC(&e.m, e.rec, &e.ctx, calls[i].fid, calls[i].ipa);
        if (calls[i].fid == TMM_RSI_HOST_CALL) {
            g_assert_cmphex(test_ld(&e.m, e.run, TMM_REC_RUN_EXIT_REASON), ==,
                            TMM_EXIT_HOST_CALL);
            g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);
        }
        g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_SUCCESS);
        g_assert_cmphex(e.ctx.pc, ==, 0x1004);
    }
    /* RIPAS DESTROYED (the host took the granule away): an exit too. */
    g_assert_cmphex(RMI(&e.m, TMM_RMI_DATA_DESTROY, e.r.rd, 0x6000), ==, 0);
    g_assert_cmpint(SMC(&e.m, e.rec, &e.ctx, TMM_RSI_REALM_CONFIG, 0x6000),
                    ==, TMM_SMC_EXIT);
    g_assert_cmphex(test_ld(&e.m, e.run, TMM_REC_RUN_EXIT_HPFAR), ==,
                    0x6ULL << 4);
    g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);
    env_fini(&e);
}

static void test_token_no_keys(void)
{
    Env e;

    env_init(&e, NULL);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_ATTEST_TOKEN_CONTINUE, 0x2000, 0, 64);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_STATE);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_ATTEST_TOKEN_INIT, 1, 2, 3, 4, 5, 6, 7,
        8);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_UNKNOWN);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_ATTEST_TOKEN_CONTINUE, 0x2000, 0, 64);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_STATE);
    env_fini(&e);
}

static void test_token(void)
{
    char *err = NULL;
    TmmAttestKeys *keys = tmm_attest_keys_generate(&err);
    TmmVcpuContext ctx1;
    TmmTranslation t;
    uint64_t len, got = 0, off = 0;
    uint8_t tok[TMM_TOKEN_MAX_SIZE];
    Env e;

    g_assert_nonnull(keys);
    env_init(&e, keys);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_ATTEST_TOKEN_INIT, 1, 2, 3, 4, 5, 6, 7,
        8);
    g_assert_cmphex(e.ctx.gprs[0], ==, 0);
    len = e.ctx.gprs[1];
    g_assert_cmpuint(len, >, 100);
    g_assert_cmpuint(len, <=, TMM_TOKEN_MAX_SIZE);
    /* addr_align, addr_bound, offset_bound, size_overflow, size_bound */
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_ATTEST_TOKEN_CONTINUE, 0x2008, 0, 64);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_ATTEST_TOKEN_CONTINUE, 0x2000, 4096,
        0);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_ATTEST_TOKEN_CONTINUE, 0x2000, 8,
        UINT64_MAX - 4);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_ATTEST_TOKEN_CONTINUE, 0x2000, 8,
        4096);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_INPUT);

    /* another REC has no token in progress */
    {
        uint64_t run1 = test_ns_granule(&e.m);
        TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };

        g_assert_cmphex(test_enter(&e.m, e.rec1, run1, &ctx1), ==, 0);
        SMC(&e.m, e.rec1, &ctx1, TMM_RSI_ATTEST_TOKEN_CONTINUE, 0x3000, 0,
            64);
        g_assert_cmphex(ctx1.gprs[0], ==, TMM_RSI_ERROR_STATE);
        g_assert_cmphex(tmm_rec_exit(e.m.tmm, e.rec1, &ctx1, &ev), ==, 0);
    }
    /* hand it out in pieces, resumable across exits */
    while (got < len) {
        SMC(&e.m, e.rec, &e.ctx, TMM_RSI_ATTEST_TOKEN_CONTINUE, 0x2000, off,
            100);
        g_assert_cmpuint(e.ctx.gprs[1], <=, 100);
        g_assert_cmpint(tmm_realm_translate(e.m.tmm, e.r.rd, 0x2000,
                                            TMM_ACCESS_READ, &t), ==,
                        TMM_XLATE_OK);
        memcpy(tok + got, (uint8_t *)test_ptr(&e.m, t.pa) + off,
               e.ctx.gprs[1]);
        got += e.ctx.gprs[1];
        off = (off + 100) % 3000;
        if (got < len) {
            TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };

            g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_INCOMPLETE);
            g_assert_cmphex(tmm_rec_exit(e.m.tmm, e.rec, &e.ctx, &ev), ==,
                            0);
            g_assert_cmphex(test_enter(&e.m, e.rec, e.run, &e.ctx), ==, 0);
        } else {
            g_assert_cmphex(e.ctx.gprs[0], ==, 0);
        }
    }
    /* CBOR tag 399 */
    g_assert_cmpuint(tok[0], ==, 0xd9);
    g_assert_cmpuint(tok[1], ==, 0x01);
    g_assert_cmpuint(tok[2], ==, 0x8f);
    SMC(&e.m, e.rec, &e.ctx, TMM_RSI_ATTEST_TOKEN_CONTINUE, 0x2000, 0, 64);
    g_assert_cmphex(e.ctx.gprs[0], ==, TMM_RSI_ERROR_STATE);
    env_fini(&e);
    tmm_attest_keys_free(keys);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tmm/rsi/version-features", test_version_features);
    g_test_add_func("/tmm/rsi/measurement", test_measurement);
    g_test_add_func("/tmm/rsi/realm-config", test_realm_config);
    g_test_add_func("/tmm/rsi/ipa-state-set", test_ipa_state_set);
    g_test_add_func("/tmm/rsi/ipa-state-set-sbz", test_ipa_state_set_sbz);
    g_test_add_func("/tmm/rsi/ipa-state-get", test_ipa_state_get);
    g_test_add_func("/tmm/rsi/host-call", test_host_call);
    g_test_add_func("/tmm/rsi/buffer-unassigned", test_buffer_unassigned);
    g_test_add_func("/tmm/rsi/token-no-keys", test_token_no_keys);
    g_test_add_func("/tmm/rsi/token", test_token);
    return g_test_run();
}
