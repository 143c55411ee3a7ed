/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The launch plan: construction, checks and its text form.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "measure/measure.h"

#define GRANULE 4096ULL
#define PLAN_MAGIC "virtcca-plan 1"

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        abort();
    }
    return p;
}

void virtcca_plan_params_init(VirtccaPlanParams *params)
{
    memset(params, 0, sizeof(*params));
    params->hash_algo = TMM_HASH_SHA256;
    params->s2sz = 48;
    params->num_bps = VIRTCCA_PLAN_NUM_BPS;
    params->num_wps = VIRTCCA_PLAN_NUM_WPS;
}

void virtcca_plan_init(VirtccaPlan *plan)
{
    memset(plan, 0, sizeof(*plan));
    virtcca_plan_params_init(&plan->params);
}

void virtcca_plan_free(VirtccaPlan *plan)
{
    free(plan->ram);
    free(plan->images);
    free(plan->populate);
    free(plan->recs);
    memset(plan, 0, sizeof(*plan));
}

void virtcca_plan_add_ram(VirtccaPlan *plan, uint64_t base, uint64_t top)
{
    plan->ram = xrealloc(plan->ram, (plan->nr_ram + 1) * sizeof(*plan->ram));
    plan->ram[plan->nr_ram].base = base;
    plan->ram[plan->nr_ram].top = top;
    plan->nr_ram++;
}

void virtcca_plan_add_image(VirtccaPlan *plan, const char *name,
                            uint64_t ipa, const uint8_t *data, uint64_t size)
{
    VirtccaPlanImage *img;

    plan->images = xrealloc(plan->images,
                            (plan->nr_images + 1) * sizeof(*plan->images));
    img = &plan->images[plan->nr_images++];
    memset(img, 0, sizeof(*img));
    snprintf(img->name, sizeof(img->name), "%s", name);
    img->ipa = ipa;
    img->size = size;
    img->data = data;
}

void virtcca_plan_add_rec(VirtccaPlan *plan, const VirtccaPlanRec *rec)
{
    plan->recs = xrealloc(plan->recs, (plan->nr_recs + 1) * sizeof(*rec));
    plan->recs[plan->nr_recs++] = *rec;
}

void virtcca_plan_add_populate(VirtccaPlan *plan, uint64_t base,
                               uint64_t top)
{
    plan->populate = xrealloc(plan->populate, (plan->nr_populate + 1) *
                              sizeof(*plan->populate));
    plan->populate[plan->nr_populate].base = base;
    plan->populate[plan->nr_populate].top = top;
    plan->nr_populate++;
}

bool virtcca_plan_add_linux_populate(VirtccaPlan *plan, uint64_t ram_base,
                                     uint64_t kernel, uint64_t kernel_size,
                                     uint64_t initrd, uint64_t dtb,
                                     uint64_t dtb_size)
{
    uint64_t kernel_top = (kernel + kernel_size + GRANULE - 1) &
                          ~(GRANULE - 1);
    uint64_t initrd_base = initrd & ~(GRANULE - 1);
    uint64_t dtb_top = (dtb + dtb_size + GRANULE - 1) & ~(GRANULE - 1);

    if (ram_base % GRANULE || !kernel_size || !dtb_size ||
        ram_base > kernel || kernel_top > initrd_base || initrd_base > dtb) {
        return false;
    }
    virtcca_plan_add_populate(plan, ram_base, kernel_top);
    virtcca_plan_add_populate(plan, initrd_base, dtb_top);
    return true;
}

static int cmp_range(const void *a, const void *b)
{
    const VirtccaPlanRange *x = a, *y = b;

    return x->base < y->base ? -1 : x->base > y->base;
}

static int cmp_image(const void *a, const void *b)
{
    const VirtccaPlanImage *x = a, *y = b;

    return x->ipa < y->ipa ? -1 : x->ipa > y->ipa;
}

void virtcca_plan_sort(VirtccaPlan *plan)
{
    if (plan->nr_ram) {
        qsort(plan->ram, plan->nr_ram, sizeof(*plan->ram), cmp_range);
    }
    if (plan->nr_populate) {
        qsort(plan->populate, plan->nr_populate, sizeof(*plan->populate),
              cmp_range);
    }
    if (plan->nr_images) {
        qsort(plan->images, plan->nr_images, sizeof(*plan->images),
              cmp_image);
    }
}

