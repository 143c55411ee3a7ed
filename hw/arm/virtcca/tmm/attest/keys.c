/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM attestation unit: the P-384 realm attestation key (RAK) and platform
 * key (IAK): generation, loading from PEM, public key export, signing.
 */
/* vasprintf, asprintf; QEMU's build already defines it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <nettle/asn1.h>
#include <nettle/base64.h>
#include <nettle/bignum.h>
#include <nettle/ecdsa.h>

#include "attest-int.h"

/* A private key file larger than this is not a key. */
#define PEM_MAX_SIZE            (64 * 1024)

/* DER of the OIDs id-ecPublicKey (1.2.840.10045.2.1), secp384r1. */
static const uint8_t oid_ec_public_key[] = {
    0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01
};
static const uint8_t oid_secp384r1[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };

#define ASN1_CONTEXT(n) \
    (ASN1_CLASS_CONTEXT_SPECIFIC | ASN1_TYPE_CONSTRUCTED | (n))

static char *errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *errf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) {
        s = NULL;
    }
    va_end(ap);
    return s;
}

#define SET_ERR(err, ...) \
    do { \
        if (err) { \
            *(err) = errf(__VA_ARGS__); \
        } \
    } while (0)

/*
 * nettle pulls randomness through a callback that cannot fail.  If
 * getrandom() fails, record it and hand out a fixed non-zero pattern (so
 * that nettle's rejection sampling terminates); the caller then throws the
 * result away.
 */
typedef struct RandomCtx {
    bool failed;
    int error;                          /* errno of the failure */
} RandomCtx;

static void sys_random(void *opaque, size_t len, uint8_t *dst)
{
    RandomCtx *ctx = opaque;

    while (len) {
        ssize_t n = getrandom(dst, len, 0);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            ctx->failed = true;
            ctx->error = errno;
            memset(dst, 0x5a, len);
            return;
        }
        dst += n;
        len -= n;
    }
}

static const struct ecc_curve *p384(void)
{
    return nettle_get_secp_384r1();
}

static void mpz_wipe_clear(mpz_t z)
{
    size_t n = mpz_size(z);

    /* GMP does not wipe on free; the value may be a private key. */
    if (n) {
        explicit_bzero(mpz_limbs_modify(z, n), n * sizeof(mp_limb_t));
    }
    mpz_clear(z);
}

static void ec_key_init(TmmEcKey *k)
{
    ecc_scalar_init(&k->priv, p384());
    ecc_point_init(&k->pub, p384());
}

static void ec_key_clear(TmmEcKey *k)
{
    explicit_bzero(k->priv.p, ecc_size(p384()) * sizeof(mp_limb_t));
    ecc_scalar_clear(&k->priv);
    ecc_point_clear(&k->pub);
}

/* Cache the public point as big-endian coordinates. */
static void ec_key_export_xy(TmmEcKey *k)
{
    mpz_t x, y;

    mpz_init(x);
    mpz_init(y);
    ecc_point_get(&k->pub, x, y);
    nettle_mpz_get_str_256(P384_BYTES, k->x, x);
    nettle_mpz_get_str_256(P384_BYTES, k->y, y);
    mpz_clear(x);
    mpz_clear(y);
}

static bool ec_key_generate(TmmEcKey *k, const char *what, char **err)
{
    RandomCtx rnd = { .failed = false };

    ecdsa_generate_keypair(&k->pub, &k->priv, &rnd, sys_random);
    if (rnd.failed) {
        SET_ERR(err, "cannot generate the %s: getrandom failed: %s", what,
                strerror(rnd.error));
        return false;
    }
    ec_key_export_xy(k);
    return true;
}

bool tmm_es384_sign(const TmmEcKey *key, const uint8_t *digest,
                    uint8_t *sig)
{
    RandomCtx rnd = { .failed = false };
    struct dsa_signature s;

    dsa_signature_init(&s);
    ecdsa_sign(&key->priv, &rnd, sys_random, P384_BYTES, digest, &s);
    if (!rnd.failed) {
        nettle_mpz_get_str_256(P384_BYTES, sig, s.r);
        nettle_mpz_get_str_256(P384_BYTES, sig + P384_BYTES, s.s);
    }
    dsa_signature_clear(&s);
    return !rnd.failed;
}

