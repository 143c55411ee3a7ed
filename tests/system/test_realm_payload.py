# SPDX-License-Identifier: GPL-2.0-or-later
"""A hostile realm must not crash or confuse its host, and sees what Arm's
RMM on hardware gives it: small bare-metal realm payloads
(tests/realm/payload.c) check the architected outcome of

- every kind of access to a page the realm made RIPAS EMPTY (loads,
  stores, exclusives, atomics, instruction fetch, a stage-1 walk through
  such a page, a second vCPU racing the change): a synchronous external
  abort with the syndrome the monitor injects, FAR and ELR at the access,
  and the realm runs on;
- every kind of access to a page the host took back (RMI_DATA_DESTROY):
  the same abort; RAM again only with the change-destroyed flag;
- an access or an RSI buffer the host cannot back (RAM outside the
  realm's memory): the host stops the realm with the reason;
- HVC: undefined at EL1 with ELR past the HVC (the monitor traps it),
  undefined at EL0 with ELR at it;
- the realm's ID registers and the features behind them (no SVE, no PMU,
  no SME, no MTE; breakpoints and watchpoints as its realm parameters);
- the host's register views (HMP info registers, gdbstub g/p/P,
  query-cpus-fast): the realm's registers are not available;
- under the monitor's EL2 (RealmUnderEl2): device registers through MMIO
  exits at every size, with sign and zero extension; an SEA for what the
  host cannot emulate (no instruction syndrome) or where nothing answers;
  EMPTY's SEA with no exit at all; the virtual timer's interrupt and SGIs
  between vCPUs through the virtual CPU interface; the ID registers.
"""

import json
import os
import re
import select
import socket
import sys
import tempfile
import time
import unittest

TOP = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(TOP, "tests", "realm"))
import realm_payload as rp  # noqa: E402

BUILD = os.environ.get("VIRTCCA_BUILD", os.path.join(TOP, "build"))
QEMU = os.path.join(BUILD, "qemu", "qemu-system-aarch64")
PAYLOAD = os.path.join(BUILD, "realm", "payload.bin")

EC_UNKNOWN, EC_IABT_CUR, EC_DABT_CUR = 0x00, 0x21, 0x25
FSC_SEA = 0x10
ESR_IL, ESR_EA, ESR_S1PTW, ESR_WNR = 1 << 25, 1 << 9, 1 << 7, 1 << 6

PLAY_BASE = 0x44000000
EMPTY_PAGE = PLAY_BASE + 0x10 * 4096
SECOND_PAGE = PLAY_BASE + 0x30 * 4096
DESTROY_PAGE = PLAY_BASE + 0x40 * 4096
OUTSIDE_PAGE = 0x100000000
LOADS = ["ldrb", "ldrh", "ldrw", "ldrx", "ldp", "ldxr", "ldar"]
STORES = ["strb", "strh", "strw", "strx", "stp", "stxr", "stlr"]
ATOMICS = ["ldadd", "swp", "cas"]
PRIMS = LOADS + STORES + ATOMICS + ["exec"]


def field(value, lsb, width=4):
    return (value >> lsb) & ((1 << width) - 1)


def check_el2_as_the_cpu_has_it(test, idregs):
    """The exception levels as Arm's reference monitor shows them: its ID
    register traps pass ID_AA64PFR0_EL1.EL2/EL3/SEL2 and
    ID_AA64MMFR1_EL1.VH through (the realm's EL2 is the monitor's; its
    HVC is undefined), so the realm reads the CPU's (-cpu max: EL2 and
    EL3 with AArch32, Secure EL2, VHE)."""
    test.assertNotEqual(field(idregs["pfr0"], 8), 0, "ID_AA64PFR0.EL2")
    test.assertNotEqual(field(idregs["pfr0"], 12), 0, "ID_AA64PFR0.EL3")
    test.assertNotEqual(field(idregs["pfr0"], 36), 0, "ID_AA64PFR0.SEL2")
    test.assertNotEqual(field(idregs["mmfr1"], 8), 0, "ID_AA64MMFR1.VH")


def collect_run(cls):
    """What a finished payload run left, on the test class: whether QEMU
    was alive, the results, exit status, logs and the measurement log at
    cls.plan_path."""
    cls.alive = cls.vm.proc.poll() is None
    cls.r = cls.vm.results()
    cls.status = cls.vm.quit()
    cls.log = cls.vm.guest_log()
    cls.console = "\n".join(cls.vm.lines)
    cls.stderr = cls.vm.stderr.decode(errors="replace")
    cls.vm.close()
    try:
        with open(cls.plan_path) as f:
            cls.plan = f.read()
        os.unlink(cls.plan_path)
    except OSError:
        cls.plan = ""


