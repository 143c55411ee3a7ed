/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core unit tests: PSCI for realms and RMI_PSCI_COMPLETE.
 */
#include "tmm-test-env.h"

#define PSCI_VERSION        0x84000000ULL
#define PSCI_CPU_SUSPEND    0xC4000001ULL
#define PSCI_CPU_OFF        0x84000002ULL
#define PSCI_CPU_ON         0xC4000003ULL
#define PSCI_CPU_ON32       0x84000003ULL
#define PSCI_AFFINITY_INFO  0xC4000004ULL
#define PSCI_SYSTEM_OFF     0x84000008ULL
#define PSCI_SYSTEM_RESET   0x84000009ULL
#define PSCI_FEATURES       0x8400000AULL
#define NS_IPA              (1ULL << 39)
#define NEG(x)              ((uint64_t)(int64_t)(x))

typedef struct Env {
    TestMem m;
    TestRealm r;
    uint64_t rec[3], run[3];
    TmmVcpuContext ctx[3];
} Env;

static void env_init(Env *e)
{
    unsigned i;

    test_mem_init(&e->m, NULL);
    test_realm_new(&e->m, &e->r, 1);
    test_data(&e->m, &e->r, 0x1000, 0, 0);
    for (i = 0; i < 3; i++) {
        e->rec[i] = test_rec(&e->m, &e->r, i, 0x1000, i == 0);
        e->run[i] = test_ns_granule(&e->m);
    }
    g_assert_cmphex(RMI(&e->m, TMM_RMI_REALM_ACTIVATE, e->r.rd), ==, 0);
    g_assert_cmphex(test_enter(&e->m, e->rec[0], e->run[0], &e->ctx[0]), ==,
                    0);
}

static void env_fini(Env *e)
{
    test_check(&e->m);
    test_realm_teardown(&e->m, &e->r);
    test_undelegate_all(&e->m);
    test_mem_fini(&e->m, true);
}

static uint64_t exit_gpr(Env *e, unsigned rec, unsigned i)
{
    return test_ld(&e->m, e->run[rec], TMM_REC_RUN_EXIT_GPRS + 8 * i);
}

static void test_version_features(void)
{
    Env e;
    TmmVcpuContext *c;

    env_init(&e);
    c = &e.ctx[0];
    g_assert_cmpint(SMC(&e.m, e.rec[0], c, PSCI_VERSION), ==,
                    TMM_SMC_RESUME);
    g_assert_cmphex(c->gprs[0], ==, 0x10001);
    SMC(&e.m, e.rec[0], c, PSCI_FEATURES, PSCI_CPU_ON);
    g_assert_cmphex(c->gprs[0], ==, 0);
    SMC(&e.m, e.rec[0], c, PSCI_FEATURES, 0x80000000);
    g_assert_cmphex(c->gprs[0], ==, 0);
    SMC(&e.m, e.rec[0], c, PSCI_FEATURES, PSCI_SYSTEM_RESET);
    g_assert_cmphex(c->gprs[0], ==, 0);
    SMC(&e.m, e.rec[0], c, PSCI_FEATURES, 0x84000005);  /* MIGRATE */
    g_assert_cmphex(c->gprs[0], ==, NEG(-1));
    SMC(&e.m, e.rec[0], c, 0x84000005);
    g_assert_cmphex(c->gprs[0], ==, NEG(-1));
    {
        TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };

        tmm_rec_exit(e.m.tmm, e.rec[0], c, &ev);
    }
    env_fini(&e);
}

