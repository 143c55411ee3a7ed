/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small CBOR (RFC 8949) encoder for the attestation token.
 *
 * Items are appended to a caller buffer.  Running past its end does not
 * stop the encoder: it keeps counting, so one pass with a NULL buffer of
 * size 0 measures an encoding.  tmm_cbor_finish() reports overflow.
 */
#ifndef TMM_CBOR_H
#define TMM_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct TmmCbor {
    uint8_t *buf;
    size_t size;
    size_t len;         /* bytes produced so far, even past @size */
} TmmCbor;

void tmm_cbor_init(TmmCbor *c, uint8_t *buf, size_t size);
/* Encoded length, or 0 if the encoding did not fit in the buffer. */
size_t tmm_cbor_finish(const TmmCbor *c);
/* True while everything written so far fits. */
bool tmm_cbor_ok(const TmmCbor *c);

/* Size of the head (initial byte plus argument) for argument @arg. */
size_t tmm_cbor_head_size(uint64_t arg);

void tmm_cbor_uint(TmmCbor *c, uint64_t v);
/* Negative integer -1 - @n (major type 1 with argument @n). */
void tmm_cbor_negint(TmmCbor *c, uint64_t n);
/* Signed integer: picks major type 0 or 1. */
void tmm_cbor_int(TmmCbor *c, int64_t v);
void tmm_cbor_bstr(TmmCbor *c, const void *data, size_t len);
/* Only the head of a byte string, the @len content bytes to follow. */
void tmm_cbor_bstr_head(TmmCbor *c, size_t len);
void tmm_cbor_tstr(TmmCbor *c, const char *s);
void tmm_cbor_tstr_len(TmmCbor *c, const char *s, size_t len);
/* Heads of definite-length containers: @n items (arrays) or pairs (maps). */
void tmm_cbor_array(TmmCbor *c, uint64_t n);
void tmm_cbor_map(TmmCbor *c, uint64_t n);
void tmm_cbor_tag(TmmCbor *c, uint64_t tag);
/* Already encoded CBOR, copied as is. */
void tmm_cbor_raw(TmmCbor *c, const void *data, size_t len);

#endif
