/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM attestation unit: the CCA attestation token (RMM 1.0 format).
 *
 * CCA token = tag 399 { 44234: platform token, 44241: realm token }, each
 * a tag 18 COSE_Sign1 (RFC 9052) signed with ES384.  The platform token
 * depends only on the keys, so it is signed once and kept, with the bytes
 * around it, as a ready-made token prefix: a token request then costs one
 * ECDSA signature, over the realm claims.
 */
/* vasprintf, asprintf; QEMU's build already defines it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "attest-int.h"
#include "cbor.h"

/* CBOR tags and COSE values */
#define TAG_COSE_SIGN1              18
#define TAG_CCA_TOKEN               399
#define COSE_HDR_ALG                1
#define COSE_ALG_ES384              (-35)
#define COSE_KEY_KTY                1
#define COSE_KEY_CRV                (-1)
#define COSE_KEY_X                  (-2)
#define COSE_KEY_Y                  (-3)
#define COSE_KTY_EC2                2
#define COSE_CRV_P384               2

/* CCA token map keys */
#define CCA_PLATFORM_TOKEN          44234
#define CCA_REALM_TOKEN             44241

/* Realm token claims */
#define REALM_CHALLENGE             10
#define REALM_PROFILE               265
#define REALM_PERSONALIZATION       44235
#define REALM_HASH_ALGO             44236
#define REALM_PUB_KEY               44237
#define REALM_RIM                   44238
#define REALM_REM                   44239
#define REALM_PUB_KEY_HASH_ALGO     44240
#define REALM_PROFILE_NAME          "tag:arm.com,2023:realm#1.0.0"
#define REALM_REM_COUNT             4

/* Platform token claims */
#define PLAT_CHALLENGE              10
#define PLAT_INSTANCE_ID            256
#define PLAT_PROFILE                265
#define PLAT_LIFECYCLE              2395
#define PLAT_IMPLEMENTATION_ID      2396
#define PLAT_SW_COMPONENTS          2399
#define PLAT_CONFIG                 2401
#define PLAT_HASH_ALGO              2402
#define PLAT_PROFILE_NAME           "tag:arm.com,2023:cca_platform#1.0.0"

/* Software component map keys */
#define SWC_TYPE                    1
#define SWC_MEASUREMENT             2
#define SWC_VERSION                 4
#define SWC_SIGNER_ID               5
#define SWC_HASH_ALGO               6

/*
 * CCA platform lifecycle "secured" (0x3000): the state in which a
 * verifier's default policy appraises the platform.  The keys of this
 * model are only as secret as the files they come from.
 */
#define PLAT_LIFECYCLE_SECURED      0x3000

/* The bound claim 44240 names; the binding digest is SHA-256. */
#define RAK_HASH_ALGO_NAME          "sha-256"

/* Identifies this implementation (claim 2396, 32 bytes). */
static const uint8_t implementation_id[32] = "virtcca-qemu TMM (RMM 1.0 ABI)";

#define TMM_VERSION                 "0.1.0"

/* Protected header {1: -35} as serialized bytes. */
static const uint8_t es384_protected[] = { 0xa1, 0x01, 0x38, 0x22 };

#define REALM_PAYLOAD_MAX           1024

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = v >> (8 * i);
    }
}

static void sha256_of(const void *data, size_t len, uint8_t *out)
{
    struct sha256_ctx h;

    sha256_init(&h);
    sha256_update(&h, len, data);
    sha256_digest(&h, SHA256_DIGEST_SIZE, out);
}

static size_t cose_sign1_size(size_t payload_len)
{
    return 1 + 1 + 1 + sizeof(es384_protected) + 1 +
           tmm_cbor_head_size(payload_len) + payload_len +
           tmm_cbor_head_size(ES384_SIG_BYTES) + ES384_SIG_BYTES;
}

/*
 * Append tag 18 COSE_Sign1 [protected, {}, payload, signature] to @out.
 * The signature covers Sig_structure ["Signature1", protected, h'',
 * payload], which is hashed piecewise rather than built in memory.
 */
