/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Arm CoreLink TZC-400 TrustZone Address Space Controller
 *
 * One TZC-400 configured with 4 filter units, 9 regions and 64-bit
 * addresses.  The board connects one memory to one filter unit (the
 * "filter" property, 0 by default); the other three filter units have
 * their registers but no port behind them.
 *
 * How accesses are filtered.  The filtered view is an IOMMU memory
 * region with two IOMMU indexes, Secure and Non-secure, chosen from
 * MemTxAttrs.secure.  Transactions without attributes
 * (MEMTXATTRS_UNSPECIFIED: device DMA, the monitor, qtest) are treated
 * as Non-secure, because nothing in the machine that lacks a CPU's
 * attributes is a Secure master.
 *
 * Non-secure accesses are checked against REGION_ID_ACCESS for NSAID 0:
 * QEMU transactions carry no NSAID, and the board ties the NSAID inputs
 * of every Non-secure master to 0, so nsaid_rd_en[0] and nsaid_wr_en[0]
 * are the bits that grant access to the Non-secure world.
 *
 * A permitted access goes to the memory; a refused one goes to an I/O
 * region that records the failure exactly (address, direction, security),
 * answers as ACTION says (zeros and OKAY, or DECERR as MEMTX_ERROR) and
 * raises TZCINT.  Two paths reach translate():
 *  - device, debug and qtest accesses ask for read or write, and are sent
 *    to the memory or to the refusing I/O region through address spaces
 *    of the model's own.
 *  - TCG fills its TLB asking for every permission at once.  A page the
 *    region opens both ways maps the memory directly.  Any other page is
 *    sent, whole, to the refusing region, which then sees each access and
 *    passes the permitted ones (say, reads of a read-only page) on to the
 *    memory.  TCG looks an I/O target up in the CPU's own address space,
 *    so for CPUs the refusing region is reached at "cpu-refusal-base" in
 *    the CPU's view (the board maps it there); a refusal without a target
 *    (IOMMU_NONE) is not an option, as QEMU 10.2's TLB cannot take it.
 *    This holds only for CPUs whose address space has "ns-view" or
 *    "s-view" as its root: a CPU with another root must not reach the
 *    filtered view.
 * Every register write that changes a translation flushes the CPUs' TLBs
 * through an IOMMU unmap notification.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "tzc400.h"
#include "qapi/qapi-events-virtcca.h"
#include "trace.h"

enum {
    TZC400_IDX_S,
    TZC400_IDX_NS,
    TZC400_NUM_IDX,
};

/* Granule of regions, and of the translations handed out. */
#define TZC400_GRANULE      0x1000ULL

/* The Non-secure masters' NSAID (see the comment at the top). */
#define TZC400_NS_NSAID     0

/*
 * BUILD_CONFIG: no_of_filters - 1 [25:24], address_width - 1 [13:8],
 * no_of_regions - 1 [4:0].
 */
#define TZC400_BUILD_CONFIG_VALUE \
    (((TZC400_NUM_FILTERS - 1) << 24) | ((64 - 1) << 8) | \
     (TZC400_NUM_REGIONS - 1))

#define TZC400_GATE_KEEPER_MASK     0xfu
#define TZC400_SPEC_CTRL_MASK       0x3u
#define TZC400_ACTION_MASK          0x3u
#define TZC400_BASE_LOW_MASK        0xfffff000u
#define TZC400_TOP_LOW_ONES         0x00000fffu
#define TZC400_ATTR_MASK \
    (TZC400_ATTR_S_WR_EN | TZC400_ATTR_S_RD_EN | TZC400_ATTR_FILTER_EN_MASK)
/* Region 0 is enabled for every filter: its filter_en bits read as one. */
#define TZC400_ATTR0_MASK           (TZC400_ATTR_S_WR_EN | TZC400_ATTR_S_RD_EN)

/* INT_STATUS: status [3:0], overrun [11:8], overlap [19:16] per filter. */
#define TZC400_INT_STATUS_BIT(f)    (1u << (f))
#define TZC400_INT_OVERRUN_BIT(f)   (1u << (8 + (f)))
#define TZC400_INT_OVERLAP_BIT(f)   (1u << (16 + (f)))

