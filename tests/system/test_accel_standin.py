# SPDX-License-Identifier: GPL-2.0-or-later
"""The aarch64 qemu-system-aarch64 (make cross), as users run it with
-accel virtcca, against the kernel stand-in (the real thing needs CCA
hardware).

Under qemu-user, an LD_PRELOAD library (tests/tmm/kvm/kvm-standin-preload.c)
makes "/dev/kvm" the stand-in: QEMU's own KVM code, the accelerator, the
machine's launch plan and the vCPU set-up all meet a kernel that answers
with its rules and errno.  For each host API (openEuler virtCCA; upstream
CCA revisions 12, 13 and 14) the default guest's realm is launched up to
its first instructions: the stand-in's monitor checks the REC's entry
state (PC in the realm's measured memory, x0 its DTB, MPIDR the vCPU's),
reads the realm's RIM as the realm would, and powers the realm off.  A
mainline kernel without realms gives the documented error.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import guest

TOP = os.path.join(os.path.dirname(__file__), "..", "..")
BUILD = os.environ.get("VIRTCCA_BUILD", os.path.join(TOP, "build"))
CROSS_QEMU = os.path.join(BUILD, "cross", "qemu-system-aarch64")
PRELOAD = os.path.join(BUILD, "standin", "kvm-standin-preload.so")
MEASURE = os.path.join(BUILD, "tmm", "virtcca-measure")
STANDIN_RUN = os.path.join(BUILD, "tmm", "tests", "tmm", "kvm",
                           "virtcca-kvm-standin-run")
QEMU_USER = shutil.which("qemu-aarch64-static")

APIS = ("openeuler", "upstream-12", "upstream-13", "upstream-14")
OPENEULER_CALLS = ["CREATE_VM", "CONFIG_CVM", "CONFIG_CVM", "CONFIG_CVM",
                   "CREATE_RD", "LOAD_USER_DATA", "POPULATE_CVM"]
UPSTREAM_CALLS = ["CREATE_VM", "CONFIG_REALM", "CONFIG_REALM",
                  "CREATE_GUEST_MEMFD", "SET_MEMORY_ATTRIBUTES",
                  "SET_MEMORY_ATTRIBUTES", "RMI_POPULATE", "RMI_POPULATE"]


def standin(api, *args, report=None, timeout=300, stdin=None):
    """Run the aarch64 binary with "/dev/kvm" standing for kernel API."""
    env = ["-E", "LD_PRELOAD=" + PRELOAD, "-E", "VIRTCCA_KVM_STANDIN=" + api]
    if report:
        env += ["-E", "VIRTCCA_KVM_STANDIN_REPORT=" + report]
    return subprocess.run([QEMU_USER, *env, CROSS_QEMU, *args],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, input=stdin)


def realm_args(obj_options="", machine_options="", smp=1):
    image = guest.default_guest()
    return ["-accel", "virtcca",
            "-object", "virtcca-guest,id=cca0" + obj_options,
            "-M", "virtcca,confidential-guest-support=cca0" + machine_options,
            "-m", "512M", "-smp", str(smp), "-display", "none",
            "-nic", "none", "-serial", "none", "-monitor", "none",
            "-kernel", image.kernel, "-initrd", image.initrd]


@unittest.skipUnless(os.path.exists(CROSS_QEMU),
                     "no aarch64 cross build (make cross)")
@unittest.skipUnless(os.path.exists(PRELOAD),
                     "no stand-in library (make standin-preload)")
@unittest.skipUnless(QEMU_USER, "qemu-user-static is not installed "
                     "(scripts/install-cross-deps.sh)")
class AccelAgainstStandin(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def launch(self, api, smp=1, hash_name="sha256"):
        """Launch the realm; the stand-in's report and the measurement
        log."""
        tag = f"{api}-{smp}-{hash_name}"
        report, log = self.path(tag + ".json"), self.path(tag + ".plan")
        proc = standin(api, *realm_args(
            f",measurement-algorithm={hash_name},measurement-log={log}",
            smp=smp), report=report)
        # The realm powered itself off: QEMU shuts down, exit status 0.
        self.assertEqual(proc.returncode, 0, proc.stdout)
        with open(report) as f:
            return json.load(f), log

    def predicted_rim(self, api, log, smp):
        """virtcca-measure over the log, the images and the DTB the
        accelerator's machine builds (dumped through the same binary); the
        in-process stand-in agrees."""
        dtb = self.path(f"{api}-{smp}.dtb")
        proc = standin(api, *realm_args(machine_options=",dumpdtb=" + dtb,
                                        smp=smp))
        self.assertEqual(proc.returncode, 0, proc.stdout)
        image = guest.default_guest()
        images = ["--image", "kernel=" + image.kernel,
                  "--image", "initrd=" + image.initrd, "--image", "dtb=" + dtb]
        m = subprocess.run([MEASURE, "--plan", log, "--json"] + images,
                           stdout=subprocess.PIPE, text=True, check=True)
        rim = json.loads(m.stdout)["rim"]
        # The same plan replayed through the ioctl layer in one process.
        api_args = (["openeuler"] if api == "openeuler" else
                    ["upstream", "--revision", api.split("-")[1]])
        r = subprocess.run([STANDIN_RUN, "--api", *api_args, "--plan", log,
                            "--json"] + images,
                           stdout=subprocess.PIPE, text=True, check=True)
        self.assertEqual(json.loads(r.stdout)["rim"], rim)
        return rim

    def check_launch(self, api, smp):
        report, log = self.launch(api, smp)
        with open(log) as f:
            recs = [line.split() for line in f if line.startswith("rec ")]
        boot = dict(field.split("=") for field in recs[0][1:])
        self.assertTrue(report["realm"])
        self.assertEqual(report["stage"], "active")
        self.assertEqual(report["recs"], smp)
        self.assertGreater(report["data_granules"], 10000)
        # The ioctl sequence each API's kernel documents.
        if api == "openeuler":
            expected = OPENEULER_CALLS + ["FINALIZE"] * smp + \
                       ["ACTIVATE_CVM", "RUN"]
        else:
            expected = UPSTREAM_CALLS + ["RUN"]
        self.assertEqual(report["calls"].split(","), expected)
        # What the host set up reached the boot REC.
        entry = report["entry"]
        self.assertEqual(int(entry["pc"], 16), int(boot["pc"], 16))
        self.assertEqual(int(entry["x0"], 16), int(boot["x0"], 16))
        self.assertEqual(entry["mpidr"], entry["vcpu_mpidr"])
        self.assertTrue(entry["pc_in_realm_ram"])
        self.assertTrue(entry["x0_is_dtb"])
        # Secondaries wait for PSCI CPU_ON: not runnable, as measured.
        self.assertEqual([r[3] for r in recs],
                         ["runnable=1"] + ["runnable=0"] * (smp - 1))
        return report["rim"], log

    def test_each_api_launches_the_predicted_realm(self):
        rims = {}
        for api in APIS:
            with self.subTest(api=api):
                rims[api], log = self.check_launch(api, 1)
        self.assertEqual(len(set(rims.values())), 1, rims)
        self.assertEqual(rims["openeuler"],
                         self.predicted_rim("openeuler", log, 1))

    def test_four_vcpus(self):
        for api in ("openeuler", "upstream-14"):
            with self.subTest(api=api):
                rim, log = self.check_launch(api, 4)
                self.assertEqual(rim, self.predicted_rim(api, log, 4))

    def test_sha512(self):
        report, _ = self.launch("upstream-14", hash_name="sha512")
        self.assertEqual(report["hash"], "sha512")
        self.assertEqual(len(report["rim"]), 128)

    def test_mainline_kernel_is_refused(self):
        proc = standin("mainline", *realm_args())
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("/dev/kvm: this host kernel offers neither openEuler "
                      "virtCCA (KVM_CAP_ARM_TMM) nor Arm CCA realms",
                      proc.stdout)

    def test_bad_options_name_the_option(self):
        cases = [("openeuler", ",sve-vector-length=128",
                  "sve-vector-length"),
                 ("upstream-14", ",num-pmu-counters=4", "num-pmu-counters"),
                 ("openeuler", ",rak-key=/dev/null",
                  "the attestation keys belong to the host's monitor")]
        for api, option, words in cases:
            with self.subTest(api=api, option=option):
                proc = standin(api, *realm_args(option))
                self.assertNotEqual(proc.returncode, 0)
                self.assertIn(words, proc.stdout)

    def test_capabilities_come_from_the_kernel(self):
        script = "".join(json.dumps({"execute": c}) + "\n" for c in
                         ("qmp_capabilities", "query-virtcca-capabilities",
                          "quit"))
        expected = {"openeuler": ("openeuler-virtcca", "2.0"),
                    "upstream-14": ("upstream-cca", None)}
        for api, (name, tmi) in expected.items():
            with self.subTest(api=api):
                proc = standin(api, *realm_args(), "-S", "-qmp", "stdio",
                               stdin=script)
                caps = [msg["return"] for msg in
                        map(json.loads, (line for line in
                                         proc.stdout.splitlines()
                                         if line.startswith("{")))
                        if "api" in msg.get("return", {})]
                self.assertEqual(len(caps), 1, proc.stdout)
                self.assertEqual(caps[0]["api"], name)
                self.assertEqual(caps[0].get("tmi-version"), tmi)
                self.assertEqual(caps[0]["hash-algorithms"],
                                 ["sha256", "sha512"])
                self.assertEqual(caps[0]["max-ipa-bits"], 48)

    def test_registers_after_launch_belong_to_the_monitor(self):
        """Before launch QEMU's copy is what it will set; after, the REC
        holds the registers and the host has none to show."""
        qmp_path, gdb_path = self.path("qmp.sock"), self.path("gdb.sock")
        args = realm_args() + ["-S", "-action", "shutdown=pause",
                               "-qmp", f"unix:{qmp_path},server=on,wait=off",
                               "-gdb", f"unix:{gdb_path},server=on,wait=off"]
        env = ["-E", "LD_PRELOAD=" + PRELOAD,
               "-E", "VIRTCCA_KVM_STANDIN=openeuler"]
        proc = subprocess.Popen([QEMU_USER, *env, CROSS_QEMU, *args],
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            qmp = guest.Qmp(qmp_path, timeout=120)
            self.assertIn("PC=", qmp.hmp("info registers"))
            qmp.cmd("cont")
            deadline = time.monotonic() + 120
            while not any(e["event"] == "SHUTDOWN" for e in qmp.events):
                self.assertLess(time.monotonic(), deadline, qmp.events)
                time.sleep(0.2)
                qmp.cmd("query-status")
            self.assertEqual(qmp.cmd("query-status")["return"]["status"],
                             "shutdown")
            regs = qmp.hmp("info registers")
            self.assertIn("registers not available: -accel virtcca: the "
                          "realm's registers belong to the host's monitor",
                          regs)
            self.assertNotIn("PC=", regs)
            gdb = socket.socket(socket.AF_UNIX)
            gdb.connect(gdb_path)
            self.assertTrue(guest.gdb_packet(gdb, "g").startswith("E"))
            gdb.close()
            # A realm cannot be rebuilt in place: a reset is a shutdown,
            # never a KVM_ARM_VCPU_INIT of its RECs.
            self.assertEqual(qmp.cmd("system_reset"), {"return": {}})
            time.sleep(1)
            self.assertEqual(qmp.cmd("query-status")["return"]["status"],
                             "shutdown")
            qmp.cmd("quit")
            qmp.close()
            self.assertEqual(proc.wait(timeout=60), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
            out = proc.communicate()[0]
        self.assertNotIn("Aborted", out)


if __name__ == "__main__":
    unittest.main()
