/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Benchmark: what a token request costs compared with one raw P-384 ECDSA
 * signature.  The platform token is signed once when the keys are made, so
 * a request should cost little more than one signature.
 *
 *   bench-attest [ITERATIONS]      (default 2000 per side)
 *
 * Prints: bench: token-generation-us=X raw-p384-sign-us=Y ratio=X/Y
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <nettle/ecc-curve.h>
#include <nettle/ecdsa.h>

#include "attest/attest.h"

#define ROUNDS 10

static void bench_random(void *ctx, size_t len, uint8_t *dst)
{
    while (len) {
        ssize_t n = getrandom(dst, len, 0);

        if (n < 0) {
            perror("getrandom");
            exit(1);
        }
        dst += n;
        len -= n;
    }
}

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    static uint8_t token[TMM_TOKEN_MAX_SIZE];
    int iters = argc > 1 ? atoi(argv[1]) : 2000;
    int per_round = iters / ROUNDS > 0 ? iters / ROUNDS : 1;
    TmmMeasuredRealmParams rp = { .s2sz = 40, .hash_algo = TMM_HASH_SHA256 };
    TmmMeasurements m;
    TmmRealmClaims claims = { .measurements = &m };
    struct ecc_scalar key;
    struct ecc_point pub;
    struct dsa_signature sig;
    uint8_t digest[48];
    double t_token = 0, t_raw = 0;
    char *err = NULL;
    TmmAttestKeys *keys;
    int n = 0;

    keys = tmm_attest_keys_generate(&err);
    if (!keys) {
        fprintf(stderr, "bench-attest: %s\n", err);
        return 1;
    }
    tmm_measure_realm_create(&m, &rp);
    bench_random(NULL, sizeof(claims.challenge), claims.challenge);
    bench_random(NULL, sizeof(digest), digest);

    ecc_scalar_init(&key, nettle_get_secp_384r1());
    ecc_point_init(&pub, nettle_get_secp_384r1());
    ecdsa_generate_keypair(&pub, &key, NULL, bench_random);
    dsa_signature_init(&sig);

    /* Warm up caches and the CPU clock. */
    for (int i = 0; i < 5; i++) {
        tmm_attest_token(keys, &claims, token, sizeof(token));
        ecdsa_sign(&key, NULL, bench_random, sizeof(digest), digest, &sig);
    }

    /*
     * Interleave the two in rounds, so that load from other processes on
     * the machine hits both sides alike.
     */
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_us();

        for (int i = 0; i < per_round; i++) {
            claims.challenge[0] = i;
            if (!tmm_attest_token(keys, &claims, token, sizeof(token))) {
                fprintf(stderr, "bench-attest: token generation failed\n");
                return 1;
            }
        }
        t_token += now_us() - t0;

        t0 = now_us();
        for (int i = 0; i < per_round; i++) {
            digest[0] = i;
            ecdsa_sign(&key, NULL, bench_random, sizeof(digest), digest,
                       &sig);
        }
        t_raw += now_us() - t0;
        n += per_round;
    }

    printf("bench: token-generation-us=%.1f raw-p384-sign-us=%.1f "
           "ratio=%.3f\n", t_token / n, t_raw / n, t_token / t_raw);

    dsa_signature_clear(&sig);
    ecc_point_clear(&pub);
    ecc_scalar_clear(&key);
    tmm_attest_keys_free(keys);
    return 0;
}
