/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The launch plan: what a realm is made of, in the order it is built.
 *
 * A plan is data: realm parameters, the RAM ranges whose RIPAS becomes RAM,
 * the images loaded into the realm with their IPAs, and the RECs with their
 * entry registers.  Executing it against the TMM core (the TCG machine),
 * replaying it to predict the RIM (virtcca-measure) and turning it into
 * ioctls (KVM) all walk the same plan, so they cannot disagree.
 *
 * The documented RMI order, which the RIM depends on:
 *   1. REALM_CREATE with the parameters.
 *   2. RTT_INIT_RIPAS over each RAM range, ranges in ascending IPA order;
 *      the host creates the tables down to level 2 first, so each step
 *      converts one 2 MiB block where a range allows it, otherwise one
 *      4 KiB page of a level-3 table.
 *   3. DATA_CREATE with MEASURE_CONTENT for every 4 KiB granule that an
 *      image touches, in ascending IPA order; a granule's content is the
 *      bytes of the images overlapping it, zero elsewhere.
 *   4. REC_CREATE for each REC, in plan order.
 *   5. REALM_ACTIVATE.
 *
 * No QEMU headers: the plan is shared with the standalone tools.
 */
#ifndef VIRTCCA_PLAN_H
#define VIRTCCA_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTCCA_PLAN_MAX_NAME   32

typedef struct VirtccaPlanImage {
    char name[VIRTCCA_PLAN_MAX_NAME];   /* "kernel", "initrd", "dtb", ... */
    uint64_t ipa;
    uint64_t size;
    const uint8_t *data;                /* size bytes; owned by the caller */
} VirtccaPlanImage;

typedef struct VirtccaPlanRange {
    uint64_t base;                      /* 4 KiB aligned */
    uint64_t top;                       /* exclusive, 4 KiB aligned */
} VirtccaPlanRange;

typedef struct VirtccaPlanRec {
    uint64_t mpidr;
    uint64_t pc;
    uint64_t gprs[8];
    bool runnable;
} VirtccaPlanRec;

typedef struct VirtccaPlanParams {
    uint8_t hash_algo;                  /* TmmHashAlgo */
    uint8_t s2sz;                       /* IPA width in bits */
    uint64_t flags;
    uint64_t sve_vl;
    uint64_t num_bps;
    uint64_t num_wps;
    uint64_t pmu_num_ctrs;
    uint8_t rpv[64];
    uint16_t vmid;                      /* not measured */
} VirtccaPlanParams;

typedef struct VirtccaPlan {
    VirtccaPlanParams params;
    VirtccaPlanRange *ram;
    size_t nr_ram;
    VirtccaPlanImage *images;
    size_t nr_images;
    VirtccaPlanRec *recs;
    size_t nr_recs;
} VirtccaPlan;

void virtcca_plan_init(VirtccaPlan *plan);
void virtcca_plan_free(VirtccaPlan *plan);
void virtcca_plan_add_ram(VirtccaPlan *plan, uint64_t base, uint64_t top);
void virtcca_plan_add_image(VirtccaPlan *plan, const char *name,
                            uint64_t ipa, const uint8_t *data, uint64_t size);
void virtcca_plan_add_rec(VirtccaPlan *plan, const VirtccaPlanRec *rec);
/* Sort RAM ranges and images by IPA: the documented order. */
void virtcca_plan_sort(VirtccaPlan *plan);
/*
 * Check the plan before any RMI call: sizes, alignment, ranges inside the
 * protected half of the IPA space, images inside RAM, at least one REC.
 * Returns false with a message in @err (of @len bytes).
 */
bool virtcca_plan_check(const VirtccaPlan *plan, char *err, size_t len);

/* Format a message into @err (of @len bytes); always returns false. */
bool virtcca_plan_error(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Text form of a plan, the measurement log a verifier replays: one line a
 * step, images named and identified by their SHA-256 (their bytes are
 * supplied separately).  See docs/system/arm/virtcca.rst.
 */
char *virtcca_plan_to_text(const VirtccaPlan *plan);
/*
 * Parse the text form.  Images come back with data == NULL and their
 * expected SHA-256 in @image_sha256 (nr_images entries of 32 bytes,
 * malloc'ed).  Returns false with a message naming the line.
 */
bool virtcca_plan_from_text(const char *text, VirtccaPlan *plan,
                            uint8_t **image_sha256, char *err, size_t len);

#endif