static bool cose_sign1(TmmCbor *out, const TmmEcKey *key,
                       const uint8_t *payload, size_t payload_len)
{
    uint8_t head[32];
    uint8_t digest[SHA384_DIGEST_SIZE];
    uint8_t sig[ES384_SIG_BYTES];
    struct sha512_ctx h;
    TmmCbor c;
    size_t n;

    tmm_cbor_init(&c, head, sizeof(head));
    tmm_cbor_array(&c, 4);
    tmm_cbor_tstr(&c, "Signature1");
    tmm_cbor_bstr(&c, es384_protected, sizeof(es384_protected));
    tmm_cbor_bstr(&c, NULL, 0);
    tmm_cbor_bstr_head(&c, payload_len);
    n = tmm_cbor_finish(&c);
    if (!n) {
        return false;
    }
    sha384_init(&h);
    sha384_update(&h, n, head);
    sha384_update(&h, payload_len, payload);
    sha384_digest(&h, sizeof(digest), digest);
    if (!tmm_es384_sign(key, digest, sig)) {
        return false;
    }

    tmm_cbor_tag(out, TAG_COSE_SIGN1);
    tmm_cbor_array(out, 4);
    tmm_cbor_bstr(out, es384_protected, sizeof(es384_protected));
    tmm_cbor_map(out, 0);
    tmm_cbor_bstr(out, payload, payload_len);
    tmm_cbor_bstr(out, sig, sizeof(sig));
    return tmm_cbor_ok(out);
}

/* SHA-256 of the uncompressed point 04 | x | y. */
static void point_hash(const TmmEcKey *k, uint8_t *out)
{
    static const uint8_t uncompressed = 0x04;
    struct sha256_ctx h;

    sha256_init(&h);
    sha256_update(&h, 1, &uncompressed);
    sha256_update(&h, P384_BYTES, k->x);
    sha256_update(&h, P384_BYTES, k->y);
    sha256_digest(&h, SHA256_DIGEST_SIZE, out);
}

static bool build_rak_cose(TmmAttestKeys *keys)
{
    TmmCbor c;

    tmm_cbor_init(&c, keys->rak_cose, sizeof(keys->rak_cose));
    tmm_cbor_map(&c, 4);
    tmm_cbor_uint(&c, COSE_KEY_KTY);
    tmm_cbor_uint(&c, COSE_KTY_EC2);
    tmm_cbor_int(&c, COSE_KEY_CRV);
    tmm_cbor_uint(&c, COSE_CRV_P384);
    tmm_cbor_int(&c, COSE_KEY_X);
    tmm_cbor_bstr(&c, keys->rak.x, P384_BYTES);
    tmm_cbor_int(&c, COSE_KEY_Y);
    tmm_cbor_bstr(&c, keys->rak.y, P384_BYTES);
    return tmm_cbor_finish(&c) == sizeof(keys->rak_cose);
}

static void encode_sw_component(TmmCbor *c, const TmmSwComponent *s)
{
    tmm_cbor_map(c, 2 + !!s->type + !!s->version + !!s->hash_algo);
    if (s->type) {
        tmm_cbor_uint(c, SWC_TYPE);
        tmm_cbor_tstr(c, s->type);
    }
    tmm_cbor_uint(c, SWC_MEASUREMENT);
    tmm_cbor_bstr(c, s->measurement, s->measurement_len);
    if (s->version) {
        tmm_cbor_uint(c, SWC_VERSION);
        tmm_cbor_tstr(c, s->version);
    }
    tmm_cbor_uint(c, SWC_SIGNER_ID);
    tmm_cbor_bstr(c, s->signer_id, s->signer_id_len);
    if (s->hash_algo) {
        tmm_cbor_uint(c, SWC_HASH_ALGO);
        tmm_cbor_tstr(c, s->hash_algo);
    }
}

