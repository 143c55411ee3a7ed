/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bare-metal realm payload for virtcca's tests: it runs at EL1 in a
 * realm with the MMU off, talks to the monitor with RSI and PSCI over
 * SMC, and prints what it observed on the PL011 (through its unprotected
 * alias) as lines the Python tests parse.
 *
 * Modes (the params block, patched into the image by the harness):
 *   cases  the regression cases of the hostile-realm issue: EMPTY pages
 *          under every access kind, page-table walks, a second vCPU, HVC
 *          at EL1 and EL0, the realm's ID registers
 *   spin   secret values in registers, then spin (host register reads)
 *   fuzz   the hostile-realm fuzzer: seeded random RSI, PSCI, SMC, HVC
 *          and memory accesses on every vCPU at once
 *   el2    the realm under the monitor's EL2: device registers through
 *          MMIO exits, the virtual GIC (timer, SGIs), the ID registers
 *          (mode 6: the timer with the virtual binary point at reset)
 *   3 4 7  what the host cannot back, an RSI buffer (3, 4) or an access
 *          (7): the host stops the realm
 */

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define SHARED_BIT      (1ULL << 47)
#define UART_BASE       (0x09000000ULL | SHARED_BIT)
#define RAM_BASE        0x40000000ULL
#define GRANULE         4096ULL
#define MAX_CPUS        4

/* What the payload itself lives in; nothing random may touch it. */
#define LIVE_BASE       RAM_BASE
#define LIVE_TOP        (RAM_BASE + 0x00800000ULL)
/* Where RIPAS changes and buffers may go. */
#define PLAY_BASE       (RAM_BASE + 0x04000000ULL)
#define PLAY_PAGES      4096ULL     /* 16 MiB */

#define RSI_FID(n)      (0xC4000000ULL | (n))
#define RSI_VERSION             RSI_FID(0x190)
#define RSI_FEATURES            RSI_FID(0x191)
#define RSI_MEASUREMENT_READ    RSI_FID(0x192)
#define RSI_MEASUREMENT_EXTEND  RSI_FID(0x193)
#define RSI_TOKEN_INIT          RSI_FID(0x194)
#define RSI_TOKEN_CONTINUE      RSI_FID(0x195)
#define RSI_REALM_CONFIG        RSI_FID(0x196)
#define RSI_IPA_STATE_SET       RSI_FID(0x197)
#define RSI_IPA_STATE_GET       RSI_FID(0x198)
#define RSI_HOST_CALL           RSI_FID(0x199)

#define PSCI_VERSION            0x84000000ULL
#define PSCI_CPU_SUSPEND        0xC4000001ULL
#define PSCI_CPU_OFF            0x84000002ULL
#define PSCI_CPU_ON             0xC4000003ULL
#define PSCI_AFFINITY_INFO      0xC4000004ULL
#define PSCI_MIGRATE_INFO_TYPE  0x84000006ULL
#define PSCI_SYSTEM_OFF         0x84000008ULL
#define PSCI_FEATURES           0x8400000AULL
#define SMCCC_VERSION           0x80000000ULL
#define SMCCC_ARCH_FEATURES     0x80000001ULL

#define MODE_CASES      0
#define MODE_SPIN       1
#define MODE_FUZZ       2
#define MODE_EL2        5
#define MODE_EL2_BPR    6
#define MODE_ACCESS_OUTSIDE_RAM 7

#define RIPAS_EMPTY     0
#define RIPAS_RAM       1
#define RIPAS_DESTROYED 2
#define RSI_CHANGE_DESTROYED    1

/* The harness patches this block in the image file (found by its magic). */
struct params {
    char magic[16];
    uint64_t mode;          /* 0 cases, 1 spin, 2 fuzz, 3 4 7 stops, 5 6 el2 */
    uint64_t seed;
    uint64_t iters;         /* fuzz: operations per vCPU */
    uint64_t ncpus;
    uint64_t ram_mib;       /* the realm's RAM from RAM_BASE (-m) */
};

volatile struct params payload_params = {
    .magic = "VIRTCCA-PAYLOAD",
    .mode = 0,
    .seed = 1,
    .iters = 1000,
    .ncpus = 1,
    .ram_mib = 512,
};

struct frame {
    uint64_t x[31];
    uint64_t elr;
    uint64_t spsr;
    uint64_t pad;
};

struct cpu {
    volatile uint64_t nr_exc;
    volatile uint64_t esr, far, elr, kind;
    volatile uint64_t unexpected;
    uint64_t rng;
    uint64_t block_rng;     /* the share area's stream: see share_ipa */
    uint64_t emptied_block; /* the share area's block last made EMPTY */
    uint64_t calls, accesses, findings;
    uint64_t page;          /* this vCPU's own protected scratch page */
    volatile uint64_t nr_irq, intid, irq_elr;   /* the last IRQ taken */
} __attribute__((aligned(64)));

static struct cpu cpus[MAX_CPUS];
static volatile uint32_t print_lock;
static volatile uint64_t cpus_started, cpus_done;
static volatile uint64_t second_state;
static uint8_t secret_page[GRANULE] __attribute__((aligned(4096)));
static uint8_t rsi_buf[MAX_CPUS][GRANULE] __attribute__((aligned(4096)));
static uint64_t ptables[4][512] __attribute__((aligned(4096)));

/* The compiler's own calls for struct copies and clears. */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    while (n--) {
        *d++ = *s++;
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;

    while (n--) {
        *d++ = c;
    }
    return dst;
}

/* start.S */
void smc_call(uint64_t regs[11]);
uint64_t hvc_at_el1(void);
void run_el0(void (*fn)(void), uint64_t arg);
void el0_smc(void), el0_hvc(void), el0_load(void);
void secondary_entry(void);
uint64_t p_ldrb(uint64_t), p_ldrh(uint64_t), p_ldrw(uint64_t);
uint64_t p_ldrx(uint64_t), p_ldp(uint64_t), p_ldxr(uint64_t);
uint64_t p_ldar(uint64_t);
uint64_t p_strb(uint64_t, uint64_t), p_strh(uint64_t, uint64_t);
uint64_t p_strw(uint64_t, uint64_t), p_strx(uint64_t, uint64_t);
uint64_t p_stp(uint64_t, uint64_t, uint64_t);
uint64_t p_stxr(uint64_t, uint64_t), p_stlr(uint64_t, uint64_t);
uint64_t p_ldadd(uint64_t, uint64_t), p_swp(uint64_t, uint64_t);
uint64_t p_cas(uint64_t, uint64_t, uint64_t);
uint64_t p_dczva(uint64_t), p_exec(uint64_t);
uint64_t p_ldrsbx(uint64_t), p_ldrsbw(uint64_t), p_ldrshx(uint64_t);
uint64_t p_ldrshw(uint64_t), p_ldrsw(uint64_t), p_ldrsh_x17(uint64_t);
uint64_t p_ldr_wzr(uint64_t), p_ldr_post(uint64_t);
uint64_t p_str_post(uint64_t, uint64_t);
uint64_t read_id_aa64pfr0(void), read_id_aa64pfr1(void);
uint64_t read_id_aa64dfr0(void), read_id_aa64zfr0(void);
uint64_t read_id_aa64mmfr1(void);
uint64_t read_id_aa64smfr0(void), read_mpidr(void), read_pmcr(void);
uint64_t read_cntvct(void), read_cntfrq(void);
uint64_t sve_rdvl(void);
void mmu_enable(uint64_t ttbr0, uint64_t tcr, uint64_t mair);
void mmu_disable(void);
void tlb_flush_local(void);
void spin_with_secret(uint64_t secret) __attribute__((noreturn));

static inline unsigned cpu_id(void)
{
    uint64_t v;

    asm volatile("mrs %0, tpidr_el1" : "=r"(v));
    return v;
}

static inline struct cpu *this_cpu(void)
{
    return &cpus[cpu_id()];
}

/* Output */

static void uart_putc(char c)
{
    volatile uint32_t *uart = (volatile uint32_t *)UART_BASE;

    while (uart[0x18 / 4] & (1 << 5)) {
        /* TX FIFO full */
    }
    uart[0] = c;
}

static void lock(void)
{
    while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE)) {
        /* spin */
    }
}

