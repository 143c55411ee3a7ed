/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CBOR encoder: byte-exact encodings from RFC 8949 Appendix A, and the
 * overflow handling the token code relies on.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "attest/cbor.h"

static void check_hex(const uint8_t *buf, size_t len, const char *want)
{
    g_autofree char *got = g_malloc(2 * len + 1);

    for (size_t i = 0; i < len; i++) {
        sprintf(got + 2 * i, "%02x", buf[i]);
    }
    got[2 * len] = '\0';
    g_assert_cmpstr(got, ==, want);
}

typedef struct UintCase {
    uint64_t v;
    const char *hex;
} UintCase;

static void test_uint(void)
{
    static const UintCase cases[] = {
        { 0, "00" }, { 1, "01" }, { 10, "0a" }, { 23, "17" },
        { 24, "1818" }, { 25, "1819" }, { 100, "1864" },
        { 1000, "1903e8" }, { 1000000, "1a000f4240" },
        { 1000000000000ULL, "1b000000e8d4a51000" },
        { UINT64_MAX, "1bffffffffffffffff" },
        /* The boundaries between head sizes */
        { 255, "18ff" }, { 256, "190100" }, { 65535, "19ffff" },
        { 65536, "1a00010000" }, { 4294967295ULL, "1affffffff" },
        { 4294967296ULL, "1b0000000100000000" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint8_t buf[16];
        TmmCbor c;

        tmm_cbor_init(&c, buf, sizeof(buf));
        tmm_cbor_uint(&c, cases[i].v);
        check_hex(buf, tmm_cbor_finish(&c), cases[i].hex);
        g_assert_cmpuint(tmm_cbor_head_size(cases[i].v), ==,
                         strlen(cases[i].hex) / 2);
    }
}

static void test_negint(void)
{
    static const struct {
        int64_t v;
        const char *hex;
    } cases[] = {
        { -1, "20" }, { -10, "29" }, { -100, "3863" }, { -1000, "3903e7" },
        { -24, "37" }, { -25, "3818" }, { -35, "3822" },
        { INT64_MIN, "3b7fffffffffffffff" }, { INT64_MAX,
                                               "1b7fffffffffffffff" },
    };
    uint8_t buf[16];
    TmmCbor c;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        tmm_cbor_init(&c, buf, sizeof(buf));
        tmm_cbor_int(&c, cases[i].v);
        check_hex(buf, tmm_cbor_finish(&c), cases[i].hex);
    }
    /* -18446744073709551616, the most negative CBOR integer */
    tmm_cbor_init(&c, buf, sizeof(buf));
    tmm_cbor_negint(&c, UINT64_MAX);
    check_hex(buf, tmm_cbor_finish(&c), "3bffffffffffffffff");
}

static void test_strings(void)
{
    static const uint8_t b4[] = { 1, 2, 3, 4 };
    uint8_t buf[64];
    TmmCbor c;

    tmm_cbor_init(&c, buf, sizeof(buf));
    tmm_cbor_bstr(&c, NULL, 0);
    tmm_cbor_bstr(&c, b4, sizeof(b4));
    tmm_cbor_tstr(&c, "");
    tmm_cbor_tstr(&c, "a");
    tmm_cbor_tstr(&c, "IETF");
    tmm_cbor_tstr(&c, "\"\\");
    tmm_cbor_tstr(&c, "\xc3\xbc");
    check_hex(buf, tmm_cbor_finish(&c),
              "40" "4401020304" "60" "6161" "6449455446" "62225c" "62c3bc");
}

static void test_long_strings(void)
{
    static uint8_t data[70000];
    static uint8_t buf[70010];
    TmmCbor c;

    memset(data, 0xab, sizeof(data));
    for (size_t len = 0; len < sizeof(data); len = len * 3 + 1) {
        size_t hs = tmm_cbor_head_size(len);

        tmm_cbor_init(&c, buf, sizeof(buf));
        tmm_cbor_bstr(&c, data, len);
        g_assert_cmpuint(tmm_cbor_finish(&c), ==, hs + len);
        g_assert_cmpuint(buf[0] >> 5, ==, 2);
        g_assert_cmpmem(buf + hs, len, data, len);
    }
    /* A 24-byte text string needs a one-byte length argument. */
    tmm_cbor_init(&c, buf, sizeof(buf));
    tmm_cbor_tstr(&c, "abcdefghijklmnopqrstuvwx");
    g_assert_cmpuint(tmm_cbor_finish(&c), ==, 26);
    g_assert_cmpuint(buf[0], ==, 0x78);
    g_assert_cmpuint(buf[1], ==, 24);
}

static void test_containers(void)
{
    uint8_t buf[64];
    TmmCbor c;

    tmm_cbor_init(&c, buf, sizeof(buf));
    tmm_cbor_array(&c, 0);
    tmm_cbor_array(&c, 3);
    tmm_cbor_uint(&c, 1);
    tmm_cbor_uint(&c, 2);
    tmm_cbor_uint(&c, 3);
    /* [1, [2, 3], [4, 5]] */
    tmm_cbor_array(&c, 3);
    tmm_cbor_uint(&c, 1);
    tmm_cbor_array(&c, 2);
    tmm_cbor_uint(&c, 2);
    tmm_cbor_uint(&c, 3);
    tmm_cbor_array(&c, 2);
    tmm_cbor_uint(&c, 4);
    tmm_cbor_uint(&c, 5);
    check_hex(buf, tmm_cbor_finish(&c), "80" "83010203" "8301820203820405");

    tmm_cbor_init(&c, buf, sizeof(buf));
    tmm_cbor_array(&c, 25);
    for (int i = 1; i <= 25; i++) {
        tmm_cbor_uint(&c, i);
    }
    check_hex(buf, tmm_cbor_finish(&c),
              "98190102030405060708090a0b0c0d0e0f101112131415161718181819");

    /* {}, {1: 2, 3: 4}, {"a": 1, "b": [2, 3]} */
    tmm_cbor_init(&c, buf, sizeof(buf));
    tmm_cbor_map(&c, 0);
    tmm_cbor_map(&c, 2);
    tmm_cbor_uint(&c, 1);
    tmm_cbor_uint(&c, 2);
    tmm_cbor_uint(&c, 3);
    tmm_cbor_uint(&c, 4);
    tmm_cbor_map(&c, 2);
    tmm_cbor_tstr(&c, "a");
    tmm_cbor_uint(&c, 1);
    tmm_cbor_tstr(&c, "b");
    tmm_cbor_array(&c, 2);
    tmm_cbor_uint(&c, 2);
    tmm_cbor_uint(&c, 3);
    check_hex(buf, tmm_cbor_finish(&c),
              "a0" "a201020304" "a26161016162820203");
}