class SeaChecks:
    """The SEA the realm takes for an access: EC, FSC, EA, IL, FAR, ELR."""

    def check_sea(self, name, far, elr, ec=EC_DABT_CUR, write=None):
        r = self.r.get(name)
        self.assertIsNotNone(r, f"{name}: no result\n{self.console}")
        esr = r["esr"]
        self.assertEqual(r["faulted"], 1, f"{name}: no abort")
        self.assertEqual(rp.esr_ec(esr), ec, f"{name}: ESR {esr:#x}")
        self.assertEqual(rp.esr_fsc(esr), FSC_SEA, f"{name}: ESR {esr:#x}")
        self.assertTrue(esr & ESR_EA, f"{name}: EA clear in {esr:#x}")
        self.assertFalse(esr & ESR_S1PTW, f"{name}: S1PTW in {esr:#x}")
        self.assertTrue(esr & ESR_IL, f"{name}: IL clear in {esr:#x}")
        if write is not None:
            self.assertEqual(bool(esr & ESR_WNR), write,
                             f"{name}: WnR in {esr:#x}")
        self.assertEqual(r["far"], far, f"{name}: FAR")
        self.assertEqual(r["elr"], elr, f"{name}: ELR")


@unittest.skipUnless(os.path.exists(PAYLOAD), "no payload (make payload)")
class RealmCases(SeaChecks, unittest.TestCase):
    """The regression cases, on two vCPUs, in one run."""

    @classmethod
    def setUpClass(cls):
        cls.vm = rp.PayloadRun(QEMU, PAYLOAD, rp.MODE_CASES, ncpus=2,
                                guest_errors=True,
                                realm_object="measurement-log=" +
                                os.path.join(tempfile.gettempdir(),
                                             f"virtcca-cases-{os.getpid()}"))
        cls.plan_path = cls.vm.args[cls.vm.args.index("-object") + 1] \
            .split("measurement-log=")[1]
        cls.destroy_errors = []
        while True:
            cls.end = cls.vm.read_until_stopped(
                lambda l: l == "END" or l.startswith("W destroy "),
                timeout=120)
            if not cls.end or cls.end == "END":
                break
            # The payload asks the host to take back a page of its RAM.
            reply = cls.vm.connect_qmp().cmd(
                "qom-set", path="/objects/cca0",
                property="x-host-data-destroy",
                value=int(cls.end.split()[2], 0))
            if "error" in reply:
                cls.destroy_errors.append(reply["error"])
        collect_run(cls)

    def test_qemu_survives(self):
        self.assertEqual(self.end, "END", self.console)
        self.assertTrue(self.alive, "QEMU died before quit")
        self.assertEqual(self.status, 0, self.vm.stderr.decode()[-2000:])
        self.assertIn("alive", self.r)

    def test_empty_page_every_access(self):
        r = self.r["set-empty"]
        self.assertEqual((r["status"], r["response"], r["ripas"]), (0, 0, 0))
        for i, name in enumerate(PRIMS):
            fn = self.r[name]["fn"]
            with self.subTest(access=name):
                if name == "stxr" and not self.r[name]["faulted"]:
                    # TCG fails a store-exclusive whose monitor is not
                    # armed before it reaches memory (hardware may abort
                    # first); either way nothing is stored.
                    continue
                if name == "exec":
                    self.check_sea(name, EMPTY_PAGE, EMPTY_PAGE,
                                   ec=EC_IABT_CUR)
                else:
                    self.check_sea(name, EMPTY_PAGE + 0x100 + 16 * i, fn,
                                   write=(True if name in STORES else
                                          False if name in LOADS else None))

    def test_empty_logged_as_guest_error(self):
        self.assertRegex(self.log, r"realm (access|write) to protected IPA "
                         r"0x44010\w+ \(RIPAS EMPTY\): synchronous external "
                         r"abort")

    def test_back_to_ram(self):
        r = self.r["back-to-ram"]
        self.assertEqual((r["status"], r["faulted"]), (0, 0))

    def test_walk_through_empty_table(self):
        self.assertEqual(self.r["walk-ram"]["faulted"], 0)
        r = self.r["walk-empty"]
        self.assertEqual(r["status"], 0)
        self.check_sea("walk-empty", r["va"], r["fn"])

    def test_second_vcpu(self):
        self.assertEqual(self.r["second-vcpu-set"]["status"], 0)
        self.assertEqual(self.r["second-vcpu-set"]["done"], 1)
        r = self.r["second-vcpu"]
        self.assertEqual(r["cpu"], 1)
        self.check_sea("second-vcpu", SECOND_PAGE + 8, r["fn"])

    def test_destroyed_page_every_access(self):
        self.assertEqual(self.destroy_errors, [])
        self.assertEqual(self.r["destroyed"]["ripas"], 2, "RIPAS DESTROYED")
        for i, name in enumerate(PRIMS):
            fn = self.r[name]["fn"]
            with self.subTest(access=name):
                key = "destroyed-" + name
                if name == "stxr" and not self.r[key]["faulted"]:
                    continue    # as for EMPTY above
                if name == "exec":
                    self.check_sea(key, DESTROY_PAGE, DESTROY_PAGE,
                                   ec=EC_IABT_CUR)
                else:
                    self.check_sea(key, DESTROY_PAGE + 0x100 + 16 * i, fn)
        self.assertRegex(self.log, r"realm (access|write) to protected IPA "
                         r"0x44040\w+ \(RIPAS DESTROYED\): synchronous "
                         r"external abort")

    def test_destroyed_back_to_ram_needs_the_flag(self):
        r = self.r["destroyed-to-ram"]
        self.assertEqual(r["status"], 0)
        self.assertEqual(r["ripas"], 2, "RAM without change-destroyed")
        r = self.r["destroyed-to-ram-flag"]
        self.assertEqual((r["status"], r["response"], r["ripas"]), (0, 0, 1))
        # A new granule: the realm's old data is gone, nothing faults.
        self.assertEqual((r["faulted"], r["value"]), (0, 0))

    def test_empty_memory_goes_back_to_the_host(self):
        """EMPTY then RAM again: a new, zeroed granule, as when KVM frees
        the private page at the conversion (the data was 0x0123...)."""
        r = self.r["empty-reclaimed"]
        self.assertEqual((r["empty"], r["ram"], r["ripas"]), (0, 0, 1))
        self.assertEqual((r["faulted"], r["value"]), (0, 0))

    def test_empty_block_goes_back_to_the_host(self):
        """The same for a whole 2 MiB block, which the host had backed
        whole (one RTT entry) at the realm's first touch."""
        r = self.r["empty-block-reclaimed"]
        self.assertEqual((r["empty"], r["ram"], r["ripas"]), (0, 0, 1))
        self.assertEqual((r["faulted"], r["value"]), (0, 0))

    def test_ram_outside_the_realms_memory(self):
        """The realm may make it RAM; an access there stops the realm
        (HostDestroysRealmMemory)."""
        r = self.r["outside-ram"]
        self.assertEqual((r["status"], r["ripas"]), (0, 1))

    def test_hvc_at_el1_returns_past_it(self):
        r = self.r["hvc-el1"]
        self.assertEqual(r["faulted"], 1)
        self.assertEqual(r["esr"], ESR_IL | (EC_UNKNOWN << 26))
        self.assertEqual(r["elr"], r["fn"] + 4)
        self.assertIn("realm HVC at", self.log)

    def test_hvc_and_smc_at_el0_undefined_at_them(self):
        for name in ["hvc-el0", "smc-el0"]:
            r = self.r[name]
            with self.subTest(insn=name):
                self.assertEqual(r["faulted"], 1)
                self.assertEqual(rp.esr_ec(r["esr"]), EC_UNKNOWN)
                self.assertEqual(r["elr"], r["fn"])

    def test_id_registers(self):
        r = self.r["idregs"]
        pfr0, pfr1, dfr0 = r["pfr0"], r["pfr1"], r["dfr0"]
        self.assertEqual(field(pfr0, 32), 0, "ID_AA64PFR0.SVE")
        self.assertNotEqual(field(pfr0, 12), 0, "ID_AA64PFR0.EL3")
        self.assertEqual(field(pfr1, 24), 0, "ID_AA64PFR1.SME")
        self.assertEqual(field(pfr1, 8), 0, "ID_AA64PFR1.MTE")
        self.assertEqual(field(dfr0, 8), 0, "ID_AA64DFR0.PMUVer")
        self.assertEqual(field(dfr0, 28), 0, "ID_AA64DFR0.CTX_CMPs")
        self.assertEqual(r["zfr0"], 0)
        self.assertEqual(r["smfr0"], 0)
        # Breakpoints and watchpoints: the realm parameters (num_bps and
        # num_wps count minus one, like BRPs and WRPs) in the measured plan
        bps = re.search(r"num_bps=(\d+)", self.plan)
        wps = re.search(r"num_wps=(\d+)", self.plan)
        self.assertTrue(bps and wps, self.plan)
        self.assertGreater(int(bps.group(1)), 0)
        self.assertEqual(field(dfr0, 12), int(bps.group(1)), "BRPs")
        self.assertEqual(field(dfr0, 20), int(wps.group(1)), "WRPs")
        # No PMU: PMCR_EL0 is undefined (hardware), or reports no
        # counters (QEMU's CPU model keeps the register)
        if not self.r["pmcr"]["faulted"]:
            self.assertEqual(field(self.r["pmcr-value"]["value"], 11, 5), 0,
                             "PMCR_EL0.N")
        for name in ["sve-rdvl"]:
            with self.subTest(insn=name):
                o = self.r[name]
                self.assertEqual(o["faulted"], 1)
                self.assertEqual(rp.esr_ec(o["esr"]), EC_UNKNOWN)
                self.assertEqual(o["elr"], o["fn"])

    def test_el2_in_id_registers_as_the_cpu_has_it(self):
        check_el2_as_the_cpu_has_it(self, self.r["idregs"])


