/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Executing a launch plan against the TMM core with RMI calls.
 */
#ifndef VIRTCCA_PLAN_RMI_H
#define VIRTCCA_PLAN_RMI_H

#include "plan.h"
#include "tmm.h"

typedef struct VirtccaPlanHost {
    Tmm *tmm;
    void *opaque;
    /* Hand out a secure granule for the host to delegate; false if none. */
    bool (*alloc_granule)(void *opaque, uint64_t *pa);
    /*
     * Two Non-secure granules the host owns (RMI parameter blocks and
     * DATA_CREATE's source): their physical addresses and host pointers.
     */
    uint64_t ns_pa[2];
    uint8_t *ns_ptr[2];
} VirtccaPlanHost;

typedef struct VirtccaPlanRealm {
    uint64_t rd;
    uint64_t *recs;         /* REC granules, in plan order */
    size_t nr_recs;
    size_t nr_rtts;         /* RTT granules created, start table included */
    size_t nr_data;         /* DATA granules created */
    int start_level;
} VirtccaPlanRealm;

/* The RTT start level this host uses for an IPA width: one start table. */
int virtcca_plan_rtt_start_level(unsigned s2sz);

/*
 * Host steps the plan uses, also for later changes to a built realm: a
 * fresh granule from the host's pool, delegated; the RTTs missing for
 * @ipa to have a table at @level.  False with a message in @err.
 */
bool virtcca_plan_delegated_granule(VirtccaPlanHost *host, uint64_t *pa,
                                    char *err, size_t len);
bool virtcca_plan_ensure_table(VirtccaPlanHost *host, VirtccaPlanRealm *realm,
                               uint64_t ipa, int level, char *err, size_t len);

/*
 * The measured steps of plan.h, one call each, for a host that does not
 * hold a whole plan (the kernel stand-in, tests/tmm/kvm/):
 * REALM_CREATE with @p (and the start RTT); RTT_INIT_RIPAS over @r;
 * DATA_CREATE of the granule @ipa from the content in host->ns_ptr[1];
 * REC_CREATE of @rec, appended to realm->recs.
 */
bool virtcca_plan_create_realm(const VirtccaPlanParams *p,
                               VirtccaPlanHost *host, VirtccaPlanRealm *realm,
                               char *err, size_t len);
bool virtcca_plan_init_ripas(VirtccaPlanHost *host, VirtccaPlanRealm *realm,
                             const VirtccaPlanRange *r, char *err, size_t len);
bool virtcca_plan_data_create(VirtccaPlanHost *host, VirtccaPlanRealm *realm,
                              uint64_t ipa, bool measure, char *err,
                              size_t len);
bool virtcca_plan_create_rec(VirtccaPlanHost *host, VirtccaPlanRealm *realm,
                             const VirtccaPlanRec *rec, char *err, size_t len);

/*
 * Build and activate the realm @plan describes, with the RMI sequence
 * documented in plan.h.  On failure returns false with the failing call
 * in @err; the granules already handed out stay with the monitor.
 */
bool virtcca_plan_build(const VirtccaPlan *plan, VirtccaPlanHost *host,
                        VirtccaPlanRealm *realm, char *err, size_t len);
void virtcca_plan_realm_free(VirtccaPlanRealm *realm);

#endif
