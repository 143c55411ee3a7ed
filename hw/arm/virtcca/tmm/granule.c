/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM core: the monitor's view of physical memory.  Granule states are kept
 * for the secure ranges only: anything else is non-secure, can never be
 * delegated, and is what host-supplied buffers must be.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tmm-internal.h"

static int range_cmp(const void *a, const void *b)
{
    const TmmRange *ra = a, *rb = b;

    return ra->base < rb->base ? -1 : ra->base > rb->base;
}

Tmm *tmm_new(TmmGranuleMapFn map, void *opaque,
             const TmmRange *secure, size_t nr_secure,
             const TmmAttestKeys *keys)
{
    Tmm *tmm;
    size_t i, n = 0;

    if (!map || (nr_secure && !secure)) {
        return NULL;
    }
    for (i = 0; i < nr_secure; i++) {
        if (!tmm_aligned(secure[i].base, TMM_GRANULE_SIZE) ||
            !tmm_aligned(secure[i].size, TMM_GRANULE_SIZE) ||
            secure[i].base + secure[i].size < secure[i].base) {
            return NULL;
        }
    }
    tmm = calloc(1, sizeof(*tmm));
    if (!tmm) {
        return NULL;
    }
    tmm->map = map;
    tmm->opaque = opaque;
    tmm->keys = keys;
    tmm->nr_secure = nr_secure;
    tmm->secure = calloc(nr_secure + 1, sizeof(TmmRange));
    tmm->first = calloc(nr_secure + 1, sizeof(size_t));
    if (!tmm->secure || !tmm->first) {
        goto fail;
    }
    memcpy(tmm->secure, secure, nr_secure * sizeof(TmmRange));
    qsort(tmm->secure, nr_secure, sizeof(TmmRange), range_cmp);
    for (i = 0; i < nr_secure; i++) {
        if (i && tmm->secure[i - 1].base + tmm->secure[i - 1].size >
                 tmm->secure[i].base) {
            goto fail;          /* overlapping ranges */
        }
        tmm->first[i] = n;
        n += tmm->secure[i].size >> TMM_GRANULE_SHIFT;
    }
    tmm->nr_granules = n;
    tmm->granules = calloc(n + 1, sizeof(TmmGranule));
    if (!tmm->granules) {
        goto fail;
    }
    pthread_mutex_init(&tmm->lock, NULL);
    return tmm;

fail:
    free(tmm->secure);
    free(tmm->first);
    free(tmm);
    return NULL;
}

void tmm_free(Tmm *tmm)
{
    if (!tmm) {
        return;
    }
    pthread_mutex_destroy(&tmm->lock);
    free(tmm->granules);
    free(tmm->secure);
    free(tmm->first);
    free(tmm);
}

/* Metadata of a secure granule, NULL for anything outside the carve-out. */
TmmGranule *tmm_granule(Tmm *tmm, uint64_t pa)
{
    size_t lo = 0, hi = tmm->nr_secure;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const TmmRange *r = &tmm->secure[mid];

        if (pa < r->base) {
            hi = mid;
        } else if (pa - r->base >= r->size) {
            lo = mid + 1;
        } else {
            return &tmm->granules[tmm->first[mid] +
                                  ((pa - r->base) >> TMM_GRANULE_SHIFT)];
        }
    }
    return NULL;
}

static uint64_t granule_pa(Tmm *tmm, size_t idx)
{
    size_t i;

    for (i = 0; i + 1 < tmm->nr_secure && tmm->first[i + 1] <= idx; i++) {
        /* ranges are few; a linear search keeps this simple */
    }
    return tmm->secure[i].base +
           ((uint64_t)(idx - tmm->first[i]) << TMM_GRANULE_SHIFT);
}

void *tmm_map(Tmm *tmm, uint64_t pa)
{
    return tmm->map(tmm->opaque, pa & ~TMM_GRANULE_MASK);
}

