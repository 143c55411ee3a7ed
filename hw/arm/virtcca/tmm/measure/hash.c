/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM measurement unit: the hash algorithms a realm may choose.
 */
#include <stdlib.h>
#include <string.h>

#include <nettle/nettle-meta.h>
#include <nettle/sha2.h>

#include "measure.h"

bool tmm_hash_algo_valid(uint64_t algo)
{
    return algo == TMM_HASH_SHA256 || algo == TMM_HASH_SHA512;
}

size_t tmm_hash_size(TmmHashAlgo algo)
{
    switch (algo) {
    case TMM_HASH_SHA256:
        return SHA256_DIGEST_SIZE;
    case TMM_HASH_SHA512:
        return SHA512_DIGEST_SIZE;
    }
    /*
     * Callers validate the algorithm with tmm_hash_algo_valid() when the
     * realm is created; reaching this is a monitor bug, and carrying on
     * would produce measurements nobody can reproduce.
     */
    abort();
}

const char *tmm_hash_name(TmmHashAlgo algo)
{
    switch (algo) {
    case TMM_HASH_SHA256:
        return "sha-256";
    case TMM_HASH_SHA512:
        return "sha-512";
    }
    abort();
}

/* nettle's description of @algo; an unknown one is a monitor bug. */
static const struct nettle_hash *hash_of(TmmHashAlgo algo)
{
    switch (algo) {
    case TMM_HASH_SHA256:
        return &nettle_sha256;
    case TMM_HASH_SHA512:
        return &nettle_sha512;
    }
    abort();
}

typedef union HashCtx {
    struct sha256_ctx sha256;
    struct sha512_ctx sha512;
} HashCtx;

/* Small enough to stay in L1 between the copy and the hash. */
#define HASH_COPY_CHUNK     512

void tmm_hash_copy(TmmHashAlgo algo, void *dst, const void *src, size_t len,
                   uint8_t *out)
{
    const struct nettle_hash *h = hash_of(algo);
    uint8_t *d = dst;
    const uint8_t *s = src;
    size_t off, n;
    HashCtx ctx;

    h->init(&ctx);
    for (off = 0; off < len; off += n) {
        n = len - off < HASH_COPY_CHUNK ? len - off : HASH_COPY_CHUNK;
        memcpy(d + off, s + off, n);
        h->update(&ctx, n, d + off);
    }
    h->digest(&ctx, h->digest_size, out);
}

void tmm_hash(TmmHashAlgo algo, const void *data, size_t len, uint8_t *out)
{
    const struct nettle_hash *h = hash_of(algo);
    HashCtx ctx;

    h->init(&ctx);
    h->update(&ctx, len, data);
    h->digest(&ctx, h->digest_size, out);
}
