# SPDX-License-Identifier: GPL-2.0-or-later
"""Device DMA against a realm: a virtio-blk device driven by a hostile
driver (this test, over QEMU's qtest protocol) cannot read the realm's
protected memory onto its disk, cannot write into it, and cannot even
fetch its rings from it.  Every attempt is refused, counted (query-virtcca
"dma-refused") and logged (-d guest_errors).  Aimed at the Secure DRAM
behind the realm through the unprotected half, the TZASC refuses it and
reports it (TZASC_VIOLATION, "tzasc-violations").

Under -accel qtest no vCPU runs: the realm is built at reset from the
loaded images, so its protected IPAs hold the kernel's bytes in DATA
granules of Secure DRAM.  The qtest protocol accesses the first vCPU's
address space, which is the host's bus (the realm's IPA space exists
only in the monitor's stage-2 tables): the driver here reaches device
registers and the shared buffers where the host has them, and hands the
device the addresses the realm's own driver would, in the unprotected
half (SHARED | address).

Controls, so that each check is able to fail: a DMA from shared memory
does reach the disk, and on the same machine without a realm the very
same request does copy the kernel's bytes to the disk.
"""

import os
import socket
import struct
import subprocess
import tempfile
import time
import unittest

import guest
from test_realm import Qmp

BUILD = os.environ.get("VIRTCCA_BUILD", os.path.join(
    os.path.dirname(__file__), "..", "..", "build"))
QEMU = os.path.join(BUILD, "qemu", "qemu-system-aarch64")

SHARED = 1 << 47            # the realm's unprotected half (s2sz 48)
PCIE_ECAM = 0x3F000000
PCIE_MMIO = 0x10000000
RAM_BASE = 0x40000000
SECURE_DRAM = 0x4000000000

# The realm's DMA view refuses with these words (realm.c: dma_refused).
REFUSED_READ = "virtcca: a device's DMA read of protected realm memory " \
               "at IPA +0x%x: refused"
REFUSED_WRITE = "virtcca: a device's DMA write to protected realm memory " \
                "at IPA +0x%x: refused"

# Host memory the test's driver uses, far above the staged images.
BUF = 0x5C000000
DESC, AVAIL, USED = BUF, BUF + 0x1000, BUF + 0x2000
HDR, STATUS, DATA = BUF + 0x3000, BUF + 0x3100, BUF + 0x4000
QSIZE = 16
SECTOR = 512
LEN = 512                   # one bounce buffer's worth at most (4 KiB)
DISK_FILL = 0x5A

VIRTIO_VENDOR = 0x1AF4
VIRTIO_BLK_MODERN = 0x1042
VIRTIO_BLK_TRANSITIONAL = 0x1001
VIRTIO_F_VERSION_1 = 1 << 32
VIRTIO_F_ACCESS_PLATFORM = 1 << 33
ST_ACK, ST_DRIVER, ST_DRIVER_OK, ST_FEATURES_OK = 1, 2, 4, 8
ST_NEEDS_RESET = 0x40
BLK_T_IN, BLK_T_OUT = 0, 1
DESC_F_NEXT, DESC_F_WRITE = 1, 2


class QTest:
    """QEMU's qtest text protocol (system/qtest.c), the few commands used
    here: one command per line, one "OK ..." line back."""

    def __init__(self, sock):
        self.sock = sock
        self.file = sock.makefile("rw")

    def cmd(self, line):
        self.file.write(line + "\n")
        self.file.flush()
        while True:
            reply = self.file.readline()
            if not reply:
                raise EOFError("qtest: QEMU closed the connection")
            reply = reply.strip()
            if reply.startswith("IRQ"):
                continue
            if not reply.startswith("OK"):
                raise RuntimeError(f"qtest: {line!r}: {reply}")
            return reply[2:].strip()

    def read(self, size, addr):
        return int(self.cmd("read%s 0x%x" % ("bwlq"[size.bit_length() - 1],
                                             addr)), 16)

    def write(self, size, addr, value):
        self.cmd("write%s 0x%x 0x%x" % ("bwlq"[size.bit_length() - 1],
                                        addr, value))

    def memwrite(self, addr, data):
        self.cmd("write 0x%x %d 0x%s" % (addr, len(data), data.hex()))

    def memread(self, addr, size):
        return bytes.fromhex(self.cmd("read 0x%x %d" % (addr, size))[2:])

    def close(self):
        self.file.close()
        self.sock.close()