/* A host-supplied buffer: must be memory and must not be secure. */
void *tmm_map_ns(Tmm *tmm, uint64_t pa)
{
    if (!tmm_aligned(pa, TMM_GRANULE_SIZE) || tmm_granule(tmm, pa)) {
        return NULL;
    }
    return tmm->map(tmm->opaque, pa);
}

/* True if [pa, pa + size) does not touch the secure carve-out. */
bool tmm_range_is_ns(Tmm *tmm, uint64_t pa, uint64_t size)
{
    size_t i;

    if (pa + size < pa) {
        return false;
    }
    for (i = 0; i < tmm->nr_secure; i++) {
        const TmmRange *r = &tmm->secure[i];

        if (pa < r->base + r->size && r->base < pa + size) {
            return false;
        }
    }
    return true;
}

/* The granule at @pa if it is aligned, secure, mapped and in @state. */
TmmGranule *tmm_granule_in_state(Tmm *tmm, uint64_t pa,
                                 TmmGranuleState state)
{
    TmmGranule *g;

    if (!tmm_aligned(pa, TMM_GRANULE_SIZE)) {
        return NULL;
    }
    g = tmm_granule(tmm, pa);
    if (!g || g->state != state || !tmm->map(tmm->opaque, pa)) {
        return NULL;
    }
    return g;
}

void tmm_granule_set(Tmm *tmm, uint64_t pa, TmmGranuleState state)
{
    TmmGranule *g = tmm_granule(tmm, pa);

    g->state = state;
    g->refcount = 0;
}

/* Zero a granule leaving realm use, so nothing leaks to its next owner. */
void tmm_granule_scrub(Tmm *tmm, uint64_t pa)
{
    memset(tmm_map(tmm, pa), 0, TMM_GRANULE_SIZE);
}

TmmRd *tmm_rd_get(Tmm *tmm, uint64_t rd_pa)
{
    if (!tmm_granule_in_state(tmm, rd_pa, TMM_GRANULE_RD)) {
        return NULL;
    }
    return tmm_map(tmm, rd_pa);
}

TmmRec *tmm_rec_get(Tmm *tmm, uint64_t rec_pa)
{
    if (!tmm_granule_in_state(tmm, rec_pa, TMM_GRANULE_REC)) {
        return NULL;
    }
    return tmm_map(tmm, rec_pa);
}

TmmGranuleState tmm_granule_state(Tmm *tmm, uint64_t pa)
{
    TmmGranule *g;
    TmmGranuleState s;

    pthread_mutex_lock(&tmm->lock);
    g = tmm_granule(tmm, pa);
    s = g ? g->state : TMM_GRANULE_UNDELEGATED;
    pthread_mutex_unlock(&tmm->lock);
    return s;
}

bool tmm_pa_is_secure(Tmm *tmm, uint64_t pa)
{
    bool ret;

    pthread_mutex_lock(&tmm->lock);
    ret = tmm_granule(tmm, pa) != NULL;
    pthread_mutex_unlock(&tmm->lock);
    return ret;
}

/* RMI_GRANULE_DELEGATE(addr) */
void tmm_smc_granule_delegate(Tmm *tmm, uint64_t *regs)
{
    uint64_t pa = regs[1];

    /* align, bound (delegable memory is the carve-out), state */
    if (!tmm_granule_in_state(tmm, pa, TMM_GRANULE_UNDELEGATED)) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    /*
     * Whatever the host left there must not become realm content: the
     * realm only sees zeroes or what DATA_CREATE copies in.
     */
    tmm_granule_scrub(tmm, pa);
    tmm_granule_set(tmm, pa, TMM_GRANULE_DELEGATED);
    regs[0] = TMM_RMI_SUCCESS;
}

/* RMI_GRANULE_UNDELEGATE(addr) */
void tmm_smc_granule_undelegate(Tmm *tmm, uint64_t *regs)
{
    uint64_t pa = regs[1];

    if (!tmm_granule_in_state(tmm, pa, TMM_GRANULE_DELEGATED)) {
        regs[0] = TMM_RMI_ERROR_INPUT;
        return;
    }
    tmm_granule_scrub(tmm, pa);
    tmm_granule_set(tmm, pa, TMM_GRANULE_UNDELEGATED);
    regs[0] = TMM_RMI_SUCCESS;
}

