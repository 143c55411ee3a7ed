/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core unit tests: a realm's whole life through RMI and RSI, the
 * reproducibility of the RIM, and isolation between two realms.
 */
#include "tmm-test-env.h"

#define L2SZ        (2ULL << 20)
#define NS_IPA      (1ULL << 39)
#define UART_IPA    (NS_IPA + 0x09000000ULL)

/* Build a small realm image; returns the REC; @order varies the steps. */
static uint64_t build(TestMem *m, TestRealm *r, unsigned vmid, int order)
{
    uint64_t ipa, src = test_ns_granule(m);

    test_realm_new(m, r, vmid);
    test_rtt_to(m, r, 0, 3);
    g_assert_cmphex(RMI(m, TMM_RMI_RTT_INIT_RIPAS, r->rd, 0, 0x20000), ==, 0);
    for (ipa = 0; ipa < 0x8000; ipa += GRAN) {
        uint64_t at = order ? 0x7000 - ipa : ipa;

        memset(test_ptr(m, src), (int)(at >> 12) + 1, GRAN);
        g_assert_cmphex(RMI(m, TMM_RMI_DATA_CREATE, r->rd, test_delegated(m),
                            at, src, TMM_DATA_MEASURE_CONTENT), ==, 0);
    }
    return test_rec(m, r, 0, 0x0, true);
}

static void read_rim(TestMem *m, uint64_t rec, uint64_t rim[8])
{
    TmmVcpuContext ctx;
    TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };
    uint64_t run = test_ns_granule(m);

    g_assert_cmphex(test_enter(m, rec, run, &ctx), ==, 0);
    SMC(m, rec, &ctx, TMM_RSI_MEASUREMENT_READ, 0);
    g_assert_cmphex(ctx.gprs[0], ==, 0);
    memcpy(rim, &ctx.gprs[1], 64);
    g_assert_cmphex(tmm_rec_exit(m->tmm, rec, &ctx, &ev), ==, 0);
}

static void test_rim_reproducible(void)
{
    TestMem m;
    TestRealm a, b, c;
    uint64_t ra[8], rb[8], rc[8];
    uint64_t reca, recb, recc;

    test_mem_init(&m, NULL);
    reca = build(&m, &a, 1, 0);
    recb = build(&m, &b, 2, 0);
    recc = build(&m, &c, 3, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, a.rd), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, b.rd), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, c.rd), ==, 0);
    read_rim(&m, reca, ra);
    read_rim(&m, recb, rb);
    read_rim(&m, recc, rc);
    /* same steps, same RIM (VMID and RTT placement are not measured) */
    g_assert_cmpint(memcmp(ra, rb, 64), ==, 0);
    /* the order of the steps is part of the RIM */
    g_assert_cmpint(memcmp(ra, rc, 64), !=, 0);
    test_realm_teardown(&m, &a);
    test_realm_teardown(&m, &b);
    test_realm_teardown(&m, &c);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

