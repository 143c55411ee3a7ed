/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest of the virtcca machine's TZASC (TZC-400) and its Secure DRAM.
 *
 * qtest accesses are Non-secure, and the TZC's programming port answers
 * Secure transactions only, so the registers are driven through a tiny
 * secure agent: a raw AArch64 image loaded with -bios into the Secure
 * boot ROM, run by the (TCG) CPU at EL3.  It polls a mailbox in
 * Non-secure DRAM, performs the 32-bit read or write asked for from the
 * Secure world, and reports the value, whether the access faulted, and a
 * done flag.  The test is the only other party: it fills the mailbox with
 * qtest writes and waits (with a timeout) for the done flag.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qnum.h"

#define TZASC_BASE      0x09030000ULL
#define SEC_BASE        0x4000000000ULL
#define SEC_SIZE        (64 * 1024 * 1024ULL)   /* the machine's default */
#define RAM_MB          512

/* Register offsets (DDI 0504). */
#define BUILD_CONFIG            0x000
#define ACTION                  0x004
#define GATE_KEEPER             0x008
#define SPECULATION_CTRL        0x00c
#define INT_STATUS              0x010
#define INT_CLEAR               0x014
#define FAIL_ADDRESS_LOW(f)     (0x020 + (f) * 0x10)
#define FAIL_ADDRESS_HIGH(f)    (0x024 + (f) * 0x10)
#define FAIL_CONTROL(f)         (0x028 + (f) * 0x10)
#define FAIL_ID(f)              (0x02c + (f) * 0x10)
#define REGION_BASE_LOW(n)      (0x100 + (n) * 0x20)
#define REGION_BASE_HIGH(n)     (0x104 + (n) * 0x20)
#define REGION_TOP_LOW(n)       (0x108 + (n) * 0x20)
#define REGION_TOP_HIGH(n)      (0x10c + (n) * 0x20)
#define REGION_ATTRIBUTES(n)    (0x110 + (n) * 0x20)
#define REGION_ID_ACCESS(n)     (0x114 + (n) * 0x20)

#define S_WR_EN         (1u << 31)
#define S_RD_EN         (1u << 30)
#define NSAID0_RD       (1u << 0)
#define NSAID0_WR       (1u << 16)
#define FAIL_WRITE      (1u << 24)
#define FAIL_NS         (1u << 21)
#define FAIL_PRIV       (1u << 20)

/*
 * The mailbox, in Non-secure DRAM well above the DTB the machine loads at
 * the base of DRAM.  The test writes ADDR and VALUE, clears DONE, then
 * writes CMD last; the agent answers in STATUS, VALUE and DONE.
 */
#define MBOX            0x48000000ULL
#define MBOX_CMD        0x00    /* u32: 0 idle, 1 read32, 2 write32 */
#define MBOX_STATUS     0x04    /* u32: 0 done, 1 the access faulted */
#define MBOX_ADDR       0x08    /* u64 */
#define MBOX_VALUE      0x10    /* u32 */
#define MBOX_DONE       0x14    /* u32: set to 1 when the command is done */

#define CMD_READ32      1
#define CMD_WRITE32     2

#define AGENT_TIMEOUT_US    (10 * G_USEC_PER_SEC)

/*
 * The agent, little-endian instruction words.  It runs at EL3 with the
 * MMU off, so its accesses are Secure; the external abort of a refused
 * access is taken to VBAR_EL3 + 0x200, which flags the fault and resumes
 * after the faulting instruction.
 */