#define TZC400_PID4                 0xfd0

/* PID4..PID7, PID0..PID3, CID0..CID3: part 0x460, designer Arm. */
static const uint8_t tzc400_id_regs[] = {
    0x04, 0x00, 0x00, 0x00,
    0x60, 0xb4, 0x2b, 0x00,
    0x0d, 0xf0, 0x05, 0xb1,
};

static uint64_t tzc400_region_base(TZC400State *s, int n)
{
    return deposit64(s->region_base_low[n] & TZC400_BASE_LOW_MASK, 32, 32,
                     s->region_base_high[n]);
}

/* Inclusive: the low 12 bits of a top address are always ones. */
static uint64_t tzc400_region_top(TZC400State *s, int n)
{
    return deposit64(s->region_top_low[n] | TZC400_TOP_LOW_ONES, 32, 32,
                     s->region_top_high[n]);
}

static bool tzc400_gate_open(TZC400State *s)
{
    return s->gate_keeper & (1u << s->filter);
}

/*
 * The region that decides for a bus address: the highest-numbered region
 * enabled for our filter that contains it, else the background region 0.
 * The TRM leaves overlapping regions UNPREDICTABLE; taking the highest
 * number is this model's choice.
 */
static int tzc400_match(TZC400State *s, uint64_t addr)
{
    int n;

    for (n = TZC400_NUM_REGIONS - 1; n > 0; n--) {
        if ((s->region_attributes[n] & (1u << s->filter)) &&
            addr >= tzc400_region_base(s, n) &&
            addr <= tzc400_region_top(s, n)) {
            return n;
        }
    }
    return 0;
}

/* IOMMU_RO / IOMMU_WO bits granted to one world at a bus address. */
static IOMMUAccessFlags tzc400_perms(TZC400State *s, uint64_t addr,
                                     bool secure)
{
    int n;

    if (!tzc400_gate_open(s)) {
        return IOMMU_NONE;
    }
    n = tzc400_match(s, addr);
    if (secure) {
        return IOMMU_ACCESS_FLAG(s->region_attributes[n] & TZC400_ATTR_S_RD_EN,
                                 s->region_attributes[n] & TZC400_ATTR_S_WR_EN);
    }
    return IOMMU_ACCESS_FLAG(
        s->region_id_access[n] & TZC400_NSAID_RD_EN(TZC400_NS_NSAID),
        s->region_id_access[n] & TZC400_NSAID_WR_EN(TZC400_NS_NSAID));
}

static void tzc400_update_irq(TZC400State *s)
{
    bool level = (s->action & TZC400_ACTION_INT) &&
                 (s->int_status & TZC400_INT_STATUS_BIT(s->filter));

    qemu_set_irq(s->irq, level);
}

/*
 * A refused access.  A closed gate would stall the transaction on
 * hardware; QEMU cannot stall, so it is terminated with an error and is
 * not a region permission failure (nothing is recorded in INT_STATUS).
 * A permission failure records the first failure per filter and sets
 * overrun for the following ones until INT_CLEAR, as the TRM says.
 */
static MemTxResult tzc400_refuse(TZC400State *s, uint64_t addr,
                                 bool is_write, MemTxAttrs attrs)
{
    int f = s->filter;

    s->violations++;
    if (!tzc400_gate_open(s)) {
        trace_tzc400_gate_closed(addr, is_write, attrs.secure);
        return MEMTX_ERROR;
    }
    trace_tzc400_violation(addr, is_write, attrs.secure, s->violations);

    if (s->int_status & TZC400_INT_STATUS_BIT(f)) {
        s->int_status |= TZC400_INT_OVERRUN_BIT(f);
    } else {
        s->fail_address_low[f] = extract64(addr, 0, 32);
        s->fail_address_high[f] = extract64(addr, 32, 32);
        s->fail_control[f] = (is_write ? TZC400_FAIL_CONTROL_WRITE : 0) |
                             (attrs.secure ? 0 : TZC400_FAIL_CONTROL_NS) |
                             (attrs.user ? 0 : TZC400_FAIL_CONTROL_PRIV);
        /* QEMU transactions carry no AXI ID or virtual network. */
        s->fail_id[f] = 0;
        s->int_status |= TZC400_INT_STATUS_BIT(f);
        qapi_event_send_tzasc_violation(addr, is_write, attrs.secure,
                                        s->violations);
    }
    tzc400_update_irq(s);

    return (s->action & TZC400_ACTION_DECERR) ? MEMTX_ERROR : MEMTX_OK;
}

