/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core unit tests: REC_CREATE, REC_DESTROY, REC_ENTER and the exit
 * contract (aborts, MMIO emulation, SEA injection, interrupts, SMCCC).
 */
#include "tmm-test-env.h"

#define NS_IPA      (1ULL << 39)
#define ESR_DABT    ((0x24ULL << 26) | (1ULL << 25))
#define ESR_IABT    ((0x20ULL << 26) | (1ULL << 25))
#define ESR_ISV     (1ULL << 24)
#define ESR_SAS(n)  ((uint64_t)(n) << 22)
#define ESR_SSE     (1ULL << 21)
#define ESR_SRT(n)  ((uint64_t)(n) << 16)
#define ESR_SF      (1ULL << 15)
#define ESR_WNR     (1ULL << 6)
#define DFSC_L3     0x07ULL

static uint64_t rec_params(TestMem *m, uint64_t mpidr, uint64_t num_aux,
                           const uint64_t *aux)
{
    uint64_t p = test_ns_granule(m);
    unsigned i;

    test_st(m, p, TMM_REC_PARAMS_FLAGS, 1 | (1 << 5));
    test_st(m, p, TMM_REC_PARAMS_MPIDR, mpidr);
    test_st(m, p, TMM_REC_PARAMS_PC, 0x1000);
    test_st(m, p, TMM_REC_PARAMS_NUM_AUX, num_aux);
    for (i = 0; i < num_aux && i < 16; i++) {
        test_st(m, p, TMM_REC_PARAMS_AUX + 8 * i, aux[i]);
    }
    return p;
}

static void test_create_fail(void)
{
    TestMem m;
    TestRealm r, a;
    uint64_t rec, aux, p, undel, bad[2];
    char rd_snap[TMM_GRANULE_SIZE];

    test_mem_init(&m, NULL);
    test_realm_new(&m, &r, 1);
    rec = test_delegated(&m);
    aux = test_delegated(&m);
    undel = test_sec_granule(&m);
    p = rec_params(&m, 0, 1, &aux);

    /* params */
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec, p + 8), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec, TEST_NO_MEM), ==,
                    1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec, aux), ==, 1);
    /* rec, rd */
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec + 8, p), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, undel, p), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, r.rd, p), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, rec, rec, p), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rtt_base, rec, p), ==, 1);
    /* mpidr_index: RECs come in MPIDR order; Aff0 is 0..15 */
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec,
                        rec_params(&m, 1, 1, &aux)), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec,
                        rec_params(&m, 0x10, 1, &aux)), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec,
                        rec_params(&m, 1ULL << 60, 1, &aux)), ==, 1);
    /* num_aux, aux_align, aux_alias, aux_state */
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec,
                        rec_params(&m, 0, 0, &aux)), ==, 1);
    bad[0] = aux + 8;
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec,
                        rec_params(&m, 0, 1, bad)), ==, 1);
    bad[0] = rec;
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec,
                        rec_params(&m, 0, 1, bad)), ==, 1);
    bad[0] = undel;
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec,
                        rec_params(&m, 0, 1, bad)), ==, 1);
    bad[0] = r.rd;
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec,
                        rec_params(&m, 0, 1, bad)), ==, 1);
    test_check(&m);

    memcpy(rd_snap, test_ptr(&m, r.rd), GRAN);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec, p), ==, 0);
    r.recs[r.nr_recs++] = rec;
    /* REC_CREATE extends the RIM */
    g_assert_cmpint(memcmp(rd_snap, test_ptr(&m, r.rd), GRAN), !=, 0);
    g_assert_cmpint(tmm_granule_state(m.tmm, rec), ==, TMM_GRANULE_REC);
    g_assert_cmpint(tmm_granule_state(m.tmm, aux), ==, TMM_GRANULE_REC_AUX);
    /* aux is no longer delegated; duplicates within the list */
    {
        uint64_t rec2 = test_delegated(&m), two[2];

        g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec2,
                            rec_params(&m, 1, 1, &aux)), ==, 1);
        two[0] = two[1] = test_delegated(&m);
        test_st(&m, p, TMM_REC_PARAMS_NUM_AUX, 2);
        (void)two;
        g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, r.rd, rec2, p), ==, 1);
    }
    /* realm_state */
    test_realm_new(&m, &a, 2);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, a.rd), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, a.rd, test_delegated(&m),
                        rec_params(&m, 0, 1, (uint64_t[]){
                            test_delegated(&m) })), ==, 2);
    /*
     * Issue 15 D12b: realm_state and num_aux are unordered (B4.3.12.2.1);
     * the aux list is checked first, as TF-RMM does: one aux granule too
     * many is ERROR_INPUT even on an active realm.
     */
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_CREATE, a.rd, test_delegated(&m),
                        rec_params(&m, 0, TMM_REC_AUX_COUNT + 1,
                                   (uint64_t[]){ test_delegated(&m),
                                                 test_delegated(&m) })),
                    ==, TMM_RMI_ERROR_INPUT);

    /* REC_DESTROY */
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_DESTROY, rec + 8), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_DESTROY, aux), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_DESTROY, r.rd), ==, 1);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_DESTROY, rec), ==, 0);
    r.nr_recs = 0;
    g_assert_cmpint(tmm_granule_state(m.tmm, aux), ==, TMM_GRANULE_DELEGATED);
    g_assert_cmphex(test_ld(&m, rec, 0), ==, 0);        /* scrubbed */
    test_realm_teardown(&m, &r);
    test_realm_teardown(&m, &a);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

