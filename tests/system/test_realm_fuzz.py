# SPDX-License-Identifier: GPL-2.0-or-later
"""The hostile-realm fuzzer's short seeded run (make fuzz-realm runs it
long): an ASan+UBSan QEMU runs the payload's fuzz mode on two vCPUs for
fixed seeds; no crash, no hang, no invariant violation, no unarchitected
answer or fault, and the realm's secret never in host memory
(tests/realm/fuzz.py says how each is checked)."""

import os
import subprocess
import sys
import unittest

TOP = os.path.join(os.path.dirname(__file__), "..", "..")
BUILD = os.environ.get("VIRTCCA_BUILD", os.path.join(TOP, "build"))
ASAN_QEMU = os.path.join(BUILD, "qemu-asan", "qemu-system-aarch64")
PAYLOAD = os.path.join(BUILD, "realm", "payload.bin")
FUZZ = os.path.join(TOP, "tests", "realm", "fuzz.py")


@unittest.skipUnless(os.path.exists(ASAN_QEMU) and os.path.exists(PAYLOAD),
                     "no ASan QEMU or payload (make qemu-asan payload)")
class HostileRealmShortRun(unittest.TestCase):
    def test_seeded_run(self):
        proc = subprocess.run(
            [sys.executable, FUZZ, "--qemu", ASAN_QEMU, "--payload",
             PAYLOAD, "--seeds", "2", "--first-seed", "1000",
             "--iters", "4000", "--idle", "60"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=600)
        self.assertEqual(proc.returncode, 0, proc.stdout[-6000:])
        self.assertRegex(proc.stdout, r"2 seeds, [1-9]\d* realm-issued")
        self.assertIn(", 0 findings", proc.stdout)

    def test_seed_of_a_fixed_finding(self):
        """Seed 17 of the first long run hung: on one vCPU the realm made
        RAM of IPAs outside its memory, the host backed them from the
        secure pool, and a jump there ran zeros for minutes.  Now the
        host gives nothing there and the jump aborts."""
        proc = subprocess.run(
            [sys.executable, FUZZ, "--qemu", ASAN_QEMU, "--payload",
             PAYLOAD, "--seeds", "1", "--first-seed", "17",
             "--iters", "10000", "--idle", "60", "--destroy", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            timeout=600)
        self.assertEqual(proc.returncode, 0, proc.stdout[-6000:])
        self.assertIn("1 seeds, 20000 realm-issued", proc.stdout)
        self.assertIn(", 0 findings", proc.stdout)
