/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Executing a launch plan as the normal-world host does: the RMI calls a
 * KVM host issues to build a realm, in the order plan.h documents.  Used
 * by the TCG machine against the monitor it embeds and by virtcca-measure
 * against a monitor over scratch memory, so both get the same RIM.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan-rmi.h"

#define GRANULE     TMM_GRANULE_SIZE
#define L2_SIZE     (1ULL << 21)


static uint64_t rmi(VirtccaPlanHost *host, uint64_t fid, uint64_t a1,
                    uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                    uint64_t *out1)
{
    uint64_t regs[TMM_RMI_REGS] = { fid, a1, a2, a3, a4, a5 };

    tmm_rmi_call(host->tmm, regs);
    if (out1) {
        *out1 = regs[1];
    }
    return regs[0];
}

static const char *rmi_name(uint64_t fid)
{
    switch (fid) {
    case TMM_RMI_GRANULE_DELEGATE: return "GRANULE_DELEGATE";
    case TMM_RMI_REALM_CREATE: return "REALM_CREATE";
    case TMM_RMI_RTT_CREATE: return "RTT_CREATE";
    case TMM_RMI_RTT_INIT_RIPAS: return "RTT_INIT_RIPAS";
    case TMM_RMI_DATA_CREATE: return "DATA_CREATE";
    case TMM_RMI_REC_CREATE: return "REC_CREATE";
    case TMM_RMI_REC_AUX_COUNT: return "REC_AUX_COUNT";
    case TMM_RMI_REALM_ACTIVATE: return "REALM_ACTIVATE";
    default: return "RMI";
    }
}

static bool rmi_ok(VirtccaPlanHost *host, uint64_t status, uint64_t fid,
                   uint64_t arg, char *err, size_t len)
{
    if (status != TMM_RMI_SUCCESS) {
        return virtcca_plan_error(err, len,
                                  "RMI %s(0x%" PRIx64 ") failed: status %"
                                  PRIu64 " index %" PRIu64, rmi_name(fid), arg,
                                  status & 0xff, (status >> 8) & 0xff);
    }
    return true;
}

/* A fresh granule from the host's pool, delegated to the monitor. */
bool virtcca_plan_delegated_granule(VirtccaPlanHost *host, uint64_t *pa,
                                    char *err, size_t len)
{
    if (!host->alloc_granule(host->opaque, pa)) {
        return virtcca_plan_error(err, len,
                                  "out of secure memory for the realm");
    }
    return rmi_ok(host, rmi(host, TMM_RMI_GRANULE_DELEGATE, *pa, 0, 0, 0, 0,
                            NULL),
                  TMM_RMI_GRANULE_DELEGATE, *pa, err, len);
}

/* Bytes an RTT entry at @level maps. */
static uint64_t level_size(int level)
{
    return 1ULL << (12 + 9 * (3 - level));
}

/* The start level at which one table resolves the whole IPA space. */
int virtcca_plan_rtt_start_level(unsigned s2sz)
{
    int level = 3;

    while (level > 0 && 12 + 9 * (4 - level) < (int)s2sz) {
        level--;
    }
    return level;
}

/*
 * Make sure a table at @level exists for @ipa, creating the missing ones
 * from the start level down.
 */
bool virtcca_plan_ensure_table(VirtccaPlanHost *host, VirtccaPlanRealm *realm,
                               uint64_t ipa, int level, char *err, size_t len)
{
    int l;

    for (l = realm->start_level + 1; l <= level; l++) {
        uint64_t regs[TMM_RMI_REGS] = { TMM_RMI_RTT_READ_ENTRY, realm->rd,
                                        ipa & ~(level_size(l - 1) - 1),
                                        l - 1 };
        uint64_t rtt, base = ipa & ~(level_size(l - 1) - 1);

        tmm_rmi_call(host->tmm, regs);
        if (!rmi_ok(host, regs[0], TMM_RMI_RTT_READ_ENTRY, ipa, err, len)) {
            return false;
        }
        if (regs[2] == TMM_RTTE_TABLE) {
            continue;
        }
        if (!virtcca_plan_delegated_granule(host, &rtt, err, len) ||
            !rmi_ok(host, rmi(host, TMM_RMI_RTT_CREATE, realm->rd, rtt, base,
                              l, 0, NULL),
                    TMM_RMI_RTT_CREATE, base, err, len)) {
            return false;
        }
        realm->nr_rtts++;
    }
    return true;
}