/* An active realm with code at 0x1000 and one REC (MPIDR 0). */
static uint64_t active_realm(TestMem *m, TestRealm *r, unsigned vmid)
{
    uint64_t rec;

    test_realm_new(m, r, vmid);
    test_data(m, r, 0x1000, 0, TMM_DATA_MEASURE_CONTENT);
    rec = test_rec(m, r, 0, 0x1000, true);
    g_assert_cmphex(RMI(m, TMM_RMI_REALM_ACTIVATE, r->rd), ==, 0);
    return rec;
}

static void test_enter_fail(void)
{
    TestMem m;
    TestRealm r, n;
    TmmVcpuContext ctx;
    uint64_t rec, run, rec1, nrec;

    test_mem_init(&m, NULL);
    test_realm_new(&m, &n, 9);
    nrec = test_rec(&m, &n, 0, 0x1000, true);
    rec = active_realm(&m, &r, 1);
    run = test_ns_granule(&m);

    /* run_*, rec_* */
    g_assert_cmphex(test_enter(&m, rec, run + 8, &ctx), ==, 1);
    g_assert_cmphex(test_enter(&m, rec, TEST_NO_MEM, &ctx), ==, 1);
    g_assert_cmphex(test_enter(&m, rec, rec, &ctx), ==, 1);
    g_assert_cmphex(test_enter(&m, rec + 8, run, &ctx), ==, 1);
    g_assert_cmphex(test_enter(&m, r.rd, run, &ctx), ==, 1);
    /* realm_new */
    g_assert_cmphex(test_enter(&m, nrec, run, &ctx), ==, 2);
    /* rec_runnable */
    test_realm_new(&m, &r, 3);
    rec1 = test_rec(&m, &r, 0, 0x2000, false);
    g_assert_cmphex(RMI(&m, TMM_RMI_REALM_ACTIVATE, r.rd), ==, 0);
    g_assert_cmphex(test_enter(&m, rec1, run, &ctx), ==, 3);
    /* rec_mmio: EMUL_MMIO without an emulatable abort */
    test_st(&m, run, TMM_REC_RUN_ENTRY_FLAGS, TMM_REC_ENTRY_EMUL_MMIO);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 3);
    test_st(&m, run, TMM_REC_RUN_ENTRY_FLAGS, 0);
    /* the REC is running: neither entered again nor destroyed */
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 3);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_DESTROY, rec), ==, 3);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_ENTER, rec, run), ==, 3);
    test_check(&m);
    /* not running: exits and SMCs are machine bugs, refused */
    {
        TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };

        g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
        g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 3);
        g_assert_cmphex(tmm_rec_exit(m.tmm, r.rd, &ctx, &ev), ==, 3);
        g_assert_cmpint(SMC(&m, rec, &ctx, 0x80000000), ==, TMM_SMC_ERROR);
    }
    /* the RMI entry point works the same way */
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_ENTER, rec, run), ==, 0);
    g_assert_cmphex(RMI(&m, TMM_RMI_REC_ENTER, rec, run), ==, 3);
    test_realm_teardown(&m, &n);
    test_undelegate_all(&m);
    tmm_free(m.tmm);
    g_free(m.ram);
}