static void unlock(void)
{
    __atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

static void puts_nolock(const char *s)
{
    while (*s) {
        if (*s == '\n') {
            uart_putc('\r');
        }
        uart_putc(*s++);
    }
}

static void puthex_nolock(uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char buf[19];
    int i = 18;

    buf[i--] = 0;
    do {
        buf[i--] = digits[v & 0xf];
        v >>= 4;
    } while (v && i > 1);
    buf[i--] = 'x';
    buf[i] = '0';
    puts_nolock(buf + i);
}

/*
 * out("fmt", ...): a tiny printer, %x (0x-prefixed u64) and %s only,
 * one whole line at a time so that vCPUs do not interleave.
 */
static void out(const char *fmt, ...)
{
    __builtin_va_list ap;

    __builtin_va_start(ap, fmt);
    lock();
    for (; *fmt; fmt++) {
        if (*fmt == '%' && fmt[1] == 'x') {
            puthex_nolock(__builtin_va_arg(ap, uint64_t));
            fmt++;
        } else if (*fmt == '%' && fmt[1] == 's') {
            puts_nolock(__builtin_va_arg(ap, const char *));
            fmt++;
        } else {
            char s[2] = { *fmt, 0 };
            puts_nolock(s);
        }
    }
    unlock();
    __builtin_va_end(ap);
}

/* Exceptions */

#define EC(esr)         (((esr) >> 26) & 0x3f)
#define EC_UNKNOWN      0x00
#define EC_SVC64        0x15
#define EC_IABT_LOW     0x20
#define EC_IABT_CUR     0x21
#define EC_PC_ALIGN     0x22
#define EC_DABT_LOW     0x24
#define EC_DABT_CUR     0x25

static bool is_hvc(uint32_t insn)
{
    return (insn & 0xffe0001fU) == 0xd4000002U;
}

extern char _image_start[], _text_end[];

static void irq_handler(struct cpu *c, struct frame *f);

/* Returns 1 when an EL0 stub is done (its SVC): back to run_el0's caller. */
uint64_t exc_handler(struct frame *f, uint64_t kind);
uint64_t exc_handler(struct frame *f, uint64_t kind)
{
    struct cpu *c = this_cpu();
    uint64_t esr, far;

    asm volatile("mrs %0, esr_el1" : "=r"(esr));
    asm volatile("mrs %0, far_el1" : "=r"(far));
    if (kind == 1 && EC(esr) == EC_SVC64) {
        return 1;
    }
    if (kind == 5) {
        irq_handler(c, f);
        return 0;
    }
    c->esr = esr;
    c->far = far;
    c->elr = f->elr;
    c->kind = kind;
    c->nr_exc++;
    if (kind >= 2) {
        /* IRQ, FIQ, SError or AArch32: never expected here */
        c->unexpected++;
        return 0;
    }
    if (EC(esr) == EC_IABT_CUR || EC(esr) == EC_IABT_LOW ||
        EC(esr) == EC_PC_ALIGN ||
        (EC(esr) == EC_UNKNOWN && kind == 0 &&
         (f->elr < (uint64_t)_image_start || f->elr >= (uint64_t)_text_end))) {
        /*
         * A branch went somewhere it could not run, or into memory that
         * holds no code (zeros: undefined): back to its caller, rather
         * than through every word of it.
         */
        f->elr = f->x[30];
    } else if (EC(esr) == EC_UNKNOWN && kind == 0 &&
               is_hvc(((uint32_t *)f->elr)[-1]) &&
               !is_hvc(*(uint32_t *)f->elr)) {
        /*
         * An HVC at EL1, which the monitor made undefined: the return
         * address is already past it, as for the trap to EL2.
         */
    } else {
        f->elr += 4;
    }
    return 0;
}

/* Calls */

struct call {
    uint64_t x[11];
};

static struct call call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4)
{
    struct call c = { { fid, a1, a2, a3, a4 } };

    smc_call(c.x);
    return c;
}

static uint64_t ipa_state_set(uint64_t base, uint64_t top, uint64_t ripas,
                              uint64_t flags, uint64_t *response)
{
    struct call c;

    /* The monitor may do part of the range per call: go on to the end. */
    do {
        c = call(RSI_IPA_STATE_SET, base, top, ripas, flags);
        if (c.x[0] != 0) {
            return c.x[0];
        }
        *response = c.x[2];
        if (c.x[2] != 0 || c.x[1] <= base) {
            return 0;
        }
        base = c.x[1];
    } while (base < top);
    return 0;
}

static uint64_t ripas_of(uint64_t ipa)
{
    struct call c = call(RSI_IPA_STATE_GET, ipa, ipa + GRANULE, 0, 0);

    return c.x[0] == 0 ? c.x[2] : 0xff;
}

/* Outcome of one primitive: the exception it took, if any. */
struct outcome {
    bool faulted;
    uint64_t esr, far, elr;
};

typedef uint64_t (*prim_fn)(uint64_t, uint64_t, uint64_t);

static struct outcome run_prim(void *fn, uint64_t addr, uint64_t v1,
                               uint64_t v2)
{
    struct cpu *c = this_cpu();
    uint64_t before = c->nr_exc;
    struct outcome o = { 0 };

    ((prim_fn)fn)(addr, v1, v2);
    if (c->nr_exc != before) {
        o.faulted = true;
        o.esr = c->esr;
        o.far = c->far;
        o.elr = c->elr;
    }
    return o;
}

static void report(const char *name, void *fn, struct outcome o)
{
    out("R %s faulted=%x esr=%x far=%x elr=%x fn=%x\n", name,
        (uint64_t)o.faulted, o.esr, o.far, o.elr, (uint64_t)fn);
}

static const struct {
    const char *name;
    void *fn;
} prims[] = {
    { "ldrb", p_ldrb }, { "ldrh", p_ldrh }, { "ldrw", p_ldrw },
    { "ldrx", p_ldrx }, { "ldp", p_ldp }, { "ldxr", p_ldxr },
    { "ldar", p_ldar }, { "strb", p_strb }, { "strh", p_strh },
    { "strw", p_strw }, { "strx", p_strx }, { "stp", p_stp },
    { "stxr", p_stxr }, { "stlr", p_stlr }, { "ldadd", p_ldadd },
    { "swp", p_swp }, { "cas", p_cas }, { "exec", p_exec },
};

#define NR_PRIMS (sizeof(prims) / sizeof(prims[0]))

/* cases: the regression cases */

static void case_empty(void)
{
    uint64_t page = PLAY_BASE + 0x10 * GRANULE;
    uint64_t resp = 0, st;
    unsigned i;

    /* Touch it first so that it is backed, then give it back. */
    p_strx(page, 0x1122334455667788ULL);
    st = ipa_state_set(page, page + GRANULE, RIPAS_EMPTY, 0, &resp);
    out("R set-empty status=%x response=%x ripas=%x\n", st, resp,
        ripas_of(page));
    for (i = 0; i < NR_PRIMS; i++) {
        /* 8-byte aligned offsets inside the page, all different */
        uint64_t addr = prims[i].fn == (void *)p_exec ? page :
                        page + 0x100 + 16 * i;

        report(prims[i].name, prims[i].fn,
               run_prim(prims[i].fn, addr, 0xdead, 0xbeef));
    }
    /* Back to RAM: a fresh zeroed granule, no fault. */
    st = ipa_state_set(page, page + GRANULE, RIPAS_RAM, 0, &resp);
    {
        struct outcome o = run_prim(p_ldrx, page, 0, 0);
        uint64_t v = p_ldrx(page);

        out("R back-to-ram status=%x faulted=%x value=%x\n", st,
            (uint64_t)o.faulted, v);
    }
}

/*
 * A stage-1 walk that reads a table in an EMPTY page: identity map with
 * 1 GiB blocks, and VA 4 GiB.. through an L2 table in a playground page.
 */
static void case_walk(void)
{
    uint64_t *l0 = ptables[0], *l1 = ptables[1];
    uint64_t *l2 = (uint64_t *)(PLAY_BASE + 0x20 * GRANULE);
    uint64_t va = 0x100000000ULL + 0x1230;
    uint64_t resp, st, i;
    const uint64_t block_dev = 0x1 | (0 << 2) | (1ULL << 10);     /* AF */
    const uint64_t block_mem = 0x1 | (1 << 2) | (3 << 8) | (1ULL << 10);
    struct outcome o, ram;

    for (i = 0; i < 512; i++) {
        l0[i] = l1[i] = l2[i] = 0;
    }
    l0[0] = (uint64_t)l1 | 3;
    l1[0] = 0x00000000ULL | block_dev;
    l1[1] = 0x40000000ULL | block_mem;
    l1[4] = (uint64_t)l2 | 3;
    l2[0] = 0x40000000ULL | block_mem;      /* VA 4 GiB -> IPA 1 GiB */
    /*
     * TCR: T0SZ 16, 4K granule, inner-shareable WBWA walks, 48-bit IPS,
     * EPD1.  MAIR: attr0 Device-nGnRnE, attr1 Normal WB.
     */
    mmu_enable((uint64_t)l0,
               16 | (1 << 8) | (1 << 10) | (3 << 12) | (1ULL << 23) |
               (5ULL << 32), 0xff00);
    /* Nothing is printed with the MMU on: the console is not mapped. */
    ram = run_prim(p_ldrx, va, 0, 0);
    st = ipa_state_set((uint64_t)l2, (uint64_t)l2 + GRANULE, RIPAS_EMPTY,
                       0, &resp);
    tlb_flush_local();
    o = run_prim(p_ldrx, va, 0, 0);
    mmu_disable();
    out("R walk-ram faulted=%x\n", (uint64_t)ram.faulted);
    out("R walk-empty status=%x faulted=%x esr=%x far=%x elr=%x fn=%x "
        "va=%x\n", st, (uint64_t)o.faulted, o.esr, o.far, o.elr,
        (uint64_t)p_ldrx, va);
    ipa_state_set((uint64_t)l2, (uint64_t)l2 + GRANULE, RIPAS_RAM, 0, &resp);
}

/* A page one vCPU reads while another makes it EMPTY. */
#define SECOND_PAGE     (PLAY_BASE + 0x30 * GRANULE)

static void second_cpu_reader(void)
{
    struct outcome o;

    p_ldrx(SECOND_PAGE);
    __atomic_store_n(&second_state, 1, __ATOMIC_RELEASE);
    do {
        o = run_prim(p_ldrx, SECOND_PAGE + 8, 0, 0);
    } while (!o.faulted);
    out("R second-vcpu faulted=1 cpu=%x esr=%x far=%x elr=%x fn=%x\n",
        (uint64_t)cpu_id(), o.esr, o.far, o.elr, (uint64_t)p_ldrx);
    __atomic_store_n(&second_state, 2, __ATOMIC_RELEASE);
}