gdb_packet = rp.guest.gdb_packet


SECRET = 0x5ec2e7a11ce0f00d


@unittest.skipUnless(os.path.exists(PAYLOAD), "no payload (make payload)")
class HostDestroysRealmMemory(unittest.TestCase):
    """An RSI call's buffer the host cannot back: RAM it took back
    (RMI_DATA_DESTROY through x-host-data-destroy), or RAM outside the
    realm's memory.  The monitor exits to the host at every try, so the
    host stops the realm with the reason instead of spinning (a KVM host
    fails KVM_RUN).  Also what the host may not destroy."""

    def start(self, mode):
        self.vm = rp.PayloadRun(QEMU, PAYLOAD, mode)
        self.addCleanup(self.vm.close)

    def wait_stopped(self, reason):
        qmp = self.vm.connect_qmp()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = qmp.cmd("query-status")["return"]["status"]
            if status == "internal-error":
                break
            time.sleep(0.2)
        self.assertEqual(status, "internal-error")
        self.vm.read_until(lambda l: False, timeout=1)
        self.assertIn(reason + ", which the host cannot back: stopping the "
                      "realm", self.vm.stderr.decode())
        self.assertNotIn("R buffer-call status=0x0", self.vm.lines)
        self.assertEqual(self.vm.quit(), 0)

    def destroy(self, ipa):
        return self.vm.connect_qmp().cmd(
            "qom-set", path="/objects/cca0", property="x-host-data-destroy",
            value=ipa)

    def test_buffer_in_destroyed_ram_stops_the_realm(self):
        self.start(rp.MODE_BUFFER_DESTROYED)
        line = self.vm.read_until(lambda l: l.startswith("W destroy "))
        self.assertIsNotNone(line, "\n".join(self.vm.lines))
        page = int(line.split()[2], 0)
        # Nothing is there to destroy (a 2 MiB block the payload never
        # touched: the host backs a block whole at its first touch):
        # refused, with the monitor's status
        reply = self.destroy((page | 0x1fffff) + 1 + 0x200000)
        self.assertIn("RMI_DATA_DESTROY at IPA 0x", reply["error"]["desc"])
        reply = self.destroy(page + 8)
        self.assertIn("error", reply, "unaligned IPA")
        self.assertNotIn("error", self.destroy(page))
        self.assertIsNotNone(self.vm.read_until(
            lambda l: l.startswith("R buffer-page")))
        self.assertEqual(self.vm.results()["buffer-page"]["ripas"], 2)
        self.wait_stopped(f"the realm's RSI buffer at IPA {page:#x} is "
                          "DESTROYED")

    def outside_ram_stops_the_realm(self, mode, what):
        """The realm made RAM of @OUTSIDE_PAGE, beyond its memory, and
        uses it as @what: the host, which cannot back it, stops it."""
        self.start(mode)
        self.assertIsNotNone(self.vm.read_until(
            lambda l: l.startswith("R buffer-page")))
        self.assertEqual(self.vm.results()["buffer-page"]["ripas"], 1)
        self.wait_stopped(f"the realm's {what} at IPA {OUTSIDE_PAGE:#x} is "
                          "RAM outside the realm's memory")

    def test_buffer_in_ram_outside_the_realms_memory_stops_it(self):
        self.outside_ram_stops_the_realm(rp.MODE_BUFFER_OUTSIDE_RAM,
                                         "RSI buffer")

    def test_access_to_ram_outside_the_realms_memory_stops_it(self):
        self.outside_ram_stops_the_realm(rp.MODE_ACCESS_OUTSIDE_RAM, "access")
        self.assertNotIn("outside-ldrx", self.vm.results())