bool virtcca_plan_create_realm(const VirtccaPlanParams *p,
                               VirtccaPlanHost *host, VirtccaPlanRealm *realm,
                               char *err, size_t len)
{
    uint8_t *params = host->ns_ptr[0];
    uint64_t rtt;

    realm->start_level = virtcca_plan_rtt_start_level(p->s2sz);
    if (!virtcca_plan_delegated_granule(host, &realm->rd, err, len) ||
        !virtcca_plan_delegated_granule(host, &rtt, err, len)) {
        return false;
    }
    realm->nr_rtts = 1;
    memset(params, 0, GRANULE);
    memcpy(params + TMM_REALM_PARAMS_FLAGS, &p->flags, 8);
    params[TMM_REALM_PARAMS_S2SZ] = p->s2sz;
    memcpy(params + TMM_REALM_PARAMS_SVE_VL, &p->sve_vl, 8);
    memcpy(params + TMM_REALM_PARAMS_NUM_BPS, &p->num_bps, 8);
    memcpy(params + TMM_REALM_PARAMS_NUM_WPS, &p->num_wps, 8);
    memcpy(params + TMM_REALM_PARAMS_PMU_NUM_CTRS, &p->pmu_num_ctrs, 8);
    params[TMM_REALM_PARAMS_HASH_ALGO] = p->hash_algo;
    memcpy(params + TMM_REALM_PARAMS_RPV, p->rpv, sizeof(p->rpv));
    memcpy(params + TMM_REALM_PARAMS_VMID, &p->vmid, 2);
    memcpy(params + TMM_REALM_PARAMS_RTT_BASE, &rtt, 8);
    params[TMM_REALM_PARAMS_RTT_LEVEL_START] = realm->start_level;
    params[TMM_REALM_PARAMS_RTT_NUM_START] = 1;
    return rmi_ok(host, rmi(host, TMM_RMI_REALM_CREATE, realm->rd,
                            host->ns_pa[0], 0, 0, 0, NULL),
                  TMM_RMI_REALM_CREATE, realm->rd, err, len);
}

/* Step 2: RIPAS RAM over a range, 2 MiB blocks where the range allows. */
bool virtcca_plan_init_ripas(VirtccaPlanHost *host, VirtccaPlanRealm *realm,
                             const VirtccaPlanRange *r, char *err, size_t len)
{
    uint64_t cursor = r->base;

    while (cursor < r->top) {
        bool block = !(cursor & (L2_SIZE - 1)) && cursor + L2_SIZE <= r->top;
        uint64_t reached;

        if (!virtcca_plan_ensure_table(host, realm, cursor, block ? 2 : 3,
                                       err, len) ||
            !rmi_ok(host, rmi(host, TMM_RMI_RTT_INIT_RIPAS, realm->rd,
                              cursor, block ? r->top & ~(L2_SIZE - 1)
                                            : r->top, 0, 0, &reached),
                    TMM_RMI_RTT_INIT_RIPAS, cursor, err, len)) {
            return false;
        }
        cursor = reached;
    }
    return true;
}

bool virtcca_plan_data_create(VirtccaPlanHost *host, VirtccaPlanRealm *realm,
                              uint64_t ipa, bool measure, char *err,
                              size_t len)
{
    uint64_t data;

    if (!virtcca_plan_ensure_table(host, realm, ipa, 3, err, len) ||
        !virtcca_plan_delegated_granule(host, &data, err, len) ||
        !rmi_ok(host, rmi(host, TMM_RMI_DATA_CREATE, realm->rd, data, ipa,
                          host->ns_pa[1],
                          measure ? TMM_DATA_MEASURE_CONTENT : 0, NULL),
                TMM_RMI_DATA_CREATE, ipa, err, len)) {
        return false;
    }
    realm->nr_data++;
    return true;
}

