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
 *   3. DATA_CREATE with MEASURE_CONTENT for every 4 KiB granule of the
 *      populate ranges, in ascending IPA order; a granule's content is the
 *      bytes of the images overlapping it, zero elsewhere.  A plan names
 *      its populate ranges explicitly (openEuler's host kernel measures
 *      two whole ranges, zero pages included, so a plan the KVM path can
 *      honour must say so) or, without any, they are the granules the
 *      images touch: the meaning of plans from before populate ranges.
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

/*
 * A realm's breakpoints and watchpoints unless told otherwise, in the RMM
 * encoding (count minus one, like ID_AA64DFR0_EL1.BRPs/WRPs; 0 reserved):
 * the 6 breakpoints and 4 watchpoints of QEMU's -cpu max, which the TMM
 * offers (TMM_FEAT_NUM_BPS/WPS) and Arm's Cortex/Neoverse cores have.
 */
#define VIRTCCA_PLAN_NUM_BPS    5
#define VIRTCCA_PLAN_NUM_WPS    3

typedef struct VirtccaPlanParams {
    uint8_t hash_algo;                  /* TmmHashAlgo */
    uint8_t s2sz;                       /* IPA width in bits */
    uint64_t flags;
    uint64_t sve_vl;
    uint64_t num_bps;                   /* count - 1, 0 reserved */
    uint64_t num_wps;                   /* count - 1, 0 reserved */
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
    VirtccaPlanRange *populate;         /* none: the images' granules */
    size_t nr_populate;
    VirtccaPlanRec *recs;
    size_t nr_recs;
} VirtccaPlan;

/* Defaults: SHA-256, 48-bit IPA, VIRTCCA_PLAN_NUM_BPS/WPS, nothing else. */
void virtcca_plan_params_init(VirtccaPlanParams *params);
void virtcca_plan_init(VirtccaPlan *plan);
void virtcca_plan_free(VirtccaPlan *plan);
void virtcca_plan_add_ram(VirtccaPlan *plan, uint64_t base, uint64_t top);
void virtcca_plan_add_image(VirtccaPlan *plan, const char *name,
                            uint64_t ipa, const uint8_t *data, uint64_t size);
void virtcca_plan_add_rec(VirtccaPlan *plan, const VirtccaPlanRec *rec);
/* An explicit populate range: every granule in it is measured (step 3). */
void virtcca_plan_add_populate(VirtccaPlan *plan, uint64_t base,
                               uint64_t top);
/*
 * The populate ranges openEuler's host kernel measures for a Linux boot:
 * [RAM base, kernel end) and [initrd start, dtb end), zero pages included
 * (the initrd may be empty).  Added only when the boot loader placed them
 * in that order; returns whether they were.
 */
bool virtcca_plan_add_linux_populate(VirtccaPlan *plan, uint64_t ram_base,
                                     uint64_t kernel, uint64_t kernel_size,
                                     uint64_t initrd, uint64_t dtb,
                                     uint64_t dtb_size);
/*
 * The ranges step 3 walks, sorted: the explicit ones, or else one range a
 * run of images whose granules touch or overlap.  Returns their number
 * and a malloc'ed array in @ranges (NULL if none).
 */
size_t virtcca_plan_populate_ranges(const VirtccaPlan *plan,
                                    VirtccaPlanRange **ranges);
/*
 * The 4 KiB of the granule at @ipa as step 3 measures it: the bytes of the
 * images overlapping it, zero elsewhere.
 */
void virtcca_plan_granule_content(const VirtccaPlan *plan, uint64_t ipa,
                                  uint8_t *buf);
/* Sort RAM ranges, populate ranges and images by IPA (documented order). */
void virtcca_plan_sort(VirtccaPlan *plan);
/*
 * Check the plan before any RMI call: the realm parameters RMM 1.0 never
 * accepts (hash, IPA width, num_bps/num_wps of 0), sizes, alignment,
 * ranges inside the protected half of the IPA space, images inside RAM,
 * populate ranges
 * inside RAM and every image inside one of them, at least one REC.
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

/* A whole file, malloc'ed; NULL with a message in @err. */
uint8_t *virtcca_plan_read_file(const char *path, uint64_t *size,
                                char *err, size_t len);
/*
 * Load the text form from @path and give each image the bytes of the file
 * named for it (@names[i] is at @paths[i], @nr of them), which must be
 * the one the plan measured.  The image buffers are @buffers (nr_images
 * entries, malloc'ed; free each and the array).  False with a message.
 */
bool virtcca_plan_load(const char *path, const char *const *names,
                       const char *const *paths, size_t nr,
                       VirtccaPlan *plan, uint8_t ***buffers,
                       char *err, size_t len);

#endif
