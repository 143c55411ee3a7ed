/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtcca-measure: the RIM a realm will have, computed without QEMU.
 *
 * It builds the realm its arguments describe, with the same launch-plan
 * executor and the same TMM core the virtcca machine uses, over scratch
 * memory, then reads the RIM back as the realm would (RSI
 * MEASUREMENT_READ).  This is how a relying party gets reference values:
 * from the images and the plan (the machine's measurement log) alone.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan-rmi.h"

#define GRANULE         TMM_GRANULE_SIZE
#define NS_BASE         0x1000ULL           /* three Non-secure granules */
#define SECURE_BASE     0x100000000ULL      /* the scratch carve-out */

typedef struct Scratch {
    uint8_t ns[3][GRANULE];
    uint8_t *secure;
    uint64_t secure_granules;
    uint64_t next;
} Scratch;

static void *scratch_map(void *opaque, uint64_t pa)
{
    Scratch *s = opaque;

    if (pa >= NS_BASE && pa < NS_BASE + 3 * GRANULE) {
        return s->ns[(pa - NS_BASE) / GRANULE];
    }
    if (pa >= SECURE_BASE && pa < SECURE_BASE + s->secure_granules * GRANULE) {
        return s->secure + (pa - SECURE_BASE);
    }
    return NULL;
}

static bool scratch_alloc(void *opaque, uint64_t *pa)
{
    Scratch *s = opaque;

    if (s->next == s->secure_granules) {
        return false;
    }
    *pa = SECURE_BASE + s->next++ * GRANULE;
    return true;
}

static void usage(FILE *f)
{
    fprintf(f,
"usage: virtcca-measure [options]\n"
"Print the RIM of the realm described by a launch plan.\n"
"\n"
"  --plan FILE            the plan (the virtcca machine's measurement log);\n"
"                         images then come from --image NAME=PATH\n"
"or describe the realm directly:\n"
"  --hash sha256|sha512   measurement algorithm (default sha256)\n"
"  --s2sz N               IPA width in bits (default 48)\n"
"  --rpv HEX              personalization value (up to 64 bytes)\n"
"  --ram BASE:SIZE        a RAM range (repeatable)\n"
"  --populate BASE:SIZE   a range measured whole, zero pages included\n"
"                         (repeatable; default: the images' granules)\n"
"  --image NAME=PATH@IPA  an image loaded at IPA (repeatable)\n"
"  --rec PC[:MPIDR[:X0]]  a REC and its entry state (repeatable;\n"
"                         the first is runnable, the others are not)\n"
"and:\n"
"  --print-plan           print the plan in its text form too\n"
"  --json                 print {\"hash\": ..., \"rim\": ...}\n"
"  -h, --help             this text\n");
}

static uint8_t *read_file(const char *path, uint64_t *size)
{
    char err[256];
    uint8_t *buf = virtcca_plan_read_file(path, size, err, sizeof(err));

    if (!buf) {
        fprintf(stderr, "virtcca-measure: %s\n", err);
    }
    return buf;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;

    errno = 0;
    *out = strtoull(s, &end, 0);
    return !errno && end != s && *end == 0;
}

static bool parse_hex(const char *s, uint8_t *out, size_t max)
{
    size_t n = strlen(s), i;

    if (n % 2 || n / 2 > max) {
        return false;
    }
    for (i = 0; i < n / 2; i++) {
        unsigned int b;

        if (sscanf(s + 2 * i, "%2x", &b) != 1) {
            return false;
        }
        out[i] = b;
    }
    return true;
}

/* The REC reads its realm's RIM: REC_ENTER then RSI MEASUREMENT_READ. */
static bool read_rim(Tmm *tmm, const VirtccaPlanRealm *realm, uint8_t *rim)
{
    TmmVcpuContext ctx;
    int i;

    if (tmm_rec_enter(tmm, realm->recs[0], NS_BASE + 2 * GRANULE, &ctx) !=
        TMM_RMI_SUCCESS) {
        return false;
    }
    ctx.gprs[0] = TMM_RSI_MEASUREMENT_READ;
    ctx.gprs[1] = 0;
    if (tmm_rec_smc(tmm, realm->recs[0], &ctx) != TMM_SMC_RESUME ||
        ctx.gprs[0] != TMM_RSI_SUCCESS) {
        return false;
    }
    for (i = 0; i < 8; i++) {
        memcpy(rim + 8 * i, &ctx.gprs[1 + i], 8);
    }
    return true;
}

typedef struct ImageArg {
    char *name;
    char *path;
} ImageArg;

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "plan", required_argument, NULL, 'p' },
        { "hash", required_argument, NULL, 'H' },
        { "s2sz", required_argument, NULL, 's' },
        { "rpv", required_argument, NULL, 'r' },
        { "ram", required_argument, NULL, 'm' },
        { "populate", required_argument, NULL, 'u' },
        { "image", required_argument, NULL, 'i' },
        { "rec", required_argument, NULL, 'c' },
        { "print-plan", no_argument, NULL, 'P' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    VirtccaPlan plan;
    VirtccaPlanRealm realm;
    VirtccaPlanHost host;
    Scratch *scratch;
    ImageArg *images = NULL;
    size_t nr_images = 0, nr_buffers = 0, i, j;
    uint8_t **buffers = NULL, rim[64];
    const char *plan_file = NULL;
    bool print_plan = false, json = false;
    char err[256];
    Tmm *tmm;
    int opt, ret = 1;
    uint64_t data_granules = 0;

    virtcca_plan_init(&plan);
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *sep, *arg = optarg;
        uint64_t a, b;

        switch (opt) {
        case 'p':
            plan_file = optarg;
            break;
        case 'H':
            if (!strcmp(optarg, "sha256")) {
                plan.params.hash_algo = TMM_HASH_SHA256;
            } else if (!strcmp(optarg, "sha512")) {
                plan.params.hash_algo = TMM_HASH_SHA512;
            } else {
                fprintf(stderr, "virtcca-measure: --hash: '%s' is neither "
                        "sha256 nor sha512\n", optarg);
                return 2;
            }
            break;
        case 's':
            if (!parse_u64(optarg, &a) || a > 64) {
                fprintf(stderr, "virtcca-measure: --s2sz: bad width '%s'\n",
                        optarg);
                return 2;
            }
            plan.params.s2sz = a;
            break;
        case 'r':
            if (!parse_hex(optarg, plan.params.rpv, 64)) {
                fprintf(stderr, "virtcca-measure: --rpv: '%s' is not up to "
                        "64 bytes of hex\n", optarg);
                return 2;
            }
            break;
        case 'm':
        case 'u':
            sep = strchr(arg, ':');
            if (sep) {
                *sep = 0;
            }
            if (!sep || !parse_u64(arg, &a) || !parse_u64(sep + 1, &b)) {
                fprintf(stderr, "virtcca-measure: --%s: expected "
                        "BASE:SIZE\n", opt == 'm' ? "ram" : "populate");
                return 2;
            }
            if (opt == 'm') {
                virtcca_plan_add_ram(&plan, a, a + b);
            } else {
                virtcca_plan_add_populate(&plan, a, a + b);
            }
            break;
        case 'i':
            images = realloc(images, (nr_images + 1) * sizeof(*images));
            sep = strchr(arg, '=');
            if (!images || !sep) {
                fprintf(stderr, "virtcca-measure: --image: expected "
                        "NAME=PATH[@IPA]\n");
                return 2;
            }
            *sep = 0;
            images[nr_images].name = arg;
            images[nr_images].path = sep + 1;
            nr_images++;
            break;
        case 'c': {
            VirtccaPlanRec rec = { .runnable = plan.nr_recs == 0 };
            char *f1 = strchr(arg, ':'), *f2 = NULL;

            if (f1) {
                *f1++ = 0;
                f2 = strchr(f1, ':');
                if (f2) {
                    *f2++ = 0;
                }
            }
            if (!parse_u64(arg, &rec.pc) ||
                (f1 && !parse_u64(f1, &rec.mpidr)) ||
                (f2 && !parse_u64(f2, &rec.gprs[0]))) {
                fprintf(stderr, "virtcca-measure: --rec: expected "
                        "PC[:MPIDR[:X0]]\n");
                return 2;
            }
            virtcca_plan_add_rec(&plan, &rec);
            break;
        }
        case 'P':
            print_plan = true;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "virtcca-measure: unexpected argument '%s'\n",
                argv[optind]);
        return 2;
    }

    if (plan_file) {
        const char **names = calloc(nr_images + 1, sizeof(*names));
        const char **paths = calloc(nr_images + 1, sizeof(*paths));
        bool loaded;

        for (j = 0; j < nr_images; j++) {
            names[j] = images[j].name;
            paths[j] = images[j].path;
        }
        virtcca_plan_free(&plan);
        loaded = virtcca_plan_load(plan_file, names, paths, nr_images,
                                   &plan, &buffers, err, sizeof(err));
        nr_buffers = plan.nr_images;
        free(names);
        free(paths);
        if (!loaded) {
            fprintf(stderr, "virtcca-measure: %s\n", err);
            goto out;
        }
    } else {
        buffers = calloc(nr_images + 1, sizeof(*buffers));
        nr_buffers = nr_images;
        for (j = 0; j < nr_images; j++) {
            char *at = strrchr(images[j].path, '@');
            uint64_t ipa, size;

            if (at) {
                *at = 0;
            }
            if (!at || !parse_u64(at + 1, &ipa)) {
                fprintf(stderr, "virtcca-measure: --image %s: expected "
                        "NAME=PATH@IPA\n", images[j].name);
                goto out;
            }
            buffers[j] = read_file(images[j].path, &size);
            if (!buffers[j]) {
                goto out;
            }
            virtcca_plan_add_image(&plan, images[j].name, ipa, buffers[j],
                                   size);
        }
    }
    virtcca_plan_sort(&plan);
    if (!virtcca_plan_check(&plan, err, sizeof(err))) {
        fprintf(stderr, "virtcca-measure: %s\n", err);
        goto out;
    }

    /*
     * Scratch secure memory: the data granules, the REC granules with
     * their aux granules, and a generous bound on RTTs (one level-3 table
     * per 2 MiB populated, level-2 tables per GiB of RAM, range edges).
     */
    {
        VirtccaPlanRange *populate;
        size_t nr = virtcca_plan_populate_ranges(&plan, &populate);

        for (i = 0; i < nr; i++) {
            data_granules += (populate[i].top - populate[i].base) / GRANULE
                             + 2;
        }
        free(populate);
    }
    scratch = calloc(1, sizeof(*scratch));
    scratch->secure_granules = 64 + 2 * data_granules +
        plan.nr_recs * (1 + TMM_REC_AUX_MAX) + 8 * plan.nr_ram;
    for (i = 0; i < plan.nr_ram; i++) {
        scratch->secure_granules += 2 * ((plan.ram[i].top -
                                          plan.ram[i].base) >> 30);
    }
    scratch->secure = calloc(scratch->secure_granules, GRANULE);
    if (!scratch->secure) {
        fprintf(stderr, "virtcca-measure: out of memory\n");
        goto out;
    }
    {
        TmmRange secure = { SECURE_BASE, scratch->secure_granules * GRANULE };

        tmm = tmm_new(scratch_map, scratch, &secure, 1, NULL);
    }
    host = (VirtccaPlanHost) {
        .tmm = tmm, .opaque = scratch, .alloc_granule = scratch_alloc,
        .ns_pa = { NS_BASE, NS_BASE + GRANULE },
        .ns_ptr = { scratch->ns[0], scratch->ns[1] },
    };
    if (!virtcca_plan_build(&plan, &host, &realm, err, sizeof(err)) ||
        !read_rim(tmm, &realm, rim)) {
        fprintf(stderr, "virtcca-measure: building the realm failed: %s\n",
                err);
        goto out;
    }

    if (print_plan) {
        char *text = virtcca_plan_to_text(&plan);

        fputs(text, stdout);
        free(text);
    }
    if (json) {
        printf("{\"hash\": \"%s\", \"rim\": \"",
               tmm_hash_name(plan.params.hash_algo));
    } else {
        printf("RIM (%s): ", tmm_hash_name(plan.params.hash_algo));
    }
    for (i = 0; i < tmm_hash_size(plan.params.hash_algo); i++) {
        printf("%02x", rim[i]);
    }
    printf(json ? "\"}\n" : "\n");
    ret = 0;
    virtcca_plan_realm_free(&realm);
    tmm_free(tmm);
    free(scratch->secure);
    free(scratch);
out:
    for (j = 0; buffers && j < nr_buffers; j++) {
        free(buffers[j]);
    }
    free(buffers);
    free(images);
    virtcca_plan_free(&plan);
    return ret;
}