static void test_tags(void)
{
    static const uint8_t b4[] = { 1, 2, 3, 4 };
    uint8_t buf[64];
    TmmCbor c;

    tmm_cbor_init(&c, buf, sizeof(buf));
    tmm_cbor_tag(&c, 1);
    tmm_cbor_uint(&c, 1363896240);
    tmm_cbor_tag(&c, 23);
    tmm_cbor_bstr(&c, b4, sizeof(b4));
    tmm_cbor_tag(&c, 24);
    tmm_cbor_bstr(&c, "dIETF", 5);
    check_hex(buf, tmm_cbor_finish(&c),
              "c11a514b67b0" "d74401020304" "d818456449455446");

    /* The two tags of the CCA token */
    tmm_cbor_init(&c, buf, sizeof(buf));
    tmm_cbor_tag(&c, 18);
    tmm_cbor_tag(&c, 399);
    check_hex(buf, tmm_cbor_finish(&c), "d2" "d9018f");
}

static void test_raw(void)
{
    static const uint8_t pre[] = { 0xa1, 0x01, 0x38, 0x22 };
    uint8_t buf[8];
    TmmCbor c;

    tmm_cbor_init(&c, buf, sizeof(buf));
    tmm_cbor_bstr_head(&c, sizeof(pre));
    tmm_cbor_raw(&c, pre, sizeof(pre));
    check_hex(buf, tmm_cbor_finish(&c), "44a1013822");
}

/* Every prefix of the buffer must be refused without writing past it. */
static void test_overflow(void)
{
    static const char *const want =
        "a2" "1a000f4240" "4401020304" "6449455446" "8302" "38ff" "c0"
        "3bffffffffffffffff";
    static const uint8_t b4[] = { 1, 2, 3, 4 };
    size_t full = strlen(want) / 2;

    for (size_t size = 0; size <= full; size++) {
        uint8_t buf[64];
        TmmCbor c;

        memset(buf, 0xee, sizeof(buf));
        tmm_cbor_init(&c, buf, size);
        tmm_cbor_map(&c, 2);
        tmm_cbor_uint(&c, 1000000);
        tmm_cbor_bstr(&c, b4, sizeof(b4));
        tmm_cbor_tstr(&c, "IETF");
        tmm_cbor_array(&c, 3);
        tmm_cbor_uint(&c, 2);
        tmm_cbor_int(&c, -256);
        tmm_cbor_tag(&c, 0);
        tmm_cbor_negint(&c, UINT64_MAX);

        /* The count goes on, so the needed size is known. */
        g_assert_cmpuint(c.len, ==, full);
        for (size_t i = size; i < sizeof(buf); i++) {
            g_assert_cmpuint(buf[i], ==, 0xee);
        }
        if (size < full) {
            g_assert_false(tmm_cbor_ok(&c));
            g_assert_cmpuint(tmm_cbor_finish(&c), ==, 0);
        } else {
            g_assert_true(tmm_cbor_ok(&c));
            check_hex(buf, tmm_cbor_finish(&c), want);
        }
    }
}

/* A NULL buffer measures. */
static void test_measure_only(void)
{
    TmmCbor c;

    tmm_cbor_init(&c, NULL, 100);
    tmm_cbor_tstr(&c, "Signature1");
    tmm_cbor_bstr(&c, NULL, 0);
    g_assert_cmpuint(c.len, ==, 12);
    g_assert_cmpuint(tmm_cbor_finish(&c), ==, 0);
}

/* A huge length must not wrap the count around to a small value. */
static void test_saturation(void)
{
    uint8_t buf[16];
    TmmCbor c;

    tmm_cbor_init(&c, buf, sizeof(buf));
    tmm_cbor_uint(&c, 1);
    tmm_cbor_raw(&c, buf, SIZE_MAX);
    tmm_cbor_uint(&c, 1);
    g_assert_false(tmm_cbor_ok(&c));
    g_assert_cmpuint(tmm_cbor_finish(&c), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tmm/cbor/uint", test_uint);
    g_test_add_func("/tmm/cbor/negint", test_negint);
    g_test_add_func("/tmm/cbor/strings", test_strings);
    g_test_add_func("/tmm/cbor/long-strings", test_long_strings);
    g_test_add_func("/tmm/cbor/containers", test_containers);
    g_test_add_func("/tmm/cbor/tags", test_tags);
    g_test_add_func("/tmm/cbor/raw", test_raw);
    g_test_add_func("/tmm/cbor/overflow", test_overflow);
    g_test_add_func("/tmm/cbor/measure-only", test_measure_only);
    g_test_add_func("/tmm/cbor/saturation", test_saturation);
    return g_test_run();
}