static const uint32_t agent_code[] = {
    0xd2a90000, /* 0x00: movz x0, #0x4800, lsl #16    x0 = MBOX          */
    0xd2810005, /* 0x04: mov  x5, #0x800                                 */
    0xd51ec005, /* 0x08: msr  vbar_el3, x5                               */
    0xd5033fdf, /* 0x0c: isb                                             */
    0xb9400001, /* 0x10: loop: ldr w1, [x0]           w1 = CMD           */
    0x34ffffe1, /* 0x14: cbz  w1, loop                                   */
    0xf9400402, /* 0x18: ldr  x2, [x0, #8]            x2 = ADDR          */
    0xb9401003, /* 0x1c: ldr  w3, [x0, #16]           w3 = VALUE         */
    0xb900041f, /* 0x20: str  wzr, [x0, #4]           STATUS = 0         */
    0x7100043f, /* 0x24: cmp  w1, #1                                     */
    0x540000a1, /* 0x28: b.ne write                                      */
    0x52800003, /* 0x2c: mov  w3, #0                                     */
    0xb9400043, /* 0x30: ldr  w3, [x2]                the Secure read    */
    0xb9001003, /* 0x34: str  w3, [x0, #16]           VALUE = w3         */
    0x14000002, /* 0x38: b    finish                                     */
    0xb9000043, /* 0x3c: write: str w3, [x2]          the Secure write   */
    0xd5033f9f, /* 0x40: finish: dsb sy                                  */
    0xb900001f, /* 0x44: str  wzr, [x0]               CMD = 0            */
    0x52800024, /* 0x48: mov  w4, #1                                     */
    0xb9001404, /* 0x4c: str  w4, [x0, #20]           DONE = 1           */
    0x17fffff0, /* 0x50: b    loop                                       */
};

/* At VBAR_EL3 + 0x200: synchronous exception, current EL, SP_ELx. */
#define AGENT_VECTOR    0xa00
static const uint32_t agent_sync_handler[] = {
    0x52800025, /* mov  w5, #1                                           */
    0xb9000405, /* str  w5, [x0, #4]                  STATUS = 1         */
    0xd53e4025, /* mrs  x5, elr_el3                                      */
    0x910010a5, /* add  x5, x5, #4                    skip the access    */
    0xd51e4025, /* msr  elr_el3, x5                                      */
    0xd69f03e0, /* eret                                                  */
};

static char *make_agent(void)
{
    g_autofree uint32_t *image = g_new0(uint32_t, AGENT_VECTOR / 4 +
                                        ARRAY_SIZE(agent_sync_handler));
    size_t size = AGENT_VECTOR + sizeof(agent_sync_handler);
    char *path = NULL;
    int fd = g_file_open_tmp("tzc400-agent-XXXXXX", &path, NULL);
    size_t i;

    g_assert(fd >= 0);
    for (i = 0; i < ARRAY_SIZE(agent_code); i++) {
        image[i] = cpu_to_le32(agent_code[i]);
    }
    for (i = 0; i < ARRAY_SIZE(agent_sync_handler); i++) {
        image[AGENT_VECTOR / 4 + i] = cpu_to_le32(agent_sync_handler[i]);
    }
    g_assert(write(fd, image, size) == size);
    close(fd);
    return path;
}

typedef struct {
    QTestState *qts;
    char *agent;
} Machine;

static Machine *start(const char *extra)
{
    Machine *m = g_new0(Machine, 1);

    m->agent = make_agent();
    m->qts = qtest_initf("-machine virtcca%s -accel tcg -m %d -smp 1 "
                         "-nic none -bios %s", extra, RAM_MB, m->agent);
    return m;
}

static void stop(Machine *m)
{
    qtest_quit(m->qts);
    unlink(m->agent);
    g_free(m->agent);
    g_free(m);
}

/* One command to the agent; returns false if the Secure access faulted. */
static bool agent_cmd(Machine *m, uint32_t cmd, uint64_t addr,
                      uint32_t *value)
{
    QTestState *qts = m->qts;
    gint64 deadline = g_get_monotonic_time() + AGENT_TIMEOUT_US;

    qtest_writeq(qts, MBOX + MBOX_ADDR, addr);
    qtest_writel(qts, MBOX + MBOX_VALUE, *value);
    qtest_writel(qts, MBOX + MBOX_DONE, 0);
    qtest_writel(qts, MBOX + MBOX_CMD, cmd);
    while (qtest_readl(qts, MBOX + MBOX_DONE) != 1) {
        if (g_get_monotonic_time() > deadline) {
            g_test_message("the secure agent did not answer (cmd %u, "
                           "address 0x%" PRIx64 ")", cmd, addr);
            g_assert_not_reached();
        }
        g_usleep(100);
    }
    *value = qtest_readl(qts, MBOX + MBOX_VALUE);
    return qtest_readl(qts, MBOX + MBOX_STATUS) == 0;
}