size_t virtcca_plan_populate_ranges(const VirtccaPlan *plan,
                                    VirtccaPlanRange **ranges)
{
    VirtccaPlanRange *out;
    size_t n = 0, i;

    if (plan->nr_populate) {
        out = xrealloc(NULL, plan->nr_populate * sizeof(*out));
        memcpy(out, plan->populate, plan->nr_populate * sizeof(*out));
        qsort(out, plan->nr_populate, sizeof(*out), cmp_range);
        *ranges = out;
        return plan->nr_populate;
    }
    if (!plan->nr_images) {
        *ranges = NULL;
        return 0;
    }
    /* Without explicit ranges: the granules the sorted images touch. */
    out = xrealloc(NULL, plan->nr_images * sizeof(*out));
    for (i = 0; i < plan->nr_images; i++) {
        const VirtccaPlanImage *img = &plan->images[i];
        uint64_t base = img->ipa & ~(GRANULE - 1);
        uint64_t top = (img->ipa + img->size + GRANULE - 1) & ~(GRANULE - 1);

        if (n && base <= out[n - 1].top) {
            if (top > out[n - 1].top) {
                out[n - 1].top = top;
            }
        } else {
            out[n].base = base;
            out[n].top = top;
            n++;
        }
    }
    *ranges = out;
    return n;
}

void virtcca_plan_granule_content(const VirtccaPlan *plan, uint64_t ipa,
                                  uint8_t *buf)
{
    size_t i;

    memset(buf, 0, GRANULE);
    for (i = 0; i < plan->nr_images; i++) {
        const VirtccaPlanImage *img = &plan->images[i];
        uint64_t lo = img->ipa > ipa ? img->ipa : ipa;
        uint64_t hi = img->ipa + img->size < ipa + GRANULE ?
                      img->ipa + img->size : ipa + GRANULE;

        if (lo < hi) {
            memcpy(buf + (lo - ipa), img->data + (lo - img->ipa), hi - lo);
        }
    }
}

bool virtcca_plan_error(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return false;
}


static bool in_ram(const VirtccaPlan *plan, uint64_t base, uint64_t top)
{
    size_t i;

    for (i = 0; i < plan->nr_ram; i++) {
        if (base >= plan->ram[i].base && top <= plan->ram[i].top) {
            return true;
        }
    }
    return false;
}

/* Explicit populate ranges: inside RAM, and holding every image. */
static bool check_populate(const VirtccaPlan *plan, char *err, size_t len)
{
    size_t i, j;

    for (i = 0; i < plan->nr_populate; i++) {
        const VirtccaPlanRange *r = &plan->populate[i];

        if (r->base % GRANULE || r->top % GRANULE || r->top <= r->base) {
            return virtcca_plan_error(err, len,
                                  "populate range 0x%" PRIx64 "-0x%" PRIx64
                                  " is empty or not 4 KiB aligned",
                                  r->base, r->top);
        }
        if (!in_ram(plan, r->base, r->top)) {
            return virtcca_plan_error(err, len,
                                  "populate range 0x%" PRIx64 "-0x%" PRIx64
                                  " is not inside the realm's RAM",
                                  r->base, r->top);
        }
        if (i && r->base < plan->populate[i - 1].top) {
            return virtcca_plan_error(err, len,
                                  "populate ranges overlap or are not "
                                  "sorted");
        }
    }
    for (i = 0; plan->nr_populate && i < plan->nr_images; i++) {
        const VirtccaPlanImage *img = &plan->images[i];

        for (j = 0; j < plan->nr_populate; j++) {
            if (img->ipa >= plan->populate[j].base &&
                img->ipa + img->size <= plan->populate[j].top) {
                break;
            }
        }
        if (j == plan->nr_populate) {
            return virtcca_plan_error(err, len,
                                  "image %s (0x%" PRIx64 ", %" PRIu64
                                  " bytes) is not inside a populate range",
                                  img->name, img->ipa, img->size);
        }
    }
    return true;
}