static int tzc400_cmp_offset(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/*
 * Map the runs of upstream that Secure accesses may read and write into
 * MMIO 3.  A realm's memory is such a run: its vCPUs then fill their TLBs
 * from it without a call to translate() each time, and anything else
 * Secure still goes through the filter.  Which region decides can change
 * only at a region's base or one past its top, so the permissions are
 * the same from one such cut to the next.
 */
static void tzc400_update_s_direct(TZC400State *s)
{
    uint64_t size = memory_region_size(s->upstream);
    uint64_t cut[2 * TZC400_NUM_REGIONS + 2];
    uint64_t run_start = 0;
    bool in_run = false;
    int ncut = 0, nrun = 0, i;

    cut[ncut++] = 0;
    cut[ncut++] = size;
    for (i = 1; i < TZC400_NUM_REGIONS; i++) {
        uint64_t base = tzc400_region_base(s, i);
        uint64_t top = tzc400_region_top(s, i);

        if (!(s->region_attributes[i] & (1u << s->filter))) {
            continue;
        }
        if (base > s->base && base - s->base < size) {
            cut[ncut++] = base - s->base;
        }
        if (top >= s->base && top - s->base < size - 1) {
            cut[ncut++] = top - s->base + 1;
        }
    }
    qsort(cut, ncut, sizeof(cut[0]), tzc400_cmp_offset);

    memory_region_transaction_begin();
    for (i = 0; i < ncut; i++) {
        bool open = i + 1 < ncut &&
                    tzc400_perms(s, s->base + cut[i], true) == IOMMU_RW;

        if (open && !in_run) {
            run_start = cut[i];
            in_run = true;
        } else if (!open && in_run && cut[i] != run_start) {
            MemoryRegion *ram = &s->s_direct_ram[nrun++];

            memory_region_set_alias_offset(ram, run_start);
            memory_region_set_address(ram, run_start);
            memory_region_set_size(ram, cut[i] - run_start);
            memory_region_set_enabled(ram, true);
            in_run = false;
        }
    }
    while (nrun < TZC400_NUM_REGIONS) {
        memory_region_set_enabled(&s->s_direct_ram[nrun++], false);
    }
    memory_region_transaction_commit();
}

/* Tell every cached translation (TCG TLBs) that the rules changed. */
static void tzc400_flush(TZC400State *s)
{
    IOMMUTLBEvent event = {
        .type = IOMMU_NOTIFIER_UNMAP,
        .entry = {
            .target_as = &s->upstream_as,
            .iova = 0,
            .translated_addr = 0,
            .addr_mask = memory_region_size(s->upstream) - 1,
            .perm = IOMMU_NONE,
        },
    };
    int idx;

    trace_tzc400_flush();
    for (idx = 0; idx < TZC400_NUM_IDX; idx++) {
        memory_region_notify_iommu(&s->downstream, idx, event);
    }
    tzc400_update_s_direct(s);
}

static MemTxResult tzc400_reg_read(void *opaque, hwaddr offset,
                                   uint64_t *data, unsigned size,
                                   MemTxAttrs attrs)
{
    TZC400State *s = TZC400(opaque);
    uint32_t r = 0;
    int f = (offset - TZC400_FAIL_ADDRESS_LOW(0)) / 0x10;
    int n = (offset - TZC400_REGION_BASE_LOW(0)) / 0x20;

    /* The programming port only answers Secure transactions. */
    if (!attrs.secure) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "tzc400: Non-secure read of offset 0x%" HWADDR_PRIx
                      "\n", offset);
        *data = 0;
        return MEMTX_ERROR;
    }

    switch (offset) {
    case TZC400_BUILD_CONFIG:
        r = TZC400_BUILD_CONFIG_VALUE;
        break;
    case TZC400_ACTION:
        r = s->action;
        break;
    case TZC400_GATE_KEEPER:
        /* No transaction is ever outstanding: status follows request. */
        r = (s->gate_keeper << 16) | s->gate_keeper;
        break;
    case TZC400_SPECULATION_CTRL:
        r = s->speculation_ctrl;
        break;
    case TZC400_INT_STATUS:
        r = s->int_status;
        break;
    case TZC400_INT_CLEAR:
        qemu_log_mask(LOG_GUEST_ERROR, "tzc400: read of write-only "
                      "INT_CLEAR\n");
        break;
    case TZC400_FAIL_ADDRESS_LOW(0) ... TZC400_FAIL_ID(TZC400_NUM_FILTERS - 1):
        switch (offset & 0xf) {
        case 0x0:
            r = s->fail_address_low[f];
            break;
        case 0x4:
            r = s->fail_address_high[f];
            break;
        case 0x8:
            r = s->fail_control[f];
            break;
        default:
            r = s->fail_id[f];
            break;
        }
        break;
    case TZC400_REGION_BASE_LOW(0) ...
         TZC400_REGION_ID_ACCESS(TZC400_NUM_REGIONS - 1):
        switch (offset & 0x1f) {
        case 0x00:
            r = s->region_base_low[n];
            break;
        case 0x04:
            r = s->region_base_high[n];
            break;
        case 0x08:
            r = s->region_top_low[n];
            break;
        case 0x0c:
            r = s->region_top_high[n];
            break;
        case 0x10:
            r = s->region_attributes[n];
            break;
        case 0x14:
            r = s->region_id_access[n];
            break;
        default:
            qemu_log_mask(LOG_GUEST_ERROR, "tzc400: read of reserved "
                          "offset 0x%" HWADDR_PRIx "\n", offset);
            break;
        }
        break;
    case TZC400_PID4 ... 0xffc:
        r = tzc400_id_regs[(offset - TZC400_PID4) / 4];
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "tzc400: read of reserved offset 0x%"
                      HWADDR_PRIx "\n", offset);
        break;
    }

    trace_tzc400_reg_read(offset, r);
    *data = r;
    return MEMTX_OK;
}

