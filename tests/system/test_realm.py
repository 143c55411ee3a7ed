# SPDX-License-Identifier: GPL-2.0-or-later
"""The default guest as a realm on -M virtcca under TCG: it boots, finds
RSI 1.0, and hands out an attestation token that an independent checker
(python3-cbor2 + python3-cryptography) verifies, with a RIM equal to the
one virtcca-measure predicts from the images without running QEMU."""

import base64
import json
import os
import subprocess
import sys
import tempfile
import unittest

import guest

TOP = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(TOP, "scripts"))
import virtcca_token  # noqa: E402

BUILD = os.environ.get("VIRTCCA_BUILD", os.path.join(TOP, "build"))
QEMU = os.path.join(BUILD, "qemu", "qemu-system-aarch64")
MEASURE = os.path.join(BUILD, "tmm", "virtcca-measure")
CHALLENGE = bytes(range(0x40, 0x80))


write_key = guest.write_p384_key


class RealmBoot(unittest.TestCase):
    """One realm boot with two vCPUs, its console and report shared by the
    checks."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        t = cls.tmp.name
        cls.platform_pub = write_key(os.path.join(t, "iak.pem"))
        write_key(os.path.join(t, "rak.pem"))
        cls.log = os.path.join(t, "plan.txt")
        cls.dtb = os.path.join(t, "realm.dtb")
        cls.image = guest.default_guest()
        rpv = base64.b64encode(b"virtcca test realm").decode()
        obj = ("virtcca-guest,id=cca0,measurement-algorithm=sha256,"
               f"personalization-value={rpv},"
               f"rak-key={t}/rak.pem,platform-key={t}/iak.pem,"
               f"measurement-log={cls.log}")
        cls.args = ["-M", "virtcca,confidential-guest-support=cca0",
                    "-object", obj, "-m", "512M", "-smp", "2",
                    "-nic", "none", "-no-reboot"]
        append = "virtcca.challenge=" + CHALLENGE.hex()
        append += " virtcca.cpuhotplug=1"
        cls.report, cls.console, cls.status = guest.run(
            [QEMU] + cls.args + cls.image.args(append), timeout=300)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_boots_as_realm(self):
        self.assertIn("RME: Using RSI version 1.0", self.console)
        self.assertEqual(self.report.get("realm"), "yes", self.report)
        self.assertEqual(self.report.get("module_arm_cca_guest"), "ok")
        self.assertEqual(self.status, 0)

    def test_secondary_vcpu_through_psci(self):
        # CPU_ON at boot, then CPU_OFF, AFFINITY_INFO polling and CPU_ON
        # again when the guest offlines and re-onlines CPU 1: each goes
        # through the monitor's REC state and RMI_PSCI_COMPLETE.
        self.assertEqual(self.report.get("cpus"), "2", self.report)
        self.assertEqual(self.report.get("cpus_online"), "0-1")
        self.assertEqual(self.report.get("cpu_hotplug"), "ok", self.report)
        self.assertEqual(self.report.get("cpus_online_after"), "0-1")
        self.assertIn("psci: CPU1 killed", self.console)
        # The measurement log lists one REC per vCPU, as the RIM does.
        with open(self.log) as f:
            self.assertEqual(sum(1 for line in f
                                 if line.startswith("rec ")), 2)

    def test_token_verifies_and_rim_matches(self):
        token = base64.b64decode(self.report["token_b64"])
        # The step's time, which make bench reports, was measured.
        self.assertGreater(float(self.report["attestation_s"]), 0)
        # The RIM a relying party computes from the images and the log.
        dtb = subprocess.run(
            [QEMU] + [a.replace("virtcca,", "virtcca,dumpdtb=%s," % self.dtb)
                      if a.startswith("virtcca,") else a
                      for a in self.args] +
            self.image.args("virtcca.challenge=" + CHALLENGE.hex() +
                            " virtcca.cpuhotplug=1"),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(dtb.returncode, 0, dtb.stdout)
        m = subprocess.run(
            [MEASURE, "--plan", self.log, "--json",
             "--image", "kernel=" + self.image.kernel,
             "--image", "initrd=" + self.image.initrd,
             "--image", "dtb=" + self.dtb],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(m.returncode, 0, m.stderr)
        rim = json.loads(m.stdout)["rim"]
        claims = virtcca_token.verify_token(token, self.platform_pub,
                                            challenge=CHALLENGE,
                                            rim=bytes.fromhex(rim))
        self.assertIsNotNone(claims)


if __name__ == "__main__":
    unittest.main()


class RealmFourVcpus(unittest.TestCase):
    """The default guest as a realm on four vCPUs: each REC entered through
    PSCI CPU_ON, SGIs between them through the host, a virtio device's
    MSI-X vectors spread over them."""

    def test_boots_attests_and_uses_a_device(self):
        image = guest.default_guest()
        report, console, status = guest.run(
            [QEMU, "-M", "virtcca,confidential-guest-support=cca0",
             "-object", "virtcca-guest,id=cca0", "-m", "512M",
             "-smp", "4", "-nic", "none", "-no-reboot",
             "-device", "virtio-rng-pci"] +
            image.args("virtcca.rng=1 virtcca.challenge=" + CHALLENGE.hex()),
            timeout=300)
        self.assertEqual(report.get("realm"), "yes", report)
        self.assertEqual(report.get("cpus"), "4", report)
        self.assertEqual(report.get("cpus_online"), "0-3", report)
        self.assertEqual(report.get("attestation"), "ok", report)
        self.assertEqual(report.get("rng"), "ok", report)
        self.assertGreater(int(report["msi_count"]), 0, report)
        self.assertEqual(status, 0)


def start_held_realm(tmp, append, **popen):
    """The default guest as a 512 MiB realm that stays up after its report
    (virtcca.hold=1): its console in a file and a QMP socket in @tmp.
    Returns (proc, console path, QMP socket path)."""
    console = os.path.join(tmp, "console.log")
    sock = os.path.join(tmp, "qmp.sock")
    proc = subprocess.Popen(
        [QEMU, "-M", "virtcca,confidential-guest-support=cca0",
         "-object", "virtcca-guest,id=cca0", "-m", "512M",
         "-nic", "none", "-display", "none", "-serial", "file:" + console,
         "-qmp", f"unix:{sock},server=on,wait=off"] +
        guest.default_guest().args("virtcca.hold=1 " + append), **popen)
    return proc, console, sock


class RealmRamInBlocks(unittest.TestCase):
    """The host backs protected RAM the realm had not touched at all in
    whole 2 MiB blocks (folded into one RTT entry), splitting them where
    the realm makes part or all of one EMPTY: a Linux realm boots, makes
    its 64 MiB of bounce buffers EMPTY, and goes on."""

    def test_untouched_blocks_are_backed_whole(self):
        with tempfile.TemporaryDirectory() as t:
            proc, console, sock = start_held_realm(
                t, "virtcca.attest=0 virtcca.deadline=120",
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            try:
                report, _ = guest.wait_report(console, proc, timeout=300)
                qmp = guest.Qmp(sock)
                info = qmp.cmd("query-virtcca")["return"]
                qmp.close()
            finally:
                proc.kill()
                proc.wait()
        self.assertEqual(report.get("realm"), "yes", report)
        populates = sum(e["populate"] for e in info["exits"])
        # The granules given at first touch, past those of the images
        # (kernel, initramfs; the DTB's few are in the margin) that the
        # host populated before the realm ran: more per first-touch exit
        # than the 64 KiB fault-around (16) could give.
        images = sum(-(-os.path.getsize(f) // 4096)
                     for f in guest.default_guest())
        touched = info["granules"]["data"] - images
        self.assertGreater(touched, 16 * populates, (touched, info))
        # The bounce buffers were made EMPTY (whole blocks among them;
        # test_realm_payload checks that their granules go back).
        self.assertGreaterEqual(info["ripas-empty-bytes"], 64 << 20, info)


class RealmDevices(unittest.TestCase):
    """virtio-blk, virtio-net (slirp) and virtio-rng inside a realm, all
    bounce-buffered through shared memory."""

    def test_blk_net_rng(self):
        import hashlib
        import http.server
        import threading

        with tempfile.TemporaryDirectory() as t:
            blob = os.urandom(200000)
            with open(os.path.join(t, "blob"), "wb") as f:
                f.write(blob)
            disk = os.path.join(t, "disk.raw")
            with open(disk, "wb") as f:
                f.truncate(16 << 20)

            class Handler(http.server.SimpleHTTPRequestHandler):
                def __init__(self, *a, **kw):
                    super().__init__(*a, directory=t, **kw)

                def log_message(self, *a):
                    pass

            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
            threading.Thread(target=server.serve_forever,
                             daemon=True).start()
            port = server.server_address[1]
            try:
                image = guest.default_guest()
                report, console, status = guest.run(
                    [QEMU, "-M", "virtcca,confidential-guest-support=cca0",
                     "-object", "virtcca-guest,id=cca0", "-m", "512M",
                     "-no-reboot",
                     "-drive", f"file={disk},if=none,id=d0,format=raw",
                     "-device", "virtio-blk-pci,drive=d0",
                     "-device", "virtio-rng-pci",
                     "-netdev", "user,id=n0",
                     "-device", "virtio-net-pci,netdev=n0"] +
                    image.args("virtcca.blk=1 virtcca.rng=1 "
                               f"virtcca.net=http://10.0.2.2:{port}/blob "
                               "virtcca.attest=0"),
                    timeout=300)
            finally:
                server.shutdown()
                server.server_close()

        self.assertEqual(report.get("realm"), "yes", report)
        # virtcca.attest=0 (the boot benchmark's same-work run): no token.
        self.assertEqual(report.get("attestation"), "skipped", report)
        self.assertNotIn("token_b64", report)
        # Every device negotiated VIRTIO_F_ACCESS_PLATFORM.
        self.assertEqual(len(report["virtio_access_platform"].split(",")), 3)
        self.assertEqual(report.get("blk_rw"), "ok", report)
        self.assertEqual(report.get("rng"), "ok", report)
        self.assertEqual(report.get("net"), "ok", report)
        self.assertEqual(report.get("net_sha256"),
                         hashlib.sha256(blob).hexdigest())
        # The devices interrupt through MSI-X, the ITS and the realm's
        # virtual CPU interface: every vector of the three, and they fired.
        self.assertGreaterEqual(int(report["msi_vectors"]), 3, report)
        self.assertGreater(int(report["msi_count"]), 0, report)
        self.assertEqual(status, 0)


class Qmp(guest.Qmp):
    """guest.Qmp whose hmp() returns the whole reply, so that these tests
    can look at a refused command's error."""

    def hmp(self, line):
        return self.cmd("human-monitor-command", **{"command-line": line})