bool virtcca_plan_check(const VirtccaPlan *plan, char *err, size_t len)
{
    const VirtccaPlanParams *p = &plan->params;
    uint64_t par_size;
    size_t i;

    if (!tmm_hash_algo_valid(p->hash_algo)) {
        return virtcca_plan_error(err, len,
                                  "unknown hash algorithm %u", p->hash_algo);
    }
    if (p->s2sz < 32 || p->s2sz > 48) {
        return virtcca_plan_error(err, len,
                                  "IPA width %u is outside 32..48", p->s2sz);
    }
    /* RMM 1.0 reserves 0: a realm has at least two of each */
    if (!p->num_bps || !p->num_wps) {
        return virtcca_plan_error(err, len, "num_bps=%" PRIu64 " num_wps=%"
                                  PRIu64 ": each is a count minus one, and "
                                  "0 is reserved", p->num_bps, p->num_wps);
    }
    par_size = 1ULL << (p->s2sz - 1);
    if (!plan->nr_ram) {
        return virtcca_plan_error(err, len, "the realm has no RAM");
    }
    for (i = 0; i < plan->nr_ram; i++) {
        const VirtccaPlanRange *r = &plan->ram[i];

        if (r->base % GRANULE || r->top % GRANULE || r->top <= r->base) {
            return virtcca_plan_error(err, len,
                                  "RAM range 0x%" PRIx64 "-0x%" PRIx64
                                  " is empty or not 4 KiB aligned",
                                  r->base, r->top);
        }
        if (r->top > par_size) {
            return virtcca_plan_error(err, len,
                                  "RAM range 0x%" PRIx64 "-0x%" PRIx64
                                  " is outside the protected IPA space "
                                  "(%u bits)",
                                  r->base, r->top, p->s2sz);
        }
        if (i && r->base < plan->ram[i - 1].top) {
            return virtcca_plan_error(err, len,
                                  "RAM ranges overlap or are not sorted");
        }
    }
    for (i = 0; i < plan->nr_images; i++) {
        const VirtccaPlanImage *img = &plan->images[i];

        if (!img->size || img->ipa + img->size < img->ipa ||
            !in_ram(plan, img->ipa, img->ipa + img->size)) {
            return virtcca_plan_error(err, len,
                                  "image %s (0x%" PRIx64 ", %" PRIu64
                                  " bytes) is not inside the realm's RAM",
                                  img->name,
                                  img->ipa, img->size);
        }
        if (i && img->ipa < plan->images[i - 1].ipa +
                 plan->images[i - 1].size) {
            return virtcca_plan_error(err, len,
                                  "images %s and %s overlap or are not "
                                  "sorted", plan->images[i - 1].name,
                                  img->name);
        }
    }
    if (!check_populate(plan, err, len)) {
        return false;
    }
    if (!plan->nr_recs) {
        return virtcca_plan_error(err, len, "the realm has no REC");
    }
    return true;
}

/* Text form */

typedef struct StrBuf {
    char *s;
    size_t len, cap;
} StrBuf;

static void sb_printf(StrBuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void sb_printf(StrBuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        size_t room = sb->cap - sb->len;

        va_start(ap, fmt);
        n = vsnprintf(sb->s ? sb->s + sb->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < room) {
            sb->len += n;
            return;
        }
        sb->cap = sb->cap * 2 + n + 64;
        sb->s = xrealloc(sb->s, sb->cap);
    }
}

static void sb_hex(StrBuf *sb, const uint8_t *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        sb_printf(sb, "%02x", b[i]);
    }
}

char *virtcca_plan_to_text(const VirtccaPlan *plan)
{
    const VirtccaPlanParams *p = &plan->params;
    StrBuf sb = { 0 };
    uint8_t digest[TMM_HASH_MAX_SIZE];
    size_t i, r;

    sb_printf(&sb, "%s\n", PLAN_MAGIC);
    sb_printf(&sb, "realm hash=%s s2sz=%u flags=0x%" PRIx64 " sve_vl=%"
              PRIu64 " num_bps=%" PRIu64 " num_wps=%" PRIu64
              " pmu_num_ctrs=%" PRIu64 " rpv=", tmm_hash_name(p->hash_algo),
              p->s2sz, p->flags, p->sve_vl, p->num_bps, p->num_wps,
              p->pmu_num_ctrs);
    sb_hex(&sb, p->rpv, sizeof(p->rpv));
    sb_printf(&sb, "\n");
    for (i = 0; i < plan->nr_ram; i++) {
        sb_printf(&sb, "ram base=0x%" PRIx64 " top=0x%" PRIx64 "\n",
                  plan->ram[i].base, plan->ram[i].top);
    }
    for (i = 0; i < plan->nr_populate; i++) {
        sb_printf(&sb, "populate base=0x%" PRIx64 " top=0x%" PRIx64 "\n",
                  plan->populate[i].base, plan->populate[i].top);
    }
    for (i = 0; i < plan->nr_images; i++) {
        const VirtccaPlanImage *img = &plan->images[i];

        tmm_hash(TMM_HASH_SHA256, img->data, img->size, digest);
        sb_printf(&sb, "image name=%s ipa=0x%" PRIx64 " size=%" PRIu64
                  " sha256=", img->name, img->ipa, img->size);
        sb_hex(&sb, digest, 32);
        sb_printf(&sb, "\n");
    }
    for (i = 0; i < plan->nr_recs; i++) {
        const VirtccaPlanRec *rec = &plan->recs[i];

        sb_printf(&sb, "rec mpidr=0x%" PRIx64 " pc=0x%" PRIx64
                  " runnable=%d", rec->mpidr, rec->pc, rec->runnable);
        for (r = 0; r < 8; r++) {
            sb_printf(&sb, " x%zu=0x%" PRIx64, r, rec->gprs[r]);
        }
        sb_printf(&sb, "\n");
    }
    return sb.s;
}