static uint32_t sread(Machine *m, uint64_t addr)
{
    uint32_t value = 0;

    g_assert(agent_cmd(m, CMD_READ32, addr, &value));
    return value;
}

static void swrite(Machine *m, uint64_t addr, uint32_t value)
{
    g_assert(agent_cmd(m, CMD_WRITE32, addr, &value));
}

static uint32_t treg(Machine *m, uint32_t offset)
{
    return sread(m, TZASC_BASE + offset);
}

static void set_treg(Machine *m, uint32_t offset, uint32_t value)
{
    swrite(m, TZASC_BASE + offset, value);
}

static uint64_t violations(Machine *m)
{
    QDict *rsp = qtest_qmp(m->qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/machine/tzasc', "
                           "'property': 'violations'}}");
    uint64_t v;

    g_assert(qdict_haskey(rsp, "return"));
    v = qnum_get_uint(qobject_to(QNum, qdict_get(rsp, "return")));
    qobject_unref(rsp);
    return v;
}

static void program_region(Machine *m, int n, uint64_t base, uint64_t top,
                           uint32_t attributes, uint32_t id_access)
{
    set_treg(m, REGION_ATTRIBUTES(n), 0);
    set_treg(m, REGION_BASE_LOW(n), base);
    set_treg(m, REGION_BASE_HIGH(n), base >> 32);
    set_treg(m, REGION_TOP_LOW(n), top);
    set_treg(m, REGION_TOP_HIGH(n), top >> 32);
    set_treg(m, REGION_ID_ACCESS(n), id_access);
    set_treg(m, REGION_ATTRIBUTES(n), attributes);
}

/*
 * Values after reset.  ACTION, GATE_KEEPER and regions 0 and 1 are what
 * the machine programs at reset, as firmware would (the TRM's reset
 * values there are 0: nothing enabled, every gate closed); everything
 * else must hold the TRM's reset value.
 */
static void test_reset_values(void)
{
    Machine *m = start("");
    uint64_t top = SEC_BASE + SEC_SIZE - 1;
    int i;

    /* 4 filters, 64-bit addresses, 9 regions. */
    g_assert_cmphex(treg(m, BUILD_CONFIG), ==, 0x03003f08);
    g_assert_cmphex(treg(m, SPECULATION_CTRL), ==, 0);
    g_assert_cmphex(treg(m, INT_STATUS), ==, 0);
    g_assert_cmphex(treg(m, INT_CLEAR), ==, 0);
    for (i = 0; i < 4; i++) {
        g_assert_cmphex(treg(m, FAIL_ADDRESS_LOW(i)), ==, 0);
        g_assert_cmphex(treg(m, FAIL_ADDRESS_HIGH(i)), ==, 0);
        g_assert_cmphex(treg(m, FAIL_CONTROL(i)), ==, 0);
        g_assert_cmphex(treg(m, FAIL_ID(i)), ==, 0);
    }
    for (i = 2; i < 9; i++) {
        g_assert_cmphex(treg(m, REGION_BASE_LOW(i)), ==, 0);
        g_assert_cmphex(treg(m, REGION_BASE_HIGH(i)), ==, 0);
        g_assert_cmphex(treg(m, REGION_TOP_LOW(i)), ==, 0xfff);
        g_assert_cmphex(treg(m, REGION_TOP_HIGH(i)), ==, 0);
        g_assert_cmphex(treg(m, REGION_ATTRIBUTES(i)), ==, 0);
        g_assert_cmphex(treg(m, REGION_ID_ACCESS(i)), ==, 0);
    }

    /* Region 0 covers the whole 64-bit space. */
    g_assert_cmphex(treg(m, REGION_BASE_LOW(0)), ==, 0);
    g_assert_cmphex(treg(m, REGION_BASE_HIGH(0)), ==, 0);
    g_assert_cmphex(treg(m, REGION_TOP_LOW(0)), ==, 0xffffffff);
    g_assert_cmphex(treg(m, REGION_TOP_HIGH(0)), ==, 0xffffffff);

    /* The machine's programming: see virtcca_program_tzasc(). */
    g_assert_cmphex(treg(m, ACTION), ==, 3);
    g_assert_cmphex(treg(m, GATE_KEEPER), ==, 0x000f000f);
    g_assert_cmphex(treg(m, REGION_ATTRIBUTES(0)), ==, S_WR_EN | S_RD_EN | 0xf);
    g_assert_cmphex(treg(m, REGION_ID_ACCESS(0)), ==, 0);
    g_assert_cmphex(treg(m, REGION_BASE_LOW(1)), ==, (uint32_t)SEC_BASE);
    g_assert_cmphex(treg(m, REGION_BASE_HIGH(1)), ==, SEC_BASE >> 32);
    g_assert_cmphex(treg(m, REGION_TOP_LOW(1)), ==, (uint32_t)top);
    g_assert_cmphex(treg(m, REGION_TOP_HIGH(1)), ==, top >> 32);
    g_assert_cmphex(treg(m, REGION_ATTRIBUTES(1)), ==, S_WR_EN | S_RD_EN | 0xf);
    g_assert_cmphex(treg(m, REGION_ID_ACCESS(1)), ==, 0);

    g_assert_cmpuint(violations(m), ==, 0);
    stop(m);
}