#define LR_PENDING      (1ULL << 62)
#define LR_GROUP1       (1ULL << 60)
#define LR_PRIO(p)      ((uint64_t)(p) << 48)
#define LR_OFF(n)       (TMM_REC_RUN_ENTRY_GICV3_LRS + 8 * (n))

/*
 * Issue 15 D8, rec_gicv3 (RMM 1.0 B4.3.14, A6.1): every GIC field of the
 * entry part is checked, and an invalid one fails REC_ENTER with
 * ERROR_REC before anything happens.
 */
static void test_enter_gicv3(void)
{
    TestMem mem, *m = &mem;
    TestRealm r;
    static const uint64_t bad_hcr[] = {
        1ULL << 32,                 /* the row of the issue: RES0 */
        1ULL << 0,                  /* En: the monitor's */
        1ULL << 10,                 /* TC */
        1ULL << 13,                 /* TSEI */
        1ULL << 15,                 /* DVIM */
        1ULL << 27,                 /* EOIcount: not the host's to set */
    };
    uint64_t good = LR_PENDING | LR_GROUP1 | LR_PRIO(0xa0) | 27;
    static const uint64_t bad_lr[] = {
        LR_PENDING | (1ULL << 61) | 27,             /* HW == 1 */
        (1ULL << 61),                               /* HW, even unused */
        LR_PENDING | LR_PRIO(0xa1) | 27,            /* unimplemented prio */
        LR_PENDING | (5ULL << 32) | 27,             /* pINTID with HW 0 */
        LR_PENDING | (1ULL << 46) | 27,             /* RES0 47:45 */
        LR_PENDING | (1ULL << 57) | 27,             /* RES0 59:56 */
        LR_PENDING | 1020,                          /* special INTID */
        LR_PENDING | 4096,                          /* ESPI: not offered */
        LR_PENDING | (1ULL << 16),                  /* beyond 16 ID bits */
    };
    TmmVcpuContext ctx;
    TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };
    uint64_t rec, run;
    unsigned i;

    test_mem_init(m, NULL);
    rec = active_realm(m, &r, 1);
    run = test_ns_granule(m);
    for (i = 0; i < G_N_ELEMENTS(bad_hcr); i++) {
        test_st(m, run, TMM_REC_RUN_ENTRY_GICV3_HCR, bad_hcr[i]);
        g_assert_cmphex(test_enter(m, rec, run, &ctx), ==,
                        TMM_RMI_ERROR_REC);
    }
    test_st(m, run, TMM_REC_RUN_ENTRY_GICV3_HCR, 0);
    for (i = 0; i < G_N_ELEMENTS(bad_lr); i++) {
        test_st(m, run, LR_OFF(15), bad_lr[i]);
        g_assert_cmphex(test_enter(m, rec, run, &ctx), ==,
                        TMM_RMI_ERROR_REC);
    }
    /* two list registers in use with one vINTID */
    test_st(m, run, LR_OFF(3), good);
    test_st(m, run, LR_OFF(15), good);
    g_assert_cmphex(test_enter(m, rec, run, &ctx), ==, TMM_RMI_ERROR_REC);
    test_check(m);

    /* what a host may pass: the host bits, valid LRs, an unused LR */
    test_st(m, run, TMM_REC_RUN_ENTRY_GICV3_HCR, TMM_GICV3_HCR_HOST_BITS);
    test_st(m, run, LR_OFF(0), LR_PENDING | (1ULL << 41) | 8192);
    test_st(m, run, LR_OFF(1), (3ULL << 62) | 0xffff);
    test_st(m, run, LR_OFF(2), LR_PRIO(0xf8) | 1020);
    test_st(m, run, LR_OFF(15), good & ~27ULL);
    g_assert_cmphex(test_enter(m, rec, run, &ctx), ==, 0);
    g_assert_cmphex(tmm_rec_exit(m->tmm, rec, &ctx, &ev), ==, 0);
    test_check(m);
    test_realm_teardown(m, &r);
    test_undelegate_all(m);
    test_mem_fini(m, true);
}