static void test_lifecycle(void)
{
    TestMem m;
    TestRealm r;
    TmmVcpuContext c0, c1;
    TmmExitEvent ev;
    TmmTranslation t;
    uint64_t rec0, rec1, run0, run1, shared, ipa;
    uint64_t rem_before;

    test_mem_init(&m, NULL);
    /* host: build */
    rec0 = build(&m, &r, 1, 0);
    rec1 = test_rec(&m, &r, 1, 0x0, false);
    shared = test_ns_granule(&m);
    test_rtt_to(&m, &r, UART_IPA, 3);
    test_rtt_to(&m, &r, NS_IPA, 3);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_MAP_UNPROTECTED, r.rd, NS_IPA, 3,
                        shared | (3 << 6) | (6 << 2)), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, r.rd), ==, 0);
    test_check(&m);
    run0 = test_ns_granule(&m);
    run1 = test_ns_granule(&m);

    /* realm boot, as a Linux guest does it */
    g_assert_cmphex(test_enter(&m, rec0, run0, &c0), ==, 0);
    g_assert_cmphex(c0.pc, ==, 0);
    SMC(&m, rec0, &c0, 0x80000000);
    g_assert_cmphex(c0.gprs[0], ==, 0x10001);
    SMC(&m, rec0, &c0, TMM_RSI_VERSION, 0x10000);
    g_assert_cmphex(c0.gprs[0], ==, 0);
    SMC(&m, rec0, &c0, TMM_RSI_REALM_CONFIG, 0x7000);
    g_assert_cmphex(c0.gprs[0], ==, 0);
    g_assert_cmpint(tmm_realm_translate(m.tmm, r.rd, 0x7000,
                                        TMM_ACCESS_READ, &t), ==,
                    TMM_XLATE_OK);
    g_assert_cmphex(test_ld(&m, t.pa, 0), ==, 40);
    /* accept all RAM: the host backs it on demand */
    g_assert_cmpint(SMC(&m, rec0, &c0, TMM_RSI_IPA_STATE_SET, 0, 0x40000,
                        TMM_RIPAS_RAM, 0), ==, TMM_SMC_EXIT);
    ipa = 0;
    while (ipa < 0x40000) {
        g_assert_cmphex(RMI(&m, TMM_RMI_RTT_SET_RIPAS, r.rd, rec0, ipa,
                            0x40000), ==, 0);
        ipa = m.x[1];
    }
    g_assert_cmphex(test_enter(&m, rec0, run0, &c0), ==, 0);
    g_assert_cmphex(c0.gprs[1], ==, 0x40000);
    g_assert_cmphex(c0.gprs[2], ==, 0);
    SMC(&m, rec0, &c0, TMM_RSI_IPA_STATE_GET, 0, NS_IPA);
    g_assert_cmphex(c0.gprs[1], ==, 0x40000);
    g_assert_cmphex(c0.gprs[2], ==, TMM_RIPAS_RAM);
    /* a page fault on unbacked RAM: the host supplies a page */
    g_assert_cmpint(tmm_realm_translate(m.tmm, r.rd, 0x30000,
                                        TMM_ACCESS_WRITE, &t), ==,
                    TMM_XLATE_EXIT);
    ev.kind = TMM_EVENT_DATA_ABORT;
    ev.esr = (0x24ULL << 26) | (1ULL << 25) | (1 << 6) | 0x07;
    ev.far = 0x30000;
    ev.ipa = 0x30000;
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec0, &c0, &ev), ==, 0);
    g_assert_cmphex(test_ld(&m, run0, TMM_REC_RUN_EXIT_HPFAR), ==,
                    0x30000 >> 8);
    test_rtt_to(&m, &r, 0x30000, 3);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE_UNKNOWN, r.rd,
                        test_delegated(&m), 0x30000), ==, 0);
    g_assert_cmphex(test_enter(&m, rec0, run0, &c0), ==, 0);
    g_assert_cmpint(tmm_realm_translate(m.tmm, r.rd, 0x30000,
                                        TMM_ACCESS_WRITE, &t), ==,
                    TMM_XLATE_OK);
    /* shared memory through the unprotected alias */
    g_assert_cmpint(tmm_realm_translate(m.tmm, r.rd, NS_IPA + 8,
                                        TMM_ACCESS_WRITE, &t), ==,
                    TMM_XLATE_OK);
    g_assert_cmphex(t.pa, ==, shared + 8);
    /* MMIO at the UART alias: emulated by the host */
    g_assert_cmpint(tmm_realm_translate(m.tmm, r.rd, UART_IPA,
                                        TMM_ACCESS_WRITE, &t), ==,
                    TMM_XLATE_EXIT);
    c0.gprs[1] = 'A';
    ev.esr = (0x24ULL << 26) | (1ULL << 25) | (1ULL << 24) | (1 << 16) |
             (1 << 6) | 0x07;
    ev.ipa = UART_IPA;
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec0, &c0, &ev), ==, 0);
    g_assert_cmphex(test_ld(&m, run0, TMM_REC_RUN_EXIT_GPRS), ==, 'A');
    test_st(&m, run0, TMM_REC_RUN_ENTRY_FLAGS, TMM_REC_ENTRY_EMUL_MMIO);
    g_assert_cmphex(test_enter(&m, rec0, run0, &c0), ==, 0);
    test_st(&m, run0, TMM_REC_RUN_ENTRY_FLAGS, 0);
    /* measurement extension */
    SMC(&m, rec0, &c0, TMM_RSI_MEASUREMENT_READ, 3);
    rem_before = c0.gprs[1];
    SMC(&m, rec0, &c0, TMM_RSI_MEASUREMENT_EXTEND, 3, 32, 1, 2, 3, 4);
    g_assert_cmphex(c0.gprs[0], ==, 0);
    SMC(&m, rec0, &c0, TMM_RSI_MEASUREMENT_READ, 3);
    g_assert_cmphex(c0.gprs[1], !=, rem_before);
    /* secondary CPU */
    g_assert_cmpint(SMC(&m, rec0, &c0, 0xC4000003, 1, 0x2000, 9), ==,
                    TMM_SMC_EXIT);
    g_assert_cmphex(RMI(&m, TMM_RMI_PSCI_COMPLETE, rec0, rec1, 0), ==, 0);
    g_assert_cmphex(test_enter(&m, rec1, run1, &c1), ==, 0);
    g_assert_cmphex(c1.pc, ==, 0x2000);
    g_assert_cmphex(c1.gprs[0], ==, 9);
    g_assert_cmpint(SMC(&m, rec1, &c1, 0x84000002), ==, TMM_SMC_EXIT);
    g_assert_cmphex(test_enter(&m, rec0, run0, &c0), ==, 0);
    /* shared buffers: give some RAM back to the host */
    g_assert_cmpint(SMC(&m, rec0, &c0, TMM_RSI_IPA_STATE_SET, 0x30000,
                        0x31000, TMM_RIPAS_EMPTY, 1), ==, TMM_SMC_EXIT);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_SET_RIPAS, r.rd, rec0, 0x30000,
                        0x31000), ==, 0);
    g_assert_cmphex(test_enter(&m, rec0, run0, &c0), ==, 0);
    g_assert_cmpint(tmm_realm_translate(m.tmm, r.rd, 0x30000,
                                        TMM_ACCESS_READ, &t), ==,
                    TMM_XLATE_SEA);
    /* power off */
    g_assert_cmpint(SMC(&m, rec0, &c0, 0x84000008), ==, TMM_SMC_EXIT);
    g_assert_cmphex(test_enter(&m, rec0, run0, &c0), ==, 0x102);
    test_check(&m);

    /* host: tear down everything, then give all memory back */
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_DESTROY, r.rd), ==, 2);
    test_realm_teardown(&m, &r);
    test_check(&m);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