/* Sign a platform token and rebuild the token prefix around it. */
static bool build_prefix(TmmAttestKeys *keys, const TmmSwComponent *comps,
                         size_t n, char **err)
{
    uint8_t payload[TOKEN_PREFIX_MAX];
    uint8_t challenge[SHA256_DIGEST_SIZE];
    uint8_t instance_id[1 + SHA256_DIGEST_SIZE];
    uint8_t config[8];
    uint8_t prefix[TOKEN_PREFIX_MAX];
    size_t payload_len, prefix_len;
    TmmCbor c;

    /* The binding: the platform vouches for this exact RAK encoding. */
    sha256_of(keys->rak_cose, sizeof(keys->rak_cose), challenge);
    /* UEID of type RAND (0x01): derived from the platform key. */
    instance_id[0] = 0x01;
    point_hash(&keys->iak, instance_id + 1);
    /* Platform configuration: the RMI and RSI ABI versions offered. */
    put_le32(config, 0x10000);
    put_le32(config + 4, 0x10000);

    /* Keys in ascending order of their encodings (RFC 8949 4.2.1). */
    tmm_cbor_init(&c, payload, sizeof(payload));
    tmm_cbor_map(&c, 8);
    tmm_cbor_uint(&c, PLAT_CHALLENGE);
    tmm_cbor_bstr(&c, challenge, sizeof(challenge));
    tmm_cbor_uint(&c, PLAT_INSTANCE_ID);
    tmm_cbor_bstr(&c, instance_id, sizeof(instance_id));
    tmm_cbor_uint(&c, PLAT_PROFILE);
    tmm_cbor_tstr(&c, PLAT_PROFILE_NAME);
    tmm_cbor_uint(&c, PLAT_LIFECYCLE);
    tmm_cbor_uint(&c, PLAT_LIFECYCLE_SECURED);
    tmm_cbor_uint(&c, PLAT_IMPLEMENTATION_ID);
    tmm_cbor_bstr(&c, implementation_id, sizeof(implementation_id));
    tmm_cbor_uint(&c, PLAT_SW_COMPONENTS);
    tmm_cbor_array(&c, n);
    for (size_t i = 0; i < n; i++) {
        encode_sw_component(&c, &comps[i]);
    }
    tmm_cbor_uint(&c, PLAT_CONFIG);
    tmm_cbor_bstr(&c, config, sizeof(config));
    tmm_cbor_uint(&c, PLAT_HASH_ALGO);
    tmm_cbor_tstr(&c, "sha-256");
    payload_len = tmm_cbor_finish(&c);
    if (!payload_len) {
        *err = strdup("platform token claims too large");
        return false;
    }

    tmm_cbor_init(&c, prefix, sizeof(prefix));
    tmm_cbor_tag(&c, TAG_CCA_TOKEN);
    tmm_cbor_map(&c, 2);
    tmm_cbor_uint(&c, CCA_PLATFORM_TOKEN);
    tmm_cbor_bstr_head(&c, cose_sign1_size(payload_len));
    if (!cose_sign1(&c, &keys->iak, payload, payload_len)) {
        *err = strdup(tmm_cbor_ok(&c) ? "cannot sign the platform token: "
                      "getrandom failed" : "platform token too large");
        return false;
    }
    tmm_cbor_uint(&c, CCA_REALM_TOKEN);
    prefix_len = tmm_cbor_finish(&c);
    if (!prefix_len) {
        *err = strdup("platform token too large");
        return false;
    }
    memcpy(keys->prefix, prefix, prefix_len);
    keys->prefix_len = prefix_len;
    return true;
}

bool tmm_attest_set_platform_sw(TmmAttestKeys *keys,
                                const TmmSwComponent *comps, size_t n,
                                char **err)
{
    char *msg = NULL;
    bool ok;

    if (n == 0) {
        msg = strdup("the platform token needs a software component");
        ok = false;
    } else {
        ok = true;
        for (size_t i = 0; i < n; i++) {
            if (!comps[i].measurement || !comps[i].measurement_len ||
                !comps[i].signer_id || !comps[i].signer_id_len) {
                if (asprintf(&msg, "software component %zu lacks a "
                             "measurement or signer id", i) < 0) {
                    msg = NULL;
                }
                ok = false;
                break;
            }
        }
        if (ok) {
            ok = build_prefix(keys, comps, n, &msg);
        }
    }
    if (err) {
        *err = msg;
    } else {
        free(msg);
    }
    return ok;
}