static void case_second_vcpu(void)
{
    uint64_t resp, st;
    unsigned n = 0;

    while (__atomic_load_n(&second_state, __ATOMIC_ACQUIRE) != 1) {
        /* wait for the reader */
    }
    st = ipa_state_set(SECOND_PAGE, SECOND_PAGE + GRANULE, RIPAS_EMPTY, 0,
                       &resp);
    while (__atomic_load_n(&second_state, __ATOMIC_ACQUIRE) != 2 &&
           n < 100000000) {
        n++;
    }
    out("R second-vcpu-set status=%x done=%x\n", st,
        (uint64_t)(second_state == 2));
}

/*
 * RAM the host takes back (RMI_DATA_DESTROY, which only the host can do):
 * the payload asks for it on the console ("W destroy <ipa>"), waits until
 * the IPA reads DESTROYED, then touches it.  Returning it to RAM needs
 * the change-destroyed flag.
 */
#define DESTROY_PAGE    (PLAY_BASE + 0x40 * GRANULE)

static void case_destroyed(void)
{
    uint64_t page = DESTROY_PAGE, resp = 0, st, deadline, v;
    struct outcome o;
    unsigned i;

    p_strx(page, 0x5566778899aabbccULL);
    out("W destroy %x\n", page);
    deadline = read_cntvct() + 60 * read_cntfrq();
    while (ripas_of(page) != RIPAS_DESTROYED && read_cntvct() < deadline) {
        /* wait for the host */
    }
    out("R destroyed ripas=%x\n", ripas_of(page));
    for (i = 0; i < NR_PRIMS; i++) {
        uint64_t addr = prims[i].fn == (void *)p_exec ? page :
                        page + 0x100 + 16 * i;

        o = run_prim(prims[i].fn, addr, 0xdead, 0xbeef);
        out("R destroyed-%s faulted=%x esr=%x far=%x elr=%x fn=%x\n",
            prims[i].name, (uint64_t)o.faulted, o.esr, o.far, o.elr,
            (uint64_t)prims[i].fn);
    }
    /* RAM again: refused without the flag, done with it. */
    st = ipa_state_set(page, page + GRANULE, RIPAS_RAM, 0, &resp);
    out("R destroyed-to-ram status=%x response=%x ripas=%x\n", st, resp,
        ripas_of(page));
    st = ipa_state_set(page, page + GRANULE, RIPAS_RAM, RSI_CHANGE_DESTROYED,
                       &resp);
    o = run_prim(p_ldrx, page, 0, 0);
    v = o.faulted ? ~0ULL : p_ldrx(page);
    out("R destroyed-to-ram-flag status=%x response=%x ripas=%x faulted=%x "
        "value=%x\n", st, resp, ripas_of(page), (uint64_t)o.faulted, v);
}

/*
 * RAM the realm makes EMPTY is the host's again (as with KVM, which frees a
 * private page when the realm converts it): made RAM once more, it is a
 * fresh granule and the old data is gone.
 */
#define RECLAIM_PAGE    (PLAY_BASE + 0x48 * GRANULE)

static void case_empty_reclaimed(void)
{
    uint64_t page = RECLAIM_PAGE, resp = 0, st_empty, st_ram, v;
    struct outcome o;

    p_strx(page, 0x0123456789abcdefULL);
    st_empty = ipa_state_set(page, page + GRANULE, RIPAS_EMPTY, 0, &resp);
    st_ram = ipa_state_set(page, page + GRANULE, RIPAS_RAM, 0, &resp);
    o = run_prim(p_ldrx, page, 0, 0);
    v = o.faulted ? ~0ULL : p_ldrx(page);
    out("R empty-reclaimed empty=%x ram=%x ripas=%x faulted=%x value=%x\n",
        st_empty, st_ram, ripas_of(page), (uint64_t)o.faulted, v);
}

/*
 * The same for a whole 2 MiB block the realm had not touched, which the
 * host backs whole in one RTT entry at the first touch: made EMPTY, all
 * of it goes back to the host (it splits the block to destroy the
 * granules), and made RAM again it is new memory.
 */
#define RECLAIM_BLOCK   (PLAY_BASE + 0x400000)
#define BLOCK_SIZE      0x200000

static void case_empty_block_reclaimed(void)
{
    uint64_t base = RECLAIM_BLOCK, last = base + BLOCK_SIZE - GRANULE;
    uint64_t resp = 0, st_empty, st_ram, v;
    struct outcome o;

    p_strx(base, 0x0123456789abcdefULL);
    p_strx(last, 0x0123456789abcdefULL);
    st_empty = ipa_state_set(base, base + BLOCK_SIZE, RIPAS_EMPTY, 0, &resp);
    st_ram = ipa_state_set(base, base + BLOCK_SIZE, RIPAS_RAM, 0, &resp);
    o = run_prim(p_ldrx, last, 0, 0);
    v = o.faulted ? ~0ULL : p_ldrx(last);
    out("R empty-block-reclaimed empty=%x ram=%x ripas=%x faulted=%x "
        "value=%x\n", st_empty, st_ram, ripas_of(last), (uint64_t)o.faulted,
        v);
}

/*
 * An RSI call whose buffer is in RAM the host took back: the monitor
 * exits to the host at every try and the host cannot help; it stops the
 * realm (mode 3).
 */
static void case_buffer_destroyed(void)
{
    uint64_t page = DESTROY_PAGE + GRANULE, deadline;
    struct call r;

    p_strx(page, 1);
    out("W destroy %x\n", page);
    deadline = read_cntvct() + 60 * read_cntfrq();
    while (ripas_of(page) != RIPAS_DESTROYED && read_cntvct() < deadline) {
        /* wait for the host */
    }
    out("R buffer-page ripas=%x\n", ripas_of(page));
    r = call(RSI_REALM_CONFIG, page, 0, 0, 0);
    out("R buffer-call status=%x\n", r.x[0]);
}

/*
 * RAM where the realm has no memory: it may make any protected IPA RIPAS
 * RAM, but the host backs only the realm's memory.  An access there, or
 * an RSI buffer there, exits to the host at every try (RMM lets a host
 * answer only unprotected IPAs with an SEA), and the host stops the
 * realm (modes 4 and 7).
 */
#define OUTSIDE_PAGE    0x100000000ULL

static void case_outside_ram(void)
{
    uint64_t resp = 0, st;

    st = ipa_state_set(OUTSIDE_PAGE, OUTSIDE_PAGE + GRANULE, RIPAS_RAM, 0,
                       &resp);
    out("R outside-ram status=%x response=%x ripas=%x\n", st, resp,
        ripas_of(OUTSIDE_PAGE));
}

static void case_access_outside_ram(void)
{
    uint64_t resp = 0;
    struct outcome o;

    ipa_state_set(OUTSIDE_PAGE, OUTSIDE_PAGE + GRANULE, RIPAS_RAM, 0, &resp);
    out("R buffer-page ripas=%x\n", ripas_of(OUTSIDE_PAGE));
    o = run_prim(p_ldrx, OUTSIDE_PAGE + 8, 0, 0);
    report("outside-ldrx", p_ldrx, o);
}

static void case_buffer_outside_ram(void)
{
    uint64_t resp = 0;
    struct call r;

    ipa_state_set(OUTSIDE_PAGE, OUTSIDE_PAGE + GRANULE, RIPAS_RAM, 0, &resp);
    out("R buffer-page ripas=%x\n", ripas_of(OUTSIDE_PAGE));
    r = call(RSI_REALM_CONFIG, OUTSIDE_PAGE, 0, 0, 0);
    out("R buffer-call status=%x\n", r.x[0]);
}

static void case_hvc(void)
{
    struct outcome o = run_prim(hvc_at_el1, 0, 0, 0);

    report("hvc-el1", hvc_at_el1, o);
    /* The handler resumed after the HVC: the realm runs on. */
    o.faulted = false;
    {
        struct cpu *c = this_cpu();
        uint64_t before = c->nr_exc;

        run_el0(el0_hvc, 0);
        o.faulted = c->nr_exc != before;
        o.esr = c->esr;
        o.far = c->far;
        o.elr = c->elr;
        report("hvc-el0", el0_hvc, o);
        before = c->nr_exc;
        run_el0(el0_smc, 0);
        o.faulted = c->nr_exc != before;
        o.esr = c->esr;
        o.elr = c->elr;
        report("smc-el0", el0_smc, o);
    }
}

static void case_idregs(void)
{
    struct outcome o;

    out("R idregs pfr0=%x pfr1=%x dfr0=%x zfr0=%x smfr0=%x mmfr1=%x\n",
        read_id_aa64pfr0(), read_id_aa64pfr1(), read_id_aa64dfr0(),
        read_id_aa64zfr0(), read_id_aa64smfr0(), read_id_aa64mmfr1());
    o = run_prim(sve_rdvl, 0, 0, 0);
    report("sve-rdvl", sve_rdvl, o);
    o = run_prim(read_pmcr, 0, 0, 0);
    report("pmcr", read_pmcr, o);
    if (!o.faulted) {
        out("R pmcr-value value=%x\n", read_pmcr());
    }
}

