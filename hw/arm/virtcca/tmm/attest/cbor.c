/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small CBOR (RFC 8949) encoder: definite lengths, shortest heads, which
 * is what the deterministic encoding rules of RFC 8949 section 4.2 ask.
 */
#include <string.h>

#include "cbor.h"

enum {
    MT_UINT = 0,
    MT_NEGINT = 1,
    MT_BSTR = 2,
    MT_TSTR = 3,
    MT_ARRAY = 4,
    MT_MAP = 5,
    MT_TAG = 6,
};

void tmm_cbor_init(TmmCbor *c, uint8_t *buf, size_t size)
{
    c->buf = buf;
    c->size = buf ? size : 0;
    c->len = 0;
}

bool tmm_cbor_ok(const TmmCbor *c)
{
    return c->len <= c->size;
}

size_t tmm_cbor_finish(const TmmCbor *c)
{
    return tmm_cbor_ok(c) ? c->len : 0;
}

static void put(TmmCbor *c, const void *data, size_t len)
{
    /* Written as a subtraction so that a huge @len cannot wrap around. */
    if (len && c->len <= c->size && len <= c->size - c->len) {
        memcpy(c->buf + c->len, data, len);
    }
    if (len > SIZE_MAX - c->len) {
        /* Saturate: the count stays past any real buffer. */
        c->len = SIZE_MAX;
    } else {
        c->len += len;
    }
}

size_t tmm_cbor_head_size(uint64_t arg)
{
    if (arg < 24) {
        return 1;
    } else if (arg <= UINT8_MAX) {
        return 2;
    } else if (arg <= UINT16_MAX) {
        return 3;
    } else if (arg <= UINT32_MAX) {
        return 5;
    }
    return 9;
}

static void head(TmmCbor *c, unsigned major, uint64_t arg)
{
    uint8_t h[9];
    size_t n = tmm_cbor_head_size(arg);

    if (n == 1) {
        h[0] = (major << 5) | arg;
    } else {
        /* Additional info 24..27 select a 1, 2, 4 or 8 byte argument. */
        static const uint8_t ai[] = { [2] = 24, [3] = 25, [5] = 26, [9] = 27 };

        h[0] = (major << 5) | ai[n];
        for (size_t i = 1; i < n; i++) {
            h[i] = arg >> (8 * (n - 1 - i));
        }
    }
    put(c, h, n);
}

void tmm_cbor_uint(TmmCbor *c, uint64_t v)
{
    head(c, MT_UINT, v);
}

void tmm_cbor_negint(TmmCbor *c, uint64_t n)
{
    head(c, MT_NEGINT, n);
}

void tmm_cbor_int(TmmCbor *c, int64_t v)
{
    if (v >= 0) {
        head(c, MT_UINT, v);
    } else {
        /* -1 - v without overflow, also for INT64_MIN. */
        head(c, MT_NEGINT, ~(uint64_t)v);
    }
}

void tmm_cbor_bstr_head(TmmCbor *c, size_t len)
{
    head(c, MT_BSTR, len);
}

void tmm_cbor_bstr(TmmCbor *c, const void *data, size_t len)
{
    head(c, MT_BSTR, len);
    put(c, data, len);
}

void tmm_cbor_tstr_len(TmmCbor *c, const char *s, size_t len)
{
    head(c, MT_TSTR, len);
    put(c, s, len);
}

void tmm_cbor_tstr(TmmCbor *c, const char *s)
{
    tmm_cbor_tstr_len(c, s, strlen(s));
}

void tmm_cbor_array(TmmCbor *c, uint64_t n)
{
    head(c, MT_ARRAY, n);
}

void tmm_cbor_map(TmmCbor *c, uint64_t n)
{
    head(c, MT_MAP, n);
}

void tmm_cbor_tag(TmmCbor *c, uint64_t tag)
{
    head(c, MT_TAG, tag);
}

void tmm_cbor_raw(TmmCbor *c, const void *data, size_t len)
{
    put(c, data, len);
}