static void test_entry_context(void)
{
    TestMem m;
    TestRealm r;
    TmmVcpuContext ctx;
    uint64_t rec, run;
    unsigned i;

    test_mem_init(&m, NULL);
    rec = active_realm(&m, &r, 1);
    run = test_ns_granule(&m);
    test_st(&m, run, TMM_REC_RUN_ENTRY_FLAGS,
            TMM_REC_ENTRY_TRAP_WFI | TMM_REC_ENTRY_TRAP_WFE);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    g_assert_cmphex(ctx.pc, ==, 0x1000);
    g_assert_cmphex(ctx.pstate, ==, 0x3c5);
    g_assert_cmphex(ctx.mpidr, ==, 0);
    g_assert_cmphex(ctx.entry_flags, ==,
                    TMM_REC_ENTRY_TRAP_WFI | TMM_REC_ENTRY_TRAP_WFE);
    for (i = 0; i < 8; i++) {
        g_assert_cmphex(ctx.gprs[i], ==, 0x100 + i);
    }
    g_assert_cmphex(ctx.gprs[8], ==, 0);
    g_assert_false(ctx.inject_sea);
    /* an IRQ exit saves the context; the next entry restores it */
    ctx.gprs[20] = 0xabcd;
    ctx.pc = 0x1234;
    {
        TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };

        g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
        g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_REASON), ==,
                        TMM_EXIT_IRQ);
        ev.kind = TMM_EVENT_FIQ;
        g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
        g_assert_cmphex(ctx.gprs[20], ==, 0xabcd);
        g_assert_cmphex(ctx.pc, ==, 0x1234);
        g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
        g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_REASON), ==,
                        TMM_EXIT_FIQ);
        ev.kind = TMM_EVENT_SERROR;
        g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
        g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
        g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_REASON), ==,
                        TMM_EXIT_SERROR);
    }
    test_realm_teardown(&m, &r);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