static void start_secondaries(uint64_t n)
{
    uint64_t i;

    for (i = 1; i < n && i < MAX_CPUS; i++) {
        struct call c = call(PSCI_CPU_ON, i, (uint64_t)secondary_entry, i,
                             0);

        if (c.x[0] != 0) {
            out("E cpu_on %x failed %x\n", i, c.x[0]);
        }
    }
    while (__atomic_load_n(&cpus_started, __ATOMIC_ACQUIRE) + 1 < n) {
        /* wait */
    }
}

/* fuzz: the hostile realm */

static uint64_t rnd_from(uint64_t *state)
{
    /* splitmix64 */
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rnd(struct cpu *c)
{
    return rnd_from(&c->rng);
}

static uint64_t pick(struct cpu *c, uint64_t n)
{
    return rnd(c) % n;
}

/* The secret: derived from the seed at run time, never in the image. */
static void make_secret(uint64_t seed)
{
    struct cpu tmp = { .rng = seed ^ 0x5ec2e75ec2e75ec2ULL };
    uint64_t *p = (uint64_t *)secret_page;
    unsigned i;

    for (i = 0; i < GRANULE / 8; i++) {
        p[i] = rnd(&tmp);
    }
}

static bool secret_intact(uint64_t seed)
{
    struct cpu tmp = { .rng = seed ^ 0x5ec2e75ec2e75ec2ULL };
    uint64_t *p = (uint64_t *)secret_page;
    unsigned i;

    for (i = 0; i < GRANULE / 8; i++) {
        if (p[i] != rnd(&tmp)) {
            return false;
        }
    }
    return true;
}

static bool in_ram(uint64_t ipa)
{
    return ipa >= RAM_BASE && ipa - RAM_BASE < (payload_params.ram_mib << 20);
}

static bool in_live(uint64_t base, uint64_t top)
{
    /* [base, top) meets what the payload runs from (or wraps) */
    return top < base || (base < LIVE_TOP && top > LIVE_BASE);
}

/*
 * The share area: 4 blocks of 2 MiB whose shared aliases only the block
 * stream aims at (c->block_rng, a stream of its own, so that a seed's
 * other choices stay what they were).  The host maps the shared alias of
 * a block the realm made all EMPTY in one entry, and splits it when part
 * of it becomes RAM again; the playground's aliases get level-3 tables
 * at the first touch of any page, so its blocks never qualify.  Within
 * the fuzzer's 128 MiB, where "RAM beyond the playground" also aims.
 */
#define SHARE_BASE      (RAM_BASE + 0x05800000ULL)
#define SHARE_BLOCKS    4
#define SHARE_TOP       (SHARE_BASE + SHARE_BLOCKS * 0x200000ULL)

/*
 * A page of the share area: mostly the shared alias of the block this
 * vCPU last made EMPTY whole, its first few pages more often (the host
 * maps a block whole only at a first touch after the realm made all of
 * it EMPTY); otherwise a protected page of any block.
 */
static uint64_t share_ipa(struct cpu *c)
{
    bool shared = c->emptied_block && rnd_from(&c->block_rng) % 8;
    uint64_t block = shared ? c->emptied_block :
                     SHARE_BASE + rnd_from(&c->block_rng) % SHARE_BLOCKS *
                     0x200000;
    uint64_t page = shared && rnd_from(&c->block_rng) % 2 ?
                    rnd_from(&c->block_rng) % 4 :
                    rnd_from(&c->block_rng) % 512;

    return (block + page * GRANULE) | (shared ? SHARED_BIT : 0);
}

/* An IPA from every kind of place a hostile realm would aim at. */
static uint64_t random_ipa(struct cpu *c)
{
    static const uint64_t mmio[] = {
        0x08000000, 0x080A0000, 0x09010000, 0x09020000,
        0x10000000, 0x3EFF0000, 0x3F000000, 0x09030000,
    };

    if (rnd_from(&c->block_rng) % 32 == 0 && in_ram(SHARE_TOP - 1)) {
        return share_ipa(c);
    }
    switch (pick(c, 12)) {
    case 0: case 1: case 2:             /* the playground, any RIPAS */
        return PLAY_BASE + pick(c, PLAY_PAGES) * GRANULE + pick(c, GRANULE);
    case 3:                             /* its unprotected alias */
        return (PLAY_BASE + pick(c, PLAY_PAGES) * GRANULE) | SHARED_BIT;
    case 4:                             /* device registers, both aliases */
        return (mmio[pick(c, 8)] + pick(c, 0x1000)) |
               (pick(c, 2) ? SHARED_BIT : 0);
    case 5:                             /* protected, no RAM there */
        return 0x100000000ULL + pick(c, 1ULL << 40);
    case 6:                             /* unprotected, nothing there */
        return SHARED_BIT | (0x100000000ULL + pick(c, 1ULL << 40));
    case 7:                             /* the secure carve-out's alias */
        return SHARED_BIT | (0x4000000000ULL + pick(c, 1ULL << 30));
    case 8:                             /* boundaries */
        switch (pick(c, 6)) {
        case 0: return SHARED_BIT - 8;
        case 1: return SHARED_BIT;
        case 2: return (1ULL << 48) - 8;
        case 3: return 1ULL << 48;
        case 4: return 0;
        default: return ~0ULL - 7;
        }
    case 9:                             /* anywhere at all */
        return rnd(c);
    case 10:                            /* RAM beyond the playground */
        return PLAY_BASE + PLAY_PAGES * GRANULE + pick(c, 0x4000000);
    default:                            /* this vCPU's own page */
        return c->page + pick(c, GRANULE);
    }
}

/* A buffer IPA the monitor may write: never the payload itself. */
static uint64_t random_buffer(struct cpu *c)
{
    uint64_t ipa;

    do {
        ipa = random_ipa(c);
        if (pick(c, 2)) {
            ipa &= ~(GRANULE - 1);
        }
    } while (in_live(ipa & ~(GRANULE - 1), (ipa & ~(GRANULE - 1)) +
                                           GRANULE));
    /*
     * RAM the host took back cannot hold a buffer: the monitor would exit
     * to the host at every try, and the host stops the realm.  A realm
     * that knows it may lose memory takes it back first.
     */
    if (ripas_of(ipa & ~(GRANULE - 1)) == RIPAS_DESTROYED) {
        uint64_t resp;

        ipa_state_set(ipa & ~(GRANULE - 1), (ipa & ~(GRANULE - 1)) + GRANULE,
                      RIPAS_RAM, RSI_CHANGE_DESTROYED, &resp);
    }
    /*
     * Nor can RAM outside the realm's memory that it made RIPAS RAM
     * itself: the host has nothing to back it with.  (The regression
     * tests cover both stops.)
     */
    if (!(ipa & SHARED_BIT) && !in_ram(ipa) &&
        ripas_of(ipa & ~(GRANULE - 1)) == RIPAS_RAM) {
        return (uint64_t)rsi_buf[cpu_id()];
    }
    return ipa;
}

static uint64_t random_value(struct cpu *c)
{
    static const uint64_t interesting[] = {
        0, 1, 2, 3, 4, 5, 0x40, 0xff, 0x100, 0x1000, 0xfff, 0x10000,
        0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, ~0ULL - 1,
        SHARED_BIT, SHARED_BIT - 1, 1ULL << 48, 0xC4000000ULL,
    };

    switch (pick(c, 4)) {
    case 0:
        return interesting[pick(c, sizeof(interesting) / 8)];
    case 1:
        return random_ipa(c);
    default:
        return rnd(c);
    }
}

static void finding(struct cpu *c, const char *what, uint64_t a, uint64_t b,
                    uint64_t d)
{
    c->findings++;
    out("F cpu=%x %s %x %x %x\n", (uint64_t)cpu_id(), what, a, b, d);
}

/* A range for RIPAS changes: never over the payload. */
static void random_range(struct cpu *c, uint64_t *base, uint64_t *top)
{
    do {
        switch (pick(c, 4)) {
        case 0: case 1:
            *base = PLAY_BASE + pick(c, PLAY_PAGES) * GRANULE;
            *top = *base + (1 + pick(c, 64)) * GRANULE;
            break;
        case 2:
            *base = random_value(c);
            *top = random_value(c);
            break;
        default:
            *base = random_ipa(c);
            *top = *base + pick(c, 4) * GRANULE + pick(c, 2) * pick(c, 4096);
            break;
        }
    } while (in_live(*base, *top) ||
             (*base <= LIVE_BASE && *top >= LIVE_TOP));
}

static void check_rsi_status(struct cpu *c, uint64_t fid, uint64_t st)
{
    if (st > 4) {
        finding(c, "rsi-status", fid, st, 0);
    }
}

static void fuzz_rsi(struct cpu *c)
{
    uint64_t fid = RSI_FID(0x190 + pick(c, 10));
    struct call r;
    uint64_t base, top, i;

    c->calls++;
    switch (fid) {
    case RSI_VERSION:
        r = call(fid, pick(c, 2) ? 0x10000 : random_value(c), 0, 0, 0);
        if (r.x[0] > 1 || r.x[1] != 0x10000 || r.x[2] != 0x10000) {
            finding(c, "rsi-version", r.x[0], r.x[1], r.x[2]);
        }
        return;
    case RSI_MEASUREMENT_READ:
        i = pick(c, 8);
        r = call(fid, i, 0, 0, 0);
        if (r.x[0] != (i <= 4 ? 0 : 1)) {
            finding(c, "measurement-read", i, r.x[0], 0);
        }
        return;
    case RSI_MEASUREMENT_EXTEND:
        r = call(fid, pick(c, 6), pick(c, 80), rnd(c), rnd(c));
        break;
    case RSI_TOKEN_INIT:
        r = call(fid, rnd(c), rnd(c), rnd(c), rnd(c));
        break;
    case RSI_TOKEN_CONTINUE:
        /* Often a proper buffer, so that whole tokens come out. */
        if (pick(c, 2)) {
            r = call(fid, (uint64_t)rsi_buf[cpu_id()], pick(c, 4096),
                     pick(c, 4097), 0);
        } else {
            r = call(fid, random_buffer(c), random_value(c),
                     random_value(c), 0);
        }
        break;
    case RSI_REALM_CONFIG:
        r = call(fid, pick(c, 2) ? (uint64_t)rsi_buf[cpu_id()] :
                 random_buffer(c), 0, 0, 0);
        break;
    case RSI_IPA_STATE_SET:
        random_range(c, &base, &top);
        i = pick(c, 4);
        /*
         * Never RAM outside the realm's memory: the host cannot back it,
         * so its next access there, by any vCPU, makes the host stop the
         * realm and ends the seed (the regression cases cover that).
         * Those IPAs stay EMPTY, where every access is the monitor's SEA.
         */
        if (i == RIPAS_RAM && base < top && base < SHARED_BIT &&
            (!in_ram(base) || !in_ram(top - 1))) {
            i = RIPAS_EMPTY;
        }
        /*
         * One change in 32 is in the share area: whole blocks, or one
         * page of one (see share_ipa).
         */
        if (rnd_from(&c->block_rng) % 32 == 0 && in_ram(SHARE_TOP - 1)) {
            base = share_ipa(c) & ~SHARED_BIT & ~(GRANULE - 1);
            if (rnd_from(&c->block_rng) % 3) {
                base &= ~(uint64_t)(BLOCK_SIZE - 1);
                top = base + (1 + rnd_from(&c->block_rng) % 2) * BLOCK_SIZE;
                top = top > SHARE_TOP ? SHARE_TOP : top;
            } else {
                top = base + GRANULE;
            }
            if (rnd_from(&c->block_rng) % 2) {
                i = RIPAS_EMPTY;
            }
        }
        r = call(fid, base, top, i, pick(c, 4) ? pick(c, 2) : rnd(c));
        if (r.x[0] == 0 && (r.x[1] < base || r.x[1] > top || r.x[2] > 1)) {
            finding(c, "ipa-state-set", base, top, r.x[1]);
        }
        if (r.x[0] == 0 && r.x[2] == 0 && i == RIPAS_EMPTY &&
            base >= SHARE_BASE && base < SHARE_TOP &&
            r.x[1] >= base + BLOCK_SIZE) {
            /* Accepted, a whole block: touch its shared alias at once */
            c->emptied_block = base;
            run_prim(p_ldrx, (base + rnd_from(&c->block_rng) % 4 * GRANULE) |
                     SHARED_BIT, 0, 0);
        }
        break;
    case RSI_IPA_STATE_GET:
        random_range(c, &base, &top);
        r = call(fid, base, top, 0, 0);
        if (r.x[0] == 0 && r.x[2] > 2) {
            finding(c, "ipa-state-get", base, r.x[2], 0);
        }
        break;
    case RSI_HOST_CALL:
        r = call(fid, pick(c, 2) ? (uint64_t)rsi_buf[cpu_id()] :
                 random_buffer(c), 0, 0, 0);
        break;
    default:
        r = call(fid, random_value(c), random_value(c), random_value(c),
                 random_value(c));
        break;
    }
    check_rsi_status(c, fid, r.x[0]);
}

static void fuzz_smc_other(struct cpu *c)
{
    static const uint64_t fids[] = {
        PSCI_VERSION, PSCI_CPU_SUSPEND, PSCI_AFFINITY_INFO, PSCI_CPU_ON,
        PSCI_MIGRATE_INFO_TYPE, PSCI_FEATURES, SMCCC_VERSION,
        SMCCC_ARCH_FEATURES, 0xC4000150ULL /* RMI: not the realm's */,
        0xC40001A0ULL, 0x84000050ULL, 0xC6000000ULL, 0x82000000ULL,
    };
    uint64_t fid = pick(c, 4) ? fids[pick(c, sizeof(fids) / 8)] : rnd(c);
    uint32_t fid32;
    struct call r;

    c->calls++;
    /*
     * SMCCC function IDs are 32 bits wide.  Never power the system off or
     * this vCPU down mid-run (PSCI calls other than the harmless ones
     * above), and leave RSI to fuzz_rsi, which keeps RIPAS changes and
     * buffers off the payload.
     */
    fid32 = (uint32_t)fid & ~0x40000000U;
    if ((fid32 >= 0x84000000U && fid32 < 0x84000020U &&
         fid32 != (uint32_t)PSCI_VERSION && fid32 != 0x84000001U &&
         fid32 != 0x84000003U && fid32 != 0x84000004U &&
         fid32 != (uint32_t)PSCI_MIGRATE_INFO_TYPE &&
         fid32 != (uint32_t)PSCI_FEATURES) ||
        (fid32 >= 0x84000190U && fid32 < 0x840001A0U)) {
        return;
    }
    if (fid32 == 0x84000003U) {
        /* Every vCPU is on: ALREADY_ON, or a bad MPIDR */
        r = call(fid, pick(c, 2) ? pick(c, 4) : rnd(c),
                 (uint64_t)secondary_entry, 0, 0);
        return;
    }
    r = call(fid, random_value(c), random_value(c), random_value(c),
             random_value(c));
    (void)r;
}

static void fuzz_access(struct cpu *c)
{
    /* The exec primitive only goes where nothing can run. */
    unsigned i = pick(c, NR_PRIMS);
    uint64_t addr = random_ipa(c);
    struct outcome o;

    c->accesses++;
    if (prims[i].fn == (void *)p_exec) {
        uint64_t page;
        uint64_t resp;

        /* A playground page made EMPTY, or nothing at all */
        if (pick(c, 2)) {
            page = PLAY_BASE + pick(c, PLAY_PAGES) * GRANULE;
            if (ipa_state_set(page, page + GRANULE, RIPAS_EMPTY, 1,
                              &resp) != 0 || resp != 0) {
                return;
            }
            addr = page + 4 * pick(c, 1024);
        } else {
            addr = (0x100000000ULL + pick(c, 1ULL << 40)) & ~3ULL;
        }
    } else if (in_live(addr & ~(GRANULE - 1), (addr & ~(GRANULE - 1)) +
                       GRANULE) && addr != c->page) {
        /* Reads only in the payload's own memory */
        if (i >= 7) {
            return;
        }
    }
    if (prims[i].fn == (void *)p_ldrb || prims[i].fn == (void *)p_strb) {
        /* any alignment */
    } else {
        addr &= ~(pick(c, 4) ? 7ULL : 1ULL);
    }
    if ((addr & ~SHARED_BIT & ~0xfffULL) == 0x09000000ULL) {
        return;     /* not our console */
    }
    o = run_prim(prims[i].fn, addr, random_value(c), random_value(c));
    if (o.faulted) {
        uint64_t ec = EC(o.esr), fsc = o.esr & 0x3f;
        bool ok;

        switch (ec) {
        case EC_DABT_CUR:
            /* SEA, alignment, address size, translation */
            ok = fsc == 0x10 || fsc == 0x21 || fsc <= 0x07;
            break;
        case EC_IABT_CUR:
            ok = prims[i].fn == (void *)p_exec && (fsc == 0x10 || fsc <= 7);
            break;
        case EC_UNKNOWN:
            /*
             * The page it jumped to was made RAM again by another vCPU
             * in the meantime: zeros, undefined.  Only then.
             */
            ok = prims[i].fn == (void *)p_exec &&
                 ripas_of(addr & ~(GRANULE - 1)) == RIPAS_RAM;
            break;
        default:
            ok = false;
        }
        if (!ok) {
            finding(c, "access-fault", addr, o.esr, o.elr);
        }
    }
}

static void fuzz_trap(struct cpu *c)
{
    uint64_t before = c->nr_exc;

    c->calls++;
    switch (pick(c, 4)) {
    case 0: {
        struct outcome o = run_prim(hvc_at_el1, 0, 0, 0);

        if (!o.faulted || EC(o.esr) != EC_UNKNOWN ||
            o.elr != (uint64_t)hvc_at_el1 + 4) {
            finding(c, "hvc-el1", o.esr, o.elr, 0);
        }
        break;
    }
    case 1:
        run_el0(el0_hvc, 0);
        if (c->nr_exc == before || EC(c->esr) != EC_UNKNOWN) {
            finding(c, "hvc-el0", c->esr, c->elr, 0);
        }
        break;
    case 2:
        run_el0(el0_smc, 0);
        if (c->nr_exc == before || EC(c->esr) != EC_UNKNOWN) {
            finding(c, "smc-el0", c->esr, c->elr, 0);
        }
        break;
    default:
        run_el0(el0_load, random_ipa(c) & ~7ULL);
        if (c->nr_exc != before && EC(c->esr) != EC_DABT_LOW) {
            finding(c, "el0-load", c->esr, c->elr, 0);
        }
        break;
    }
}

static void fuzz_loop(void)
{
    struct cpu *c = this_cpu();
    uint64_t seed = payload_params.seed;
    uint64_t iters = payload_params.iters, i;

    c->rng = seed * 0x100 + cpu_id();
    c->block_rng = ~c->rng;
    c->page = PLAY_BASE + (PLAY_PAGES + 0x100 + cpu_id()) * GRANULE;
    for (i = 0; i < iters; i++) {
        switch (pick(c, 8)) {
        case 0: case 1: case 2:
            fuzz_rsi(c);
            break;
        case 3:
            fuzz_smc_other(c);
            break;
        case 4:
            fuzz_trap(c);
            break;
        default:
            fuzz_access(c);
            break;
        }
        if (c->unexpected) {
            finding(c, "unexpected-exception", c->esr, c->elr, c->kind);
            c->unexpected = 0;
        }
        /* Often enough for the host's idle watchdog (fuzz.py --idle) */
        if ((i & 0xff) == 0xff) {
            out("P cpu=%x ops=%x\n", (uint64_t)cpu_id(), i + 1);
        }
    }
    out("D cpu=%x calls=%x accesses=%x findings=%x\n", (uint64_t)cpu_id(),
        c->calls, c->accesses, c->findings);
    __atomic_add_fetch(&cpus_done, 1, __ATOMIC_ACQ_REL);
}

/*
 * el2: the realm under the monitor's EL2.  Device registers are reached
 * through the unprotected alias only, each access an MMIO exit the host
 * emulates; interrupts come through the GICv3 virtual CPU interface.
 */

#define GICD_BASE       (0x08000000ULL | SHARED_BIT)
#define GICR_BASE       (0x080A0000ULL | SHARED_BIT)
#define GICR_STRIDE     0x20000ULL
#define GICR_SGI        0x10000ULL      /* SGI frame, after the RD frame */
#define GICR_LIMIT      123             /* redistributors in the map */

#define GICD_CTLR               0x0000
#define GICD_TYPER              0x0004
#define GICD_IPRIORITYR         0x0400
#define GICD_IROUTER            0x6000  /* 8 bytes per INTID, SPIs only */
#define GICD_CTLR_ENABLE_G1A    (1U << 1)
#define GICD_CTLR_ARE_NS        (1U << 4)

#define GICR_TYPER              0x0008
#define GICR_TYPER_LAST         (1ULL << 4)
#define GICR_WAKER              0x0014
#define GICR_WAKER_SLEEP        (1U << 1)
#define GICR_WAKER_ASLEEP       (1U << 2)
#define GICR_IGROUPR0           0x0080
#define GICR_ISENABLER0         0x0100
#define GICR_IPRIORITYR         0x0400

/* An SPI nothing drives (the machine's devices use SPIs 1 to 8). */
#define TEST_SPI        80
#define VTIMER_PPI      27
#define TEST_SGI        5
#define SELF_SGI        3
#define INTID_SPURIOUS  1023

#define UART_IBRD       0x24
/* No device between the GPIO block and the PCIe window */
#define NOTHING_BASE    (0x09050000ULL | SHARED_BIT)

#define CNTV_CTL_ENABLE     1U
#define CNTV_CTL_IMASK      2U
#define CNTV_CTL_ISTATUS    4U
#define ISR_I               (1U << 7)

/* Two levels, so that the names below become their encodings first */
#define read_sysreg(r)      read_sysreg_(r)
#define write_sysreg(r, v)  write_sysreg_(r, v)
#define read_sysreg_(r) ({                                  \
    uint64_t v_;                                            \
    asm volatile("mrs %0, " #r : "=r"(v_));                 \
    v_;                                                     \
})
#define write_sysreg_(r, v) \
    asm volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")

