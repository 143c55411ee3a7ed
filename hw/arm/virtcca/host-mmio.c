/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's emulation of a realm's device accesses.
 *
 * A realm reaches device registers only at their unprotected alias,
 * which the host never maps: every access is a stage-2 abort that the
 * monitor turns into a REC exit with the access's syndrome (size, sign
 * extension, direction) and, for a store, the value.  The host performs
 * the access on its own bus, as a VMM emulates MMIO for KVM, with
 * Non-secure attributes: devices see the realm's host, never the realm.
 * It answers EMUL_MMIO (the monitor completes the load and steps the
 * PC) or, where nothing answers on the bus, INJECT_SEA.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/log.h"
#include "system/address-spaces.h"
#include "system/memory.h"
#include "host-mmio.h"
#include "tmm.h"
#include "trace.h"

#define ESR_SAS(esr)    (((esr) >> 22) & 3)
#define ESR_WNR         (1ULL << 6)

void virtcca_host_emulate_mmio(int cpu, uint64_t esr, hwaddr addr,
                               uint8_t *run)
{
    unsigned size = 1U << ESR_SAS(esr);
    bool write = esr & ESR_WNR;
    uint8_t buf[8];
    uint64_t v = 0;
    MemTxResult res;

    if (write) {
        v = ldq_le_p(run + TMM_REC_RUN_EXIT_GPRS);
        stn_le_p(buf, size, v);
        res = address_space_write(&address_space_memory, addr,
                                  MEMTXATTRS_UNSPECIFIED, buf, size);
    } else {
        res = address_space_read(&address_space_memory, addr,
                                 MEMTXATTRS_UNSPECIFIED, buf, size);
        v = ldn_le_p(buf, size);
    }
    trace_virtcca_host_mmio(cpu, addr, size, write, v, res);
    if (res != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR, "virtcca: realm %s of %u bytes at "
                      "bus address 0x%" HWADDR_PRIx ": nothing answers "
                      "there: synchronous external abort\n",
                      write ? "write" : "read", size, addr);
        stq_le_p(run + TMM_REC_RUN_ENTRY_FLAGS, TMM_REC_ENTRY_INJECT_SEA);
        return;
    }
    stq_le_p(run + TMM_REC_RUN_ENTRY_GPRS, v);
    stq_le_p(run + TMM_REC_RUN_ENTRY_FLAGS, TMM_REC_ENTRY_EMUL_MMIO);
}