static void tzc400_write_region(TZC400State *s, int n, hwaddr offset,
                                uint32_t value)
{
    uint32_t reg = offset & 0x1f;

    /* Region 0 is the background: it covers everything, fixed. */
    if (n == 0 && reg <= 0x0c) {
        qemu_log_mask(LOG_GUEST_ERROR, "tzc400: write to read-only region 0 "
                      "address register 0x%" HWADDR_PRIx "\n", offset);
        return;
    }

    switch (reg) {
    case 0x00:
        s->region_base_low[n] = value & TZC400_BASE_LOW_MASK;
        break;
    case 0x04:
        s->region_base_high[n] = value;
        break;
    case 0x08:
        s->region_top_low[n] = value | TZC400_TOP_LOW_ONES;
        break;
    case 0x0c:
        s->region_top_high[n] = value;
        break;
    case 0x10:
        if (n == 0) {
            s->region_attributes[0] = (value & TZC400_ATTR0_MASK) |
                                      TZC400_ATTR_FILTER_EN_MASK;
        } else {
            s->region_attributes[n] = value & TZC400_ATTR_MASK;
        }
        break;
    case 0x14:
        s->region_id_access[n] = value;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "tzc400: write to reserved offset 0x%"
                      HWADDR_PRIx "\n", offset);
        return;
    }
    tzc400_flush(s);
}