class Machine:
    """One QEMU under qtest with a virtio-blk-pci on a raw disk file."""

    def __init__(self, tmp, realm):
        self.tmp = tmp
        self.realm = realm
        self.view = 0           # the host's bus, with or without a realm
        # What the device is given: for a realm, the unprotected half.
        self.dma = SHARED if realm else 0
        self.disk = os.path.join(tmp, "disk.raw")
        with open(self.disk, "wb") as f:
            f.write(bytes([DISK_FILL]) * (1 << 20))
        self.log = os.path.join(tmp, "qemu.log")
        self.stderr_path = os.path.join(tmp, "stderr.txt")
        qt_path = os.path.join(tmp, "qtest.sock")
        qmp_path = os.path.join(tmp, "qmp.sock")
        image = guest.default_guest()
        self.kernel = image.kernel
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(qt_path)
        listener.listen(1)
        args = [QEMU, "-accel", "qtest", "-qtest", "unix:" + qt_path,
                "-qtest-log", "/dev/null",
                "-M", "virtcca" +
                (",confidential-guest-support=cca0" if realm else ""),
                "-m", "512M", "-nic", "none", "-display", "none",
                "-kernel", image.kernel, "-initrd", image.initrd,
                "-qmp", f"unix:{qmp_path},server=on,wait=off",
                "-drive", f"file={self.disk},if=none,id=d0,format=raw",
                "-device", "virtio-blk-pci,drive=d0",
                "-d", "guest_errors", "-D", self.log]
        self.plan = os.path.join(tmp, "plan.txt")
        if realm:
            args += ["-object",
                     "virtcca-guest,id=cca0,measurement-log=" + self.plan]
        self.qt = self.qmp = self.proc = None
        self.stderr = open(self.stderr_path, "wb")
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                         stdout=self.stderr,
                                         stderr=self.stderr)
            # QEMU connects to the qtest socket once it is up.
            listener.settimeout(0.5)
            deadline = time.time() + 60
            while True:
                try:
                    conn, _ = listener.accept()
                    break
                except socket.timeout:
                    if self.proc.poll() is not None or \
                            time.time() > deadline:
                        raise RuntimeError("QEMU did not start: " +
                                           self.stderr_text()[-2000:])
            conn.settimeout(None)
            self.qt = QTest(conn)
            self.qmp = Qmp(qmp_path)
        except BaseException:
            self.kill()
            raise
        finally:
            listener.close()

    def kill(self):
        """Stop QEMU, whatever state it is in (idempotent)."""
        if self.qt:
            self.qt.close()
            self.qt = None
        if self.qmp:
            self.qmp.close()
            self.qmp = None
        if self.proc:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
        if not self.stderr.closed:
            self.stderr.close()

    def alive(self):
        return self.proc.poll() is None

    def info(self):
        return self.qmp.cmd("query-virtcca")["return"]

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def stderr_text(self):
        with open(self.stderr_path, errors="replace") as f:
            return f.read()

    def disk_bytes(self, sector, size):
        with open(self.disk, "rb") as f:
            f.seek(sector * SECTOR)
            return f.read(size)

    # PCI configuration space through ECAM (bus 0).
    def cfg_addr(self, dev, reg):
        return self.view + PCIE_ECAM + (dev << 15) + reg

    def cfg_read(self, size, reg):
        return self.qt.read(size, self.cfg_addr(self.dev, reg))

    def cfg_write(self, size, reg, value):
        self.qt.write(size, self.cfg_addr(self.dev, reg), value)