static void test_two_realms(void)
{
    TestMem m;
    TestRealm a, b;
    uint64_t da, db, reca, recb, rtta, runa, runb;
    TmmVcpuContext ca, cb;
    TmmTranslation t;

    test_mem_init(&m, NULL);
    test_realm_new(&m, &a, 1);
    test_realm_new(&m, &b, 2);
    da = test_data(&m, &a, 0x1000, 0xaa, 0);
    db = test_data(&m, &b, 0x1000, 0xbb, 0);
    reca = test_rec(&m, &a, 0, 0x1000, true);
    recb = test_rec(&m, &b, 0, 0x1000, true);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, a.rd, 0, 2), ==, 0);
    rtta = m.x[3];

    /* nothing of A can be handed to B */
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE, b.rd, da, 0x2000,
                        test_ns_granule(&m), 0), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_DATA_CREATE_UNKNOWN, b.rd, da, 0x2000),
                    ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_CREATE, b.rd, rtta, 1ULL << 30, 2),
                    ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, b.rd, reca,
                        test_ns_granule(&m)), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_MAP_UNPROTECTED, b.rd, NS_IPA, 2,
                        da & ~(L2SZ - 1)), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_CREATE, a.rd, test_ns_granule(&m)),
                    ==, 1);
    /* B's RTTs do not lead to A's DATA */
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_READ_ENTRY, b.rd, 0x1000, 3), ==, 0);
    g_assert_cmphex(m.x[3], ==, db);
    g_assert_cmpint(tmm_realm_translate(m.tmm, b.rd, 0x1000,
                                        TMM_ACCESS_READ, &t), ==,
                    TMM_XLATE_OK);
    g_assert_cmphex(t.pa, ==, db);
    g_assert_cmpuint(*(uint8_t *)test_ptr(&m, t.pa), ==, 0xbb);
    /* RECs of A are not B's */
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, a.rd), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, b.rd), ==, 0);
    runa = test_ns_granule(&m);
    runb = test_ns_granule(&m);
    g_assert_cmphex(test_enter(&m, reca, runa, &ca), ==, 0);
    g_assert_cmpint(SMC(&m, reca, &ca, TMM_RSI_IPA_STATE_SET, 0x2000, 0x3000,
                        TMM_RIPAS_RAM, 0), ==, TMM_SMC_EXIT);
    g_assert_cmphex(RMI(&m, TMM_RMI_RTT_SET_RIPAS, b.rd, reca, 0x2000,
                        0x3000), ==, 3);
    g_assert_cmphex(test_enter(&m, recb, runb, &cb), ==, 0);
    g_assert_cmpint(SMC(&m, recb, &cb, 0xC4000004, 0, 0), ==,
                    TMM_SMC_RESUME);
    g_assert_cmpint(SMC(&m, recb, &cb, 0xC4000003, 0, 0x1000, 0), ==,
                    TMM_SMC_RESUME);
    g_assert_cmphex(RMI(&m, TMM_RMI_PSCI_COMPLETE, reca, recb, 0), ==, 1);
    /* the SMC entry point of B's REC acts on B only */
    SMC(&m, recb, &cb, TMM_RSI_MEASUREMENT_EXTEND, 1, 8, 0x42);
    g_assert_cmphex(cb.gprs[0], ==, 0);
    {
        TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };

        g_assert_cmphex(tmm_rec_exit(m.tmm, recb, &cb, &ev), ==, 0);
    }
    g_assert_cmphex(test_enter(&m, reca, runa, &ca), ==, 0);
    SMC(&m, reca, &ca, TMM_RSI_MEASUREMENT_READ, 1);
    g_assert_cmphex(ca.gprs[1], ==, 0);
    {
        TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };

        g_assert_cmphex(tmm_rec_exit(m.tmm, reca, &ca, &ev), ==, 0);
    }
    test_check(&m);
    /* destroying one leaves the other intact */
    test_realm_teardown(&m, &a);
    test_check(&m);
    g_assert_cmpint(tmm_realm_translate(m.tmm, b.rd, 0x1000,
                                        TMM_ACCESS_READ, &t), ==,
                    TMM_XLATE_OK);
    g_assert_cmpint(tmm_realm_translate(m.tmm, a.rd, 0x1000,
                                        TMM_ACCESS_READ, &t), ==,
                    TMM_XLATE_BAD_REALM);
    test_realm_teardown(&m, &b);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tmm/lifecycle/rim-reproducible", test_rim_reproducible);
    g_test_add_func("/tmm/lifecycle/full", test_lifecycle);
    g_test_add_func("/tmm/lifecycle/two-realms", test_two_realms);
    return g_test_run();
}