static MemTxResult tzc400_reg_write(void *opaque, hwaddr offset,
                                    uint64_t value, unsigned size,
                                    MemTxAttrs attrs)
{
    TZC400State *s = TZC400(opaque);
    int f;

    if (!attrs.secure) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "tzc400: Non-secure write of offset 0x%" HWADDR_PRIx
                      "\n", offset);
        return MEMTX_ERROR;
    }
    trace_tzc400_reg_write(offset, value);

    switch (offset) {
    case TZC400_ACTION:
        s->action = value & TZC400_ACTION_MASK;
        tzc400_update_irq(s);
        break;
    case TZC400_GATE_KEEPER:
        s->gate_keeper = value & TZC400_GATE_KEEPER_MASK;
        tzc400_flush(s);
        break;
    case TZC400_SPECULATION_CTRL:
        /* Accepted and kept: QEMU never speculates. */
        s->speculation_ctrl = value & TZC400_SPEC_CTRL_MASK;
        break;
    case TZC400_INT_CLEAR:
        for (f = 0; f < TZC400_NUM_FILTERS; f++) {
            if (value & (1u << f)) {
                s->int_status &= ~(TZC400_INT_STATUS_BIT(f) |
                                   TZC400_INT_OVERRUN_BIT(f) |
                                   TZC400_INT_OVERLAP_BIT(f));
            }
        }
        tzc400_update_irq(s);
        break;
    case TZC400_REGION_BASE_LOW(0) ...
         TZC400_REGION_ID_ACCESS(TZC400_NUM_REGIONS - 1):
        tzc400_write_region(s, (offset - TZC400_REGION_BASE_LOW(0)) / 0x20,
                            offset, value);
        break;
    case TZC400_BUILD_CONFIG:
    case TZC400_INT_STATUS:
    case TZC400_FAIL_ADDRESS_LOW(0) ... TZC400_FAIL_ID(TZC400_NUM_FILTERS - 1):
    case TZC400_PID4 ... 0xffc:
        qemu_log_mask(LOG_GUEST_ERROR, "tzc400: write to read-only offset 0x%"
                      HWADDR_PRIx "\n", offset);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "tzc400: write to reserved offset 0x%"
                      HWADDR_PRIx "\n", offset);
        break;
    }
    return MEMTX_OK;
}

static const MemoryRegionOps tzc400_reg_ops = {
    .read_with_attrs = tzc400_reg_read,
    .write_with_attrs = tzc400_reg_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* APB: 32-bit registers, word accesses only. */
    .valid.min_access_size = 4,
    .valid.max_access_size = 4,
    .impl.min_access_size = 4,
    .impl.max_access_size = 4,
};

/*
 * CPU accesses (through their TLBs) to pages not open both ways for their
 * world arrive here: the refused ones are recorded and answered, the
 * permitted ones (to pages open one way only) go on to the memory.
 */
static MemTxResult tzc400_blocked_read(void *opaque, hwaddr addr,
                                       uint64_t *data, unsigned size,
                                       MemTxAttrs attrs)
{
    TZC400State *s = TZC400(opaque);

    if (tzc400_perms(s, s->base + addr, attrs.secure) & IOMMU_RO) {
        uint8_t buf[8];
        MemTxResult res = address_space_read(&s->upstream_as, addr, attrs,
                                             buf, size);

        *data = ldn_le_p(buf, size);
        return res;
    }
    *data = 0;
    return tzc400_refuse(s, s->base + addr, false, attrs);
}

static MemTxResult tzc400_blocked_write(void *opaque, hwaddr addr,
                                        uint64_t value, unsigned size,
                                        MemTxAttrs attrs)
{
    TZC400State *s = TZC400(opaque);

    if (tzc400_perms(s, s->base + addr, attrs.secure) & IOMMU_WO) {
        uint8_t buf[8];

        stn_le_p(buf, size, value);
        return address_space_write(&s->upstream_as, addr, attrs, buf, size);
    }
    return tzc400_refuse(s, s->base + addr, true, attrs);
}

/*
 * A transaction the filter refused and recorded when it was translated:
 * only the response is left to give, as the programmed action says.
 */