static void test_cpu_on(void)
{
    Env e;
    TestRealm o;
    uint64_t orec;
    TmmVcpuContext *c;

    env_init(&e);
    c = &e.ctx[0];
    test_realm_new(&e.m, &o, 2);
    orec = test_rec(&e.m, &o, 0, 0x1000, true);

    /* answered by the monitor: bad target, bad entry, itself */
    SMC(&e.m, e.rec[0], c, PSCI_CPU_ON, 3, 0x1000, 0);
    g_assert_cmphex(c->gprs[0], ==, NEG(-2));
    SMC(&e.m, e.rec[0], c, PSCI_CPU_ON, 0x10, 0x1000, 0);
    g_assert_cmphex(c->gprs[0], ==, NEG(-2));
    SMC(&e.m, e.rec[0], c, PSCI_CPU_ON, 1, NS_IPA, 0);
    g_assert_cmphex(c->gprs[0], ==, NEG(-9));
    SMC(&e.m, e.rec[0], c, PSCI_CPU_ON, 0, 0x1000, 0);
    g_assert_cmphex(c->gprs[0], ==, NEG(-4));

    /* no request yet */
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], e.rec[1], 0),
                    ==, 1);
    g_assert_cmpint(SMC(&e.m, e.rec[0], c, PSCI_CPU_ON, 1, 0x1800, 0x77),
                    ==, TMM_SMC_EXIT);
    g_assert_cmphex(test_ld(&e.m, e.run[0], TMM_REC_RUN_EXIT_REASON), ==,
                    TMM_EXIT_PSCI);
    g_assert_cmphex(exit_gpr(&e, 0, 0), ==, PSCI_CPU_ON);
    g_assert_cmphex(exit_gpr(&e, 0, 1), ==, 1);
    /* the caller waits for PSCI_COMPLETE */
    g_assert_cmphex(test_enter(&e.m, e.rec[0], e.run[0], c), ==, 3);
    /* alias, calling, target, pending, owner, target mpidr, status */
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], e.rec[0], 0),
                    ==, 1);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.r.rd, e.rec[1], 0),
                    ==, 1);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0],
                        e.rec[1] + 8, 0), ==, 1);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[1], e.rec[0], 0),
                    ==, 1);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], orec, 0), ==,
                    1);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], e.rec[2], 0),
                    ==, 1);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], e.rec[1],
                        NEG(-5)), ==, 1);
    test_check(&e.m);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], e.rec[1], 0),
                    ==, 0);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], e.rec[1], 0),
                    ==, 1);
    g_assert_cmphex(test_enter(&e.m, e.rec[0], e.run[0], c), ==, 0);
    g_assert_cmphex(c->gprs[0], ==, 0);
    /* the target starts at the entry point with the context id */
    g_assert_cmphex(test_enter(&e.m, e.rec[1], e.run[1], &e.ctx[1]), ==, 0);
    g_assert_cmphex(e.ctx[1].pc, ==, 0x1800);
    g_assert_cmphex(e.ctx[1].gprs[0], ==, 0x77);
    g_assert_cmphex(e.ctx[1].gprs[1], ==, 0);
    g_assert_cmphex(e.ctx[1].mpidr, ==, 1);

    /* again: ALREADY_ON */
    SMC(&e.m, e.rec[0], c, PSCI_CPU_ON, 1, 0x1800, 0x77);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], e.rec[1], 0),
                    ==, 0);
    g_assert_cmphex(test_enter(&e.m, e.rec[0], e.run[0], c), ==, 0);
    g_assert_cmphex(c->gprs[0], ==, NEG(-4));
    /* the host may deny; 32-bit call has 32-bit arguments */
    g_assert_cmpint(SMC(&e.m, e.rec[0], c, PSCI_CPU_ON32,
                        0xffffffff00000002ULL, 0x2000, 5), ==, TMM_SMC_EXIT);
    g_assert_cmphex(exit_gpr(&e, 0, 1), ==, 2);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], e.rec[2],
                        NEG(-3)), ==, 0);
    g_assert_cmphex(test_enter(&e.m, e.rec[0], e.run[0], c), ==, 0);
    g_assert_cmphex(c->gprs[0], ==, NEG(-3));
    g_assert_cmphex(test_enter(&e.m, e.rec[2], e.run[2], &e.ctx[2]), ==, 3);

    /* CPU_OFF: rec1 stops being runnable */
    g_assert_cmpint(SMC(&e.m, e.rec[1], &e.ctx[1], PSCI_CPU_OFF), ==,
                    TMM_SMC_EXIT);
    g_assert_cmphex(exit_gpr(&e, 1, 0), ==, PSCI_CPU_OFF);
    g_assert_cmphex(test_enter(&e.m, e.rec[1], e.run[1], &e.ctx[1]), ==, 3);
    {
        TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };

        tmm_rec_exit(e.m.tmm, e.rec[0], c, &ev);
    }
    test_realm_teardown(&e.m, &o);
    env_fini(&e);
}