static void check_rw(Machine *m, uint32_t offset, uint32_t ones,
                     uint32_t zeros)
{
    set_treg(m, offset, 0xffffffff);
    g_assert_cmphex(treg(m, offset), ==, ones);
    set_treg(m, offset, 0);
    g_assert_cmphex(treg(m, offset), ==, zeros);
}

static void check_ro(Machine *m, uint32_t offset)
{
    uint32_t before = treg(m, offset);

    set_treg(m, offset, ~before);
    g_assert_cmphex(treg(m, offset), ==, before);
}

static void test_masks(void)
{
    Machine *m = start("");
    int i;

    check_rw(m, ACTION, 0x3, 0);
    check_rw(m, SPECULATION_CTRL, 0x3, 0);
    for (i = 2; i < 9; i++) {
        /*
         * Attributes first: an enabled region at the top of the space,
         * which nothing here reaches, while the others are set to ones.
         */
        check_rw(m, REGION_ATTRIBUTES(i), 0xc000000f, 0);
        check_rw(m, REGION_BASE_LOW(i), 0xfffff000, 0);
        check_rw(m, REGION_BASE_HIGH(i), 0xffffffff, 0);
        check_rw(m, REGION_TOP_LOW(i), 0xffffffff, 0xfff);
        check_rw(m, REGION_TOP_HIGH(i), 0xffffffff, 0);
        check_rw(m, REGION_ID_ACCESS(i), 0xffffffff, 0);
    }

    /* Region 0: fixed extent; filter_en always set. */
    check_ro(m, REGION_BASE_LOW(0));
    check_ro(m, REGION_BASE_HIGH(0));
    check_ro(m, REGION_TOP_LOW(0));
    check_ro(m, REGION_TOP_HIGH(0));
    check_rw(m, REGION_ATTRIBUTES(0), 0xc000000f, 0xf);
    check_rw(m, REGION_ID_ACCESS(0), 0xffffffff, 0);
    set_treg(m, REGION_ATTRIBUTES(0), S_WR_EN | S_RD_EN);

    /* Read-only registers. */
    check_ro(m, BUILD_CONFIG);
    check_ro(m, INT_STATUS);
    for (i = 0; i < 4; i++) {
        check_ro(m, FAIL_ADDRESS_LOW(i));
        check_ro(m, FAIL_ADDRESS_HIGH(i));
        check_ro(m, FAIL_CONTROL(i));
        check_ro(m, FAIL_ID(i));
    }
    check_ro(m, 0xfe0);

    /* Gate keeper: open_request [3:0], open_status [19:16] follows it. */
    set_treg(m, GATE_KEEPER, 0xfffffffe);
    g_assert_cmphex(treg(m, GATE_KEEPER), ==, 0x000e000e);
    set_treg(m, GATE_KEEPER, 0xf);
    g_assert_cmphex(treg(m, GATE_KEEPER), ==, 0x000f000f);
    stop(m);
}