/* GICv3 CPU interface registers by encoding (the virtual ones here) */
#define ICC_PMR_EL1     s3_0_c4_c6_0
#define ICC_SGI1R_EL1   s3_0_c12_c11_5
#define ICC_IAR1_EL1    s3_0_c12_c12_0
#define ICC_EOIR1_EL1   s3_0_c12_c12_1
#define ICC_HPPIR1_EL1  s3_0_c12_c12_2
#define ICC_BPR1_EL1    s3_0_c12_c12_3
#define ICC_SRE_EL1     s3_0_c12_c12_5
#define ICC_IGRPEN1_EL1 s3_0_c12_c12_7

static inline void isb(void)
{
    asm volatile("isb" : : : "memory");
}

/*
 * Device register accesses: volatile, so that each is one plain load or
 * store of its size (an MMIO exit with a syndrome), never merged or
 * left out.
 */
static inline uint32_t mmio_read32(uint64_t addr)
{
    return *(volatile uint32_t *)addr;  /* one LDR W */
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;     /* one STR W */
}

static inline uint64_t mmio_read64(uint64_t addr)
{
    return *(volatile uint64_t *)addr;  /* one LDR X */
}

static inline void mmio_write8(uint64_t addr, uint8_t v)
{
    *(volatile uint8_t *)addr = v;      /* one STRB */
}