/* exit.gprs[from..30] are all zero */
static void assert_exit_gprs_zero_from(Env *e, unsigned rec, unsigned from)
{
    unsigned i;

    for (i = from; i < 31; i++) {
        g_assert_cmphex(exit_gpr(e, rec, i), ==, 0);
    }
}

/*
 * Issue 15 D7: a PSCI exit carries "sanitised parameters" (RMM 1.0
 * A4.3.7): the FID and, for CPU_ON and AFFINITY_INFO, the target MPIDR the
 * host needs for RMI_PSCI_COMPLETE; nothing else of the realm's registers,
 * in particular not CPU_ON's entry point and context id, which the monitor
 * keeps and applies itself.
 */
static void test_exit_gprs(void)
{
    Env e;
    TmmVcpuContext *c;
    unsigned i;

    env_init(&e);
    c = &e.ctx[0];
    for (i = 0; i < 31; i++) {
        c->gprs[i] = 0xdead0000 + i;
    }
    g_assert_cmpint(SMC(&e.m, e.rec[0], c, PSCI_CPU_ON, 1, 0x1800,
                        0x5ec2e7), ==, TMM_SMC_EXIT);
    g_assert_cmphex(exit_gpr(&e, 0, 0), ==, PSCI_CPU_ON);
    g_assert_cmphex(exit_gpr(&e, 0, 1), ==, 1);
    assert_exit_gprs_zero_from(&e, 0, 2);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], e.rec[1], 0),
                    ==, 0);
    /* ... yet the target starts where the realm asked */
    g_assert_cmphex(test_enter(&e.m, e.rec[1], e.run[1], &e.ctx[1]), ==, 0);
    g_assert_cmphex(e.ctx[1].pc, ==, 0x1800);
    g_assert_cmphex(e.ctx[1].gprs[0], ==, 0x5ec2e7);
    g_assert_cmphex(test_enter(&e.m, e.rec[0], e.run[0], c), ==, 0);

    g_assert_cmpint(SMC(&e.m, e.rec[0], c, PSCI_CPU_ON32, 2, 0x2000, 9), ==,
                    TMM_SMC_EXIT);
    g_assert_cmphex(exit_gpr(&e, 0, 1), ==, 2);
    assert_exit_gprs_zero_from(&e, 0, 2);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], e.rec[2],
                        NEG(-3)), ==, 0);
    g_assert_cmphex(test_enter(&e.m, e.rec[0], e.run[0], c), ==, 0);

    g_assert_cmpint(SMC(&e.m, e.rec[0], c, PSCI_AFFINITY_INFO, 2, 0), ==,
                    TMM_SMC_EXIT);
    g_assert_cmphex(exit_gpr(&e, 0, 1), ==, 2);
    assert_exit_gprs_zero_from(&e, 0, 2);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], e.rec[2], 0),
                    ==, 0);
    g_assert_cmphex(test_enter(&e.m, e.rec[0], e.run[0], c), ==, 0);

    g_assert_cmpint(SMC(&e.m, e.rec[0], c, PSCI_CPU_SUSPEND, 0x10000,
                        0x1000, 0x42), ==, TMM_SMC_EXIT);
    g_assert_cmphex(exit_gpr(&e, 0, 0), ==, PSCI_CPU_SUSPEND);
    assert_exit_gprs_zero_from(&e, 0, 1);
    g_assert_cmphex(test_enter(&e.m, e.rec[0], e.run[0], c), ==, 0);

    g_assert_cmpint(SMC(&e.m, e.rec[1], &e.ctx[1], PSCI_CPU_OFF), ==,
                    TMM_SMC_EXIT);
    assert_exit_gprs_zero_from(&e, 1, 1);
    g_assert_cmpint(SMC(&e.m, e.rec[0], c, PSCI_SYSTEM_OFF), ==,
                    TMM_SMC_EXIT);
    assert_exit_gprs_zero_from(&e, 0, 1);
    env_fini(&e);
}