/* The value of "key=" in a line of space-separated key=value words. */
static const char *field(const char *line, const char *key, size_t *vlen)
{
    size_t klen = strlen(key);
    const char *p = line;

    while ((p = strstr(p, key)) != NULL) {
        if ((p == line || p[-1] == ' ') && p[klen] == '=') {
            const char *v = p + klen + 1;

            *vlen = strcspn(v, "\n ");
            return v;
        }
        p += klen;
    }
    return NULL;
}

static bool field_u64(const char *line, const char *key, uint64_t *out)
{
    size_t vlen;
    const char *v = field(line, key, &vlen);
    char buf[32], *end;

    if (!v || vlen == 0 || vlen >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, v, vlen);
    buf[vlen] = 0;
    /* plan.c builds outside QEMU too (virtcca-measure): libc, not qemu_. */
    *out = strtoull(buf, &end, 0);
    return *end == 0;
}

static bool field_hex(const char *line, const char *key, uint8_t *out,
                      size_t n)
{
    size_t vlen, i;
    const char *v = field(line, key, &vlen);

    if (!v || vlen != 2 * n) {
        return false;
    }
    for (i = 0; i < n; i++) {
        unsigned int byte;

        if (sscanf(v + 2 * i, "%2x", &byte) != 1) {
            return false;
        }
        out[i] = byte;
    }
    return true;
}

static bool parse_realm(const char *line, VirtccaPlanParams *p)
{
    size_t vlen;
    const char *hash = field(line, "hash", &vlen);
    uint64_t s2sz;

    if (!hash) {
        return false;
    }
    if (vlen == 7 && !strncmp(hash, "sha-256", 7)) {
        p->hash_algo = TMM_HASH_SHA256;
    } else if (vlen == 7 && !strncmp(hash, "sha-512", 7)) {
        p->hash_algo = TMM_HASH_SHA512;
    } else {
        return false;
    }
    if (!field_u64(line, "s2sz", &s2sz) || s2sz > 64) {
        return false;
    }
    p->s2sz = s2sz;
    return field_u64(line, "flags", &p->flags) &&
           field_u64(line, "sve_vl", &p->sve_vl) &&
           field_u64(line, "num_bps", &p->num_bps) &&
           field_u64(line, "num_wps", &p->num_wps) &&
           field_u64(line, "pmu_num_ctrs", &p->pmu_num_ctrs) &&
           field_hex(line, "rpv", p->rpv, sizeof(p->rpv));
}

static bool parse_rec(const char *line, VirtccaPlanRec *rec)
{
    uint64_t runnable;
    char key[4];
    int r;

    memset(rec, 0, sizeof(*rec));
    if (!field_u64(line, "mpidr", &rec->mpidr) ||
        !field_u64(line, "pc", &rec->pc) ||
        !field_u64(line, "runnable", &runnable) || runnable > 1) {
        return false;
    }
    rec->runnable = runnable;
    for (r = 0; r < 8; r++) {
        snprintf(key, sizeof(key), "x%d", r);
        if (!field_u64(line, key, &rec->gprs[r])) {
            return false;
        }
    }
    return true;
}

