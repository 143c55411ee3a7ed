/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest of the virtcca machine: its memory map and its device tree.
 *
 * The memory map is checked by talking to each device at its documented
 * address (identification registers, fw_cfg's signature, RAM), the device
 * tree by dumping it over QMP and reading it with libfdt.
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include <libfdt.h>

#define UART_BASE       0x09000000ULL
#define RTC_BASE        0x09010000ULL
#define FW_CFG_BASE     0x09020000ULL
#define GICD_BASE       0x08000000ULL
#define GICR_BASE       0x080A0000ULL
#define ECAM_BASE       0x3F000000ULL
#define RAM_BASE        0x40000000ULL
#define RAM_SIZE        (512 * 1024 * 1024ULL)
#define SECURE_DRAM_BASE 0x4000000000ULL

/* Identification registers of AMBA PrimeCells: PeriphID0..3, CellID0..3. */
static void check_primecell_ids(QTestState *qts, uint64_t base,
                                const uint8_t expected[8])
{
    int i;

    for (i = 0; i < 8; i++) {
        g_assert_cmphex(qtest_readl(qts, base + 0xfe0 + i * 4), ==,
                        expected[i]);
    }
}

static char *make_dummy_kernel(void)
{
    /*
     * An arm64 Linux Image header around a wfi loop, so that QEMU boots it
     * as Linux (and sets up the GIC as for a Linux boot).
     */
    uint32_t image[16] = {
        [0] = cpu_to_le32(0xd503207f),          /* wfi */
        [1] = cpu_to_le32(0x17ffffff),          /* b . - 4 */
        [14] = cpu_to_le32(0x644d5241),         /* magic "ARM\x64" */
    };
    char *path = NULL;
    int fd = g_file_open_tmp("virtcca-kernel-XXXXXX", &path, NULL);

    g_assert(fd >= 0);
    g_assert(write(fd, image, sizeof(image)) == sizeof(image));
    close(fd);
    return path;
}

static QTestState *start_machine(const char *kernel)
{
    return qtest_initf("-machine virtcca -m %lluM -kernel %s -nic none",
                       RAM_SIZE >> 20, kernel);
}

static void test_memory_map(void)
{
    static const uint8_t pl011_ids[8] = {
        0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1
    };
    static const uint8_t pl031_ids[8] = {
        0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1
    };
    g_autofree char *kernel = make_dummy_kernel();
    QTestState *qts = start_machine(kernel);
    uint64_t sig;

    check_primecell_ids(qts, UART_BASE, pl011_ids);
    check_primecell_ids(qts, RTC_BASE, pl031_ids);

    /* GICv3: distributor and first redistributor report ArchRev 3. */
    g_assert_cmphex(extract32(qtest_readl(qts, GICD_BASE + 0xffe8), 4, 4),
                    ==, 3);
    g_assert_cmphex(extract32(qtest_readl(qts, GICR_BASE + 0xffe8), 4, 4),
                    ==, 3);
    /* With security extensions, GICD_CTLR.DS reads as zero. */
    g_assert_cmphex(qtest_readl(qts, GICD_BASE) & (1 << 6), ==, 0);
    /*
     * Grouping as firmware leaves it.  With the security extensions the
     * Non-secure world cannot read GICD_IGROUPR, but it can only enable
     * Non-secure interrupts: the UART (SPI 1, INTID 33) is Non-secure
     * Group 1 and takes the enable; TZCINT (SPI 7, INTID 39) is Secure
     * Group 0, and the write is ignored.
     */
    qtest_writel(qts, GICD_BASE + 0x104, 0xffffffff);
    g_assert_cmphex(qtest_readl(qts, GICD_BASE + 0x104) & (1 << 1), ==,
                    1 << 1);
    g_assert_cmphex(qtest_readl(qts, GICD_BASE + 0x104) & (1 << 7), ==, 0);
    qtest_writel(qts, GICD_BASE + 0x184, 0xffffffff);

    /* fw_cfg: select the signature item (big-endian selector), read it. */
    qtest_writew(qts, FW_CFG_BASE + 8, cpu_to_be16(0));
    sig = qtest_readq(qts, FW_CFG_BASE);
    g_assert_cmpmem(&sig, 4, "QEMU", 4);

    /* PCIe ECAM: the generic host bridge at 00:00.0. */
    g_assert_cmphex(qtest_readl(qts, ECAM_BASE), ==, 0x00081b36);

    /* RAM: first and last word of DRAM are read-write. */
    qtest_writeq(qts, RAM_BASE + RAM_SIZE - 8, 0x5a5aa5a5deadbeefULL);
    g_assert_cmphex(qtest_readq(qts, RAM_BASE + RAM_SIZE - 8), ==,
                    0x5a5aa5a5deadbeefULL);

    qtest_quit(qts);
    unlink(kernel);
}

static void *dump_fdt(QTestState *qts)
{
    g_autofree char *path = NULL;
    gchar *blob = NULL;
    gsize len;
    QDict *rsp;
    int fd = g_file_open_tmp("virtcca-dtb-XXXXXX", &path, NULL);

    g_assert(fd >= 0);
    close(fd);
    rsp = qtest_qmp(qts, "{'execute': 'dumpdtb',"
                    " 'arguments': {'filename': %s}}", path);
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    g_assert(g_file_get_contents(path, &blob, &len, NULL));
    unlink(path);
    g_assert_cmpint(fdt_check_header(blob), ==, 0);
    g_assert_cmpuint(fdt_totalsize(blob), <=, len);
    return blob;
}

static int node(const void *fdt, const char *path)
{
    int off = fdt_path_offset(fdt, path);

    if (off < 0) {
        g_test_message("missing device tree node %s", path);
    }
    g_assert_cmpint(off, >=, 0);
    return off;
}

static const void *prop(const void *fdt, int off, const char *name, int *len)
{
    const void *p = fdt_getprop(fdt, off, name, len);

    if (!p) {
        g_test_message("missing property %s", name);
    }
    g_assert_nonnull(p);
    return p;
}

/* reg = <base size> with two address and two size cells. */
static void check_reg(const void *fdt, int off, int index, uint64_t base,
                      uint64_t size)
{
    int len;
    const fdt64_t *reg = prop(fdt, off, "reg", &len);

    g_assert_cmpint(len, >=, (index + 1) * 16);
    g_assert_cmphex(fdt64_to_cpu(reg[index * 2]), ==, base);
    g_assert_cmphex(fdt64_to_cpu(reg[index * 2 + 1]), ==, size);
}

static void test_fdt(void)
{
    g_autofree char *kernel = make_dummy_kernel();
    QTestState *qts = start_machine(kernel);
    g_autofree void *fdt = dump_fdt(qts);
    int off, len;
    const char *str;
    const fdt32_t *cells;

    /* PSCI on the SMC conduit: realms have no other. */
    off = node(fdt, "/psci");
    str = prop(fdt, off, "method", &len);
    g_assert_cmpstr(str, ==, "smc");
    g_assert(fdt_node_check_compatible(fdt, off, "arm,psci") == 0);

    /* UART: address, SPI 1, and the console. */
    off = node(fdt, "/pl011@9000000");
    g_assert(fdt_node_check_compatible(fdt, off, "arm,pl011") == 0);
    check_reg(fdt, off, 0, UART_BASE, 0x1000);
    cells = prop(fdt, off, "interrupts", &len);
    g_assert_cmpint(len, ==, 12);
    g_assert_cmpuint(fdt32_to_cpu(cells[0]), ==, 0);    /* SPI */
    g_assert_cmpuint(fdt32_to_cpu(cells[1]), ==, 1);
    str = prop(fdt, node(fdt, "/chosen"), "stdout-path", &len);
    g_assert_cmpstr(str, ==, "/pl011@9000000");

    /* GICv3: distributor then redistributors, and the interrupt parent. */
    off = node(fdt, "/intc@8000000");
    g_assert(fdt_node_check_compatible(fdt, off, "arm,gic-v3") == 0);
    check_reg(fdt, off, 0, GICD_BASE, 0x10000);
    check_reg(fdt, off, 1, GICR_BASE, 0xf60000);
    cells = prop(fdt, 0, "interrupt-parent", &len);
    g_assert_cmpuint(fdt32_to_cpu(cells[0]), ==, fdt_get_phandle(fdt, off));

    /* One memory node: all of RAM at 1 GiB. */
    off = node(fdt, "/memory@40000000");
    str = prop(fdt, off, "device_type", &len);
    g_assert_cmpstr(str, ==, "memory");
    check_reg(fdt, off, 0, RAM_BASE, RAM_SIZE);

    /* The other devices of the map. */
    check_reg(fdt, node(fdt, "/pl031@9010000"), 0, RTC_BASE, 0x1000);
    check_reg(fdt, node(fdt, "/fw-cfg@9020000"), 0, FW_CFG_BASE, 0x18);
    check_reg(fdt, node(fdt, "/pcie@10000000"), 0, ECAM_BASE, 0x1000000);
    off = node(fdt, "/cpus/cpu@0");
    str = prop(fdt, off, "enable-method", &len);
    g_assert_cmpstr(str, ==, "psci");

    qtest_quit(qts);
    unlink(kernel);
}

/*
 * A realm's device tree describes its IPA space: RAM as the realm sees it
 * and nothing of the Secure DRAM that backs it.
 */
static void test_fdt_realm(void)
{
    g_autofree char *kernel = make_dummy_kernel();
    QTestState *qts = qtest_initf("-machine virtcca,"
                                  "confidential-guest-support=cca0 "
                                  "-object virtcca-guest,id=cca0 "
                                  "-m %lluM -kernel %s -nic none",
                                  RAM_SIZE >> 20, kernel);
    g_autofree void *fdt = dump_fdt(qts);
    int off, len;
    const char *str;

    check_reg(fdt, node(fdt, "/memory@40000000"), 0, RAM_BASE, RAM_SIZE);
    off = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory",
                                        sizeof("memory"));
    g_assert_cmpint(off, >=, 0);
    g_assert_cmpint(fdt_node_offset_by_prop_value(fdt, off, "device_type",
                                                  "memory", sizeof("memory")),
                    <, 0);
    g_assert_cmpint(fdt_path_offset(fdt, "/reserved-memory"), <, 0);
    /* No device at the root (2 address, 2 size cells) is in Secure DRAM. */
    for (off = fdt_first_subnode(fdt, 0); off >= 0;
         off = fdt_next_subnode(fdt, off)) {
        const fdt64_t *reg = fdt_getprop(fdt, off, "reg", &len);
        int i;

        for (i = 0; reg && i + 1 < len / 8; i += 2) {
            g_assert_cmphex(fdt64_to_cpu(reg[i]) + fdt64_to_cpu(reg[i + 1]),
                            <=, SECURE_DRAM_BASE);
        }
    }
    str = prop(fdt, node(fdt, "/psci"), "method", &len);
    g_assert_cmpstr(str, ==, "smc");

    qtest_quit(qts);
    unlink(kernel);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/virtcca/memory-map", test_memory_map);
    qtest_add_func("/virtcca/fdt", test_fdt);
    qtest_add_func("/virtcca/fdt-realm", test_fdt_realm);

    return g_test_run();
}
