/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM measurement unit: hashes and the realm's measurement slots.
 *
 * RIM := H(descriptor) for each measured RMI step; REM[i] := H(REM[i] || data).
 * Layouts are those of RMM 1.0 (see docs and cca-abi.md, section 3).  The
 * state lives inside the realm descriptor granule, so it is a plain struct
 * with no pointers.
 */
#ifndef TMM_MEASURE_H
#define TMM_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum TmmHashAlgo {
    TMM_HASH_SHA256 = 0,
    TMM_HASH_SHA512 = 1,
} TmmHashAlgo;

#define TMM_HASH_MAX_SIZE       64
#define TMM_MEASUREMENT_SLOTS   5       /* 0 is the RIM, 1..4 the REMs */
#define TMM_RIM_SLOT            0

/* True for the algorithms this monitor implements. */
bool tmm_hash_algo_valid(uint64_t algo);
/* Digest size in bytes: 32 or 64. */
size_t tmm_hash_size(TmmHashAlgo algo);
/* Name as used in attestation claims: "sha-256" or "sha-512". */
const char *tmm_hash_name(TmmHashAlgo algo);
/* One-shot hash; @out receives tmm_hash_size(algo) bytes. */
void tmm_hash(TmmHashAlgo algo, const void *data, size_t len, uint8_t *out);
/*
 * Copy @len bytes from @src to @dst and hash what arrived at @dst, in one
 * pass over the data (each piece is hashed while it is in the cache).
 */
void tmm_hash_copy(TmmHashAlgo algo, void *dst, const void *src, size_t len,
                   uint8_t *out);

typedef struct TmmMeasurements {
    uint8_t algo;                       /* TmmHashAlgo */
    uint8_t slot[TMM_MEASUREMENT_SLOTS][TMM_HASH_MAX_SIZE];
} TmmMeasurements;

/* The realm parameters that REALM_CREATE measures; the rest are not. */
typedef struct TmmMeasuredRealmParams {
    uint64_t flags;
    uint64_t s2sz;
    uint64_t sve_vl;
    uint64_t num_bps;
    uint64_t num_wps;
    uint64_t pmu_num_ctrs;
    uint8_t hash_algo;
} TmmMeasuredRealmParams;

/* The REC parameters that REC_CREATE measures. */
typedef struct TmmMeasuredRecParams {
    uint64_t flags;
    uint64_t pc;
    uint64_t gprs[8];
} TmmMeasuredRecParams;

/* REALM_CREATE: zero every slot, then RIM := H(params granule image). */
void tmm_measure_realm_create(TmmMeasurements *m,
                              const TmmMeasuredRealmParams *p);
/*
 * DATA_CREATE: RIM := H(DATA descriptor).  @content is the 4 KiB granule
 * when @flags has MEASURE_CONTENT (bit 0), and is ignored otherwise.
 */
void tmm_measure_data(TmmMeasurements *m, uint64_t ipa, uint64_t flags,
                      const uint8_t *content);
/*
 * The same, for DATA_CREATE's copy: 4 KiB from @src into the granule at
 * @dst, measured (if asked) from @dst as it is written.
 */
void tmm_measure_data_copy(TmmMeasurements *m, uint64_t ipa, uint64_t flags,
                           uint8_t *dst, const uint8_t *src);
/* REC_CREATE: RIM := H(REC descriptor). */
void tmm_measure_rec(TmmMeasurements *m, const TmmMeasuredRecParams *p);
/* RTT_INIT_RIPAS, one call per RTT entry converted: RIM := H(RIPAS desc). */
void tmm_measure_ripas(TmmMeasurements *m, uint64_t base, uint64_t top);
/*
 * RSI_MEASUREMENT_EXTEND: REM[index] := H(REM[index] || data[0..len)).
 * Returns false (nothing changed) unless 1 <= index <= 4 and len <= 64.
 */
bool tmm_measure_extend(TmmMeasurements *m, unsigned index,
                        const uint8_t *data, size_t len);

#endif