bool tmm_attest_keys_finish(TmmAttestKeys *keys, char **err)
{
    static const char identity[] = "virtcca-qemu TMM " TMM_VERSION;
    uint8_t measurement[SHA256_DIGEST_SIZE];
    uint8_t signer[SHA256_DIGEST_SIZE];
    TmmSwComponent tmm = {
        .type = "TMM",
        .measurement = measurement,
        .measurement_len = sizeof(measurement),
        .version = TMM_VERSION,
        .signer_id = signer,
        .signer_id_len = sizeof(signer),
        .hash_algo = "sha-256",
    };

    if (!build_rak_cose(keys)) {
        if (err) {
            *err = strdup("cannot encode the realm attestation key");
        }
        return false;
    }
    /*
     * Default component: the library's identity, signed for by the
     * platform key.  See tmm_attest_set_platform_sw().
     */
    sha256_of(identity, sizeof(identity) - 1, measurement);
    point_hash(&keys->iak, signer);
    return tmm_attest_set_platform_sw(keys, &tmm, 1, err);
}

static size_t realm_payload(const TmmAttestKeys *keys,
                            const TmmRealmClaims *rc, uint8_t *buf,
                            size_t size)
{
    const TmmMeasurements *m = rc->measurements;
    TmmHashAlgo algo = m->algo;
    size_t hsize = tmm_hash_size(algo);
    TmmCbor c;

    tmm_cbor_init(&c, buf, size);
    tmm_cbor_map(&c, 8);
    tmm_cbor_uint(&c, REALM_CHALLENGE);
    tmm_cbor_bstr(&c, rc->challenge, sizeof(rc->challenge));
    tmm_cbor_uint(&c, REALM_PROFILE);
    tmm_cbor_tstr(&c, REALM_PROFILE_NAME);
    tmm_cbor_uint(&c, REALM_PERSONALIZATION);
    tmm_cbor_bstr(&c, rc->rpv, sizeof(rc->rpv));
    tmm_cbor_uint(&c, REALM_HASH_ALGO);
    tmm_cbor_tstr(&c, tmm_hash_name(algo));
    tmm_cbor_uint(&c, REALM_PUB_KEY);
    tmm_cbor_bstr(&c, keys->rak_cose, sizeof(keys->rak_cose));
    tmm_cbor_uint(&c, REALM_RIM);
    tmm_cbor_bstr(&c, m->slot[TMM_RIM_SLOT], hsize);
    tmm_cbor_uint(&c, REALM_REM);
    tmm_cbor_array(&c, REALM_REM_COUNT);
    for (int i = 1; i <= REALM_REM_COUNT; i++) {
        tmm_cbor_bstr(&c, m->slot[i], hsize);
    }
    tmm_cbor_uint(&c, REALM_PUB_KEY_HASH_ALGO);
    tmm_cbor_tstr(&c, RAK_HASH_ALGO_NAME);
    return tmm_cbor_finish(&c);
}

size_t tmm_attest_token(const TmmAttestKeys *keys, const TmmRealmClaims *c,
                        uint8_t *buf, size_t size)
{
    uint8_t payload[REALM_PAYLOAD_MAX];
    size_t payload_len;
    TmmCbor out;

    if (!keys || !c || !c->measurements ||
        !tmm_hash_algo_valid(c->measurements->algo)) {
        return 0;
    }
    payload_len = realm_payload(keys, c, payload, sizeof(payload));
    if (!payload_len) {
        return 0;
    }
    /* Check the size before paying for a signature. */
    tmm_cbor_init(&out, buf, size);
    tmm_cbor_raw(&out, keys->prefix, keys->prefix_len);
    tmm_cbor_bstr_head(&out, cose_sign1_size(payload_len));
    if (out.len + cose_sign1_size(payload_len) > size) {
        return 0;
    }
    if (!cose_sign1(&out, &keys->rak, payload, payload_len)) {
        return 0;
    }
    return tmm_cbor_finish(&out);
}