class VirtioBlk:
    """A bare virtio 1.x driver for the machine's virtio-blk-pci: the
    device address of each buffer is up to the caller."""

    def __init__(self, m):
        self.m = m
        self.qt = m.qt
        m.dev = self.find()
        self.assign_bars()
        self.find_caps()

    def find(self):
        for dev in range(32):
            ident = self.qt.read(4, self.m.cfg_addr(dev, 0))
            if ident & 0xFFFF == VIRTIO_VENDOR and ident >> 16 in (
                    VIRTIO_BLK_MODERN, VIRTIO_BLK_TRANSITIONAL):
                self.device_id = ident >> 16
                return dev
        raise AssertionError("no virtio-blk-pci on bus 0")

    def assign_bars(self):
        m = self.m
        self.bars = {}
        where = PCIE_MMIO
        bar = 0
        while bar < 6:
            reg = 0x10 + 4 * bar
            orig = m.cfg_read(4, reg)
            m.cfg_write(4, reg, 0xFFFFFFFF)
            mask = m.cfg_read(4, reg)
            is64 = (orig & 0x7) == 0x4
            if is64:
                m.cfg_write(4, reg + 4, 0xFFFFFFFF)
                mask |= m.cfg_read(4, reg + 4) << 32
            else:
                mask |= 0xFFFFFFFF00000000
            if orig & 1 or not mask & ~0xF & 0xFFFFFFFF:
                m.cfg_write(4, reg, orig)    # I/O or unimplemented
                bar += 1
                continue
            size = (~(mask & ~0xF) + 1) & 0xFFFFFFFFFFFFFFFF
            where = (where + size - 1) & ~(size - 1)
            m.cfg_write(4, reg, where & 0xFFFFFFFF)
            if is64:
                m.cfg_write(4, reg + 4, where >> 32)
            self.bars[bar] = where
            where += size
            bar += 2 if is64 else 1
        # Memory space and bus mastering.
        m.cfg_write(2, 0x04, m.cfg_read(2, 0x04) | 0x6)

    def find_caps(self):
        m = self.m
        self.regions = {}
        self.assert_true(m.cfg_read(2, 0x06) & 0x10, "no capability list")
        ptr = m.cfg_read(1, 0x34) & 0xFC
        while ptr:
            cap_id = m.cfg_read(1, ptr)
            if cap_id == 0x09:                   # vendor: virtio
                cfg_type = m.cfg_read(1, ptr + 3)
                bar = m.cfg_read(1, ptr + 4)
                offset = m.cfg_read(4, ptr + 8)
                if cfg_type <= 4 and cfg_type not in self.regions:
                    self.regions[cfg_type] = (
                        m.view + self.bars[bar] + offset)
                if cfg_type == 2:
                    self.notify_mult = m.cfg_read(4, ptr + 16)
            ptr = m.cfg_read(1, ptr + 1) & 0xFC
        for t in (1, 2, 4):
            self.assert_true(t in self.regions, f"no virtio cap {t}")
        self.common = self.regions[1]
        self.notify = self.regions[2]

    @staticmethod
    def assert_true(cond, what):
        if not cond:
            raise AssertionError(what)

    def status(self):
        return self.qt.read(1, self.common + 0x14)

    def set_status(self, value):
        self.qt.write(1, self.common + 0x14, value)

    def status(self):
        return self.qt.read(1, self.common + 0x14)

    def init(self, desc, avail, used):
        """Reset, negotiate VERSION_1 and ACCESS_PLATFORM, set up queue 0
        with its rings at the given device addresses, DRIVER_OK.  Returns
        the device's feature bits."""
        qt, c = self.qt, self.common
        self.set_status(0)
        self.set_status(ST_ACK)
        self.set_status(ST_ACK | ST_DRIVER)
        features = 0
        for sel in (0, 1):
            qt.write(4, c + 0x00, sel)
            features |= qt.read(4, c + 0x04) << (32 * sel)
        want = VIRTIO_F_VERSION_1 | (features & VIRTIO_F_ACCESS_PLATFORM)
        for sel in (0, 1):
            qt.write(4, c + 0x08, sel)
            qt.write(4, c + 0x0C, (want >> (32 * sel)) & 0xFFFFFFFF)
        self.set_status(ST_ACK | ST_DRIVER | ST_FEATURES_OK)
        self.assert_true(self.status() & ST_FEATURES_OK,
                         "device refused VERSION_1 | ACCESS_PLATFORM")
        qt.write(2, c + 0x16, 0)                  # queue_select
        self.assert_true(qt.read(2, c + 0x18) >= QSIZE, "queue too small")
        qt.write(2, c + 0x18, QSIZE)
        for off, addr in ((0x20, desc), (0x28, avail), (0x30, used)):
            qt.write(4, c + off, addr & 0xFFFFFFFF)
            qt.write(4, c + off + 4, addr >> 32)
        self.notify_off = qt.read(2, c + 0x1E)
        qt.write(2, c + 0x1C, 1)                  # queue_enable
        self.set_status(ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK)
        self.avail_idx = 0
        self.used_idx = 0
        return features

    def kick(self):
        self.qt.write(2, self.notify + self.notify_off * self.notify_mult, 0)

    def request(self, kind, sector, data_addr, length, wait=15):
        """One request with its rings, header and status in shared memory
        (the host's addresses for qtest, the realm's DMA addresses for the
        device) and its data buffer at device address @data_addr.  Returns the status byte, or
        None if the device never completed the request."""
        qt, v = self.qt, self.m.view
        qt.memwrite(v | HDR, struct.pack("<IIQ", kind, 0, sector))
        qt.write(1, v | STATUS, 0xFF)
        flags = DESC_F_NEXT | (DESC_F_WRITE if kind == BLK_T_IN else 0)
        d = self.m.dma
        chain = ((d | HDR, 16, DESC_F_NEXT, 1),
                 (data_addr, length, flags, 2),
                 (d | STATUS, 1, DESC_F_WRITE, 0))
        qt.memwrite(v | DESC, b"".join(struct.pack("<QIHH", *d)
                                       for d in chain))
        qt.write(2, v | (AVAIL + 4 + 2 * (self.avail_idx % QSIZE)), 0)
        self.avail_idx += 1
        qt.write(2, v | AVAIL, 1)                 # no interrupts
        qt.write(2, v | (AVAIL + 2), self.avail_idx & 0xFFFF)
        self.kick()
        deadline = time.time() + wait
        while time.time() < deadline:
            idx = qt.read(2, v | (USED + 2))
            if idx != self.used_idx:
                self.used_idx = idx
                return qt.read(1, v | STATUS)
            time.sleep(0.05)
        return None