static void test_ids(void)
{
    static const uint32_t ids[12] = {
        0x04, 0x00, 0x00, 0x00,     /* PID4..PID7 */
        0x60, 0xb4, 0x2b, 0x00,     /* PID0..PID3: part 0x460, Arm */
        0x0d, 0xf0, 0x05, 0xb1,     /* CID0..CID3 */
    };
    Machine *m = start("");
    int i;

    for (i = 0; i < 12; i++) {
        g_assert_cmphex(treg(m, 0xfd0 + i * 4), ==, ids[i]);
    }
    stop(m);
}

/* The programming port is not in the Non-secure address space. */
static void test_ns_register_access(void)
{
    Machine *m = start("");
    QTestState *qts = m->qts;

    g_assert_cmphex(qtest_readl(qts, TZASC_BASE + BUILD_CONFIG), ==, 0);
    g_assert_cmphex(qtest_readl(qts, TZASC_BASE + 0xfe0), ==, 0);
    g_assert_cmphex(qtest_readl(qts, TZASC_BASE + ACTION), ==, 0);

    qtest_writel(qts, TZASC_BASE + ACTION, 0);
    qtest_writel(qts, TZASC_BASE + GATE_KEEPER, 0);
    qtest_writel(qts, TZASC_BASE + REGION_ID_ACCESS(1), 0xffffffff);
    qtest_writel(qts, TZASC_BASE + REGION_ATTRIBUTES(0), 0);

    g_assert_cmphex(treg(m, ACTION), ==, 3);
    g_assert_cmphex(treg(m, GATE_KEEPER), ==, 0x000f000f);
    g_assert_cmphex(treg(m, REGION_ID_ACCESS(1)), ==, 0);
    g_assert_cmphex(treg(m, REGION_ATTRIBUTES(0)), ==, S_WR_EN | S_RD_EN | 0xf);
    stop(m);
}