static void test_mmio(void)
{
    TestMem m;
    TestRealm r;
    TmmVcpuContext ctx;
    TmmExitEvent ev;
    TmmTranslation t;
    uint64_t rec, run, ipa = NS_IPA + 0x9000;

    test_mem_init(&m, NULL);
    rec = active_realm(&m, &r, 1);
    run = test_ns_granule(&m);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    /* unmapped unprotected IPA: the machine is told to exit */
    g_assert_cmpint(tmm_realm_translate(m.tmm, r.rd, ipa + 0x10,
                                        TMM_ACCESS_READ, &t), ==,
                    TMM_XLATE_EXIT);

    /* 16-bit sign-extending load into w5 */
    ev.kind = TMM_EVENT_DATA_ABORT;
    ev.esr = ESR_DABT | ESR_ISV | ESR_SAS(1) | ESR_SSE | ESR_SRT(5) |
             (1ULL << 9) | DFSC_L3;           /* EA: not exposed */
    ev.far = 0xffff000012345010ULL;
    ev.ipa = ipa + 0x10;
    ctx.pc = 0x1100;
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_REASON), ==,
                    TMM_EXIT_SYNC);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_ESR), ==,
                    ESR_DABT | ESR_ISV | ESR_SAS(1) | ESR_SSE | ESR_SRT(5) |
                    DFSC_L3);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_FAR), ==, 0x010);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_HPFAR), ==,
                    (ipa >> 12) << 4);
    /* the host emulates the read */
    test_st(&m, run, TMM_REC_RUN_ENTRY_FLAGS, TMM_REC_ENTRY_EMUL_MMIO);
    test_st(&m, run, TMM_REC_RUN_ENTRY_GPRS, 0x1238000);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    g_assert_cmphex(ctx.gprs[5], ==, 0xffff8000ULL);    /* W reg, sign-ext */
    g_assert_cmphex(ctx.pc, ==, 0x1104);

    /* 64-bit store from x7 */
    ctx.gprs[7] = 0x1122334455667788ULL;
    ev.esr = ESR_DABT | ESR_ISV | ESR_SAS(3) | ESR_SRT(7) | ESR_SF |
             ESR_WNR | DFSC_L3;
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_GPRS), ==,
                    0x1122334455667788ULL);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    g_assert_cmphex(ctx.gprs[7], ==, 0x1122334455667788ULL);
    g_assert_cmphex(ctx.pc, ==, 0x1108);

    /* 8-bit store of xzr, 32-bit load into x3 */
    ev.esr = ESR_DABT | ESR_ISV | ESR_SAS(0) | ESR_SRT(31) | ESR_WNR |
             DFSC_L3;
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_GPRS), ==, 0);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    ev.esr = ESR_DABT | ESR_ISV | ESR_SAS(2) | ESR_SRT(3) | ESR_SF | DFSC_L3;
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    test_st(&m, run, TMM_REC_RUN_ENTRY_GPRS, 0xffffffff87654321ULL);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    g_assert_cmphex(ctx.gprs[3], ==, 0x87654321ULL);
    /* EMUL_MMIO is only valid once per emulatable exit */
    ev.kind = TMM_EVENT_IRQ;
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 3);

    /* non-emulatable (ISV=0) unprotected abort: WnR kept, no far */
    test_st(&m, run, TMM_REC_RUN_ENTRY_FLAGS, 0);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    ev.kind = TMM_EVENT_DATA_ABORT;
    ev.esr = ESR_DABT | ESR_WNR | ESR_SRT(4) | DFSC_L3;
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_ESR), ==,
                    ESR_DABT | ESR_WNR | DFSC_L3);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_FAR), ==, 0);
    test_st(&m, run, TMM_REC_RUN_ENTRY_FLAGS, TMM_REC_ENTRY_EMUL_MMIO);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 3);

    /* INJECT_SEA after a data abort: the machine injects it */
    test_st(&m, run, TMM_REC_RUN_ENTRY_FLAGS, TMM_REC_ENTRY_INJECT_SEA);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    g_assert_true(ctx.inject_sea);
    g_assert_cmphex(ctx.sea_far, ==, ev.far);
    g_assert_cmphex(ctx.sea_esr, ==, ev.esr);

    /* protected abort (RAM, unassigned): only EC, IL, FSC, hpfar */
    ev.esr = ESR_DABT | ESR_ISV | ESR_SRT(4) | ESR_WNR | DFSC_L3;
    ev.ipa = 0x5000;
    ctx.gprs[4] = 0x4444;
    ctx.pc = 0x3000;
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_ESR), ==,
                    ESR_DABT | DFSC_L3);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_FAR), ==, 0);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_HPFAR), ==, 0x50);
    /*
     * A host that answers it as MMIO cannot change the realm: the entry
     * fails, and the realm's register and PC are as they were.
     */
    test_st(&m, run, TMM_REC_RUN_ENTRY_FLAGS, TMM_REC_ENTRY_EMUL_MMIO);
    test_st(&m, run, TMM_REC_RUN_ENTRY_GPRS, 0xbad);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 3);
    test_st(&m, run, TMM_REC_RUN_ENTRY_FLAGS, 0);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    g_assert_cmphex(ctx.gprs[4], ==, 0x4444);
    g_assert_cmphex(ctx.pc, ==, 0x3000);
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    /* nor INJECT_SEA after a protected or an instruction abort */
    test_st(&m, run, TMM_REC_RUN_ENTRY_FLAGS, TMM_REC_ENTRY_INJECT_SEA);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    g_assert_false(ctx.inject_sea);
    ev.kind = TMM_EVENT_INSN_ABORT;
    ev.esr = ESR_IABT | DFSC_L3;
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_ESR), ==,
                    ESR_IABT | DFSC_L3);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    g_assert_false(ctx.inject_sea);
    ev.kind = TMM_EVENT_IRQ;
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    test_check(&m);
    test_realm_teardown(&m, &r);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