@unittest.skipUnless(os.path.exists(PAYLOAD), "no payload (make payload)")
class RealmRegistersWithheld(unittest.TestCase):
    """The payload keeps a secret in x19..x28 and d0; no host path shows
    a realm vCPU's registers."""

    @classmethod
    def setUpClass(cls):
        cls.vm = rp.PayloadRun(QEMU, PAYLOAD, rp.MODE_SPIN, seed=SECRET,
                                gdb=True)
        cls.ready = cls.vm.read_until(lambda l: l == "S spinning", 60)
        time.sleep(0.3)

    @classmethod
    def tearDownClass(cls):
        cls.vm.quit()
        cls.vm.close()

    def assert_no_secret(self, text):
        for v in [SECRET + i for i in range(10)]:
            self.assertNotIn(f"{v:016x}", text.lower())
            self.assertNotIn(f"{v:x}", text.lower())
        # as gdb's little-endian hex
        self.assertNotIn(SECRET.to_bytes(8, "little").hex(), text.lower())

    def test_info_registers(self):
        self.assertEqual(self.ready, "S spinning")
        qmp = self.vm.connect_qmp()
        for cmd in ["info registers", "info registers -a"]:
            out = qmp.cmd("human-monitor-command",
                          **{"command-line": cmd})["return"]
            with self.subTest(cmd=cmd):
                self.assertIn("registers not available", out)
                self.assertIn("monitor's REC", out)
                self.assertNotRegex(out, r"\bPC=|X19=")
                self.assert_no_secret(out)

    def test_query_cpus_fast(self):
        qmp = self.vm.connect_qmp()
        reply = qmp.cmd("query-cpus-fast")["return"]
        self.assertEqual(len(reply), 1)
        self.assert_no_secret(json.dumps(reply))

    def test_gdbstub(self):
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.vm.gdb_path)
        try:
            s.sendall(b"+")
            gdb_packet(s, "qSupported:xmlRegisters=aarch64")
            stop = gdb_packet(s, "?")
            self.assertTrue(stop.startswith("T"), stop)
            g = gdb_packet(s, "g")
            self.assertEqual(g, "E14")
            for reg in [0, 19, 32, 34]:        # x0, x19, pc, fpsr..
                with self.subTest(reg=reg):
                    self.assertEqual(gdb_packet(s, f"p{reg:x}"), "E14")
            self.assertEqual(gdb_packet(s, "P20=0000000000000000"), "E14")
            self.assertEqual(gdb_packet(s, "G" + "00" * 8 * 34), "E14")
            gdb_packet(s, "D")
        finally:
            s.close()
        self.assertIn(b"no access to the vCPU's registers",
                      self.vm.stderr + self._drain_stderr())
        # The realm ran on through all this.
        self.assertIsNone(self.vm.proc.poll())

    def _drain_stderr(self):
        out = b""
        while select.select([self.vm.proc.stderr], [], [], 0.2)[0]:
            chunk = os.read(self.vm.proc.stderr.fileno(), 65536)
            if not chunk:
                break
            out += chunk
        self.vm.stderr += out
        return out