static MemTxResult tzc400_refused_response(TZC400State *s)
{
    return !tzc400_gate_open(s) || (s->action & TZC400_ACTION_DECERR)
           ? MEMTX_ERROR : MEMTX_OK;
}

static MemTxResult tzc400_refused_read(void *opaque, hwaddr addr,
                                       uint64_t *data, unsigned size,
                                       MemTxAttrs attrs)
{
    *data = 0;
    return tzc400_refused_response(TZC400(opaque));
}

static MemTxResult tzc400_refused_write(void *opaque, hwaddr addr,
                                        uint64_t value, unsigned size,
                                        MemTxAttrs attrs)
{
    return tzc400_refused_response(TZC400(opaque));
}

static const MemoryRegionOps tzc400_refused_ops = {
    .read_with_attrs = tzc400_refused_read,
    .write_with_attrs = tzc400_refused_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 1,
    .valid.max_access_size = 8,
};

static const MemoryRegionOps tzc400_blocked_ops = {
    .read_with_attrs = tzc400_blocked_read,
    .write_with_attrs = tzc400_blocked_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 1,
    .valid.max_access_size = 8,
    .impl.min_access_size = 1,
    .impl.max_access_size = 8,
};

static IOMMUTLBEntry tzc400_translate(IOMMUMemoryRegion *iommu, hwaddr addr,
                                      IOMMUAccessFlags flags, int iommu_idx)
{
    TZC400State *s = container_of(iommu, TZC400State, downstream);
    bool secure = iommu_idx == TZC400_IDX_S;
    IOMMUAccessFlags perm = tzc400_perms(s, s->base + addr, secure);
    IOMMUTLBEntry ret = {
        .target_as = &s->upstream_as,
        .iova = addr & ~(TZC400_GRANULE - 1),
        .translated_addr = addr & ~(TZC400_GRANULE - 1),
        .addr_mask = TZC400_GRANULE - 1,
        .perm = perm,
    };

    trace_tzc400_translate(s->base + addr, flags, secure, perm);

    if (flags == IOMMU_NONE) {
        /* A TCG TLB fill: all or nothing for the whole page. */
        if (perm != IOMMU_RW) {
            ret.target_as = secure ? &s->s_view_as : &s->ns_view_as;
            ret.translated_addr += s->cpu_refusal_base;
            ret.perm = IOMMU_RW;
        }
        return ret;
    }

    if ((flags & perm) != flags) {
        /*
         * Refused: record it now, once per transaction, since a DMA
         * mapping may fail before it reaches any region (the virtcca
         * realm gives devices no bounce buffers), then answer it.
         */
        MemTxAttrs attrs = { .secure = secure };

        tzc400_refuse(s, s->base + addr, flags & IOMMU_WO, attrs);
        ret.target_as = &s->refused_io_as;
        ret.perm = IOMMU_RW;
    }
    return ret;
}

static int tzc400_attrs_to_index(IOMMUMemoryRegion *iommu, MemTxAttrs attrs)
{
    /* Unspecified attributes (DMA, monitor, qtest) come from NS masters. */
    return attrs.secure ? TZC400_IDX_S : TZC400_IDX_NS;
}

static int tzc400_num_indexes(IOMMUMemoryRegion *iommu)
{
    return TZC400_NUM_IDX;
}

static void tzc400_reset_hold(Object *obj, ResetType type)
{
    TZC400State *s = TZC400(obj);
    int i;

    s->action = 0;
    s->gate_keeper = 0;     /* every gate closed until firmware opens it */
    s->speculation_ctrl = 0;
    s->int_status = 0;
    for (i = 0; i < TZC400_NUM_FILTERS; i++) {
        s->fail_address_low[i] = 0;
        s->fail_address_high[i] = 0;
        s->fail_control[i] = 0;
        s->fail_id[i] = 0;
    }
    for (i = 0; i < TZC400_NUM_REGIONS; i++) {
        s->region_base_low[i] = 0;
        s->region_base_high[i] = 0;
        s->region_top_low[i] = TZC400_TOP_LOW_ONES;
        s->region_top_high[i] = 0;
        s->region_attributes[i] = 0;
        s->region_id_access[i] = 0;
    }
    /* Region 0: all of the address space, enabled for every filter. */
    s->region_top_low[0] = UINT32_MAX;
    s->region_top_high[0] = UINT32_MAX;
    s->region_attributes[0] = TZC400_ATTR_FILTER_EN_MASK;

    qemu_set_irq(s->irq, 0);
    if (s->upstream) {
        tzc400_flush(s);
    }
}

