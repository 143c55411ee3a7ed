/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TMM measurement unit: the RIM and REM slots of a realm.
 *
 * Each measured RMI step hashes a 0x100-byte descriptor (RMM 1.0 layout)
 * that chains the current RIM, so the RIM commits to the whole sequence of
 * calls that built the realm.
 */
#include <string.h>

#include "measure.h"

#define GRANULE_SIZE            4096
#define DESC_SIZE               0x100

/* Descriptor types (offset 0x00) */
#define DESC_TYPE_DATA          0
#define DESC_TYPE_REC           1
#define DESC_TYPE_RIPAS         2

/* Common descriptor header */
#define DESC_OFF_TYPE           0x00
#define DESC_OFF_LEN            0x08
#define DESC_OFF_RIM            0x10

/* DATA descriptor */
#define DATA_OFF_IPA            0x50
#define DATA_OFF_FLAGS          0x58
#define DATA_OFF_CONTENT        0x60
#define DATA_FLAG_MEASURE       (1ULL << 0)

/* REC descriptor */
#define REC_OFF_PARAMS_HASH     0x50

/* RIPAS descriptor */
#define RIPAS_OFF_BASE          0x50
#define RIPAS_OFF_TOP           0x58

/* Realm params granule: offsets of the measured fields */
#define RP_OFF_FLAGS            0x000
#define RP_OFF_S2SZ             0x008
#define RP_OFF_SVE_VL           0x010
#define RP_OFF_NUM_BPS          0x018
#define RP_OFF_NUM_WPS          0x020
#define RP_OFF_PMU_NUM_CTRS     0x028
#define RP_OFF_HASH_ALGO        0x030

/* REC params granule: offsets of the measured fields */
#define RECP_OFF_FLAGS          0x000
#define RECP_OFF_PC             0x200
#define RECP_OFF_GPRS           0x300

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = v >> (8 * i);
    }
}

static TmmHashAlgo algo_of(const TmmMeasurements *m)
{
    return (TmmHashAlgo)m->algo;
}

/* Fill the header common to every descriptor: type, length, current RIM. */
static void desc_init(const TmmMeasurements *m, uint8_t *desc, uint64_t type)
{
    memset(desc, 0, DESC_SIZE);
    put_le64(desc + DESC_OFF_TYPE, type);
    put_le64(desc + DESC_OFF_LEN, DESC_SIZE);
    /* The whole 64-byte field: unused bytes of the slot are zero. */
    memcpy(desc + DESC_OFF_RIM, m->slot[TMM_RIM_SLOT], TMM_HASH_MAX_SIZE);
}

static void rim_from_desc(TmmMeasurements *m, const uint8_t *desc)
{
    tmm_hash(algo_of(m), desc, DESC_SIZE, m->slot[TMM_RIM_SLOT]);
}

void tmm_measure_realm_create(TmmMeasurements *m,
                              const TmmMeasuredRealmParams *p)
{
    uint8_t image[GRANULE_SIZE];

    memset(m, 0, sizeof(*m));
    m->algo = p->hash_algo;

    /*
     * Rebuild the params granule with only the measured fields, so that
     * RPV, vmid and the RTT placement (host choices that do not change what
     * the realm runs) do not affect the RIM.
     */
    memset(image, 0, sizeof(image));
    put_le64(image + RP_OFF_FLAGS, p->flags);
    put_le64(image + RP_OFF_S2SZ, p->s2sz);
    put_le64(image + RP_OFF_SVE_VL, p->sve_vl);
    put_le64(image + RP_OFF_NUM_BPS, p->num_bps);
    put_le64(image + RP_OFF_NUM_WPS, p->num_wps);
    put_le64(image + RP_OFF_PMU_NUM_CTRS, p->pmu_num_ctrs);
    image[RP_OFF_HASH_ALGO] = p->hash_algo;

    tmm_hash(algo_of(m), image, sizeof(image), m->slot[TMM_RIM_SLOT]);
}

/*
 * The DATA descriptor's step; the content hash is of @src, or, with @dst,
 * of the copy made into @dst as it is made.
 */
static void measure_data(TmmMeasurements *m, uint64_t ipa, uint64_t flags,
                         uint8_t *dst, const uint8_t *src)
{
    uint8_t desc[DESC_SIZE];

    desc_init(m, desc, DESC_TYPE_DATA);
    put_le64(desc + DATA_OFF_IPA, ipa);
    put_le64(desc + DATA_OFF_FLAGS, flags);
    if (!(flags & DATA_FLAG_MEASURE)) {
        if (dst) {
            memcpy(dst, src, GRANULE_SIZE);
        }
    } else if (dst) {
        tmm_hash_copy(algo_of(m), dst, src, GRANULE_SIZE,
                      desc + DATA_OFF_CONTENT);
    } else {
        tmm_hash(algo_of(m), src, GRANULE_SIZE, desc + DATA_OFF_CONTENT);
    }
    rim_from_desc(m, desc);
}

void tmm_measure_data(TmmMeasurements *m, uint64_t ipa, uint64_t flags,
                      const uint8_t *content)
{
    measure_data(m, ipa, flags, NULL, content);
}

void tmm_measure_data_copy(TmmMeasurements *m, uint64_t ipa, uint64_t flags,
                           uint8_t *dst, const uint8_t *src)
{
    measure_data(m, ipa, flags, dst, src);
}

void tmm_measure_rec(TmmMeasurements *m, const TmmMeasuredRecParams *p)
{
    uint8_t image[GRANULE_SIZE];
    uint8_t desc[DESC_SIZE];

    /* mpidr and the aux granules are host choices: not measured. */
    memset(image, 0, sizeof(image));
    put_le64(image + RECP_OFF_FLAGS, p->flags);
    put_le64(image + RECP_OFF_PC, p->pc);
    for (int i = 0; i < 8; i++) {
        put_le64(image + RECP_OFF_GPRS + 8 * i, p->gprs[i]);
    }

    desc_init(m, desc, DESC_TYPE_REC);
    tmm_hash(algo_of(m), image, sizeof(image), desc + REC_OFF_PARAMS_HASH);
    rim_from_desc(m, desc);
}

void tmm_measure_ripas(TmmMeasurements *m, uint64_t base, uint64_t top)
{
    uint8_t desc[DESC_SIZE];

    desc_init(m, desc, DESC_TYPE_RIPAS);
    put_le64(desc + RIPAS_OFF_BASE, base);
    put_le64(desc + RIPAS_OFF_TOP, top);
    rim_from_desc(m, desc);
}

bool tmm_measure_extend(TmmMeasurements *m, unsigned index,
                        const uint8_t *data, size_t len)
{
    uint8_t buf[2 * TMM_HASH_MAX_SIZE];
    size_t hsize;

    if (index < 1 || index >= TMM_MEASUREMENT_SLOTS ||
        len > TMM_HASH_MAX_SIZE) {
        return false;
    }
    /* The slot holds a digest of the realm's hash size, nothing more. */
    hsize = tmm_hash_size(algo_of(m));
    memcpy(buf, m->slot[index], hsize);
    if (len) {
        memcpy(buf + hsize, data, len);
    }
    tmm_hash(algo_of(m), buf, hsize + len, m->slot[index]);
    return true;
}