static void test_ns_blocked(void)
{
    Machine *m = start("");
    QTestState *qts = m->qts;
    uint64_t a = SEC_BASE + 0x100;
    uint64_t last = SEC_BASE + SEC_SIZE - 4;

    qtest_irq_intercept_out_named(qts, "/machine/tzasc", "irq");

    /* Secure reads and writes of the carve-out work. */
    swrite(m, a, 0x12345678);
    swrite(m, last, 0x9abcdef0);
    g_assert_cmphex(sread(m, a), ==, 0x12345678);
    g_assert_cmphex(sread(m, last), ==, 0x9abcdef0);
    g_assert_cmpuint(violations(m), ==, 0);
    g_assert_false(qtest_get_irq(qts, 0));

    /* A Non-secure read gets nothing and is recorded. */
    g_assert_cmphex(qtest_readl(qts, a), ==, 0);
    g_assert_cmpuint(violations(m), ==, 1);
    g_assert_true(qtest_get_irq(qts, 0));
    g_assert_cmphex(treg(m, INT_STATUS), ==, 0x1);
    g_assert_cmphex(treg(m, FAIL_ADDRESS_LOW(0)), ==, (uint32_t)a);
    g_assert_cmphex(treg(m, FAIL_ADDRESS_HIGH(0)), ==, a >> 32);
    g_assert_cmphex(treg(m, FAIL_CONTROL(0)), ==, FAIL_NS | FAIL_PRIV);
    g_assert_cmphex(treg(m, FAIL_ID(0)), ==, 0);

    /*
     * A Non-secure write changes nothing; the first failure stays in the
     * fail registers and the second one sets overrun.
     */
    qtest_writel(qts, a, 0xdeadbeef);
    qtest_writel(qts, last, 0xdeadbeef);
    g_assert_cmpuint(violations(m), ==, 3);
    g_assert_cmphex(sread(m, a), ==, 0x12345678);
    g_assert_cmphex(sread(m, last), ==, 0x9abcdef0);
    g_assert_cmphex(treg(m, INT_STATUS), ==, 0x101);
    g_assert_cmphex(treg(m, FAIL_ADDRESS_LOW(0)), ==, (uint32_t)a);
    g_assert_cmphex(treg(m, FAIL_CONTROL(0)), ==, FAIL_NS | FAIL_PRIV);

    /* INT_CLEAR clears status and overrun, and lowers TZCINT. */
    set_treg(m, INT_CLEAR, 0x1);
    g_assert_cmphex(treg(m, INT_STATUS), ==, 0);
    g_assert_false(qtest_get_irq(qts, 0));

    /* The next failure is recorded afresh: a write this time. */
    qtest_writel(qts, last, 0x1);
    g_assert_true(qtest_get_irq(qts, 0));
    g_assert_cmphex(treg(m, FAIL_ADDRESS_LOW(0)), ==, (uint32_t)last);
    g_assert_cmphex(treg(m, FAIL_ADDRESS_HIGH(0)), ==, last >> 32);
    g_assert_cmphex(treg(m, FAIL_CONTROL(0)), ==,
                    FAIL_WRITE | FAIL_NS | FAIL_PRIV);
    g_assert_cmphex(sread(m, last), ==, 0x9abcdef0);
    set_treg(m, INT_CLEAR, 0x1);
    g_assert_false(qtest_get_irq(qts, 0));

    /* Without the interrupt in ACTION, failures are recorded silently. */
    set_treg(m, ACTION, 1);
    g_assert_cmphex(qtest_readl(qts, a), ==, 0);
    g_assert_cmphex(treg(m, INT_STATUS), ==, 0x1);
    g_assert_false(qtest_get_irq(qts, 0));
    /* ... and asking for it again raises the pending one. */
    set_treg(m, ACTION, 3);
    g_assert_true(qtest_get_irq(qts, 0));
    set_treg(m, INT_CLEAR, 0x1);
    g_assert_false(qtest_get_irq(qts, 0));
    g_assert_cmpuint(violations(m), ==, 5);
    stop(m);
}

/* A region opened to NSAID 0 lets the Non-secure world through. */
static void test_ns_open_region(void)
{
    Machine *m = start("");
    QTestState *qts = m->qts;
    uint64_t base = SEC_BASE + 0x10000;
    uint64_t top = base + 0xfff;

    swrite(m, base + 0x10, 0xcafef00d);
    swrite(m, base + 0x1000, 0x0badf00d);
    g_assert_cmphex(qtest_readl(qts, base + 0x10), ==, 0);
    g_assert_cmpuint(violations(m), ==, 1);
    set_treg(m, INT_CLEAR, 0x1);

    /* Read-only for the Non-secure world. */
    program_region(m, 2, base, top, S_RD_EN | S_WR_EN | 0x1, NSAID0_RD);
    g_assert_cmphex(qtest_readl(qts, base + 0x10), ==, 0xcafef00d);
    g_assert_cmpuint(violations(m), ==, 1);
    qtest_writel(qts, base + 0x10, 0x11111111);
    g_assert_cmpuint(violations(m), ==, 2);
    g_assert_cmphex(treg(m, FAIL_CONTROL(0)), ==,
                    FAIL_WRITE | FAIL_NS | FAIL_PRIV);
    g_assert_cmphex(sread(m, base + 0x10), ==, 0xcafef00d);
    set_treg(m, INT_CLEAR, 0x1);

    /* The page after the region is still the carve-out's. */
    g_assert_cmphex(qtest_readl(qts, base + 0x1000), ==, 0);
    g_assert_cmpuint(violations(m), ==, 3);
    set_treg(m, INT_CLEAR, 0x1);

    /* Read-write for the Non-secure world. */
    set_treg(m, REGION_ID_ACCESS(2), NSAID0_RD | NSAID0_WR);
    qtest_writel(qts, base + 0x10, 0x22222222);
    g_assert_cmphex(sread(m, base + 0x10), ==, 0x22222222);
    g_assert_cmpuint(violations(m), ==, 3);

    /* Only NSAID 0 is a Non-secure master of this machine. */
    set_treg(m, REGION_ID_ACCESS(2), 0xfffe0000 | 0xfffe);
    g_assert_cmphex(qtest_readl(qts, base + 0x10), ==, 0);
    g_assert_cmpuint(violations(m), ==, 4);
    set_treg(m, INT_CLEAR, 0x1);

    /* A region not enabled for filter 0 does not apply. */
    set_treg(m, REGION_ID_ACCESS(2), NSAID0_RD | NSAID0_WR);
    set_treg(m, REGION_ATTRIBUTES(2), S_RD_EN | S_WR_EN | 0xe);
    g_assert_cmphex(qtest_readl(qts, base + 0x10), ==, 0);
    g_assert_cmpuint(violations(m), ==, 5);
    set_treg(m, INT_CLEAR, 0x1);
    stop(m);
}

