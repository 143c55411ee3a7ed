/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test memory and helpers for the TMM core unit tests: a malloc'ed array
 * standing for physical memory, with a secure carve-out in the middle,
 * plus builders for realms, RTTs, DATA and RECs through the RMI.
 */
#ifndef TMM_TEST_ENV_H
#define TMM_TEST_ENV_H

#include <glib.h>

#include "tmm.h"

/* Physical layout of the test memory */
#define TEST_MEM_BASE       0x40000000ULL
#define TEST_NS_SIZE        (4ULL << 20)
#define TEST_SEC_BASE       (TEST_MEM_BASE + TEST_NS_SIZE)
#define TEST_SEC_SIZE       (8ULL << 20)
#define TEST_NS2_BASE       (TEST_SEC_BASE + TEST_SEC_SIZE)
#define TEST_NS2_SIZE       (1ULL << 20)
#define TEST_MEM_SIZE       (TEST_NS_SIZE + TEST_SEC_SIZE + TEST_NS2_SIZE)
#define TEST_NO_MEM         0x10000000ULL   /* nothing there */
#define GRAN                TMM_GRANULE_SIZE

typedef struct TestMem {
    uint8_t *ram;
    Tmm *tmm;
    uint64_t next_ns;
    uint64_t next_sec;
    uint64_t x[TMM_RMI_REGS];   /* registers after the last call */
} TestMem;

typedef struct TestRealm {
    uint64_t rd;
    uint64_t params;
    uint64_t rtt_base;
    unsigned s2sz;
    int sl;
    unsigned num;
    unsigned nr_recs;
    uint64_t recs[8];
} TestRealm;

void test_mem_init(TestMem *m, const TmmAttestKeys *keys);
/* Checks the invariants; with @all_undelegated, that nothing is in use. */
void test_mem_fini(TestMem *m, bool all_undelegated);
void *test_ptr(TestMem *m, uint64_t pa);
uint64_t test_ns_granule(TestMem *m);
uint64_t test_sec_granule(TestMem *m);
/* @n contiguous secure granules aligned to @align, undelegated. */
uint64_t test_sec_granules(TestMem *m, unsigned n, uint64_t align);
uint64_t test_delegated(TestMem *m);
void test_check(TestMem *m);

uint64_t test_rmi_v(TestMem *m, const uint64_t *args, unsigned n);
#define RMI(m, ...) \
    test_rmi_v(m, (const uint64_t[]){ __VA_ARGS__ }, \
               sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))

uint64_t test_realm_params(TestMem *m, unsigned s2sz, int sl, unsigned num,
                           uint64_t rtt_base, unsigned vmid,
                           unsigned hash_algo);
/* A NEW realm: s2sz 40, start level 1, two concatenated root tables. */
void test_realm_new(TestMem *m, TestRealm *r, unsigned vmid);
void test_realm_new_geom(TestMem *m, TestRealm *r, unsigned vmid,
                         unsigned s2sz, int sl, unsigned num);
/* Create the missing RTTs so that @ipa can be mapped at @level. */
void test_rtt_to(TestMem *m, TestRealm *r, uint64_t ipa, int level);
uint64_t test_data(TestMem *m, TestRealm *r, uint64_t ipa, uint8_t fill,
                   uint64_t flags);
uint64_t test_rec(TestMem *m, TestRealm *r, uint64_t mpidr, uint64_t pc,
                  bool runnable);
/* Host-side teardown: unmap, destroy DATA/RTTs/RECs, destroy the realm. */
void test_realm_teardown(TestMem *m, TestRealm *r);
/* Undelegate every granule that is DELEGATED. */
void test_undelegate_all(TestMem *m);

/* Run a REC: enter with @run; returns the entry status, fills @ctx. */
uint64_t test_enter(TestMem *m, uint64_t rec, uint64_t run,
                    TmmVcpuContext *ctx);
/* Issue an SMC from a running REC with x0..x10 = args. */
TmmSmcResult test_smc(TestMem *m, uint64_t rec, TmmVcpuContext *ctx,
                      const uint64_t *args, unsigned n);
#define SMC(m, rec, ctx, ...) \
    test_smc(m, rec, ctx, (const uint64_t[]){ __VA_ARGS__ }, \
             sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))

static inline uint64_t test_ld(TestMem *m, uint64_t pa, size_t off)
{
    uint64_t v;

    memcpy(&v, (uint8_t *)test_ptr(m, pa) + off, 8);
    return v;
}

static inline void test_st(TestMem *m, uint64_t pa, size_t off, uint64_t v)
{
    memcpy((uint8_t *)test_ptr(m, pa) + off, &v, 8);
}

#define RMI_STATUS(s, i) ((uint64_t)(s) | ((uint64_t)(i) << 8))

#endif
