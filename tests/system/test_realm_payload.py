# SPDX-License-Identifier: GPL-2.0-or-later
"""A hostile realm must not crash or confuse its host, and sees what Arm's
RMM on hardware gives it: small bare-metal realm payloads
(tests/realm/payload.c) check the architected outcome of

- every kind of access to a page the realm made RIPAS EMPTY (loads,
  stores, exclusives, atomics, instruction fetch, a stage-1 walk through
  such a page, a second vCPU racing the change): a synchronous external
  abort with the syndrome the monitor injects, FAR and ELR at the access,
  and the realm runs on;
- HVC: undefined at EL1 with ELR past the HVC (the monitor traps it),
  undefined at EL0 with ELR at it;
- the realm's ID registers and the features behind them (no SVE, no PMU,
  no SME, no MTE; breakpoints and watchpoints as its realm parameters);
- the host's register views (HMP info registers, gdbstub g/p/P,
  query-cpus-fast): the realm's registers are not available.
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
LOADS = ["ldrb", "ldrh", "ldrw", "ldrx", "ldp", "ldxr", "ldar"]
STORES = ["strb", "strh", "strw", "strx", "stp", "stxr", "stlr"]
ATOMICS = ["ldadd", "swp", "cas"]
PRIMS = LOADS + STORES + ATOMICS + ["exec"]


def field(value, lsb, width=4):
    return (value >> lsb) & ((1 << width) - 1)


@unittest.skipUnless(os.path.exists(PAYLOAD), "no payload (make payload)")
class RealmCases(unittest.TestCase):
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
        cls.end = cls.vm.read_until(lambda l: l == "END", timeout=120)
        cls.r = cls.vm.results()
        cls.alive = cls.vm.proc.poll() is None
        cls.status = cls.vm.quit()
        cls.log = cls.vm.guest_log()
        cls.console = "\n".join(cls.vm.lines)
        cls.vm.close()
        try:
            with open(cls.plan_path) as f:
                cls.plan = f.read()
            os.unlink(cls.plan_path)
        except OSError:
            cls.plan = ""

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


def gdb_packet(sock, payload, timeout=10):
    """Send one RSP packet, return the reply's payload."""
    csum = sum(payload.encode()) & 0xff
    sock.sendall(f"${payload}#{csum:02x}".encode())
    sock.settimeout(timeout)
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("gdbstub closed")
        data += chunk
        m = re.search(rb"\$([^#]*)#[0-9a-f]{2}", data)
        if m:
            sock.sendall(b"+")
            return m.group(1).decode()


SECRET = 0x5ec2e7a11ce0f00d


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


if __name__ == "__main__":
    unittest.main()