static uint64_t deadline_in(uint64_t seconds)
{
    return read_cntvct() + seconds * read_cntfrq();
}

/* One MMIO access through a primitive, and what it gave */
struct mmio_result {
    bool faulted;
    uint64_t value;         /* a load's result, or x0 after a store */
    uint64_t esr, far, elr;
};

static struct mmio_result mmio_do(void *fn, uint64_t addr, uint64_t v)
{
    struct cpu *c = this_cpu();
    uint64_t before = c->nr_exc;
    struct mmio_result m = { 0 };

    m.value = ((prim_fn)fn)(addr, v, ~v);
    if (c->nr_exc != before) {
        m.faulted = true;
        m.esr = c->esr;
        m.far = c->far;
        m.elr = c->elr;
    }
    return m;
}

static void mmio_report(const char *name, void *fn, uint64_t addr,
                        struct mmio_result m)
{
    out("R %s faulted=%x value=%x esr=%x far=%x elr=%x fn=%x addr=%x\n",
        name, (uint64_t)m.faulted, m.value, m.esr, m.far, m.elr,
        (uint64_t)fn, addr);
}

static void mmio(const char *name, void *fn, uint64_t addr, uint64_t v)
{
    mmio_report(name, fn, addr, mmio_do(fn, addr, v));
}

/*
 * Every access size and extension through MMIO exits.  Bytes and words
 * go to GICD_IPRIORITYR of an unused SPI (byte-accessible; the
 * Non-secure view of a GIC with security reads a priority back with
 * bit 0 clear, so every byte written is even).  Doublewords go to its
 * GICD_IROUTER.  QEMU's distributor has no 16-bit registers (it reads
 * them as zero), so halfwords go to the PL011's UARTIBRD, a 16-bit
 * read/write register that only sets the emulated baud rate.  Python
 * checks the values.
 */
static void case_mmio(void)
{
    uint64_t prio = GICD_BASE + GICD_IPRIORITYR + TEST_SPI;
    uint64_t route = GICD_BASE + GICD_IROUTER + 8 * TEST_SPI;
    uint64_t ibrd = UART_BASE + UART_IBRD;
    uint32_t saved_ibrd;

    out("R gicd ctlr=%x typer=%x\n", (uint64_t)mmio_read32(GICD_BASE),
        (uint64_t)mmio_read32(GICD_BASE + GICD_TYPER));
    /* Upper bits of the source register are not stored by STR W. */
    mmio("mmio-strw", p_strw, prio, 0xdeadbeef80c0a0e0ULL);
    mmio("mmio-ldrw", p_ldrw, prio, 0);
    mmio("mmio-ldrsw", p_ldrsw, prio, 0);
    mmio("mmio-ldrb", p_ldrb, prio, 0);
    mmio("mmio-ldrb3", p_ldrb, prio + 3, 0);
    mmio("mmio-ldrsbx", p_ldrsbx, prio, 0);
    mmio("mmio-ldrsbw", p_ldrsbw, prio + 1, 0);
    mmio("mmio-strb", p_strb, prio + 1, 0x5a);
    mmio("mmio-ldrw-strb", p_ldrw, prio, 0);
    mmio("mmio-ldr-wzr", p_ldr_wzr, prio, 0);

    mmio("mmio-strx", p_strx, route, 0x000000a500c39678ULL);
    mmio("mmio-ldrx", p_ldrx, route, 0);
    mmio("mmio-stlr", p_stlr, route, 0x0000005a80102030ULL);
    mmio("mmio-ldar", p_ldar, route, 0);

    saved_ibrd = mmio_read32(ibrd);
    mmio("mmio-strh", p_strh, ibrd, 0x12348ace);
    mmio("mmio-ldrh", p_ldrh, ibrd, 0);
    mmio("mmio-ldrshx", p_ldrshx, ibrd, 0);
    mmio("mmio-ldrshw", p_ldrshw, ibrd, 0);
    mmio("mmio-ldrsh-x17", p_ldrsh_x17, ibrd, 0);
    mmio_write32(ibrd, saved_ibrd);

    /* Where nothing answers: the host answers with an SEA. */
    mmio("mmio-nothing-ldrw", p_ldrw, NOTHING_BASE + 0x10, 0);
    mmio("mmio-nothing-strw", p_strw, NOTHING_BASE + 0x20, 1);
}

