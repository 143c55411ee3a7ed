/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drives the TMM measurement unit from a script on stdin, so that
 * test-measure.py can check every slot against digests it computes itself
 * from the RMM descriptor layouts.
 *
 * Commands (numbers are hex without 0x, data is hex):
 *   create ALGO FLAGS S2SZ SVE_VL NUM_BPS NUM_WPS PMU_NUM_CTRS
 *   data IPA FLAGS [CONTENT]            CONTENT: 4096 bytes
 *   datacopy IPA FLAGS CONTENT          the same, copied as DATA_CREATE
 *                                       does (tmm_measure_data_copy)
 *   rec FLAGS PC G0 G1 G2 G3 G4 G5 G6 G7
 *   ripas BASE TOP
 *   extend INDEX [DATA]                 prints "ok" or "rejected"
 *   dump                                prints the 5 slots, 64 bytes each
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "measure/measure.h"

#define LINE_MAX_LEN 16384
#define DELIMS "\n "

static void die(const char *msg, const char *line)
{
    fprintf(stderr, "measure-driver: %s: %s\n", msg, line);
    exit(2);
}

/* Parse hex into @out; returns the number of bytes, or -1 if malformed. */
static long parse_hex(const char *s, uint8_t *out, size_t max)
{
    size_t n = strlen(s);

    if (n % 2 || n / 2 > max) {
        return -1;
    }
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;

        if (sscanf(s + 2 * i, "%2x", &v) != 1) {
            return -1;
        }
        out[i] = v;
    }
    return n / 2;
}

static uint64_t num(char **save, const char *line)
{
    char *tok = strtok_r(NULL, DELIMS, save);
    uint64_t v;
    char extra;

    if (!tok) {
        die("missing number", line);
    }
    if (sscanf(tok, "%" SCNx64 "%c", &v, &extra) != 1) {
        die("bad number", line);
    }
    return v;
}

int main(void)
{
    static char line[LINE_MAX_LEN];
    static char copy[LINE_MAX_LEN];
    TmmMeasurements m;
    bool created = false;

    while (fgets(line, sizeof(line), stdin)) {
        char *save = NULL;
        char *cmd;

        strcpy(copy, line);
        cmd = strtok_r(line, DELIMS, &save);
        if (!cmd) {
            continue;
        }
        if (!strcmp(cmd, "create")) {
            TmmMeasuredRealmParams p;
            uint64_t algo = num(&save, copy);

            if (!tmm_hash_algo_valid(algo)) {
                die("invalid algorithm", copy);
            }
            memset(&p, 0, sizeof(p));
            p.hash_algo = algo;
            p.flags = num(&save, copy);
            p.s2sz = num(&save, copy);
            p.sve_vl = num(&save, copy);
            p.num_bps = num(&save, copy);
            p.num_wps = num(&save, copy);
            p.pmu_num_ctrs = num(&save, copy);
            tmm_measure_realm_create(&m, &p);
            created = true;
            continue;
        }
        if (!created) {
            die("no realm created yet", copy);
        }
        if (!strcmp(cmd, "data") || !strcmp(cmd, "datacopy")) {
            static uint8_t content[4096], granule[4096];
            uint64_t ipa = num(&save, copy);
            uint64_t flags = num(&save, copy);
            char *hex = strtok_r(NULL, DELIMS, &save);
            const uint8_t *c = NULL;

            if (hex) {
                if (parse_hex(hex, content, sizeof(content)) != 4096) {
                    die("content is not 4096 bytes", copy);
                }
                c = content;
            } else if (flags & 1) {
                die("MEASURE_CONTENT without content", copy);
            }
            if (!strcmp(cmd, "data")) {
                tmm_measure_data(&m, ipa, flags, c);
                continue;
            }
            if (!c) {
                die("datacopy without content", copy);
            }
            memset(granule, 0xa5, sizeof(granule));
            tmm_measure_data_copy(&m, ipa, flags, granule, c);
            if (memcmp(granule, c, sizeof(granule))) {
                die("datacopy: the granule is not a copy", copy);
            }
        } else if (!strcmp(cmd, "rec")) {
            TmmMeasuredRecParams p;

            p.flags = num(&save, copy);
            p.pc = num(&save, copy);
            for (int i = 0; i < 8; i++) {
                p.gprs[i] = num(&save, copy);
            }
            tmm_measure_rec(&m, &p);
        } else if (!strcmp(cmd, "ripas")) {
            uint64_t base = num(&save, copy);
            uint64_t top = num(&save, copy);

            tmm_measure_ripas(&m, base, top);
        } else if (!strcmp(cmd, "extend")) {
            uint8_t data[256];
            unsigned idx = num(&save, copy);
            char *hex = strtok_r(NULL, DELIMS, &save);
            long len = 0;

            if (hex) {
                len = parse_hex(hex, data, sizeof(data));
                if (len < 0) {
                    die("bad data", copy);
                }
            }
            printf("%s\n", tmm_measure_extend(&m, idx, data, len) ?
                   "ok" : "rejected");
        } else if (!strcmp(cmd, "dump")) {
            printf("algo %u size %zu name %s\n", m.algo,
                   tmm_hash_size(m.algo), tmm_hash_name(m.algo));
            for (int s = 0; s < TMM_MEASUREMENT_SLOTS; s++) {
                printf("slot%d ", s);
                for (int i = 0; i < TMM_HASH_MAX_SIZE; i++) {
                    printf("%02x", m.slot[s][i]);
                }
                printf("\n");
            }
        } else {
            die("unknown command", copy);
        }
        fflush(stdout);
    }
    return 0;
}