static void test_smccc(void)
{
    TestMem m;
    TestRealm r;
    TmmVcpuContext ctx;
    uint64_t rec, run;

    test_mem_init(&m, NULL);
    rec = active_realm(&m, &r, 1);
    run = test_ns_granule(&m);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    g_assert_cmpint(SMC(&m, rec, &ctx, 0x80000000), ==, TMM_SMC_RESUME);
    g_assert_cmphex(ctx.gprs[0], ==, 0x10001);
    g_assert_cmpint(SMC(&m, rec, &ctx, 0x80000001, 0x80000001), ==,
                    TMM_SMC_RESUME);
    g_assert_cmphex(ctx.gprs[0], ==, 0);
    g_assert_cmpint(SMC(&m, rec, &ctx, 0x80000001, 0x80008000), ==,
                    TMM_SMC_RESUME);
    g_assert_cmphex(ctx.gprs[0], ==, (uint64_t)-1);
    /* RMI from a realm, unknown RSI, vendor calls: NOT_SUPPORTED */
    g_assert_cmpint(SMC(&m, rec, &ctx, TMM_RMI_VERSION, 0x10000), ==,
                    TMM_SMC_RESUME);
    g_assert_cmphex(ctx.gprs[0], ==, (uint64_t)-1);
    g_assert_cmpint(SMC(&m, rec, &ctx, TMM_SMC_FID(0x19F)), ==,
                    TMM_SMC_RESUME);
    g_assert_cmphex(ctx.gprs[0], ==, (uint64_t)-1);
    g_assert_cmpint(SMC(&m, rec, &ctx, 0xC6000000), ==, TMM_SMC_RESUME);
    g_assert_cmphex(ctx.gprs[0], ==, (uint64_t)-1);
    {
        TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };

        g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    }
    test_realm_teardown(&m, &r);
    test_undelegate_all(&m);
    test_mem_fini(&m, true);
}

/*
 * A trapped ICC_SGI1R_EL1 write and a trapped WFI: the host sees the
 * syndrome without Rt and the value written; the REC resumes after the
 * instruction.
 */
static void test_traps(void)
{
    TestMem m;
    TestRealm r;
    TmmVcpuContext ctx;
    TmmExitEvent ev = { .kind = TMM_EVENT_SYSREG_WRITE };
    uint64_t rec, run;
    /* MSR ICC_SGI1R_EL1, x9: Op0 3 Op2 5 Op1 0 CRn 12 CRm 11, write */
    uint64_t iss = TMM_SYSREG(3, 0, 12, 11, 5) | (9 << 5);

    test_mem_init(&m, NULL);
    rec = active_realm(&m, &r, 1);
    run = test_ns_granule(&m);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    ctx.pc = 0x2000;
    ctx.gprs[9] = 0x10000ff;
    ev.esr = (0x18ULL << 26) | (1ULL << 25) | iss;
    ev.value = ctx.gprs[9];
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_REASON), ==,
                    TMM_EXIT_SYNC);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_ESR), ==,
                    (0x18ULL << 26) | (1ULL << 25) |
                    TMM_SYSREG(3, 0, 12, 11, 5));
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_GPRS), ==, 0x10000ff);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_GPRS + 8 * 9), ==, 0);
    /* nothing to emulate: EMUL_MMIO is refused, a plain entry steps on */
    test_st(&m, run, TMM_REC_RUN_ENTRY_FLAGS, TMM_REC_ENTRY_EMUL_MMIO);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 3);
    test_st(&m, run, TMM_REC_RUN_ENTRY_FLAGS, 0);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    g_assert_cmphex(ctx.pc, ==, 0x2004);
    g_assert_cmphex(ctx.gprs[9], ==, 0x10000ff);

    /* WFI */
    ev.kind = TMM_EVENT_WFX;
    ev.esr = (0x01ULL << 26) | (1ULL << 25) | (1ULL << 24);
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_ESR), ==, ev.esr);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    g_assert_cmphex(ctx.pc, ==, 0x2008);
    test_mem_fini(&m, false);
}

/*
 * The list registers go in at entry as the host gave them (checked) and
 * come out at every exit with MISR, VMCR and the timers.
 */
