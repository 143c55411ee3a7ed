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
DESTROY_PAGE = PLAY_BASE + 0x40 * 4096
OUTSIDE_PAGE = 0x100000000
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
        cls.destroy_errors = []
        while True:
            cls.end = cls.vm.read_until(
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

    def test_ram_outside_the_realms_memory_aborts(self):
        r = self.r["outside-ram"]
        self.assertEqual((r["status"], r["ripas"]), (0, 1))
        self.check_sea("outside-ldrx", OUTSIDE_PAGE + 8,
                       self.r["outside-ldrx"]["fn"])
        self.check_sea("outside-exec", OUTSIDE_PAGE, OUTSIDE_PAGE,
                       ec=EC_IABT_CUR)
        self.assertIn(f"realm access to protected IPA {OUTSIDE_PAGE + 8:#x} "
                      "(RIPAS RAM, outside the realm's memory): synchronous "
                      "external abort", self.log)

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
        # Nothing is there to destroy: refused, with the monitor's status
        reply = self.destroy(page + 0x100000)
        self.assertIn("RMI_DATA_DESTROY at IPA 0x", reply["error"]["desc"])
        reply = self.destroy(page + 8)
        self.assertIn("error", reply, "unaligned IPA")
        self.assertNotIn("error", self.destroy(page))
        self.assertIsNotNone(self.vm.read_until(
            lambda l: l.startswith("R buffer-page")))
        self.assertEqual(self.vm.results()["buffer-page"]["ripas"], 2)
        self.wait_stopped(f"the realm's RSI buffer at IPA {page:#x} is "
                          "DESTROYED")

    def test_buffer_in_ram_outside_the_realms_memory_stops_it(self):
        self.start(rp.MODE_BUFFER_OUTSIDE_RAM)
        self.assertIsNotNone(self.vm.read_until(
            lambda l: l.startswith("R buffer-page")))
        self.assertEqual(self.vm.results()["buffer-page"]["ripas"], 1)
        self.wait_stopped(f"the realm's RSI buffer at IPA {OUTSIDE_PAGE:#x} "
                          "is RAM outside the realm's memory")


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