static void tzc400_get_violations(Object *obj, Visitor *v, const char *name,
                                  void *opaque, Error **errp)
{
    TZC400State *s = TZC400(obj);
    uint64_t value = s->violations;

    visit_type_uint64(v, name, &value, errp);
}

static void tzc400_init(Object *obj)
{
    TZC400State *s = TZC400(obj);

    qdev_init_gpio_out_named(DEVICE(obj), &s->irq, "irq", 1);
    object_property_add(obj, "violations", "uint64", tzc400_get_violations,
                        NULL, NULL, NULL);
    object_property_set_description(obj, "violations",
                                    "accesses refused by the filter");
}

static void tzc400_realize(DeviceState *dev, Error **errp)
{
    TZC400State *s = TZC400(dev);
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);
    Object *obj = OBJECT(dev);
    uint64_t size;
    int i;

    if (!s->upstream) {
        error_setg(errp, "tzc400: the 'upstream' link is not set");
        return;
    }
    if (s->filter >= TZC400_NUM_FILTERS) {
        error_setg(errp, "tzc400: 'filter' must be below %d",
                   TZC400_NUM_FILTERS);
        return;
    }
    size = memory_region_size(s->upstream);
    if (!size || size % TZC400_GRANULE || s->base % TZC400_GRANULE) {
        error_setg(errp, "tzc400: the upstream memory's base and size must "
                   "be multiples of 4 KiB");
        return;
    }
    if (!s->ns_view || !s->s_view) {
        error_setg(errp, "tzc400: the 'ns-view' and 's-view' links are not "
                   "set");
        return;
    }
    if (s->cpu_refusal_base % TZC400_GRANULE) {
        error_setg(errp, "tzc400: 'cpu-refusal-base' must be a multiple of "
                   "4 KiB");
        return;
    }

    memory_region_init_io(&s->regs, obj, &tzc400_reg_ops, s, "tzc400-regs",
                          0x1000);
    sysbus_init_mmio(sbd, &s->regs);

    memory_region_init_iommu(&s->downstream, sizeof(s->downstream),
                             TYPE_TZC400_IOMMU_MEMORY_REGION, obj,
                             "tzc400-downstream", size);
    sysbus_init_mmio(sbd, MEMORY_REGION(&s->downstream));

    memory_region_init_io(&s->blocked_io, obj, &tzc400_blocked_ops, s,
                          "tzc400-blocked-io", size);
    memory_region_init_alias(&s->cpu_refusal, obj, "tzc400-cpu-refusal",
                             &s->blocked_io, 0, size);
    sysbus_init_mmio(sbd, &s->cpu_refusal);

    memory_region_init(&s->s_direct, obj, "tzc400-s-direct", size);
    for (i = 0; i < TZC400_NUM_REGIONS; i++) {
        memory_region_init_alias(&s->s_direct_ram[i], obj,
                                 "tzc400-s-direct-ram", s->upstream, 0, size);
        memory_region_set_enabled(&s->s_direct_ram[i], false);
        memory_region_add_subregion(&s->s_direct, 0, &s->s_direct_ram[i]);
    }
    sysbus_init_mmio(sbd, &s->s_direct);

    address_space_init(&s->upstream_as, s->upstream, "tzc400-upstream");
    address_space_init(&s->blocked_io_as, &s->blocked_io,
                       "tzc400-blocked-io");
    memory_region_init_io(&s->refused_io, obj, &tzc400_refused_ops, s,
                          "tzc400-refused-io", size);
    address_space_init(&s->refused_io_as, &s->refused_io,
                       "tzc400-refused-io");
    /* Same roots as the CPUs' address spaces: same sections. */
    address_space_init(&s->ns_view_as, s->ns_view, "tzc400-ns-view");
    address_space_init(&s->s_view_as, s->s_view, "tzc400-s-view");
}

