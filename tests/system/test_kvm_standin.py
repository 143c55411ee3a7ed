# SPDX-License-Identifier: GPL-2.0-or-later
"""The default guest's realm through the KVM path's ioctl layer against
the kernel stand-in (the real thing needs CCA hardware), for both host
kernel APIs: the RIM the TCG machine builds, the one virtcca-measure
predicts from the measurement log and images, and the one the stand-in's
monitor computes from the ioctls (openEuler virtCCA; upstream CCA
revisions 12 and 14) are one RIM, for SHA-256 and SHA-512."""

import json
import os
import subprocess
import tempfile
import unittest

import guest
from test_realm import Qmp

TOP = os.path.join(os.path.dirname(__file__), "..", "..")
BUILD = os.environ.get("VIRTCCA_BUILD", os.path.join(TOP, "build"))
QEMU = os.path.join(BUILD, "qemu", "qemu-system-aarch64")
MEASURE = os.path.join(BUILD, "tmm", "virtcca-measure")
STANDIN = os.path.join(BUILD, "tmm", "tests", "tmm", "kvm",
                       "virtcca-kvm-standin-run")


class KvmStandinRim(unittest.TestCase):

    def tcg_realm(self, tmp, hash_name):
        """The realm the TCG machine builds at reset (not run: -S): its
        RIM from query-virtcca, its measurement log and its DTB."""
        log = os.path.join(tmp, f"plan-{hash_name}.txt")
        dtb = os.path.join(tmp, f"realm-{hash_name}.dtb")
        sock = os.path.join(tmp, f"qmp-{hash_name}.sock")
        image = guest.default_guest()
        obj = (f"virtcca-guest,id=cca0,measurement-algorithm={hash_name},"
               f"measurement-log={log}")
        args = ["-object", obj, "-m", "512M", "-nic", "none",
                "-display", "none"] + image.args()
        machine = "virtcca,confidential-guest-support=cca0"
        q = subprocess.Popen([QEMU, "-M", machine, "-S", "-qmp",
                              f"unix:{sock},server=on,wait=off"] + args,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            qmp = Qmp(sock)
            info = qmp.cmd("query-virtcca")["return"]
            qmp.cmd("quit")
            qmp.close()
        finally:
            q.wait(timeout=60)
        subprocess.run([QEMU, "-M", machine + ",dumpdtb=" + dtb] + args,
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        images = ["--image", "kernel=" + image.kernel,
                  "--image", "initrd=" + image.initrd,
                  "--image", "dtb=" + dtb]
        return info["rim"], log, images

    def check(self, hash_name, rim_hex_len):
        with tempfile.TemporaryDirectory() as tmp:
            rim_tcg, log, images = self.tcg_realm(tmp, hash_name)
            self.assertEqual(len(rim_tcg), rim_hex_len)
            with open(log) as f:
                # openEuler's two ranges, measured whole.
                self.assertEqual(f.read().count("\npopulate "), 2)
            m = subprocess.run([MEASURE, "--plan", log, "--json"] + images,
                               stdout=subprocess.PIPE, text=True,
                               check=True)
            self.assertEqual(json.loads(m.stdout)["rim"], rim_tcg)
            for api in (["openeuler"], ["upstream", "--revision", "14"],
                        ["upstream", "--revision", "12"]):
                s = subprocess.run([STANDIN, "--api", *api, "--plan", log,
                                    "--json"] + images,
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
                self.assertEqual(s.returncode, 0, s.stderr)
                out = json.loads(s.stdout)
                self.assertEqual(out["rim"], rim_tcg, api)
                self.assertGreater(out["data_granules"], 0)

    def test_sha256(self):
        self.check("sha256", 64)

    def test_sha512(self):
        self.check("sha512", 128)


if __name__ == "__main__":
    unittest.main()