bool virtcca_plan_from_text(const char *text, VirtccaPlan *plan,
                            uint8_t **image_sha256, char *err, size_t len)
{
    const char *line = text;
    bool have_realm = false;
    unsigned lineno = 0;
    uint8_t *sums = NULL;

    virtcca_plan_init(plan);
    *image_sha256 = NULL;
    while (line && *line) {
        const char *next = strchr(line, '\n');
        size_t n = next ? (size_t)(next - line) : strlen(line);
        char *l = strndup(line, n);
        bool ok = true;

        lineno++;
        if (lineno == 1) {
            ok = !strcmp(l, PLAN_MAGIC);
        } else if (!strncmp(l, "realm ", 6)) {
            ok = !have_realm && parse_realm(l, &plan->params);
            have_realm = true;
        } else if (!strncmp(l, "ram ", 4)) {
            uint64_t base, top;

            ok = field_u64(l, "base", &base) && field_u64(l, "top", &top);
            if (ok) {
                virtcca_plan_add_ram(plan, base, top);
            }
        } else if (!strncmp(l, "populate ", 9)) {
            uint64_t base, top;

            ok = field_u64(l, "base", &base) && field_u64(l, "top", &top);
            if (ok) {
                virtcca_plan_add_populate(plan, base, top);
            }
        } else if (!strncmp(l, "image ", 6)) {
            size_t vlen;
            const char *name = field(l, "name", &vlen);
            uint64_t ipa, size;
            char nbuf[VIRTCCA_PLAN_MAX_NAME];

            ok = name && vlen > 0 && vlen < sizeof(nbuf) &&
                 field_u64(l, "ipa", &ipa) && field_u64(l, "size", &size);
            if (ok) {
                memcpy(nbuf, name, vlen);
                nbuf[vlen] = 0;
                virtcca_plan_add_image(plan, nbuf, ipa, NULL, size);
                sums = xrealloc(sums, plan->nr_images * 32);
                ok = field_hex(l, "sha256",
                               sums + (plan->nr_images - 1) * 32, 32);
            }
        } else if (!strncmp(l, "rec ", 4)) {
            VirtccaPlanRec rec;

            ok = parse_rec(l, &rec);
            if (ok) {
                virtcca_plan_add_rec(plan, &rec);
            }
        } else if (l[0] != 0 && l[0] != '#') {
            ok = false;
        }
        free(l);
        if (!ok) {
            free(sums);
            virtcca_plan_free(plan);
            return virtcca_plan_error(err, len,
                                  "plan line %u is not valid%s", lineno,
                                  lineno == 1 ?
                                  " (expected \"" PLAN_MAGIC "\")" : "");
        }
        line = next ? next + 1 : NULL;
    }
    if (!have_realm) {
        free(sums);
        virtcca_plan_free(plan);
        return virtcca_plan_error(err, len, "the plan has no realm line");
    }
    *image_sha256 = sums;
    return true;
}

uint8_t *virtcca_plan_read_file(const char *path, uint64_t *size,
                                char *err, size_t len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, used = 0, n;

    if (!f) {
        virtcca_plan_error(err, len, "cannot open '%s': %s", path,
                           strerror(errno));
        return NULL;
    }
    do {
        if (used == cap) {
            cap = cap ? cap * 2 : 1 << 20;
            buf = xrealloc(buf, cap + 1);
        }
        n = fread(buf + used, 1, cap - used, f);
        used += n;
    } while (n);
    fclose(f);
    buf[used] = 0;              /* so that text can be parsed in place */
    *size = used;
    return buf;
}

bool virtcca_plan_load(const char *path, const char *const *names,
                       const char *const *paths, size_t nr,
                       VirtccaPlan *plan, uint8_t ***buffers,
                       char *err, size_t len)
{
    uint8_t *text, *sums = NULL, **bufs;
    char why[256];
    uint64_t size;
    size_t i, j;

    *buffers = NULL;
    text = virtcca_plan_read_file(path, &size, err, len);
    if (!text) {
        return false;
    }
    if (!virtcca_plan_from_text((char *)text, plan, &sums, why,
                                sizeof(why))) {
        free(text);
        return virtcca_plan_error(err, len, "%s: %s", path, why);
    }
    free(text);
    bufs = calloc(plan->nr_images + 1, sizeof(*bufs));
    for (i = 0; bufs && i < plan->nr_images; i++) {
        VirtccaPlanImage *img = &plan->images[i];
        uint8_t digest[32];

        for (j = 0; j < nr && strcmp(names[j], img->name); j++) {
            continue;
        }
        if (j == nr) {
            virtcca_plan_error(err, len, "the plan loads image '%s': give "
                               "it with --image %s=PATH", img->name,
                               img->name);
            break;
        }
        bufs[i] = virtcca_plan_read_file(paths[j], &size, err, len);
        if (!bufs[i]) {
            break;
        }
        tmm_hash(TMM_HASH_SHA256, bufs[i], size, digest);
        if (size != img->size || memcmp(digest, sums + 32 * i, 32)) {
            virtcca_plan_error(err, len, "image '%s' (%s) is not the one "
                               "the plan measured", img->name, paths[j]);
            break;
        }
        img->data = bufs[i];
    }
    free(sums);
    *buffers = bufs;
    if (!bufs || i < plan->nr_images) {
        return bufs ? false : virtcca_plan_error(err, len, "out of memory");
    }
    return true;
}