static void test_affinity_suspend(void)
{
    Env e;
    TmmVcpuContext *c;

    env_init(&e);
    c = &e.ctx[0];
    SMC(&e.m, e.rec[0], c, PSCI_AFFINITY_INFO, 1, 1);
    g_assert_cmphex(c->gprs[0], ==, NEG(-2));
    SMC(&e.m, e.rec[0], c, PSCI_AFFINITY_INFO, 7, 0);
    g_assert_cmphex(c->gprs[0], ==, NEG(-2));
    SMC(&e.m, e.rec[0], c, PSCI_AFFINITY_INFO, 0, 0);
    g_assert_cmphex(c->gprs[0], ==, 0);
    g_assert_cmpint(SMC(&e.m, e.rec[0], c, PSCI_AFFINITY_INFO, 2, 0), ==,
                    TMM_SMC_EXIT);
    g_assert_cmphex(exit_gpr(&e, 0, 0), ==, PSCI_AFFINITY_INFO);
    g_assert_cmphex(exit_gpr(&e, 0, 1), ==, 2);
    /* only SUCCESS completes AFFINITY_INFO */
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], e.rec[2],
                        NEG(-3)), ==, 1);
    g_assert_cmphex(RMI(&e.m, TMM_RMI_PSCI_COMPLETE, e.rec[0], e.rec[2], 0),
                    ==, 0);
    g_assert_cmphex(test_enter(&e.m, e.rec[0], e.run[0], c), ==, 0);
    g_assert_cmphex(c->gprs[0], ==, 1);     /* OFF */

    g_assert_cmpint(SMC(&e.m, e.rec[0], c, PSCI_CPU_SUSPEND, 0, 0x1000, 0),
                    ==, TMM_SMC_EXIT);
    g_assert_cmphex(exit_gpr(&e, 0, 0), ==, PSCI_CPU_SUSPEND);
    g_assert_cmphex(test_enter(&e.m, e.rec[0], e.run[0], c), ==, 0);
    g_assert_cmphex(c->gprs[0], ==, 0);
    {
        TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };

        tmm_rec_exit(e.m.tmm, e.rec[0], c, &ev);
    }
    env_fini(&e);
}

static void test_system_off(void)
{
    static const uint64_t fids[2] = { PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET };
    unsigned i;

    for (i = 0; i < 2; i++) {
        Env e;
        TmmRealmState st;

        env_init(&e);
        g_assert_cmpint(SMC(&e.m, e.rec[0], &e.ctx[0], fids[i]), ==,
                        TMM_SMC_EXIT);
        g_assert_cmphex(test_ld(&e.m, e.run[0], TMM_REC_RUN_EXIT_REASON), ==,
                        TMM_EXIT_PSCI);
        g_assert_cmphex(exit_gpr(&e, 0, 0), ==, fids[i]);
        g_assert_true(tmm_realm_info(e.m.tmm, e.r.rd, NULL, &st, NULL));
        g_assert_cmpint(st, ==, TMM_REALM_SYSTEM_OFF);
        /* system_off: ERROR_REALM with index 1 */
        g_assert_cmphex(test_enter(&e.m, e.rec[0], e.run[0], &e.ctx[0]), ==,
                        RMI_STATUS(TMM_RMI_ERROR_REALM, 1));
        /* the host can still reclaim everything */
        g_assert_cmphex(RMI(&e.m, TMM_RMI_DATA_DESTROY, e.r.rd, 0x1000), ==,
                        0);
        env_fini(&e);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tmm/psci/version-features", test_version_features);
    g_test_add_func("/tmm/psci/cpu-on", test_cpu_on);
    g_test_add_func("/tmm/psci/exit-gprs", test_exit_gprs);
    g_test_add_func("/tmm/psci/affinity-suspend", test_affinity_suspend);
    g_test_add_func("/tmm/psci/system-off", test_system_off);
    return g_test_run();
}