static void test_gicv3_timer_state(void)
{
    TestMem m;
    TestRealm r;
    TmmVcpuContext ctx;
    TmmExitEvent ev = { .kind = TMM_EVENT_IRQ };
    uint64_t rec, run, lr = (1ULL << 62) | (1ULL << 60) | (0xa0ULL << 48) |
                            27;

    test_mem_init(&m, NULL);
    rec = active_realm(&m, &r, 1);
    run = test_ns_granule(&m);
    test_st(&m, run, TMM_REC_RUN_ENTRY_GICV3_HCR, 1ULL << 1);
    test_st(&m, run, TMM_REC_RUN_ENTRY_GICV3_LRS + 8 * 2, lr);
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    g_assert_cmphex(ctx.gicv3_hcr, ==, 1ULL << 1);
    g_assert_cmphex(ctx.gicv3_lrs[2], ==, lr);
    g_assert_cmphex(ctx.gicv3_lrs[0], ==, 0);

    ctx.gicv3_lrs[2] = 0;
    ctx.gicv3_lrs[3] = (2ULL << 62) | 33;
    ctx.gicv3_misr = 1;
    ctx.gicv3_vmcr = 0xf0000003ULL;
    ctx.cntv_ctl = 5;
    ctx.cntv_cval = 0x123456789ULL;
    ctx.cntp_ctl = 1;
    ctx.cntp_cval = 77;
    g_assert_cmphex(tmm_rec_exit(m.tmm, rec, &ctx, &ev), ==, 0);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_REASON), ==,
                    TMM_EXIT_IRQ);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_GICV3_LRS + 8 * 2), ==,
                    0);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_GICV3_LRS + 8 * 3), ==,
                    (2ULL << 62) | 33);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_GICV3_MISR), ==, 1);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_GICV3_VMCR), ==,
                    0xf0000003ULL);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_CNTV_CTL), ==, 5);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_CNTV_CVAL), ==,
                    0x123456789ULL);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_CNTP_CTL), ==, 1);
    g_assert_cmphex(test_ld(&m, run, TMM_REC_RUN_EXIT_CNTP_CVAL), ==, 77);
    test_mem_fini(&m, false);
}

/* ID registers as the realm parameters give them */
static void test_id_registers(void)
{
    TestMem m;
    TestRealm r;
    TmmVcpuContext ctx;
    uint64_t rec, run, v;
    uint32_t pfr0 = TMM_SYSREG(3, 0, 0, 4, 0), dfr0 = TMM_SYSREG(3, 0, 0, 5, 0);

    test_mem_init(&m, NULL);
    rec = active_realm(&m, &r, 1);
    run = test_ns_granule(&m);
    /* only a running REC reads them */
    g_assert_false(tmm_rec_sysreg_read(m.tmm, rec, pfr0, 0, &v));
    g_assert_cmphex(test_enter(&m, rec, run, &ctx), ==, 0);
    /* SVE, MPAM and AMU gone; EL0-EL3, SEL2, FP, AdvSIMD, GIC kept */
    g_assert_true(tmm_rec_sysreg_read(m.tmm, rec, pfr0,
                                      0x0000111101111111ULL, &v));
    g_assert_cmphex(v, ==, 0x0000001001111111ULL);
    /* BRPs/WRPs from the params (test realms: 5 and 3), no PMU */
    g_assert_true(tmm_rec_sysreg_read(m.tmm, rec, dfr0, 0xf0f0f1f6ULL, &v));
    g_assert_cmphex(v, ==, 0xf03050f6ULL);
    /* SVE and SME ID registers read as zero */
    g_assert_true(tmm_rec_sysreg_read(m.tmm, rec, TMM_SYSREG(3, 0, 0, 4, 4),
                                      ~0ULL, &v));
    g_assert_cmphex(v, ==, 0);
    /* others are the CPU's */
    g_assert_true(tmm_rec_sysreg_read(m.tmm, rec, TMM_SYSREG(3, 0, 0, 6, 0),
                                      0x1234, &v));
    g_assert_cmphex(v, ==, 0x1234);
    /* not an ID register: not emulated */
    g_assert_false(tmm_rec_sysreg_read(m.tmm, rec, TMM_SYSREG(3, 0, 1, 0, 0),
                                       0, &v));
    test_mem_fini(&m, false);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tmm/rec/create-fail", test_create_fail);
    g_test_add_func("/tmm/rec/enter-fail", test_enter_fail);
    g_test_add_func("/tmm/rec/enter-gicv3", test_enter_gicv3);
    g_test_add_func("/tmm/rec/entry-context", test_entry_context);
    g_test_add_func("/tmm/rec/mmio", test_mmio);
    g_test_add_func("/tmm/rec/smccc", test_smccc);
    g_test_add_func("/tmm/rec/traps", test_traps);
    g_test_add_func("/tmm/rec/gicv3-timer-state", test_gicv3_timer_state);
    g_test_add_func("/tmm/rec/id-registers", test_id_registers);
    return g_test_run();
}