/* Read a whole (small) file; NUL-terminated. */
static char *read_file(const char *path, size_t *len, char **err)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (!f) {
        SET_ERR(err, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    buf = malloc(PEM_MAX_SIZE + 1);
    if (!buf) {
        fclose(f);
        SET_ERR(err, "%s: out of memory", path);
        return NULL;
    }
    n = fread(buf, 1, PEM_MAX_SIZE + 1, f);
    if (ferror(f)) {
        SET_ERR(err, "%s: read error: %s", path, strerror(errno));
        goto fail;
    }
    if (n > PEM_MAX_SIZE) {
        SET_ERR(err, "%s: too large for a PEM key file", path);
        goto fail;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;

fail:
    fclose(f);
    free(buf);
    return NULL;
}

/*
 * Find the PEM block "-----BEGIN @label-----" and decode its base64 body
 * into a malloc'ed buffer.  NULL if there is no such block; *bad is set if
 * the block exists but is broken.
 */
static uint8_t *pem_decode(const char *text, const char *label, size_t *len,
                           bool *bad)
{
    char begin[64], end[64];
    const char *body, *stop;
    struct base64_decode_ctx b64;
    uint8_t *der;
    size_t n;

    snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
    snprintf(end, sizeof(end), "-----END %s-----", label);
    body = strstr(text, begin);
    if (!body) {
        return NULL;
    }
    body += strlen(begin);
    stop = strstr(body, end);
    if (!stop) {
        *bad = true;
        return NULL;
    }
    der = malloc(BASE64_DECODE_LENGTH(stop - body) + 1);
    if (!der) {
        *bad = true;
        return NULL;
    }
    /* nettle's decoder skips the line breaks and other white space. */
    base64_decode_init(&b64);
    if (!base64_decode_update(&b64, &n, der, stop - body, body) ||
        !base64_decode_final(&b64) || n == 0) {
        free(der);
        *bad = true;
        return NULL;
    }
    *len = n;
    return der;
}

static bool oid_equal(const struct asn1_der_iterator *i, const uint8_t *oid,
                      size_t len)
{
    return i->type == ASN1_IDENTIFIER && i->length == len &&
           !memcmp(i->data, oid, len);
}

/* Dotted form of a DER OID, for error messages. */
static void oid_to_str(const struct asn1_der_iterator *i, char *out,
                       size_t size)
{
    size_t pos = 0;
    uint64_t v = 0;

    out[0] = '\0';
    for (size_t k = 0; k < i->length && pos < size; k++) {
        v = (v << 7) | (i->data[k] & 0x7f);
        if (i->data[k] & 0x80) {
            continue;
        }
        if (pos == 0) {
            unsigned first = v < 80 ? v / 40 : 2;

            pos += snprintf(out + pos, size - pos, "%u.%llu", first,
                            (unsigned long long)(v - 40 * first));
        } else {
            pos += snprintf(out + pos, size - pos, ".%llu",
                            (unsigned long long)v);
        }
        v = 0;
    }
}

static bool check_curve(const struct asn1_der_iterator *i, const char *path,
                        char **err)
{
    char dotted[64];

    if (i->type != ASN1_IDENTIFIER) {
        SET_ERR(err, "%s: malformed EC key: curve is not a named curve",
                path);
        return false;
    }
    if (!oid_equal(i, oid_secp384r1, sizeof(oid_secp384r1))) {
        oid_to_str(i, dotted, sizeof(dotted));
        SET_ERR(err, "%s: not a P-384 key (curve OID %s%s)", path, dotted,
                !strcmp(dotted, "1.2.840.10045.3.1.7") ? ", P-256" : "");
        return false;
    }
    return true;
}

/*
 * SEC1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING d,
 * [0] named curve OPTIONAL, [1] BIT STRING public point OPTIONAL }.
 * @curve_known: the curve was already checked (PKCS#8 wrapper).
 */
static bool parse_sec1(TmmEcKey *k, const uint8_t *der, size_t len,
                       bool curve_known, const char *path, char **err)
{
    struct asn1_der_iterator i, sub;
    enum asn1_iterator_result r;
    const uint8_t *d, *pub = NULL;
    size_t dlen;
    uint32_t version;
    mpz_t z;
    bool ok;

    if (asn1_der_iterator_first(&i, len, der) != ASN1_ITERATOR_CONSTRUCTED ||
        i.type != ASN1_SEQUENCE ||
        asn1_der_decode_constructed_last(&i) != ASN1_ITERATOR_PRIMITIVE ||
        i.type != ASN1_INTEGER || !asn1_der_get_uint32(&i, &version) ||
        version != 1 ||
        asn1_der_iterator_next(&i) != ASN1_ITERATOR_PRIMITIVE ||
        i.type != ASN1_OCTETSTRING) {
        SET_ERR(err, "%s: malformed EC private key", path);
        return false;
    }
    d = i.data;
    dlen = i.length;

    r = asn1_der_iterator_next(&i);
    if (r == ASN1_ITERATOR_CONSTRUCTED && i.type == ASN1_CONTEXT(0)) {
        if (asn1_der_decode_constructed(&i, &sub) != ASN1_ITERATOR_PRIMITIVE) {
            SET_ERR(err, "%s: malformed EC key parameters", path);
            return false;
        }
        if (!check_curve(&sub, path, err)) {
            return false;
        }
        curve_known = true;
        r = asn1_der_iterator_next(&i);
    }
    if (r == ASN1_ITERATOR_CONSTRUCTED && i.type == ASN1_CONTEXT(1)) {
        /* BIT STRING: 0 unused bits, then the uncompressed point 04|x|y */
        if (asn1_der_decode_constructed(&i, &sub) != ASN1_ITERATOR_PRIMITIVE ||
            sub.type != ASN1_BITSTRING) {
            SET_ERR(err, "%s: malformed EC public key", path);
            return false;
        }
        if (sub.length != 2 + 2 * P384_BYTES || sub.data[0] != 0 ||
            sub.data[1] != 0x04) {
            SET_ERR(err, "%s: not a P-384 key (public key of %zu bytes)",
                    path, sub.length);
            return false;
        }
        pub = sub.data + 2;
        r = asn1_der_iterator_next(&i);
    }
    if (r != ASN1_ITERATOR_END) {
        SET_ERR(err, "%s: malformed EC private key (trailing data)", path);
        return false;
    }
    /*
     * SEC1 encodes d on exactly the curve's size; without a curve OID
     * that size is all that tells P-384 apart from other curves.
     */
    if (dlen == 0 || dlen > P384_BYTES ||
        (!curve_known && dlen != P384_BYTES)) {
        SET_ERR(err, "%s: not a P-384 key (private key of %zu bytes)", path,
                dlen);
        return false;
    }

    nettle_mpz_init_set_str_256_u(z, dlen, d);
    ok = ecc_scalar_set(&k->priv, z);
    mpz_wipe_clear(z);
    if (!ok) {
        SET_ERR(err, "%s: private key out of range for P-384", path);
        return false;
    }
    ecc_point_mul_g(&k->pub, &k->priv);
    ec_key_export_xy(k);
    if (pub && (memcmp(pub, k->x, P384_BYTES) ||
                memcmp(pub + P384_BYTES, k->y, P384_BYTES))) {
        SET_ERR(err, "%s: public key does not match the private key", path);
        return false;
    }
    return true;
}

/*
 * PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER 0 (or 1), SEQUENCE { OID
 * id-ecPublicKey, OID curve }, OCTET STRING ECPrivateKey, ... }.
 */
static bool parse_pkcs8(TmmEcKey *k, const uint8_t *der, size_t len,
                        const char *path, char **err)
{
    struct asn1_der_iterator i, alg;
    uint32_t version;

    if (asn1_der_iterator_first(&i, len, der) != ASN1_ITERATOR_CONSTRUCTED ||
        i.type != ASN1_SEQUENCE ||
        asn1_der_decode_constructed_last(&i) != ASN1_ITERATOR_PRIMITIVE ||
        i.type != ASN1_INTEGER || !asn1_der_get_uint32(&i, &version) ||
        version > 1 ||
        asn1_der_iterator_next(&i) != ASN1_ITERATOR_CONSTRUCTED ||
        i.type != ASN1_SEQUENCE ||
        asn1_der_decode_constructed(&i, &alg) != ASN1_ITERATOR_PRIMITIVE) {
        SET_ERR(err, "%s: malformed PKCS#8 private key", path);
        return false;
    }
    if (!oid_equal(&alg, oid_ec_public_key, sizeof(oid_ec_public_key))) {
        SET_ERR(err, "%s: not an EC key (not a P-384 key)", path);
        return false;
    }
    if (asn1_der_iterator_next(&alg) != ASN1_ITERATOR_PRIMITIVE) {
        SET_ERR(err, "%s: malformed PKCS#8 EC parameters", path);
        return false;
    }
    if (!check_curve(&alg, path, err)) {
        return false;
    }
    if (asn1_der_iterator_next(&i) != ASN1_ITERATOR_PRIMITIVE ||
        i.type != ASN1_OCTETSTRING) {
        SET_ERR(err, "%s: malformed PKCS#8 private key", path);
        return false;
    }
    /* Attributes and public key may follow; neither is needed. */
    return parse_sec1(k, i.data, i.length, true, path, err);
}

static bool ec_key_load(TmmEcKey *k, const char *path, char **err)
{
    size_t len, der_len = 0;
    uint8_t *der;
    bool bad = false, pkcs8 = false;
    bool ok;
    char *text;

    text = read_file(path, &len, err);
    if (!text) {
        return false;
    }
    if (strlen(text) != len) {
        SET_ERR(err, "%s: not a PEM file", path);
        free(text);
        return false;
    }
    der = pem_decode(text, "EC PRIVATE KEY", &der_len, &bad);
    if (!der && !bad) {
        der = pem_decode(text, "PRIVATE KEY", &der_len, &bad);
        pkcs8 = true;
    }
    if (der) {
        ok = pkcs8 ? parse_pkcs8(k, der, der_len, path, err)
                   : parse_sec1(k, der, der_len, false, path, err);
    } else if (bad) {
        SET_ERR(err, "%s: broken PEM block", path);
        ok = false;
    } else if (strstr(text, "-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
        SET_ERR(err, "%s: encrypted private keys are not supported", path);
        ok = false;
    } else {
        SET_ERR(err, "%s: no PEM \"EC PRIVATE KEY\" or \"PRIVATE KEY\" "
                "block", path);
        ok = false;
    }
    if (der) {
        explicit_bzero(der, der_len);
        free(der);
    }
    explicit_bzero(text, len);
    free(text);
    return ok;
}

static TmmAttestKeys *keys_new(void)
{
    TmmAttestKeys *keys = calloc(1, sizeof(*keys));

    if (keys) {
        ec_key_init(&keys->rak);
        ec_key_init(&keys->iak);
    }
    return keys;
}

void tmm_attest_keys_free(TmmAttestKeys *keys)
{
    if (!keys) {
        return;
    }
    ec_key_clear(&keys->rak);
    ec_key_clear(&keys->iak);
    explicit_bzero(keys, sizeof(*keys));
    free(keys);
}

TmmAttestKeys *tmm_attest_keys_load(const char *rak_pem, const char *iak_pem,
                                    char **err)
{
    TmmAttestKeys *keys = keys_new();
    bool ok;

    if (!keys) {
        SET_ERR(err, "out of memory");
        return NULL;
    }
    ok = rak_pem ? ec_key_load(&keys->rak, rak_pem, err)
                 : ec_key_generate(&keys->rak, "realm attestation key", err);
    if (ok) {
        ok = iak_pem ? ec_key_load(&keys->iak, iak_pem, err)
                     : ec_key_generate(&keys->iak, "platform key", err);
    }
    if (ok) {
        ok = tmm_attest_keys_finish(keys, err);
    }
    if (!ok) {
        tmm_attest_keys_free(keys);
        return NULL;
    }
    return keys;
}

TmmAttestKeys *tmm_attest_keys_generate(char **err)
{
    return tmm_attest_keys_load(NULL, NULL, err);
}

/* PEM SubjectPublicKeyInfo of a P-384 public key. */
static char *public_pem(const TmmEcKey *k)
{
    /*
     * SEQUENCE { SEQUENCE { OID id-ecPublicKey, OID secp384r1 },
     * BIT STRING { 0 unused bits, 04 | x | y } }: fixed lengths, so the
     * DER head bytes are constants.
     */
    static const uint8_t head[] = {
        0x30, 0x76, 0x30, 0x10,
        0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
        0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22,
        0x03, 0x62, 0x00, 0x04,
    };
    static const char begin[] = "-----BEGIN PUBLIC KEY-----\n";
    static const char end[] = "-----END PUBLIC KEY-----\n";
    uint8_t der[sizeof(head) + 2 * P384_BYTES];
    char b64[BASE64_ENCODE_RAW_LENGTH(sizeof(der))];
    char *pem, *p;

    memcpy(der, head, sizeof(head));
    memcpy(der + sizeof(head), k->x, P384_BYTES);
    memcpy(der + sizeof(head) + P384_BYTES, k->y, P384_BYTES);
    base64_encode_raw(b64, sizeof(der), der);

    /* 64 base64 characters per line, as RFC 7468 asks. */
    pem = malloc(sizeof(begin) + sizeof(b64) + sizeof(b64) / 64 + 1 +
                 sizeof(end));
    if (!pem) {
        return NULL;
    }
    p = stpcpy(pem, begin);
    for (size_t off = 0; off < sizeof(b64); off += 64) {
        size_t n = sizeof(b64) - off < 64 ? sizeof(b64) - off : 64;

        memcpy(p, b64 + off, n);
        p += n;
        *p++ = '\n';
    }
    strcpy(p, end);
    return pem;
}

char *tmm_attest_platform_public_pem(const TmmAttestKeys *keys)
{
    return public_pem(&keys->iak);
}

char *tmm_attest_realm_public_pem(const TmmAttestKeys *keys)
{
    return public_pem(&keys->rak);
}
