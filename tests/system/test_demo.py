# SPDX-License-Identifier: GPL-2.0-or-later
"""make demo against the built tree: tests/boot/demo.py boots the default
guest as a realm and its summary says what a reader is promised: the
realm's own RSI line, the RIM virtcca-measure predicted equal to the RIM
in the token, the token verified for a fresh challenge, and a host read
of the realm's RAM without the realm's secret."""

import os
import re
import subprocess
import sys
import time
import unittest

TOP = os.path.join(os.path.dirname(__file__), "..", "..")
BUILD = os.environ.get("VIRTCCA_BUILD", os.path.join(TOP, "build"))
QEMU = os.path.join(BUILD, "qemu", "qemu-system-aarch64")
MEASURE = os.path.join(BUILD, "tmm", "virtcca-measure")
GUEST = os.environ.get("VIRTCCA_GUEST") or os.path.join(
    os.environ.get("VIRTCCA_CACHE") or
    os.path.expanduser("~/.cache/virtcca-qemu"), "guest")
DEMO = os.path.join(TOP, "tests", "boot", "demo.py")


class Demo(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        t0 = time.monotonic()
        cls.proc = subprocess.run(
            [sys.executable, DEMO, "--qemu", QEMU, "--guest", GUEST,
             "--measure", MEASURE],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=300)
        cls.seconds = time.monotonic() - t0
        cls.out = cls.proc.stdout
        summary = cls.out.split("\nSummary\n", 1)[-1]
        summary = summary.split("\nBy hand", 1)[0]
        cls.summary = dict(re.findall(r"(?m)^  ([A-Za-z ]+): +(.*)$",
                                      summary))

    def line(self, name):
        self.assertIn(name, self.summary, self.out)
        return self.summary[name]

    def test_exits_cleanly(self):
        self.assertEqual(self.proc.returncode, 0, self.out)
        self.assertRegex(self.line("result"), r"^ok in ")

    def test_realm_kernel_finds_rsi(self):
        self.assertEqual(self.line("realm kernel"),
                         "RME: Using RSI version 1.0")

    def test_predicted_rim_is_the_token_rim(self):
        predicted = self.line("RIM predicted")
        self.assertRegex(predicted, r"^[0-9a-f]{64}$")
        self.assertEqual(self.line("RIM in token"), predicted)
        self.assertEqual(self.line("RIM match"), "yes")

    def test_token_verified_for_a_fresh_challenge(self):
        self.assertTrue(self.line("token").startswith("verified"),
                        self.out)
        challenge = self.line("challenge")
        self.assertRegex(challenge, r"^[0-9a-f]{128}$")
        # Not the guest's default challenge 00 01 02 ... 3f.
        self.assertNotEqual(challenge, bytes(range(64)).hex())

    def test_host_read_without_the_secret(self):
        host = self.line("host read")
        self.assertIn("pmemsave", host)
        self.assertIn("secret not found", host)
        self.assertNotIn("FOUND", host)

    def test_host_cannot_read_the_realm_registers(self):
        regs = self.line("host registers")
        self.assertIn("registers not available", regs)
        self.assertIn("monitor's REC", regs)

    def test_rec_exits_counted(self):
        """The realm ran under the monitor's EL2: its device accesses and
        the host's interrupts were REC exits, counted per kind."""
        exits = self.line("REC exits")
        self.assertNotIn("NONE", exits)
        self.assertRegex(exits, r"^\d+: .*mmio \d+")
        self.assertRegex(exits, r"irq \d+")

    def test_realm_memory_backed_in_blocks(self):
        """The host backed the realm's untouched 2 MiB blocks whole: far
        more memory than the first touches would give a granule each."""
        m = re.match(r"(\d+) MiB of granules .*backed at (\d+) first",
                     self.line("realm memory"))
        self.assertIsNotNone(m, self.line("realm memory"))
        mib, touches = int(m.group(1)), int(m.group(2))
        self.assertGreater(touches, 0)
        # Past the images' granules (populated before the realm ran),
        # more granules per first touch than the 64 KiB fault-around (16)
        images = sum(-(-os.path.getsize(os.path.join(GUEST, f)) // 4096)
                     for f in ("Image", "initramfs.cpio.gz"))
        self.assertGreater(mib * 256 - images, 16 * touches)

    def test_power_button_powers_the_realm_off(self):
        self.assertIn("the realm powered itself off (QEMU exit status 0)",
                      self.line("power button"))

    def test_by_hand_commands(self):
        by_hand = self.out.split("\nBy hand", 1)
        self.assertEqual(len(by_hand), 2, self.out)
        for word in ("qemu-system-aarch64 -M virtcca,confidential-guest-"
                     "support=cca0", "virtcca-measure --plan",
                     "virtcca_token.py verify", "pmemsave"):
            self.assertIn(word, by_hand[1])


if __name__ == "__main__":
    unittest.main()