/*
 * What the host's exit counters see, exactly: the realm signals the host
 * and waits for its answer without any exit of its own.  It extends
 * REM0 (RSI_MEASUREMENT_EXTEND, which the monitor answers), which the
 * host watches in query-virtcca; the host samples its counters, then
 * answers by destroying the next doorbell granule of the realm's, which
 * the realm watches with RSI_IPA_STATE_GET (also the monitor's).  So
 * between two samples the counters show only what the realm did in
 * between.
 */
#define EL2_EMPTY_PAGE  (PLAY_BASE + 0x50 * GRANULE)
#define EL2_BELL_PAGE   (PLAY_BASE + 0x58 * GRANULE)    /* and 5 more */
#define EL2_NR_BELLS    6
#define EL2_SHARED_PAGE (PLAY_BASE + 0x60 * GRANULE)
/* A block the realm shares whole, and the page of it it takes back */
#define EL2_SHARED_BLOCK (PLAY_BASE + 0x800000)
#define EL2_TAKEN_BACK  (EL2_SHARED_BLOCK + 0x100 * GRANULE)

static unsigned bells_rung;

static bool host_samples(void)
{
    uint64_t bell = EL2_BELL_PAGE + bells_rung * GRANULE;
    uint64_t deadline = deadline_in(60);

    call(RSI_MEASUREMENT_EXTEND, 1, 8, bells_rung + 1, 0);
    while (ripas_of(bell) != RIPAS_DESTROYED) {
        if (read_cntvct() > deadline) {
            return false;
        }
    }
    bells_rung++;
    return true;
}

/*
 * Five windows between six samples:
 *  - every access kind to an EMPTY page: the monitor's SEA, no exit;
 *  - emulated MMIO loads: one MMIO exit each, nothing else;
 *  - accesses without an instruction syndrome (pair, exclusive, atomic,
 *    writeback) to a device register: the host cannot emulate them and
 *    answers each MMIO exit with an SEA at the instruction, no
 *    writeback; the register is left as it was;
 *  - a load from every page of a 2 MiB block the realm shared whole: the
 *    host maps the block at the first, one shared-map exit in all;
 *  - one page of the block taken back (RIPAS RAM), then loads from its
 *    shared alias and its neighbours': the host split the block and
 *    unmapped that page alone, so one shared-map exit, for it.  A
 *    translation of the block kept past the RIPAS change (a stale TLB or
 *    walk cache) would make none.
 */
static const struct {
    const char *name;
    void *fn;
} noisv[] = {
    { "noisv-ldp", p_ldp }, { "noisv-stp", p_stp },
    { "noisv-ldxr", p_ldxr }, { "noisv-ldadd", p_ldadd },
    { "noisv-swp", p_swp }, { "noisv-cas", p_cas },
    { "noisv-ldr-post", p_ldr_post }, { "noisv-str-post", p_str_post },
};

#define NR_NOISV        (sizeof(noisv) / sizeof(noisv[0]))
#define NR_EMUL_LOADS   4

static void case_exit_windows(void)
{
    /* 16-byte aligned: the registers of SPIs 80 to 95 */
    uint64_t prio = GICD_BASE + GICD_IPRIORITYR + TEST_SPI;
    uint64_t resp = 0, st, page = EL2_EMPTY_PAGE;
    struct outcome o[NR_PRIMS];
    struct mmio_result m[NR_NOISV];
    bool rang = true;
    unsigned i;

    p_strx(page, 0x1122334455667788ULL);
    st = ipa_state_set(page, page + GRANULE, RIPAS_EMPTY, 0, &resp);
    /* The doorbells must be backed for the host to destroy them. */
    for (i = 0; i < EL2_NR_BELLS; i++) {
        p_strx(EL2_BELL_PAGE + i * GRANULE, 1);
    }
    /* An exit the counters must have seen: shared RAM on first touch */
    p_ldrx(EL2_SHARED_PAGE | SHARED_BIT);
    out("R el2-empty status=%x response=%x ripas=%x\n", st, resp,
        ripas_of(page));
    st = ipa_state_set(EL2_SHARED_BLOCK, EL2_SHARED_BLOCK + BLOCK_SIZE,
                       RIPAS_EMPTY, 0, &resp);
    out("R el2-shared-block status=%x response=%x ripas=%x\n", st, resp,
        ripas_of(EL2_SHARED_BLOCK + BLOCK_SIZE - GRANULE));

    rang = host_samples() && rang;
    for (i = 0; i < NR_PRIMS; i++) {
        uint64_t addr = prims[i].fn == (void *)p_exec ? page :
                        page + 0x100 + 16 * i;

        o[i] = run_prim(prims[i].fn, addr, 0xdead, 0xbeef);
    }
    rang = host_samples() && rang;
    for (i = 0; i < NR_EMUL_LOADS; i++) {
        mmio_read32(GICD_BASE + GICD_TYPER);
    }
    rang = host_samples() && rang;
    for (i = 0; i < NR_NOISV; i++) {
        m[i] = mmio_do(noisv[i].fn, prio, 0x2222222222222222ULL);
    }
    rang = host_samples() && rang;
    for (i = 0; i < BLOCK_SIZE / GRANULE; i++) {
        p_ldrx((EL2_SHARED_BLOCK + i * GRANULE) | SHARED_BIT);
    }
    rang = host_samples() && rang;
    st = ipa_state_set(EL2_TAKEN_BACK, EL2_TAKEN_BACK + GRANULE, RIPAS_RAM,
                       0, &resp);
    p_ldrx(EL2_TAKEN_BACK | SHARED_BIT);
    p_ldrx((EL2_TAKEN_BACK - GRANULE) | SHARED_BIT);
    p_ldrx((EL2_TAKEN_BACK + GRANULE) | SHARED_BIT);
    rang = host_samples() && rang;
    out("R el2-taken-back status=%x ripas=%x\n", st,
        ripas_of(EL2_TAKEN_BACK));

    out("R el2-windows rang=%x emul-loads=%x noisv=%x\n", (uint64_t)rang,
        (uint64_t)NR_EMUL_LOADS, (uint64_t)NR_NOISV);
    for (i = 0; i < NR_PRIMS; i++) {
        out("R el2-empty-%s faulted=%x esr=%x far=%x elr=%x fn=%x\n",
            prims[i].name, (uint64_t)o[i].faulted, o[i].esr, o[i].far,
            o[i].elr, (uint64_t)prims[i].fn);
    }
    for (i = 0; i < NR_NOISV; i++) {
        mmio_report(noisv[i].name, noisv[i].fn, prio, m[i]);
    }
    mmio("noisv-after", p_ldrw, prio, 0);
    ipa_state_set(page, page + GRANULE, RIPAS_RAM, 0, &resp);
}

/* The distributor: affinity routing, Group 1 Non-secure on. */
static void gic_dist_init(void)
{
    mmio_write32(GICD_BASE + GICD_CTLR,
                 GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1A);
    out("R gicd-enabled ctlr=%x\n", (uint64_t)mmio_read32(GICD_BASE));
}

/*
 * This vCPU's redistributor, found as an OS finds it: the frame whose
 * GICR_TYPER affinity is the vCPU's MPIDR.  0 if none.
 */
static uint64_t gicr_find(void)
{
    uint64_t mpidr = read_mpidr();
    uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;
    uint64_t rd = GICR_BASE, typer;
    unsigned i;

    for (i = 0; i < GICR_LIMIT; i++, rd += GICR_STRIDE) {
        typer = mmio_read64(rd + GICR_TYPER);
        if (typer >> 32 == aff) {
            return rd;
        }
        if (typer & GICR_TYPER_LAST) {
            break;
        }
    }
    return 0;
}

/*
 * Mode el2-bpr leaves the binary point as the REC started with it: an
 * OS need not write it before taking interrupts.
 */
static bool keep_reset_bpr;

/*
 * Wake this vCPU's redistributor, enable @intids (SGIs and PPIs) there
 * at priority 0xa0, and turn the virtual CPU interface on.  Returns the
 * redistributor, 0 if there is none or it does not wake.
 */