def wait_console_report(test, proc, console, timeout=180):
    """Wait until the guest of QEMU @proc has written its report to the
    file @console (-serial file:); return the report."""
    import time
    deadline = time.time() + timeout
    text = ""
    while "VIRTCCA-REPORT-END" not in text:
        test.assertLess(time.time(), deadline, text[-2000:])
        test.assertIsNone(proc.poll(), text[-2000:])
        time.sleep(0.5)
        if os.path.exists(console):
            with open(console, errors="replace") as f:
                text = f.read()
    return guest.parse_report(text.replace("\r", ""))


class RealmSecrets(unittest.TestCase):
    """A secret the realm keeps in its memory never reaches what the host
    can read: pmemsave, dump-guest-memory, device DMA; and saving or
    migrating the realm is refused."""

    SEED = "a5d1e0c3"

    @staticmethod
    def marker():
        import hashlib
        return hashlib.sha256(
            ("virtcca-secret-" + RealmSecrets.SEED).encode()).hexdigest()

    def run_guest(self, realm, inspect):
        image = guest.default_guest()
        with tempfile.TemporaryDirectory() as t:
            sock = os.path.join(t, "qmp.sock")
            console = os.path.join(t, "console.log")
            args = [QEMU, "-M", "virtcca" +
                    (",confidential-guest-support=cca0" if realm else ""),
                    "-m", "512M", "-nic", "none", "-display", "none",
                    "-serial", "file:" + console,
                    "-qmp", f"unix:{sock},server=on,wait=off"]
            if realm:
                args += ["-object", "virtcca-guest,id=cca0"]
            args += image.args(f"virtcca.secret={self.SEED} virtcca.hold=1 "
                               "virtcca.deadline=240 nokaslr")
            proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
            try:
                report = wait_console_report(self, proc, console)
                self.assertEqual(report.get("secret"), "held", report)
                qmp = Qmp(sock)
                try:
                    return inspect(qmp, t, report)
                finally:
                    qmp.cmd("quit")
                    qmp.close()
            finally:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                proc.stdout.close()

    def host_views(self, qmp, tmp):
        """Everything the host's monitor can read of the guest's memory."""
        views = {}
        ram = os.path.join(tmp, "ram.bin")
        r = qmp.cmd("pmemsave", val=0x40000000, size=512 << 20,
                    filename=ram)
        self.assertIn("return", r)
        with open(ram, "rb") as f:
            views["pmemsave of DRAM"] = f.read()
        os.unlink(ram)
        dump = os.path.join(tmp, "dump.elf")
        r = qmp.cmd("dump-guest-memory", paging=False,
                    protocol="file:" + dump)
        if "return" in r:
            with open(dump, "rb") as f:
                views["dump-guest-memory"] = f.read()
            os.unlink(dump)
        else:
            views["dump-guest-memory refused"] = r["error"]["desc"]
        return views

    # The kernel image's first page: with nokaslr, arm64 kernels with a
    # 48-bit minimum VA put _text here.  (A realm's PC is not the host's
    # to read: info registers withholds it.)
    KERNEL_TEXT_VA = "0xffff800080000000"

    @classmethod
    def guest_pc(cls, qmp):
        return cls.KERNEL_TEXT_VA

    @staticmethod
    def gdb_read(qmp, addr):
        """Read 16 bytes at @addr through QEMU's gdbstub (RSP 'm').
        Returns (error, hex data)."""
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        r = qmp.hmp(f"gdbserver tcp:127.0.0.1:{port}")
        assert "error" not in r, r
        with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
            reply = guest.gdb_packet(s, "m%x,10" % int(addr, 16), 20)
            s.sendall(b"$D#44")
        qmp.hmp("gdbserver none")
        qmp.cmd("cont")
        if reply.startswith("E"):
            return reply, ""
        return "", reply

    def test_plain_guest_secret_is_visible(self):
        """The control: outside a realm the host does see the secret, so
        the realm checks below are able to fail."""
        marker = self.marker().encode()

        def inspect(qmp, tmp, report):
            views = self.host_views(qmp, tmp)
            self.assertIn(marker, views["pmemsave of DRAM"])
            self.assertIn(marker, views["dump-guest-memory"])
            # The monitor reads guest memory through the vCPU's view.
            out = qmp.hmp("x /4xw " + self.guest_pc(qmp))["return"]
            self.assertNotIn("Cannot access memory", out)
            self.assertEqual(self.gdb_read(qmp, self.guest_pc(qmp))[0], "")
            info = qmp.cmd("query-virtcca")["return"]
            self.assertFalse(info["realm"])

        self.run_guest(False, inspect)

    def test_realm_secret_stays_private(self):
        marker = self.marker().encode()

        def inspect(qmp, tmp, report):
            self.assertEqual(report.get("realm"), "yes", report)
            views = self.host_views(qmp, tmp)
            for name, data in views.items():
                if isinstance(data, bytes):
                    self.assertNotIn(marker, data, name)
            # A dump is refused outright, as virtCCA does.
            self.assertIn("cannot be dumped",
                          views.get("dump-guest-memory refused", ""), views)
            # The Secure DRAM itself, from the host: the TZASC refuses it.
            sec = os.path.join(tmp, "secure.bin")
            r = qmp.cmd("pmemsave", val=0x4000000000, size=64 << 20,
                        filename=sec)
            if "return" in r:
                with open(sec, "rb") as f:
                    data = f.read()
                self.assertNotIn(marker, data)
                self.assertEqual(data.count(0), len(data))
            # ... and reports it.
            qmp.cmd("query-status")
            ev = [e for e in qmp.events if e["event"] == "TZASC_VIOLATION"]
            self.assertTrue(ev, qmp.events)
            self.assertGreaterEqual(ev[0]["data"]["address"], 0x4000000000)
            self.assertFalse(ev[0]["data"]["secure"])
            # Saving and migrating are refused with virtcca's reason.
            r = qmp.hmp("savevm snap0")
            self.assertIn("realm", r.get("return", ""), r)
            r = qmp.cmd("migrate", uri="exec:cat >/dev/null")
            self.assertIn("error", r)
            self.assertIn("realm", r["error"]["desc"])
            # ... and the realm keeps running.
            r = qmp.cmd("query-status")
            self.assertEqual(r["return"]["status"], "running")
            # The monitor and gdbstub cannot read realm memory through the
            # vCPU's view either.
            regs = qmp.hmp("info registers")["return"]
            self.assertIn("registers not available", regs)
            self.assertNotIn("PC=", regs)
            pc = self.guest_pc(qmp)
            out = qmp.hmp("x /4xw " + pc)["return"]
            self.assertIn("Cannot access memory", out)
            err, _ = self.gdb_read(qmp, pc)
            self.assertTrue(err.startswith("E"), err)
            # The operator's view counts what was refused.
            info = qmp.cmd("query-virtcca")["return"]
            self.assertTrue(info["realm"])
            self.assertEqual(info["state"], "active")
            self.assertEqual(len(info["rim"]), 64)
            self.assertEqual(len(info["rems"]), 4)
            self.assertGreater(info["granules"]["data"], 0)
            self.assertEqual(info["granules"]["rd"], 1)
            self.assertGreater(info["ripas-empty-bytes"], 0)   # swiotlb
            self.assertGreater(info["ripas-ram-bytes"], 256 << 20)
            self.assertGreater(info["host-refused"], 0)
            self.assertGreater(info["tzasc-violations"], 0)
            text = qmp.hmp("info virtcca")["return"]
            self.assertIn("realm: yes", text)
            self.assertIn("RIM:  " + info["rim"], text)

        self.run_guest(True, inspect)


