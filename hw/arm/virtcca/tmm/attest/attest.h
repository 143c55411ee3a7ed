/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM attestation unit: keys and the CCA attestation token.
 *
 * The token is CBOR tag 399 around {44234: platform token, 44241: realm
 * token}; both are tagged (18) COSE_Sign1 messages signed with ES384 over
 * P-384 keys: the realm token by the realm attestation key (RAK), the
 * platform token by the platform key (IAK).  The platform token's challenge
 * binds the RAK: H(RAK public key as it appears in claim 44237).
 */
#ifndef TMM_ATTEST_H
#define TMM_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "measure/measure.h"

typedef struct TmmAttestKeys TmmAttestKeys;

/* Upper bound of any token this unit produces; fits in one granule. */
#define TMM_TOKEN_MAX_SIZE 4096

/* Fresh RAK and IAK from the system's random source.  NULL on failure. */
TmmAttestKeys *tmm_attest_keys_generate(char **err);
/*
 * Keys from PEM files holding P-384 private keys (SEC1 "EC PRIVATE KEY" or
 * PKCS#8 "PRIVATE KEY").  A NULL path generates that key.  On failure
 * returns NULL and sets *err to a message naming the file (g_free-able:
 * allocated with malloc).
 */
TmmAttestKeys *tmm_attest_keys_load(const char *rak_pem, const char *iak_pem,
                                    char **err);
void tmm_attest_keys_free(TmmAttestKeys *keys);
/*
 * The platform (IAK) public key as a PEM "PUBLIC KEY" (SubjectPublicKeyInfo)
 * string, malloc'ed, so that a verifier can check the chain.
 */
char *tmm_attest_platform_public_pem(const TmmAttestKeys *keys);
/* The same for the realm attestation key (RAK). */
char *tmm_attest_realm_public_pem(const TmmAttestKeys *keys);

/*
 * A platform software component (claim 2399 entry).  @measurement and
 * @signer_id are required; the strings may be NULL to leave them out.
 */
typedef struct TmmSwComponent {
    const char *type;                   /* 1: e.g. "TMM", "BL2" */
    const uint8_t *measurement;         /* 2: digest of the component */
    size_t measurement_len;
    const char *version;                /* 4 */
    const uint8_t *signer_id;           /* 5: digest of the signer's key */
    size_t signer_id_len;
    const char *hash_algo;              /* 6: e.g. "sha-256" */
} TmmSwComponent;

/*
 * Replace the platform token's software components (at least one) and
 * re-sign the platform token.  Until this is called the platform token
 * names one component, "TMM", identified by this library's version (not
 * a measurement of code: this unit cannot measure the binary it runs in).
 * Returns false and sets *err (malloc'ed) if they do not fit or signing
 * failed; the previous platform token is kept then.  Call it before
 * tokens are requested: it must not run concurrently with
 * tmm_attest_token() on the same keys (which, by itself, may run on
 * several threads at once).
 */
bool tmm_attest_set_platform_sw(TmmAttestKeys *keys,
                                const TmmSwComponent *comps, size_t n,
                                char **err);

/* What the realm token claims. */
typedef struct TmmRealmClaims {
    uint8_t challenge[64];
    uint8_t rpv[64];
    const TmmMeasurements *measurements;    /* algo, RIM and the 4 REMs */
} TmmRealmClaims;

/*
 * Build the whole CCA token into @buf (at most @size bytes).  Returns the
 * token length, or 0 if it does not fit or signing failed.
 */
size_t tmm_attest_token(const TmmAttestKeys *keys, const TmmRealmClaims *c,
                        uint8_t *buf, size_t size);

#endif