/* Step 3: DATA_CREATE, measured, for every granule of the populate ranges. */
static bool populate(const VirtccaPlan *plan, VirtccaPlanHost *host,
                     VirtccaPlanRealm *realm, char *err, size_t len)
{
    VirtccaPlanRange *ranges;
    size_t nr = virtcca_plan_populate_ranges(plan, &ranges), i;
    bool ok = true;

    for (i = 0; ok && i < nr; i++) {
        uint64_t ipa;

        for (ipa = ranges[i].base; ok && ipa < ranges[i].top;
             ipa += GRANULE) {
            virtcca_plan_granule_content(plan, ipa, host->ns_ptr[1]);
            ok = virtcca_plan_data_create(host, realm, ipa, true, err, len);
        }
    }
    free(ranges);
    return ok;
}

/* Step 4, one REC: with its aux granules, appended to realm->recs. */
bool virtcca_plan_create_rec(VirtccaPlanHost *host, VirtccaPlanRealm *realm,
                             const VirtccaPlanRec *r, char *err, size_t len)
{
    uint8_t *params = host->ns_ptr[0];
    uint64_t flags = r->runnable ? TMM_REC_PARAMS_RUNNABLE : 0;
    uint64_t num_aux, a, rec, *recs;

    if (!rmi_ok(host, rmi(host, TMM_RMI_REC_AUX_COUNT, realm->rd, 0, 0, 0, 0,
                          &num_aux),
                TMM_RMI_REC_AUX_COUNT, realm->rd, err, len)) {
        return false;
    }
    if (num_aux > TMM_REC_AUX_MAX) {
        return virtcca_plan_error(err, len,
                                  "the monitor asks for %" PRIu64 " aux "
                                  "granules a REC", num_aux);
    }
    recs = realloc(realm->recs, (realm->nr_recs + 1) * sizeof(*recs));
    if (!recs) {
        return virtcca_plan_error(err, len, "out of memory");
    }
    realm->recs = recs;
    memset(params, 0, GRANULE);
    memcpy(params + TMM_REC_PARAMS_FLAGS, &flags, 8);
    memcpy(params + TMM_REC_PARAMS_MPIDR, &r->mpidr, 8);
    memcpy(params + TMM_REC_PARAMS_PC, &r->pc, 8);
    memcpy(params + TMM_REC_PARAMS_GPRS, r->gprs, sizeof(r->gprs));
    memcpy(params + TMM_REC_PARAMS_NUM_AUX, &num_aux, 8);
    for (a = 0; a < num_aux; a++) {
        uint64_t aux;

        if (!virtcca_plan_delegated_granule(host, &aux, err, len)) {
            return false;
        }
        memcpy(params + TMM_REC_PARAMS_AUX + a * 8, &aux, 8);
    }
    if (!virtcca_plan_delegated_granule(host, &rec, err, len) ||
        !rmi_ok(host, rmi(host, TMM_RMI_REC_CREATE, realm->rd, rec,
                          host->ns_pa[0], 0, 0, NULL),
                TMM_RMI_REC_CREATE, rec, err, len)) {
        return false;
    }
    realm->recs[realm->nr_recs++] = rec;
    return true;
}

bool virtcca_plan_build(const VirtccaPlan *plan, VirtccaPlanHost *host,
                        VirtccaPlanRealm *realm, char *err, size_t len)
{
    size_t i;

    memset(realm, 0, sizeof(*realm));
    if (!virtcca_plan_check(plan, err, len) ||
        !virtcca_plan_create_realm(&plan->params, host, realm, err, len)) {
        return false;
    }
    for (i = 0; i < plan->nr_ram; i++) {
        if (!virtcca_plan_init_ripas(host, realm, &plan->ram[i], err, len)) {
            return false;
        }
    }
    if (!populate(plan, host, realm, err, len)) {
        return false;
    }
    for (i = 0; i < plan->nr_recs; i++) {
        if (!virtcca_plan_create_rec(host, realm, &plan->recs[i], err,
                                     len)) {
            return false;
        }
    }
    return rmi_ok(host, rmi(host, TMM_RMI_REALM_ACTIVATE, realm->rd, 0, 0, 0,
                            0, NULL),
                  TMM_RMI_REALM_ACTIVATE, realm->rd, err, len);
}

void virtcca_plan_realm_free(VirtccaPlanRealm *realm)
{
    free(realm->recs);
    memset(realm, 0, sizeof(*realm));
}