/* A closed gate blocks every access, Secure ones included. */
static void test_gate_keeper(void)
{
    Machine *m = start("");
    QTestState *qts = m->qts;
    uint64_t base = SEC_BASE + 0x20000;
    uint32_t value = 0;

    program_region(m, 3, base, base + 0xfff, S_RD_EN | S_WR_EN | 0x1,
                   NSAID0_RD | NSAID0_WR);
    swrite(m, base, 0x5ec0de);
    g_assert_cmphex(qtest_readl(qts, base), ==, 0x5ec0de);
    g_assert_cmpuint(violations(m), ==, 0);

    set_treg(m, GATE_KEEPER, 0xe);
    g_assert_cmphex(treg(m, GATE_KEEPER), ==, 0x000e000e);
    g_assert_cmphex(qtest_readl(qts, base), ==, 0);
    qtest_writel(qts, base, 0xbad);
    g_assert_cmpuint(violations(m), ==, 2);
    g_assert_false(agent_cmd(m, CMD_READ32, base, &value));
    g_assert_cmpuint(violations(m), ==, 3);
    /* Stalls on hardware: not a region permission failure. */
    g_assert_cmphex(treg(m, INT_STATUS), ==, 0);

    set_treg(m, GATE_KEEPER, 0xf);
    g_assert_cmphex(sread(m, base), ==, 0x5ec0de);
    g_assert_cmphex(qtest_readl(qts, base), ==, 0x5ec0de);
    g_assert_cmpuint(violations(m), ==, 3);
    stop(m);
}

/*
 * The CPU path: a page open one way only for the Secure world.  Reads go
 * through; the write is refused with DECERR (an external abort for the
 * agent) and recorded as a Secure write.
 */
static void test_secure_read_only(void)
{
    Machine *m = start("");
    uint64_t base = SEC_BASE + 0x30000;
    uint32_t value = 0x77777777;

    swrite(m, base + 8, 0x600dcafe);
    program_region(m, 4, base, base + 0xfff, S_RD_EN | 0x1, 0);
    g_assert_cmphex(sread(m, base + 8), ==, 0x600dcafe);
    g_assert_cmpuint(violations(m), ==, 0);

    g_assert_false(agent_cmd(m, CMD_WRITE32, base + 8, &value));
    g_assert_cmpuint(violations(m), ==, 1);
    g_assert_cmphex(treg(m, INT_STATUS), ==, 0x1);
    g_assert_cmphex(treg(m, FAIL_ADDRESS_LOW(0)), ==, (uint32_t)(base + 8));
    g_assert_cmphex(treg(m, FAIL_ADDRESS_HIGH(0)), ==, base >> 32);
    g_assert_cmphex(treg(m, FAIL_CONTROL(0)), ==, FAIL_WRITE | FAIL_PRIV);
    g_assert_cmphex(sread(m, base + 8), ==, 0x600dcafe);

    /* With ACTION = OKAY, the refused write is ignored without a fault. */
    set_treg(m, ACTION, 2);
    swrite(m, base + 8, 0x12121212);
    g_assert_cmpuint(violations(m), ==, 2);
    g_assert_cmphex(sread(m, base + 8), ==, 0x600dcafe);
    set_treg(m, INT_CLEAR, 0x1);
    stop(m);
}

