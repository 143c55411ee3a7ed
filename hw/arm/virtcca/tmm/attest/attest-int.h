/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM attestation unit: what keys.c and token.c share.  Not for users of
 * the unit: they see TmmAttestKeys as an opaque type (attest.h).
 */
#ifndef TMM_ATTEST_INT_H
#define TMM_ATTEST_INT_H

#include <stdbool.h>

#include <nettle/ecc.h>
#include <nettle/ecc-curve.h>

#include "attest.h"

#define P384_BYTES              48
#define ES384_SIG_BYTES         (2 * P384_BYTES)

/*
 * COSE_Key {1: 2, -1: 2, -2: x, -3: y}: map head and the first two pairs
 * take 5 bytes, then x and y each take a key byte, a 2-byte bstr head, 48.
 */
#define RAK_COSE_KEY_SIZE       (5 + 2 * (1 + 2 + P384_BYTES))
/*
 * Room for the tag 399 map head and its platform token entry: a dozen
 * software components.  The realm token takes under 800 bytes more, so
 * the whole token stays within TMM_TOKEN_MAX_SIZE.
 */
#define TOKEN_PREFIX_MAX        2048

typedef struct TmmEcKey {
    struct ecc_scalar priv;
    struct ecc_point pub;
    uint8_t x[P384_BYTES];              /* public point, big endian */
    uint8_t y[P384_BYTES];
} TmmEcKey;

struct TmmAttestKeys {
    TmmEcKey rak;
    TmmEcKey iak;
    /* Claim 44237 content: the RAK as a COSE_Key. */
    uint8_t rak_cose[RAK_COSE_KEY_SIZE];
    /*
     * Everything of the CCA token before the realm token's bstr head:
     * tag 399, the map head, 44234, the signed platform token, 44241.
     * It depends only on the keys, so it is built once.
     */
    uint8_t prefix[TOKEN_PREFIX_MAX];
    size_t prefix_len;
};

/*
 * ES384 signature (r || s, 48 bytes each) of a SHA-384 @digest.  False
 * if the system's random source failed: no signature is made then, since
 * a predictable nonce would give the key away.
 */
bool tmm_es384_sign(const TmmEcKey *key, const uint8_t *digest,
                    uint8_t *sig);
/* Build the RAK COSE_Key and the signed platform token (token.c). */
bool tmm_attest_keys_finish(TmmAttestKeys *keys, char **err);

#endif
