#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""virtcca-measure against an independent model of the RIM.

The expected RIMs are computed here with hashlib over descriptors built
with struct.pack from the RMM 1.0 layouts, following the RMI order that
hw/arm/virtcca/plan/plan.h documents.  None of the library's code is used
for the expectation.
"""

import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest

TOOL = sys.argv.pop(1) if len(sys.argv) > 1 else "build/tmm/virtcca-measure"
G4K, M2, G1 = 1 << 12, 1 << 21, 1 << 30


def H(algo, data):
    return hashlib.new(algo, data).digest()


def desc(algo, kind, rim, body):
    d = struct.pack("<QQ", kind, 0x100) + rim.ljust(64, b"\0") + body
    return H(algo, d.ljust(0x100, b"\0"))


def ripas_steps(ram):
    """(base, top) of every RTT entry RTT_INIT_RIPAS converts."""
    steps, l3 = [], set()
    for base, top in ram:
        c = base
        while c < top:
            block = c % M2 == 0 and c + M2 <= top
            if block and c // M2 not in l3:
                end = min(top & ~(M2 - 1), (c // G1 + 1) * G1)
                size = M2
            else:
                if not block:
                    l3.add(c // M2)
                end = min(top & ~(M2 - 1) if block else top,
                          (c // M2 + 1) * M2)
                size = G4K
            while c < end:
                steps.append((c, c + size))
                c += size
    return steps


def measured_granules(images, populate):
    """The granules DATA_CREATE measures: every one of the populate ranges,
    or, for a plan without them, those the images touch."""
    if populate:
        return [g for base, top in sorted(populate)
                for g in range(base, top, G4K)]
    return sorted({ipa & ~(G4K - 1) for ipa0, data in images
                   for ipa in range(ipa0, ipa0 + len(data), G4K)} |
                  {(ipa0 + len(data) - 1) & ~(G4K - 1)
                   for ipa0, data in images})


def expected_rim(algo, algo_id, s2sz, ram, images, recs, populate=()):
    params = bytearray(4096)
    struct.pack_into("<Q", params, 0x008, s2sz)
    # num_bps, num_wps: the plan's defaults, 6 breakpoints and 4
    # watchpoints in RMM 1.0's count-minus-one encoding
    struct.pack_into("<QQ", params, 0x018, 5, 3)
    params[0x30] = algo_id
    rim = H(algo, bytes(params))
    for base, top in ripas_steps(ram):
        rim = desc(algo, 2, rim, struct.pack("<QQ", base, top))
    for g in measured_granules(images, populate):
        content = bytearray(G4K)
        for ipa0, data in images:
            lo, hi = max(ipa0, g), min(ipa0 + len(data), g + G4K)
            if lo < hi:
                content[lo - g:hi - g] = data[lo - ipa0:hi - ipa0]
        rim = desc(algo, 0, rim, struct.pack("<QQ", g, 1) +
                   H(algo, bytes(content)).ljust(64, b"\0"))
    for i, (pc, mpidr, x0) in enumerate(recs):
        rp = bytearray(4096)
        struct.pack_into("<Q", rp, 0x000, 1 if i == 0 else 0)
        struct.pack_into("<Q", rp, 0x200, pc)
        struct.pack_into("<Q", rp, 0x300, x0)
        rim = desc(algo, 1, rim, H(algo, bytes(rp)).ljust(64, b"\0"))
    return rim.hex()


def run(*args, check=True):
    p = subprocess.run([TOOL, *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"{TOOL} {args} failed: {p.stderr}")
    return p


class MeasureTool(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        rnd = bytes((i * 7919 + 13) % 251 for i in range(300000))
        # Unaligned sizes and an image sharing its first granule with the
        # end of the previous one.
        cls.images = {"kernel": (0x40080000, rnd[:200000]),
                      "initrd": (0x400b0d40, rnd[7:50007]),
                      "dtb": (0x40400000, rnd[:3000])}
        cls.paths = {}
        for name, (_, data) in cls.images.items():
            path = os.path.join(cls.tmp.name, name)
            with open(path, "wb") as f:
                f.write(data)
            cls.paths[name] = path
        # One range of 2 MiB blocks with a ragged end, one of pages only.
        cls.ram = [(0x40000000, 0x40000000 + 5 * M2 + 3 * G4K),
                   (0x41001000, 0x41005000)]
        cls.recs = [(0x40080000, 0, 0x40400000), (0x40080000, 1, 0)]
        # Two ranges measured whole, zero pages included (openEuler's
        # shape): RAM base to past the initrd, and one around the dtb;
        # the gap between them is not measured.
        cls.populate = [(0x40000000, 0x400c0000),
                        (0x40300000, 0x40401000)]

    def args(self, hash_name, populate=()):
        a = ["--hash", hash_name]
        for base, top in populate:
            a += ["--populate", f"{base:#x}:{top - base:#x}"]
        for base, top in self.ram:
            a += ["--ram", f"{base:#x}:{top - base:#x}"]
        for name, (ipa, _) in self.images.items():
            a += ["--image", f"{name}={self.paths[name]}@{ipa:#x}"]
        for pc, mpidr, x0 in self.recs:
            a += ["--rec", f"{pc:#x}:{mpidr:#x}:{x0:#x}"]
        return a

    def expect(self, algo, algo_id, populate=()):
        return expected_rim(algo, algo_id, 48, self.ram,
                            sorted(self.images.values()), self.recs,
                            populate)

    def test_sha256(self):
        out = json.loads(run(*self.args("sha256"), "--json").stdout)
        self.assertEqual(out["hash"], "sha-256")
        self.assertEqual(out["rim"], self.expect("sha256", 0))

    def test_sha512(self):
        out = json.loads(run(*self.args("sha512"), "--json").stdout)
        self.assertEqual(out["rim"], self.expect("sha512", 1))

    def write_plan(self, hash_name, file_name, populate=()):
        """The plan the tool prints, written out, and the arguments that
        replay it with the images."""
        p = run(*self.args(hash_name, populate), "--print-plan").stdout
        plan_text = p[:p.index("RIM")]
        plan = os.path.join(self.tmp.name, file_name)
        with open(plan, "w") as f:
            f.write(plan_text)
        a = ["--plan", plan, "--json"]
        for name, path in self.paths.items():
            a += ["--image", f"{name}={path}"]
        return plan_text, plan, a

    def test_plan_replay(self):
        _, plan, a = self.write_plan("sha256", "plan.txt")
        out = json.loads(run(*a).stdout)
        self.assertEqual(out["rim"], self.expect("sha256", 0))

        # The replay refuses an image that is not the one measured.
        a[a.index(f"dtb={self.paths['dtb']}")] = f"dtb={self.paths['kernel']}"
        p = run(*a, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("'dtb'", p.stderr)
        # ... and a missing one.
        p = run("--plan", plan, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--image", p.stderr)

    def test_populate_ranges(self):
        for hash_name, algo_id in (("sha256", 0), ("sha512", 1)):
            out = json.loads(run(*self.args(hash_name, self.populate),
                                 "--json").stdout)
            self.assertEqual(out["rim"], self.expect(hash_name, algo_id,
                                                     self.populate))
            # The zero pages count: not the RIM of the images alone.
            self.assertNotEqual(out["rim"], self.expect(hash_name, algo_id))

    def test_populate_replay(self):
        plan_text, _, a = self.write_plan("sha512", "plan-populate.txt",
                                          self.populate)
        self.assertIn("populate base=0x40000000 top=0x400c0000", plan_text)
        out = json.loads(run(*a).stdout)
        self.assertEqual(out["rim"], self.expect("sha512", 1, self.populate))

    def test_bad_populate(self):
        kernel_only = [(0x40000000, 0x400c0000)]
        for populate, word in ((kernel_only, "not inside a populate range"),
                               ([(0x40000800, 0x40001000)], "aligned"),
                               ([(0x3ff00000, 0x40001000)], "RAM")):
            p = run(*self.args("sha256", populate), check=False)
            self.assertNotEqual(p.returncode, 0, populate)
            self.assertIn(word, p.stderr, populate)

    def test_bad_input(self):
        for args, word in ((["--hash", "md5"], "--hash"),
                           (["--ram", "12"], "--ram"),
                           (["--rec", "pc"], "--rec"),
                           (["--ram", "0x1000:0x1000"], "REC"),
                           (["--ram", "0x1000:0x1000", "--rec", "0",
                             "--image", f"k={self.paths['dtb']}@0x9000"],
                            "not inside")):
            p = run(*args, check=False)
            self.assertNotEqual(p.returncode, 0, args)
            self.assertIn(word, p.stderr, args)


if __name__ == "__main__":
    unittest.main()