class RealmDeviceDma(unittest.TestCase):
    """A device's DMA reaches the realm's shared buffers and nothing of its
    protected memory, whatever its driver asks for."""

    def machine(self, realm):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        m = Machine(tmp.name, realm)
        self.addCleanup(m.kill)
        if realm:
            info = m.info()
            # The realm was built at reset from the staged images.
            self.assertTrue(info["realm"], info)
            self.assertEqual(info["state"], "active", info)
            self.assertEqual(len(info["rim"]), 64, info)
            self.assertGreater(info["granules"]["data"], 0, info)
            self.assertEqual(info["dma-refused"], 0, info)
        blk = VirtioBlk(m)
        d = m.dma
        features = blk.init(d | DESC, d | AVAIL, d | USED)
        if realm:
            # The machine makes it modern-only, behind the platform's
            # DMA view.
            self.assertEqual(blk.device_id, VIRTIO_BLK_MODERN)
            self.assertTrue(features & VIRTIO_F_ACCESS_PLATFORM,
                            hex(features))
        self.assertTrue(blk.status() & ST_DRIVER_OK, blk.status())
        return m, blk

    def kernel_bytes(self, m, offset, size):
        with open(m.kernel, "rb") as f:
            f.seek(offset)
            return f.read(size)

    def kernel_ipa(self, m):
        """Where the kernel image sits: for a realm, as its measurement log
        says (the host drops its staged copy once the realm is built);
        otherwise where its header is in guest memory."""
        if m.realm:
            with open(m.plan) as f:
                for line in f:
                    words = dict(w.split("=", 1) for w in line.split()[1:]
                                 if "=" in w)
                    if line.startswith("image ") and \
                            words.get("name") == "kernel":
                        return int(words["ipa"], 16)
            self.fail("no kernel in the realm's measurement log")
        head = self.kernel_bytes(m, 0, 64)
        for ipa in range(RAM_BASE, RAM_BASE + (16 << 20), 0x10000):
            if m.qt.memread(m.view | ipa, 64) == head:
                return ipa
        self.fail("kernel image not found in the staged images")

    def still_fine(self, m):
        self.assertTrue(m.alive(), m.stderr_text()[-2000:])
        self.assertEqual(m.qmp.cmd("query-status")["return"]["status"],
                         "running")
        if m.realm:
            self.assertEqual(m.info()["state"], "active")

    def assert_not_leaked(self, got, *secrets):
        for secret in secrets:
            self.assertNotEqual(got, secret)
            # Not even part of it: no 16-byte run of it.
            for i in range(0, len(secret) - 16, 16):
                chunk = secret[i:i + 16]
                if chunk.count(chunk[0]) != 16:
                    self.assertNotIn(chunk, got, f"leaked at +{i:#x}")

    def test_a_control_shared_buffer_reaches_disk(self):
        """The control: a device reads the realm's shared buffer, and the
        test sees the data on the disk; nothing is refused."""
        m, blk = self.machine(True)
        pattern = bytes((i * 7 + 3) & 0xFF for i in range(LEN))
        m.qt.memwrite(DATA, pattern)
        self.assertEqual(m.qt.memread(DATA, LEN), pattern)
        self.assertEqual(blk.request(BLK_T_OUT, 8, SHARED | DATA, LEN), 0)
        self.assertEqual(m.disk_bytes(8, LEN), pattern)
        # ... and back: an IN request writes the shared buffer.
        m.qt.memwrite(DATA, bytes(LEN))
        self.assertEqual(blk.request(BLK_T_IN, 8, SHARED | DATA, LEN), 0)
        self.assertEqual(m.qt.memread(DATA, LEN), pattern)
        self.assertEqual(m.info()["dma-refused"], 0)
        self.still_fine(m)

    def test_b_control_without_realm_dma_reads_the_kernel(self):
        """The control for the attack: on the same machine without a realm
        the same request does copy the kernel's bytes to the disk."""
        m, blk = self.machine(False)
        ipa = self.kernel_ipa(m)
        off = 0x10000
        self.assertEqual(blk.request(BLK_T_OUT, 16, ipa + off, LEN), 0)
        self.assertEqual(m.disk_bytes(16, LEN),
                         self.kernel_bytes(m, off, LEN))
        self.still_fine(m)

    def test_c_device_cannot_read_realm_memory(self):
        m, blk = self.machine(True)
        ipa = self.kernel_ipa(m)
        off = 0x10000
        secret = self.kernel_bytes(m, off, LEN)
        self.assertNotEqual(secret.count(secret[0]), LEN)
        # The host's own staged copy is scribbled over: whatever a device
        # might get from the protected IPA can then only be realm memory
        # (the kernel's bytes) or host memory (the decoy).
        decoy = bytes((0xC3 ^ i) & 0xFF for i in range(LEN))
        m.qt.memwrite((ipa + off), decoy)
        before = m.info()["dma-refused"]
        status = blk.request(BLK_T_OUT, 16, ipa + off, LEN, wait=3)
        got = m.disk_bytes(16, LEN)
        self.assert_not_leaked(got, secret, decoy)
        # The request fails in the device, which writes nothing at all
        # (not even zeros) and asks its driver for a reset.
        self.assertEqual(got, bytes([DISK_FILL]) * LEN, got.hex())
        self.assertIsNone(status)
        self.assertTrue(blk.status() & ST_NEEDS_RESET, blk.status())
        info = m.info()
        self.assertGreater(info["dma-refused"], before,
                           f"status {status}, info {info}")
        self.assertIn(REFUSED_READ % (ipa + off), m.log_text())
        self.assertIn("a device's DMA tried to reach protected realm "
                      "memory", m.stderr_text())
        self.still_fine(m)

    def test_d_device_cannot_write_realm_memory(self):
        m, blk = self.machine(True)
        ipa = self.kernel_ipa(m)
        off = 0x20000
        with open(m.disk, "r+b") as f:
            f.seek(24 * SECTOR)
            f.write(bytes((0x11 * i) & 0xFF for i in range(LEN)))
        staged = m.qt.memread((ipa + off), LEN)
        before = m.info()["dma-refused"]
        status = blk.request(BLK_T_IN, 24, ipa + off, LEN, wait=3)
        after = m.info()["dma-refused"]
        self.assertGreater(after, before, f"status {status}")
        # Not reported as done: the device failed the request.
        self.assertIsNone(status)
        self.assertTrue(blk.status() & ST_NEEDS_RESET, blk.status())
        self.assertIn(REFUSED_WRITE % (ipa + off), m.log_text())
        # Nor did the write land in the host's memory at that address.
        self.assertEqual(m.qt.memread((ipa + off), LEN), staged)
        self.still_fine(m)

    def test_e_rings_in_realm_memory_are_refused(self):
        """Rings at protected IPAs: the device cannot even read its
        descriptors; a request set up there never reaches the disk."""
        m, blk = self.machine(True)
        ipa = self.kernel_ipa(m)
        before = m.info()["dma-refused"]
        # Host memory at the same addresses holds a well-formed request:
        # a device that read it (through a wrong view) would write the
        # pattern to the disk.
        blk.init(ipa + 0x30000, ipa + 0x31000, ipa + 0x32000)
        pattern = bytes((i * 13 + 1) & 0xFF for i in range(LEN))
        m.qt.memwrite(DATA, pattern)
        m.qt.memwrite(HDR, struct.pack("<IIQ", BLK_T_OUT, 0, 32))
        chain = ((SHARED | HDR, 16, DESC_F_NEXT, 1),
                 (SHARED | DATA, LEN, DESC_F_NEXT, 2),
                 (SHARED | STATUS, 1, DESC_F_WRITE, 0))
        m.qt.memwrite((ipa + 0x30000),
                      b"".join(struct.pack("<QIHH", *d) for d in chain))
        m.qt.memwrite((ipa + 0x31000), struct.pack("<HHH", 1, 1, 0))
        blk.kick()
        time.sleep(1)
        self.assertNotEqual(m.disk_bytes(32, LEN), pattern)
        self.assertEqual(m.disk_bytes(32, LEN), bytes([DISK_FILL]) * LEN)
        after = m.info()["dma-refused"]
        self.assertGreater(after, before)
        log = m.log_text()
        self.assertIn(REFUSED_READ % (ipa + 0x31000 + 2), log)
        self.still_fine(m)

    def test_f_secure_dram_through_the_unprotected_half(self):
        """The Secure DRAM that backs the realm, aimed at directly through
        the unprotected half: the TZASC refuses it and reports it."""
        m, blk = self.machine(True)
        before = m.info()
        m.qmp.events.clear()
        status = blk.request(BLK_T_OUT, 40, SHARED | SECURE_DRAM, LEN,
                             wait=3)
        # The device fails the request and writes nothing.
        got = m.disk_bytes(40, LEN)
        self.assertEqual(got, bytes([DISK_FILL]) * LEN, got.hex())
        self.assertIsNone(status)
        self.assertTrue(blk.status() & ST_NEEDS_RESET, blk.status())
        # The first refusal is latched in the fail registers and sent as an
        # event; later ones only count until the Secure world clears it.
        after = m.info()
        ev = [e for e in m.qmp.events if e["event"] == "TZASC_VIOLATION"]
        self.assertTrue(ev, m.qmp.events)
        self.assertEqual(ev[0]["data"]["address"], SECURE_DRAM)
        self.assertFalse(ev[0]["data"]["secure"])
        self.assertFalse(ev[0]["data"]["write"])
        self.assertGreater(after["tzasc-violations"],
                           before["tzasc-violations"])
        # The TZASC refused it before the realm's view had to.
        self.assertEqual(after["dma-refused"], before["dma-refused"])
        self.still_fine(m)


if __name__ == "__main__":
    unittest.main()