static bool __attribute__((format(printf, 3, 4)))
fail(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;

    if (why && len) {
        va_start(ap, fmt);
        vsnprintf(why, len, fmt, ap);
        va_end(ap);
    }
    return false;
}

static int vmid_cmp(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/*
 * Walk every object from the RDs down, marking each granule reached in
 * @seen; then every RTT, DATA and REC_AUX granule must have been reached
 * exactly once, and reference counts must match what was found.
 */
bool tmm_check_invariants_locked(Tmm *tmm, char *why, size_t len)
{
    uint8_t *seen = calloc(tmm->nr_granules + 1, 1);
    uint16_t *vmids = malloc((tmm->nr_granules + 1) * sizeof(uint16_t));
    uint32_t *recs = calloc(tmm->nr_granules + 1, sizeof(uint32_t));
    size_t nr_rds = 0;
    bool ok = true;
    size_t i;
    unsigned j;

    if (!seen || !vmids || !recs) {
        ok = fail(why, len, "out of memory");
        goto out;
    }
    for (i = 0; i < tmm->nr_granules && ok; i++) {
        TmmGranule *g = &tmm->granules[i];
        uint64_t pa = granule_pa(tmm, i);
        TmmRd *rd;

        if (g->state > TMM_GRANULE_RTT) {
            ok = fail(why, len, "granule 0x%llx: bad state %u",
                      (unsigned long long)pa, g->state);
            break;
        }
        if (g->state != TMM_GRANULE_RD && g->state != TMM_GRANULE_RTT &&
            g->refcount) {
            ok = fail(why, len, "granule 0x%llx: state %u refcount %u",
                      (unsigned long long)pa, g->state, g->refcount);
            break;
        }
        if (g->state != TMM_GRANULE_RD) {
            continue;
        }
        rd = tmm_map(tmm, pa);
        if (rd->state > TMM_REALM_SYSTEM_OFF || rd->vmid >= TMM_NR_VMIDS) {
            ok = fail(why, len, "RD 0x%llx: bad state/vmid",
                      (unsigned long long)pa);
            break;
        }
        if (!(tmm->vmid_used[rd->vmid / 8] & (1u << (rd->vmid % 8)))) {
            ok = fail(why, len, "RD 0x%llx: VMID %u not reserved",
                      (unsigned long long)pa, rd->vmid);
            break;
        }
        vmids[nr_rds++] = rd->vmid;
        ok = tmm_rtt_check_tree(tmm, pa, rd, seen, why, len);
    }
    /* Every reserved VMID belongs to exactly one live realm. */
    if (ok) {
        qsort(vmids, nr_rds, sizeof(uint16_t), vmid_cmp);
        for (i = 1; i < nr_rds && ok; i++) {
            if (vmids[i] == vmids[i - 1]) {
                ok = fail(why, len, "VMID %u shared", vmids[i]);
            }
        }
        if (ok && nr_rds != tmm->nr_vmids) {
            ok = fail(why, len, "%zu VMIDs reserved for %zu realms",
                      tmm->nr_vmids, nr_rds);
        }
    }
    for (i = 0; i < tmm->nr_granules && ok; i++) {
        uint64_t pa = granule_pa(tmm, i);
        TmmGranule *og;
        TmmRec *rec;

        if (tmm->granules[i].state != TMM_GRANULE_REC) {
            continue;
        }
        rec = tmm_map(tmm, pa);
        og = tmm_granule(tmm, rec->owner);
        if (!og || og->state != TMM_GRANULE_RD) {
            ok = fail(why, len, "REC 0x%llx: owner 0x%llx is not an RD",
                      (unsigned long long)pa,
                      (unsigned long long)rec->owner);
            break;
        }
        recs[og - tmm->granules]++;
        if (rec->num_aux != TMM_REC_AUX_COUNT) {
            ok = fail(why, len, "REC 0x%llx: %llu aux granules",
                      (unsigned long long)pa,
                      (unsigned long long)rec->num_aux);
            break;
        }
        for (j = 0; j < rec->num_aux; j++) {
            TmmGranule *ag = tmm_granule(tmm, rec->aux[j]);

            if (!ag || ag->state != TMM_GRANULE_REC_AUX ||
                seen[ag - tmm->granules]) {
                ok = fail(why, len, "REC 0x%llx: aux 0x%llx bad or shared",
                          (unsigned long long)pa,
                          (unsigned long long)rec->aux[j]);
                break;
            }
            seen[ag - tmm->granules] = 1;
        }
        if (rec->token_len > TMM_TOKEN_MAX_SIZE ||
            rec->token_off > rec->token_len) {
            ok = fail(why, len, "REC 0x%llx: token state",
                      (unsigned long long)pa);
        }
    }
    for (i = 0; i < tmm->nr_granules && ok; i++) {
        TmmGranule *g = &tmm->granules[i];
        uint64_t pa = granule_pa(tmm, i);

        switch (g->state) {
        case TMM_GRANULE_RTT:
        case TMM_GRANULE_DATA:
        case TMM_GRANULE_REC_AUX:
            if (!seen[i]) {
                ok = fail(why, len, "granule 0x%llx (state %u) unreachable",
                          (unsigned long long)pa, g->state);
            }
            break;
        case TMM_GRANULE_RD:
            if (g->refcount != recs[i]) {
                ok = fail(why, len, "RD 0x%llx: refcount %u, %u RECs",
                          (unsigned long long)pa, g->refcount, recs[i]);
            }
            break;
        default:
            if (seen[i]) {
                ok = fail(why, len, "granule 0x%llx (state %u) in use",
                          (unsigned long long)pa, g->state);
            }
            break;
        }
    }
    /* A walk-cache entry of this generation names the table a walk finds. */
    for (i = 0; i < TMM_WALK_CACHE_SIZE && ok; i++) {
        const TmmWalkCache *c = &tmm->walk_cache[i];
        TmmGranule *rg = tmm_granule(tmm, c->rd_pa);
        TmmWalk w;

        if (c->generation_plus_1 != tmm->table_generation + 1) {
            continue;
        }
        if (!rg || rg->state != TMM_GRANULE_RD) {
            ok = fail(why, len, "walk cache %zu: RD 0x%llx gone", i,
                      (unsigned long long)c->rd_pa);
            break;
        }
        tmm_rtt_walk(tmm, tmm_map(tmm, c->rd_pa),
                     c->block << tmm_level_shift(TMM_RTT_MAX_LEVEL - 1),
                     TMM_RTT_MAX_LEVEL, &w);
        if (w.level != TMM_RTT_MAX_LEVEL || w.rtt_pa != c->rtt_pa) {
            ok = fail(why, len, "walk cache %zu: block 0x%llx maps to "
                      "0x%llx, not 0x%llx", i,
                      (unsigned long long)c->block,
                      (unsigned long long)w.rtt_pa,
                      (unsigned long long)c->rtt_pa);
        }
    }
out:
    free(seen);
    free(vmids);
    free(recs);
    return ok;
}

void tmm_set_self_check(Tmm *tmm, bool enable)
{
    pthread_mutex_lock(&tmm->lock);
    tmm->self_check = enable;
    pthread_mutex_unlock(&tmm->lock);
}

/* Called with the lock held at the end of every state-changing entry. */
void tmm_self_check_now(Tmm *tmm, const char *what)
{
    char why[256];

    if (!tmm_check_invariants_locked(tmm, why, sizeof(why))) {
        fprintf(stderr, "tmm: invariant violated after %s: %s\n", what, why);
        abort();
    }
}

bool tmm_check_invariants(Tmm *tmm, char *why, size_t len)
{
    bool ok;

    pthread_mutex_lock(&tmm->lock);
    ok = tmm_check_invariants_locked(tmm, why, len);
    pthread_mutex_unlock(&tmm->lock);
    return ok;
}