class RealmPowerButton(unittest.TestCase):
    """system_powerdown (virsh shutdown's default without an agent)
    presses the machine's power button; the realm powers itself off."""

    def test_system_powerdown_powers_the_realm_off(self):
        with tempfile.TemporaryDirectory() as t:
            proc, console, sock = start_held_realm(
                t, "virtcca.deadline=240", stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT)
            try:
                report = wait_console_report(self, proc, console)
                self.assertEqual(report.get("realm"), "yes", report)
                self.assertTrue(report.get("power_button", "").startswith(
                    "/dev/input/event"), report)
                qmp = Qmp(sock)
                self.assertIn("return", qmp.cmd("system_powerdown"))
                self.assertEqual(proc.wait(timeout=60), 0)
                qmp.close()
                with open(console, errors="replace") as f:
                    self.assertIn("power button pressed, powering off",
                                  f.read())
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                proc.stdout.close()


class RealmOptions(unittest.TestCase):
    """virtCCA's spelling (tmm-guest, measurement-algo), SHA-512 and the
    personalization value reach the token; bad options fail clearly."""

    def test_tmm_guest_sha512_rpv(self):
        rpv = bytes(range(100, 164))
        with tempfile.TemporaryDirectory() as t:
            platform_pub = write_key(os.path.join(t, "iak.pem"))
            log, dtb = os.path.join(t, "plan.txt"), os.path.join(t, "dtb")
            obj = ("tmm-guest,id=tmm0,measurement-algo=sha512,"
                   "personalization-value=" + base64.b64encode(rpv).decode()
                   + f",platform-key={t}/iak.pem,measurement-log={log}")
            image = guest.default_guest()
            args = ["-object", obj, "-m", "512M", "-nic", "none",
                    "-no-reboot"]
            report, console, status = guest.run(
                [QEMU, "-M", "virtcca,confidential-guest-support=tmm0"] +
                args + image.args(), timeout=300)
            self.assertEqual(report.get("realm"), "yes", report)
            subprocess.run([QEMU, "-M", "virtcca,dumpdtb=" + dtb +
                            ",confidential-guest-support=tmm0"] + args +
                           image.args(), check=True,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            m = subprocess.run(
                [MEASURE, "--plan", log, "--json",
                 "--image", "kernel=" + image.kernel,
                 "--image", "initrd=" + image.initrd, "--image", "dtb=" + dtb],
                stdout=subprocess.PIPE, text=True, check=True)
            rim = json.loads(m.stdout)["rim"]
            self.assertEqual(len(rim), 128)
            claims = virtcca_token.verify_token(
                base64.b64decode(report["token_b64"]), platform_pub,
                challenge=bytes.fromhex(report["challenge"]),
                rim=bytes.fromhex(rim))
            self.assertEqual(claims["realm"]["hash_algo"], "sha-512")
            self.assertEqual(claims["realm"]["personalization_value"],
                             rpv.hex())

    def test_bad_options_are_named(self):
        image = guest.default_guest()
        cases = (
            ("virtcca-guest,id=c,measurement-algorithm=md5",
             [], "measurement-algorithm"),
            ("virtcca-guest,id=c,personalization-value=" +
             base64.b64encode(bytes(65)).decode(), [],
             "personalization-value"),
            ("virtcca-guest,id=c,sve-vector-length=256", [],
             "sve-vector-length"),
            ("virtcca-guest,id=c,num-pmu-counters=4", [],
             "num-pmu-counters"),
            ("virtcca-guest,id=c,rak-key=/nonexistent/rak.pem", [],
             "/nonexistent/rak.pem"),
        )
        for obj, extra, word in cases:
            p = subprocess.run(
                [QEMU, "-M", "virtcca,confidential-guest-support=c",
                 "-object", obj, "-m", "256M", "-nic", "none", "-display",
                 "none", *extra] + image.args(),
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                timeout=60)
            self.assertNotEqual(p.returncode, 0, obj)
            self.assertIn(word, p.stdout, obj)
        # Too little secure memory for the realm, given explicitly.
        p = subprocess.run(
            [QEMU, "-M", "virtcca,confidential-guest-support=c,"
             "secure-memory-size=64M", "-object", "virtcca-guest,id=c",
             "-m", "256M", "-nic", "none", "-display", "none"] +
            image.args(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("secure-memory-size", p.stdout)
