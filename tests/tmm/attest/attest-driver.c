/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drives the TMM attestation unit for test-keys.py and test-token.py.
 *
 *   attest-driver keys RAK IAK IAK_PUB_OUT RAK_PUB_OUT
 *       Load (a path) or generate ("-") both keys and write their public
 *       keys as PEM.  Prints "ok", or "error: MESSAGE" and exits 1.
 *   attest-driver token RAK IAK ALGO CHALLENGE RPV TOKEN_OUT IAK_PUB_OUT
 *                 [NUM_SW_COMPONENTS]
 *       Build a realm's measurements with hash ALGO (0 or 1), write a
 *       token for the hex CHALLENGE (64 bytes) and RPV (64 bytes), and
 *       print the slots as "slotN HEX".  With NUM_SW_COMPONENTS, first
 *       replace the platform software components with that many.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest.h"

static const char *opt_path(const char *arg)
{
    return strcmp(arg, "-") ? arg : NULL;
}

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
        fprintf(stderr, "attest-driver: cannot write %s\n", path);
        exit(2);
    }
    return 0;
}

static void parse_hex64(const char *s, uint8_t *out)
{
    if (strlen(s) != 128) {
        fprintf(stderr, "attest-driver: need 64 bytes of hex: %s\n", s);
        exit(2);
    }
    for (int i = 0; i < 64; i++) {
        unsigned v;

        if (sscanf(s + 2 * i, "%2x", &v) != 1) {
            fprintf(stderr, "attest-driver: bad hex: %s\n", s);
            exit(2);
        }
        out[i] = v;
    }
}

static TmmAttestKeys *load(const char *rak, const char *iak)
{
    char *err = NULL;
    TmmAttestKeys *keys = tmm_attest_keys_load(opt_path(rak), opt_path(iak),
                                               &err);

    if (!keys) {
        printf("error: %s\n", err ? err : "(no message)");
        free(err);
        exit(1);
    }
    if (err) {
        fprintf(stderr, "attest-driver: error set on success\n");
        exit(2);
    }
    return keys;
}

static void write_pem(const char *path, char *pem)
{
    if (!pem) {
        fprintf(stderr, "attest-driver: no PEM\n");
        exit(2);
    }
    write_file(path, pem, strlen(pem));
    free(pem);
}

static int cmd_keys(char **argv)
{
    TmmAttestKeys *keys = load(argv[0], argv[1]);

    write_pem(argv[2], tmm_attest_platform_public_pem(keys));
    write_pem(argv[3], tmm_attest_realm_public_pem(keys));
    tmm_attest_keys_free(keys);
    printf("ok\n");
    return 0;
}

/* A realm built the way a host would: params, images, RIPAS, a REC. */
static void build_realm(TmmMeasurements *m, unsigned algo)
{
    TmmMeasuredRealmParams rp = { .s2sz = 40, .hash_algo = algo };
    TmmMeasuredRecParams rec = { .flags = 1, .pc = 0x40080000 };
    static uint8_t page[4096];

    tmm_measure_realm_create(m, &rp);
    for (int i = 0; i < 4; i++) {
        memset(page, 0x11 * (i + 1), sizeof(page));
        tmm_measure_data(m, 0x40080000 + 0x1000 * i, 1, page);
    }
    tmm_measure_ripas(m, 0x40000000, 0x80000000);
    rec.gprs[0] = 0x48000000;
    tmm_measure_rec(m, &rec);
    for (unsigned i = 1; i <= 4; i++) {
        uint8_t data[64];

        memset(data, i, sizeof(data));
        if (!tmm_measure_extend(m, i, data, 16 * i)) {
            fprintf(stderr, "attest-driver: extend %u failed\n", i);
            exit(2);
        }
    }
}

static void set_sw(TmmAttestKeys *keys, int n)
{
    TmmSwComponent comps[32];
    uint8_t meas[32][48], signer[32][32];
    char *err = NULL;

    if (n < 0 || n > 32) {
        fprintf(stderr, "attest-driver: 0..32 components\n");
        exit(2);
    }
    for (int i = 0; i < n; i++) {
        memset(meas[i], 0xa0 + i, sizeof(meas[i]));
        memset(signer[i], 0xb0 + i, sizeof(signer[i]));
        comps[i] = (TmmSwComponent) {
            /* Every other one without the optional strings */
            .type = i % 2 ? NULL : "BL",
            .measurement = meas[i],
            .measurement_len = sizeof(meas[i]),
            .version = i % 2 ? NULL : "1.2.3",
            .signer_id = signer[i],
            .signer_id_len = sizeof(signer[i]),
            .hash_algo = i % 2 ? NULL : "sha-384",
        };
    }
    if (!tmm_attest_set_platform_sw(keys, comps, n, &err)) {
        printf("error: %s\n", err ? err : "(no message)");
        free(err);
        exit(1);
    }
}

static int cmd_token(int argc, char **argv)
{
    static uint8_t buf[TMM_TOKEN_MAX_SIZE];
    static uint8_t small[TMM_TOKEN_MAX_SIZE];
    TmmAttestKeys *keys = load(argv[0], argv[1]);
    TmmMeasurements m;
    TmmRealmClaims c = { .measurements = &m };
    size_t len;

    build_realm(&m, atoi(argv[2]));
    parse_hex64(argv[3], c.challenge);
    parse_hex64(argv[4], c.rpv);
    if (argc > 7) {
        set_sw(keys, atoi(argv[7]));
    }
    len = tmm_attest_token(keys, &c, buf, sizeof(buf));
    if (!len) {
        fprintf(stderr, "attest-driver: token generation failed\n");
        return 2;
    }
    /* The size check: one byte short fails, the exact size works. */
    if (tmm_attest_token(keys, &c, small, len - 1) != 0 ||
        tmm_attest_token(keys, &c, small, len) != len) {
        fprintf(stderr, "attest-driver: buffer size check broken\n");
        return 2;
    }
    /* Measurements of an unknown algorithm are refused, not signed. */
    {
        TmmMeasurements bad = m;
        TmmRealmClaims bc = c;

        bad.algo = 2;
        bc.measurements = &bad;
        if (tmm_attest_token(keys, &bc, small, sizeof(small)) != 0) {
            fprintf(stderr, "attest-driver: bad algorithm accepted\n");
            return 2;
        }
    }
    write_file(argv[5], buf, len);
    write_pem(argv[6], tmm_attest_platform_public_pem(keys));
    for (int s = 0; s < TMM_MEASUREMENT_SLOTS; s++) {
        printf("slot%d ", s);
        for (size_t i = 0; i < tmm_hash_size(m.algo); i++) {
            printf("%02x", m.slot[s][i]);
        }
        printf("\n");
    }
    tmm_attest_keys_free(keys);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "keys")) {
        return cmd_keys(argv + 2);
    }
    if ((argc == 9 || argc == 10) && !strcmp(argv[1], "token")) {
        return cmd_token(argc - 2, argv + 2);
    }
    fprintf(stderr, "usage: see the comment at the top of attest-driver.c\n");
    return 2;
}