static uint64_t gic_cpu_init(uint32_t intids)
{
    uint64_t rd = gicr_find(), deadline = deadline_in(5);
    unsigned i;

    if (!rd) {
        return 0;
    }
    mmio_write32(rd + GICR_WAKER,
                 mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
    while (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP) {
        if (read_cntvct() > deadline) {
            return 0;
        }
    }
    /* RAZ/WI from the Non-secure side; a Non-secure boot made them G1NS */
    mmio_write32(rd + GICR_SGI + GICR_IGROUPR0, ~0U);
    for (i = 0; i < 32; i++) {
        if (intids & (1U << i)) {
            mmio_write8(rd + GICR_SGI + GICR_IPRIORITYR + i, 0xa0);
        }
    }
    mmio_write32(rd + GICR_SGI + GICR_ISENABLER0, intids);

    write_sysreg(ICC_SRE_EL1, read_sysreg(ICC_SRE_EL1) | 1);
    isb();
    write_sysreg(ICC_PMR_EL1, 0xff);
    if (!keep_reset_bpr) {
        /* Below the minimum: the interface makes it its minimum */
        write_sysreg(ICC_BPR1_EL1, 0);
    }
    write_sysreg(ICC_IGRPEN1_EL1, 1);
    isb();
    return rd;
}

/* Interrupts taken as exceptions: acknowledge, note, quieten, EOI. */
static void irq_handler(struct cpu *c, struct frame *f)
{
    uint64_t intid = read_sysreg(ICC_IAR1_EL1) & 0xffffff;

    c->intid = intid;
    c->irq_elr = f->elr;
    c->nr_irq++;
    if (intid >= 1020) {
        return;         /* spurious: nothing to end */
    }
    if (intid == VTIMER_PPI) {
        /* Level-sensitive: mask it before the EOI, or it comes back */
        write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
        isb();
    }
    write_sysreg(ICC_EOIR1_EL1, intid);
    isb();
}

/* Wait with WFI for a virtual IRQ pending (ISR_EL1.I) */
static bool wait_virq(uint64_t seconds)
{
    uint64_t deadline = deadline_in(seconds);

    while (!(read_sysreg(isr_el1) & ISR_I)) {
        if (read_cntvct() > deadline) {
            return false;
        }
        asm volatile("wfi" : : : "memory");
    }
    return true;
}

/*
 * The virtual timer's PPI: first with IRQs masked, acknowledged from the
 * pending state; then taken as an exception, which also shows the first
 * one was deactivated.
 */
static void case_timer(uint64_t rd)
{
    struct cpu *c = this_cpu();
    uint64_t ticks = read_cntfrq() / 100;       /* 10 ms */
    uint64_t hppir, iar, ctl, spurious, pending, before, deadline;

    write_sysreg(cntv_cval_el0, read_cntvct() + ticks);
    write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
    isb();
    pending = wait_virq(10);
    ctl = read_sysreg(cntv_ctl_el0);
    hppir = read_sysreg(ICC_HPPIR1_EL1);
    iar = read_sysreg(ICC_IAR1_EL1);
    write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
    isb();
    write_sysreg(ICC_EOIR1_EL1, iar);
    isb();
    spurious = read_sysreg(ICC_IAR1_EL1);
    out("R timer-poll rd=%x pending=%x ctl=%x hppir=%x iar=%x after=%x\n",
        rd, pending, ctl, hppir, iar, spurious);

    before = c->nr_irq;
    write_sysreg(cntv_cval_el0, read_cntvct() + ticks);
    write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
    isb();
    deadline = deadline_in(10);
    asm volatile("msr daifclr, #2" : : : "memory");
    while (c->nr_irq == before && read_cntvct() < deadline) {
        asm volatile("wfi" : : : "memory");
    }
    asm volatile("msr daifset, #2" : : : "memory");
    ctl = read_sysreg(cntv_ctl_el0);
    write_sysreg(cntv_ctl_el0, 0);
    isb();
    out("R timer-irq count=%x intid=%x ctl=%x elr=%x\n", c->nr_irq - before,
        c->intid, ctl, c->irq_elr);
}

/* The SGI case: the receiving vCPU's side */
static volatile uint64_t sgi_ready_mpidr, sgi_done;

static void sgi_receiver(void)
{
    uint64_t rd = gic_cpu_init(1U << TEST_SGI), iar = INTID_SPURIOUS;
    uint64_t pending, spurious;

    __atomic_store_n(&sgi_ready_mpidr, rd ? read_mpidr() : ~0ULL,
                     __ATOMIC_RELEASE);
    pending = rd && wait_virq(30);
    if (pending) {
        iar = read_sysreg(ICC_IAR1_EL1);
        write_sysreg(ICC_EOIR1_EL1, iar);
        isb();
    }
    spurious = read_sysreg(ICC_IAR1_EL1);
    out("R sgi-received cpu=%x rd=%x pending=%x iar=%x after=%x\n",
        (uint64_t)cpu_id(), rd, pending, iar, spurious);
    __atomic_store_n(&sgi_done, 1, __ATOMIC_RELEASE);
}

/* ICC_SGI1R_EL1 for @intid to the vCPU with @mpidr alone */
static uint64_t sgi1r(uint64_t mpidr, unsigned intid)
{
    return (1ULL << (mpidr & 0xf)) |            /* target list: Aff0 */
           ((mpidr >> 8) & 0xff) << 16 |        /* Aff1 */
           (uint64_t)intid << 24 |
           ((mpidr >> 16) & 0xff) << 32 |       /* Aff2 */
           ((mpidr >> 32) & 0xff) << 48;        /* Aff3 */
}

static void case_sgi(void)
{
    uint64_t deadline = deadline_in(60), target, v;

    while (!(target = __atomic_load_n(&sgi_ready_mpidr, __ATOMIC_ACQUIRE))) {
        if (read_cntvct() > deadline) {
            break;
        }
    }
    v = sgi1r(target, TEST_SGI);
    write_sysreg(ICC_SGI1R_EL1, v);
    isb();
    while (!__atomic_load_n(&sgi_done, __ATOMIC_ACQUIRE) &&
           read_cntvct() < deadline) {
        /* the receiver reports */
    }
    out("R sgi-sent target=%x value=%x done=%x\n", target, v,
        (uint64_t)sgi_done);
}

/* An SGI to this vCPU itself, taken as an exception */
static void case_sgi_self(void)
{
    struct cpu *c = this_cpu();
    uint64_t before = c->nr_irq, deadline = deadline_in(10);

    write_sysreg(ICC_SGI1R_EL1, sgi1r(read_mpidr(), SELF_SGI));
    isb();
    asm volatile("msr daifclr, #2" : : : "memory");
    while (c->nr_irq == before && read_cntvct() < deadline) {
        asm volatile("wfi" : : : "memory");
    }
    asm volatile("msr daifset, #2" : : : "memory");
    out("R sgi-self count=%x intid=%x\n", c->nr_irq - before, c->intid);
}

static void case_el2(uint64_t ncpus)
{
    uint64_t rd;

    case_mmio();
    case_exit_windows();
    gic_dist_init();
    rd = gic_cpu_init(1U << VTIMER_PPI | 1U << SELF_SGI);
    start_secondaries(ncpus);
    case_timer(rd);
    case_sgi_self();
    if (ncpus > 1) {
        case_sgi();
    }
    out("R idregs-el2 pfr0=%x dfr0=%x mmfr1=%x\n", read_id_aa64pfr0(),
        read_id_aa64dfr0(), read_id_aa64mmfr1());
}

/* el2-bpr: the timer's interrupt with the binary point left at reset */
static void case_el2_reset_bpr(void)
{
    uint64_t rd;

    keep_reset_bpr = true;
    gic_dist_init();
    rd = gic_cpu_init(1U << VTIMER_PPI);
    out("R reset-bpr bpr1=%x\n", read_sysreg(ICC_BPR1_EL1));
    case_timer(rd);
}

void secondary_main(uint64_t n);
void secondary_main(uint64_t n)
{
    __atomic_add_fetch(&cpus_started, 1, __ATOMIC_ACQ_REL);
    if (payload_params.mode == 2) {
        fuzz_loop();
    } else if (payload_params.mode == MODE_CASES && n == 1) {
        second_cpu_reader();
    } else if (payload_params.mode == MODE_EL2 && n == 1) {
        sgi_receiver();
    }
    for (;;) {
        asm volatile("wfi");
    }
}

void payload_main(uint64_t dtb);
void payload_main(uint64_t dtb)
{
    uint64_t ncpus = payload_params.ncpus;
    struct call r;

    /* PL011: UARTEN | TXE, as firmware would leave it */
    ((volatile uint32_t *)UART_BASE)[0x30 / 4] = 0x101;
    r = call(RSI_VERSION, 0x10000, 0, 0, 0);
    out("S payload mode=%x seed=%x rsi=%x mpidr=%x\n", payload_params.mode,
        payload_params.seed, r.x[1], read_mpidr());
    r = call(RSI_REALM_CONFIG, (uint64_t)rsi_buf[0], 0, 0, 0);
    out("S realm-config status=%x ipa_width=%x\n", r.x[0],
        *(volatile uint64_t *)rsi_buf[0]);

    switch (payload_params.mode) {
    case MODE_CASES:
        start_secondaries(ncpus);
        case_empty();
        case_walk();
        if (ncpus > 1) {
            case_second_vcpu();
        }
        case_empty_reclaimed();
        case_empty_block_reclaimed();
        case_hvc();
        case_idregs();
        /*
         * Last, the case that needs the host to do without the memory
         * (the realm runs on after it): were the host to stop the realm
         * instead, every other case has reported.
         */
        case_outside_ram();
        case_destroyed();
        out("R alive\n");
        break;
    case MODE_ACCESS_OUTSIDE_RAM:
        case_access_outside_ram();
        break;
    case 3:
        case_buffer_destroyed();
        break;
    case 4:
        case_buffer_outside_ram();
        break;
    case MODE_EL2:
        case_el2(ncpus);
        out("R alive\n");
        break;
    case MODE_EL2_BPR:
        case_el2_reset_bpr();
        out("R alive\n");
        break;
    case 1:
        out("S spinning\n");
        spin_with_secret(payload_params.seed);
    default:
        make_secret(payload_params.seed);
        start_secondaries(ncpus);
        fuzz_loop();
        while (__atomic_load_n(&cpus_done, __ATOMIC_ACQUIRE) < ncpus) {
            /* wait */
        }
        out("S secret-intact=%x\n", (uint64_t)secret_intact(
            payload_params.seed));
        break;
    }
    out("END\n");
    /* The harness reads memory and quits QEMU; stay put until then. */
    for (;;) {
        asm volatile("wfi");
    }
}
