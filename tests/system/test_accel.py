# SPDX-License-Identifier: GPL-2.0-or-later
"""-accel virtcca and query-virtcca-capabilities.

Under TCG the capabilities are those of the TMM built into QEMU.  The
accelerator exists only where KVM does (an aarch64 host): the native x86
binary must not list it and must refuse it; the aarch64 cross-built binary
(make cross), run under qemu-user-static, must list it and must refuse to
start without a host kernel offering realms, saying what is missing.
"""

import json
import os
import shutil
import subprocess
import unittest

import guest

BUILD = os.environ.get("VIRTCCA_BUILD", os.path.join(
    os.path.dirname(__file__), "..", "..", "build"))
QEMU = os.path.join(BUILD, "qemu", "qemu-system-aarch64")
CROSS_QEMU = os.path.join(BUILD, "cross", "qemu-system-aarch64")
QEMU_USER = shutil.which("qemu-aarch64-static")

REALM = ["-object", "virtcca-guest,id=cca0",
         "-M", "virtcca,confidential-guest-support=cca0"]


def run(cmd, timeout=120, stdin=None):
    return subprocess.run(cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, input=stdin)


def qmp_capabilities(cmd):
    """Start QEMU stopped with QMP on stdio; return its answer to
    query-virtcca-capabilities."""
    script = "".join(json.dumps({"execute": c}) + "\n" for c in
                     ("qmp_capabilities", "query-virtcca-capabilities",
                      "quit"))
    proc = run(cmd + ["-S", "-display", "none", "-nic", "none",
                      "-serial", "none", "-monitor", "none",
                      "-qmp", "stdio"], stdin=script, timeout=300)
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):
            continue
        msg = json.loads(line)
        if "return" in msg and "api" in msg["return"]:
            return msg["return"]
        if "error" in msg:
            raise AssertionError("query-virtcca-capabilities: " +
                                 msg["error"]["desc"])
    raise AssertionError("no answer from QEMU:\n" + proc.stdout[-2000:])


class CapabilitiesUnderTcg(unittest.TestCase):
    def test_tcg_reports_the_builtin_tmm(self):
        caps = qmp_capabilities([QEMU, "-M", "virtcca"])
        self.assertEqual(caps["api"], "tcg")
        self.assertEqual(caps["rmi-version"], "1.0")
        self.assertEqual(caps["hash-algorithms"], ["sha256", "sha512"])
        self.assertEqual(caps["max-sve-vector-length"], 0)
        self.assertEqual(caps["max-pmu-counters"], 0)
        self.assertNotIn("tmi-version", caps)
        self.assertNotIn("max-ipa-bits", caps)

    def test_reported_limits_are_what_the_realm_accepts(self):
        """Whatever is above the reported limits is refused, naming the
        option; each reported hash algorithm is accepted."""
        for option in ("sve-vector-length=128", "num-pmu-counters=1"):
            proc = run([QEMU, "-object", "virtcca-guest,id=cca0," + option,
                        "-M", "virtcca,confidential-guest-support=cca0",
                        "-display", "none", "-nic", "none",
                        "-kernel", "/dev/null"])
            self.assertNotEqual(proc.returncode, 0, option)
            self.assertIn(option.split("=")[0], proc.stdout)
        kernel = guest.default_guest().kernel
        for algo in ("sha256", "sha512"):
            caps = qmp_capabilities(
                [QEMU, "-object", "virtcca-guest,id=cca0,"
                 "measurement-algorithm=" + algo, "-M",
                 "virtcca,confidential-guest-support=cca0",
                 "-kernel", kernel])
            self.assertEqual(caps["api"], "tcg")


class NativeBinary(unittest.TestCase):
    """This host is x86: no KVM for aarch64 guests, no accelerator."""

    def test_accel_help_does_not_list_virtcca(self):
        proc = run([QEMU, "-accel", "help"])
        self.assertEqual(proc.returncode, 0)
        accels = proc.stdout.splitlines()[1:]
        self.assertIn("tcg", accels)
        self.assertNotIn("virtcca", accels)

    def test_accel_virtcca_is_refused(self):
        proc = run([QEMU, "-accel", "virtcca", *REALM, "-display", "none",
                    "-nic", "none"])
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("invalid accelerator virtcca", proc.stdout)


@unittest.skipUnless(os.path.exists(CROSS_QEMU),
                     "no aarch64 cross build (make cross)")
@unittest.skipUnless(QEMU_USER, "qemu-user-static is not installed "
                     "(scripts/install-cross-deps.sh)")
class CrossBinary(unittest.TestCase):
    """The aarch64 build, with KVM and -accel virtcca, under qemu-user.
    qemu-user offers no KVM: /dev/kvm either cannot be opened or answers
    no realm API."""

    def cross(self, *args):
        return run([QEMU_USER, CROSS_QEMU, *args], timeout=300)

    def test_accel_help_lists_virtcca(self):
        proc = self.cross("-accel", "help")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        accels = proc.stdout.splitlines()[1:]
        for accel in ("kvm", "tcg", "virtcca"):
            self.assertIn(accel, accels)

    def test_accel_virtcca_says_what_is_missing(self):
        proc = self.cross("-accel", "virtcca", *REALM, "-display", "none",
                          "-nic", "none")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("-accel virtcca", proc.stdout)
        self.assertIn("/dev/kvm", proc.stdout)
        self.assertIn("neither openEuler virtCCA (KVM_CAP_ARM_TMM) nor Arm "
                      "CCA realms", proc.stdout)

    def test_accel_virtcca_needs_a_realm(self):
        proc = self.cross("-accel", "virtcca", "-M", "virtcca",
                          "-display", "none", "-nic", "none")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("needs a realm", proc.stdout)
        self.assertIn("virtcca-guest", proc.stdout)

    def test_tcg_capabilities_in_the_cross_build(self):
        caps = qmp_capabilities([QEMU_USER, CROSS_QEMU, "-M", "virtcca"])
        self.assertEqual(caps["api"], "tcg")
        self.assertEqual(caps["hash-algorithms"], ["sha256", "sha512"])


if __name__ == "__main__":
    unittest.main()