/*
 * Secure CPUs reach what the regions open to them both ways without the
 * filter's IOMMU: the model keeps that direct path to the runs between
 * region edges, so a region closing one page in the middle must cut it,
 * and the page must come back when the region goes.
 */
static void test_secure_region_edges(void)
{
    Machine *m = start("");
    uint64_t base = SEC_BASE + 0x40000;
    uint32_t value = 0x5a5a5a5a;
    int i;

    for (i = 0; i < 3; i++) {
        swrite(m, base + i * 0x1000, 0x1000 + i);
    }
    program_region(m, 6, base + 0x1000, base + 0x1fff, 0x1, 0);
    g_assert_cmphex(sread(m, base), ==, 0x1000);
    g_assert_cmphex(sread(m, base + 0x2000), ==, 0x1002);
    swrite(m, base, 0x2000);
    swrite(m, base + 0x2000, 0x2002);
    g_assert_cmpuint(violations(m), ==, 0);

    g_assert_false(agent_cmd(m, CMD_READ32, base + 0x1000, &value));
    g_assert_false(agent_cmd(m, CMD_WRITE32, base + 0x1ffc, &value));
    g_assert_cmpuint(violations(m), ==, 2);
    g_assert_cmphex(treg(m, FAIL_ADDRESS_LOW(0)), ==,
                    (uint32_t)(base + 0x1000));
    set_treg(m, INT_CLEAR, 0x1);

    set_treg(m, REGION_ATTRIBUTES(6), 0);
    g_assert_cmphex(sread(m, base + 0x1000), ==, 0x1001);
    swrite(m, base + 0x1000, 0x2001);
    g_assert_cmphex(sread(m, base + 0x1000), ==, 0x2001);
    g_assert_cmphex(sread(m, base), ==, 0x2000);
    g_assert_cmphex(sread(m, base + 0x2000), ==, 0x2002);
    g_assert_cmpuint(violations(m), ==, 2);
    stop(m);
}

/* secure-memory-size=0: no Secure DRAM, no TZASC. */
static void test_no_secure_memory(void)
{
    Machine *m = start(",secure-memory-size=0");
    QDict *rsp;
    uint32_t value = 0;

    rsp = qtest_qmp(m->qts, "{'execute': 'qom-get', 'arguments': "
                    "{'path': '/machine/tzasc', 'property': 'violations'}}");
    g_assert(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    g_assert_false(agent_cmd(m, CMD_READ32, TZASC_BASE + BUILD_CONFIG,
                             &value));
    g_assert_false(agent_cmd(m, CMD_READ32, SEC_BASE, &value));
    stop(m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/tzc400/reset-values", test_reset_values);
    qtest_add_func("/tzc400/masks", test_masks);
    qtest_add_func("/tzc400/ids", test_ids);
    qtest_add_func("/tzc400/ns-register-access", test_ns_register_access);
    qtest_add_func("/tzc400/ns-blocked", test_ns_blocked);
    qtest_add_func("/tzc400/ns-open-region", test_ns_open_region);
    qtest_add_func("/tzc400/gate-keeper", test_gate_keeper);
    qtest_add_func("/tzc400/secure-read-only", test_secure_read_only);
    qtest_add_func("/tzc400/secure-region-edges", test_secure_region_edges);
    qtest_add_func("/tzc400/no-secure-memory", test_no_secure_memory);

    return g_test_run();
}