SHARED_BIT = 1 << 47
GICD = 0x08000000 | SHARED_BIT
GICR = 0x080A0000 | SHARED_BIT
GICR_STRIDE = 0x20000
UART = 0x09000000 | SHARED_BIT
TEST_SPI = 80
PRIO = GICD + 0x400 + TEST_SPI          # GICD_IPRIORITYR, SPIs 80..83
ROUTE = GICD + 0x6000 + 8 * TEST_SPI    # GICD_IROUTER<80>
IBRD = UART + 0x24                      # UARTIBRD
NOTHING = 0x09050000 | SHARED_BIT       # between the GPIO and PCIe
VTIMER_PPI, TEST_SGI, SELF_SGI, SPURIOUS = 27, 5, 3, 1023
EL2_EMPTY_PAGE = PLAY_BASE + 0x50 * 4096
EL2_BELLS = [PLAY_BASE + (0x58 + k) * 4096 for k in range(6)]
EXIT_KINDS = ["mmio", "shared-map", "populate", "sysreg", "wfx", "irq",
              "smc"]

@unittest.skipUnless(os.path.exists(PAYLOAD), "no payload (make payload)")
class RealmUnderEl2(SeaChecks, unittest.TestCase):
    """The realm at Secure EL1 under the monitor's EL2, two vCPUs, one run
    (payload mode el2).  The host's exit counters (query-virtcca's exits)
    are sampled at points where the realm waits, with no exit of its own:
    it signals by extending REM0, the host samples and answers by
    destroying a doorbell granule, which the realm watches with
    RSI_IPA_STATE_GET (both RSI calls the monitor answers)."""

    @classmethod
    def setUpClass(cls):
        cls.plan_path = os.path.join(tempfile.gettempdir(),
                                     f"virtcca-el2-{os.getpid()}")
        cls.vm = rp.PayloadRun(QEMU, PAYLOAD, rp.MODE_EL2, ncpus=2,
                                guest_errors=True,
                                realm_object="measurement-log=" +
                                cls.plan_path)
        cls.samples, cls.bell_errors = [], []
        cls.end = None
        rems = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if cls.vm.read_until(lambda l: l == "END", timeout=0.1):
                cls.end = "END"
                break
            if cls.vm.status() != "running":
                break
            if len(cls.samples) == len(EL2_BELLS):
                continue
            info = cls.vm.connect_qmp().cmd("query-virtcca")["return"]
            # REMs start at zero; each signal changes REM0
            if rems is None:
                changed = any(int(r, 16) for r in info["rems"])
            else:
                changed = info["rems"] != rems
            if not changed:
                continue
            rems = info["rems"]
            cls.samples.append(cls.vm.exits(info))
            reply = cls.vm.connect_qmp().cmd(
                "qom-set", path="/objects/cca0",
                property="x-host-data-destroy",
                value=EL2_BELLS[len(cls.samples) - 1])
            if "error" in reply:
                cls.bell_errors.append(reply["error"])
        cls.final = cls.vm.exits() if cls.vm.proc.poll() is None else None
        collect_run(cls)

    def window(self, n):
        """Exits of vCPU 0 by kind in sampling window @n (0: the EMPTY
        accesses, 1: emulated MMIO loads, 2: accesses without syndrome)"""
        self.assertEqual(len(self.samples), len(EL2_BELLS),
                         f"{self.bell_errors}\n{self.console}")
        before, after = self.samples[n], self.samples[n + 1]
        self.assertIsNotNone(before, "query-virtcca has no exits list")
        return {k: after[0][k] - before[0][k] for k in EXIT_KINDS}

    def result(self, name):
        r = self.r.get(name)
        self.assertIsNotNone(r, f"{name}: no result\n{self.console}\n"
                             f"{self.stderr[-2000:]}")
        return r

    def test_qemu_survives(self):
        self.assertEqual(self.end, "END",
                         f"{self.console}\n{self.stderr[-2000:]}")
        self.assertTrue(self.alive, "QEMU died before quit")
        self.assertEqual(self.status, 0, self.stderr[-2000:])
        self.assertIn("alive", self.r)

    def test_mmio_every_size_and_extension(self):
        """Loads through EMUL_MMIO: the monitor extends the host's value
        as the syndrome says (SAS, SSE, SF) into the register it names
        (SRT, the zero register included)."""
        prio = 0x80c0a0e0       # as the realm wrote it: every byte even
        loads = {
            # name: (address, value in the register)
            "mmio-ldrw": (PRIO, prio),
            "mmio-ldrsw": (PRIO, 0xffffffff00000000 | prio),
            "mmio-ldrb": (PRIO, 0xe0),
            "mmio-ldrb3": (PRIO + 3, 0x80),
            "mmio-ldrsbx": (PRIO, 0xffffffffffffffe0),
            "mmio-ldrsbw": (PRIO + 1, 0xffffffa0),     # W: upper half 0
            # the byte store went to SPI 81's priority only
            "mmio-ldrw-strb": (PRIO, 0x80c05ae0),
            # WZR: nothing written, x0 keeps the address
            "mmio-ldr-wzr": (PRIO, PRIO),
            "mmio-ldrx": (ROUTE, 0x000000a500c39678),
            "mmio-ldar": (ROUTE, 0x0000005a80102030),
            "mmio-ldrh": (IBRD, 0x8ace),
            "mmio-ldrshx": (IBRD, 0xffffffffffff8ace),
            "mmio-ldrshw": (IBRD, 0xffff8ace),
            "mmio-ldrsh-x17": (IBRD, 0xffffffffffff8ace),
        }
        stores = {"mmio-strw": PRIO, "mmio-strb": PRIO + 1,
                  "mmio-strx": ROUTE, "mmio-stlr": ROUTE, "mmio-strh": IBRD}
        for name, addr in stores.items():
            with self.subTest(access=name):
                r = self.result(name)
                self.assertEqual((r["faulted"], r["addr"]), (0, addr))
                # a store leaves x0, the address, alone
                self.assertEqual(r["value"], addr)
        for name, (addr, value) in loads.items():
            with self.subTest(access=name):
                r = self.result(name)
                self.assertEqual(r["addr"], addr)
                self.assertEqual(r["faulted"], 0, f"{name}: {r}")
                self.assertEqual(r["value"], value,
                                 f"{name}: {r['value']:#x} != {value:#x}")

    def test_gic_as_the_realm_sees_it(self):
        """The distributor with security, from the Non-secure side:
        affinity routing on (ARE_NS reads one), Group 1 enabled."""
        r = self.result("gicd")
        self.assertTrue(r["ctlr"] & 1 << 4, f"GICD_CTLR {r['ctlr']:#x}")
        self.assertFalse(r["ctlr"] & 1 << 6, "GICD_CTLR.DS set")
        # ITLinesNumber: the SPIs the tests use exist
        self.assertGreater(32 * ((r["typer"] & 0x1f) + 1), TEST_SPI + 3)
        self.assertEqual(self.result("gicd-enabled")["ctlr"], 0x12)

    def test_mmio_nothing_there_sea(self):
        for name, addr in [("mmio-nothing-ldrw", NOTHING + 0x10),
                           ("mmio-nothing-strw", NOTHING + 0x20)]:
            with self.subTest(access=name):
                r = self.result(name)
                self.assertEqual(r["addr"], addr)
                self.check_sea(name, addr, r["fn"])
        self.assertIn("nothing answers there: synchronous external abort",
                      self.log)

    def test_mmio_without_syndrome_sea(self):
        """Pair, exclusive, atomic and writeback accesses have no
        instruction syndrome (ISV 0): the host cannot emulate them; the
        realm takes an SEA at the instruction, with no writeback, runs on,
        and the register is unchanged."""
        names = ["noisv-ldp", "noisv-stp", "noisv-ldxr", "noisv-ldadd",
                 "noisv-swp", "noisv-cas", "noisv-ldr-post",
                 "noisv-str-post"]
        for name in names:
            with self.subTest(access=name):
                r = self.result(name)
                self.assertEqual(r["addr"], PRIO)
                self.check_sea(name, PRIO, r["fn"])
                self.assertEqual(r["value"], PRIO, "x0 written back")
        self.assertEqual(self.result("noisv-after")["value"], 0x80c05ae0)
        self.assertIn("cannot be emulated (no instruction syndrome): "
                      "synchronous external abort", self.log)

    def test_mmio_sea_write_not_read(self):
        """The SEA the host asks for with INJECT_SEA after an MMIO exit has
        WnR set for a store, as the Arm ARM has it for an abort caused by
        a write (and as the monitor's own SEA for EMPTY does)."""
        for name, write in [("mmio-nothing-ldrw", False),
                            ("mmio-nothing-strw", True),
                            ("noisv-ldp", False), ("noisv-stp", True),
                            ("noisv-ldr-post", False),
                            ("noisv-str-post", True)]:
            with self.subTest(access=name):
                r = self.result(name)
                self.check_sea(name, r["addr"], r["fn"], write=write)

    def test_empty_sea(self):
        r = self.result("el2-empty")
        self.assertEqual((r["status"], r["response"], r["ripas"]), (0, 0, 0))
        self.assertEqual(self.result("el2-windows")["rang"], 1,
                         self.bell_errors)
        for i, name in enumerate(PRIMS):
            key = "el2-empty-" + name
            with self.subTest(access=name):
                r = self.result(key)
                if name == "stxr" and not r["faulted"]:
                    continue    # TCG fails it before the access
                if name == "exec":
                    self.check_sea(key, EL2_EMPTY_PAGE, EL2_EMPTY_PAGE,
                                   ec=EC_IABT_CUR)
                else:
                    self.check_sea(key, EL2_EMPTY_PAGE + 0x100 + 16 * i,
                                   r["fn"],
                                   write=(True if name in STORES else
                                          False if name in LOADS else None))

    def test_counters_count(self):
        """Before the first sample the realm touched shared RAM (a
        shared-map exit); the control for the windows below."""
        self.assertEqual(len(self.samples), len(EL2_BELLS), self.console)
        self.assertIsNotNone(self.samples[0],
                             "query-virtcca has no exits list")
        self.assertGreaterEqual(self.samples[0][0]["shared-map"], 1)

    def test_empty_sea_makes_no_exit(self):
        """The monitor injects EMPTY's SEA itself: no exit of any kind
        for 17 accesses."""
        delta = self.window(0)
        self.assertEqual(delta, dict.fromkeys(EXIT_KINDS, 0))

    def test_emulated_mmio_one_exit_each(self):
        delta = self.window(1)
        self.assertEqual(delta, dict(dict.fromkeys(EXIT_KINDS, 0),
                                     mmio=self.result("el2-windows")
                                     ["emul-loads"]))

    def test_mmio_without_syndrome_no_other_exit(self):
        delta = self.window(2)
        del delta["mmio"]       # test_mmio_sea_counted
        self.assertEqual(delta, dict.fromkeys(delta, 0))

    def test_shared_block_one_first_touch(self):
        """The realm makes a 2 MiB block EMPTY and loads from every page
        of its shared alias: the host maps the block whole at the first
        load (one shared-map exit for 512 pages)."""
        r = self.result("el2-shared-block")
        self.assertEqual((r["status"], r["response"], r["ripas"]),
                         (0, 0, 0))
        self.assertEqual(self.window(3),
                         dict(dict.fromkeys(EXIT_KINDS, 0), **{
                              "shared-map": 1}))

    def test_shared_page_taken_back_from_a_block(self):
        """One page of that block made RAM again: the host splits the
        block and unmaps that page only (RTT_UNMAP_UNPROTECTED), so of
        loads from its shared alias and its two neighbours', only the
        first exits.  Without the unmap, or with a translation kept past
        it (TLB, stage 2 walk cache), none would."""
        r = self.result("el2-taken-back")
        self.assertEqual((r["status"], r["ripas"]), (0, 1))
        delta = self.window(4)
        self.assertEqual(delta["shared-map"], 1)
        self.assertEqual((delta["mmio"], delta["populate"]), (0, 0))

    def test_mmio_sea_counted(self):
        """An MMIO exit without an instruction syndrome, which the host
        answers with an SEA, counts as mmio (query-virtcca: 'data aborts
        at device registers the host emulated (or answered with an
        SEA)')."""
        self.assertEqual(self.window(2)["mmio"],
                         self.result("el2-windows")["noisv"])

    def test_exit_counters(self):
        """Each vCPU's exits by kind: the MMIO of every case, the SGI
        writes (sysreg) and the interrupts for the host (irq)."""
        self.assertIsNotNone(self.final, "query-virtcca has no exits list")
        self.assertEqual(sorted(self.final), [0, 1])
        cpu0, cpu1 = self.final[0], self.final[1]
        mmio_cases = sum(1 for n in self.r if n.startswith("mmio-"))
        self.assertGreaterEqual(cpu0["mmio"], mmio_cases)
        # an SGI to itself and one to vCPU 1
        self.assertGreaterEqual(cpu0["sysreg"], 2)
        # the timer's two interrupts and the SGI to itself
        self.assertGreaterEqual(cpu0["irq"], 3)
        self.assertGreaterEqual(cpu1["irq"], 1)
        self.assertGreaterEqual(cpu1["mmio"], 1)    # its redistributor

    def test_virtual_timer(self):
        """CNTV's PPI 27 through the virtual CPU interface: pending,
        acknowledged and ended with IRQs masked, then taken as an IRQ
        exception (which needs the first one deactivated)."""
        r = self.result("timer-poll")
        self.assertEqual(r["rd"], GICR, "vCPU 0's redistributor")
        self.assertEqual(r["pending"], 1, "no virtual IRQ (ISR_EL1.I)")
        self.assertEqual(r["ctl"] & 5, 5, f"CNTV_CTL {r['ctl']:#x}")
        self.assertEqual(r["hppir"], VTIMER_PPI)
        self.assertEqual(r["iar"], VTIMER_PPI)
        self.assertEqual(r["after"], SPURIOUS)
        r = self.result("timer-irq")
        self.assertEqual(r["count"], 1)
        self.assertEqual(r["intid"], VTIMER_PPI)

    def test_sgi_to_another_vcpu(self):
        r = self.result("sgi-sent")
        self.assertEqual(r["target"], 0x80000001, "vCPU 1's MPIDR")
        # INTID 5, target list Aff0 = 1
        self.assertEqual(r["value"], TEST_SGI << 24 | 1 << 1)
        self.assertEqual(r["done"], 1)
        r = self.result("sgi-received")
        self.assertEqual(r["cpu"], 1)
        self.assertEqual(r["rd"], GICR + GICR_STRIDE,
                         "vCPU 1's redistributor")
        self.assertEqual((r["pending"], r["iar"], r["after"]),
                         (1, TEST_SGI, SPURIOUS))

    def test_sgi_to_self(self):
        r = self.result("sgi-self")
        self.assertEqual((r["count"], r["intid"]), (1, SELF_SGI))

    def test_id_registers(self):
        r = self.result("idregs-el2")
        pfr0, dfr0 = r["pfr0"], r["dfr0"]
        self.assertNotEqual(field(pfr0, 12), 0, "ID_AA64PFR0.EL3")
        self.assertEqual(field(pfr0, 32), 0, "ID_AA64PFR0.SVE")
        self.assertEqual(field(dfr0, 8), 0, "ID_AA64DFR0.PMUVer")
        bps = re.search(r"num_bps=(\d+)", self.plan)
        wps = re.search(r"num_wps=(\d+)", self.plan)
        self.assertTrue(bps and wps, self.plan)
        self.assertEqual(field(dfr0, 12), int(bps.group(1)), "BRPs")
        self.assertEqual(field(dfr0, 20), int(wps.group(1)), "WRPs")

    def test_el2_in_id_registers_as_the_cpu_has_it(self):
        check_el2_as_the_cpu_has_it(self, self.result("idregs-el2"))