static int tzc400_post_load(void *opaque, int version_id)
{
    tzc400_update_s_direct(opaque);
    return 0;
}

static const VMStateDescription tzc400_vmstate = {
    .name = "tzc400",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = tzc400_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(action, TZC400State),
        VMSTATE_UINT32(gate_keeper, TZC400State),
        VMSTATE_UINT32(speculation_ctrl, TZC400State),
        VMSTATE_UINT32(int_status, TZC400State),
        VMSTATE_UINT32_ARRAY(fail_address_low, TZC400State,
                             TZC400_NUM_FILTERS),
        VMSTATE_UINT32_ARRAY(fail_address_high, TZC400State,
                             TZC400_NUM_FILTERS),
        VMSTATE_UINT32_ARRAY(fail_control, TZC400State, TZC400_NUM_FILTERS),
        VMSTATE_UINT32_ARRAY(fail_id, TZC400State, TZC400_NUM_FILTERS),
        VMSTATE_UINT32_ARRAY(region_base_low, TZC400State,
                             TZC400_NUM_REGIONS),
        VMSTATE_UINT32_ARRAY(region_base_high, TZC400State,
                             TZC400_NUM_REGIONS),
        VMSTATE_UINT32_ARRAY(region_top_low, TZC400State, TZC400_NUM_REGIONS),
        VMSTATE_UINT32_ARRAY(region_top_high, TZC400State,
                             TZC400_NUM_REGIONS),
        VMSTATE_UINT32_ARRAY(region_attributes, TZC400State,
                             TZC400_NUM_REGIONS),
        VMSTATE_UINT32_ARRAY(region_id_access, TZC400State,
                             TZC400_NUM_REGIONS),
        VMSTATE_UINT64(violations, TZC400State),
        VMSTATE_END_OF_LIST()
    }
};

static const Property tzc400_properties[] = {
    DEFINE_PROP_LINK("upstream", TZC400State, upstream, TYPE_MEMORY_REGION,
                     MemoryRegion *),
    DEFINE_PROP_LINK("ns-view", TZC400State, ns_view, TYPE_MEMORY_REGION,
                     MemoryRegion *),
    DEFINE_PROP_LINK("s-view", TZC400State, s_view, TYPE_MEMORY_REGION,
                     MemoryRegion *),
    DEFINE_PROP_UINT64("base", TZC400State, base, 0),
    DEFINE_PROP_UINT64("cpu-refusal-base", TZC400State, cpu_refusal_base, 0),
    DEFINE_PROP_UINT32("filter", TZC400State, filter, 0),
};

static void tzc400_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    dc->realize = tzc400_realize;
    dc->vmsd = &tzc400_vmstate;
    rc->phases.hold = tzc400_reset_hold;
    device_class_set_props(dc, tzc400_properties);
}

static void tzc400_iommu_class_init(ObjectClass *klass, const void *data)
{
    IOMMUMemoryRegionClass *imrc = IOMMU_MEMORY_REGION_CLASS(klass);

    imrc->translate = tzc400_translate;
    imrc->attrs_to_index = tzc400_attrs_to_index;
    imrc->num_indexes = tzc400_num_indexes;
}

static const TypeInfo tzc400_types[] = {
    {
        .name = TYPE_TZC400,
        .parent = TYPE_SYS_BUS_DEVICE,
        .instance_size = sizeof(TZC400State),
        .instance_init = tzc400_init,
        .class_init = tzc400_class_init,
    }, {
        .name = TYPE_TZC400_IOMMU_MEMORY_REGION,
        .parent = TYPE_IOMMU_MEMORY_REGION,
        .class_init = tzc400_iommu_class_init,
    },
};

DEFINE_TYPES(tzc400_types)