@unittest.skipUnless(os.path.exists(PAYLOAD), "no payload (make payload)")
class RealmUnderEl2ResetBinaryPoint(unittest.TestCase):
    """A realm that takes the timer's interrupt without first writing
    ICC_BPR1_EL1 (payload mode el2-bpr): nothing obliges an OS to."""

    def test_interrupt_with_reset_binary_point(self):
        """A REC's virtual CPU interface starts from its reset state: the
        realm reads ICC_BPR1_EL1 at the minimum + 1, not 0 (below the
        minimum, where QEMU's GIC model asserts at the first
        interrupt)."""
        vm = rp.PayloadRun(QEMU, PAYLOAD, rp.MODE_EL2_BPR)
        self.addCleanup(vm.close)
        end = vm.read_until_stopped(lambda l: l == "END", timeout=60)
        r = vm.results()
        alive = vm.proc.poll() is None
        status = vm.quit()
        stderr = vm.stderr.decode(errors="replace")
        self.assertTrue(alive, stderr[-2000:])
        self.assertEqual((end, status), ("END", 0), stderr[-2000:])
        self.assertGreaterEqual(r["reset-bpr"]["bpr1"], 1, "below minimum")
        t = r["timer-poll"]
        self.assertEqual((t["pending"], t["iar"]), (1, VTIMER_PPI))
        self.assertEqual(r["timer-irq"]["intid"], VTIMER_PPI)


if __name__ == "__main__":
    unittest.main()
