#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make bench: run every benchmark and print its figures.

Each benchmark prints lines "bench: key=value ...".  They are collected and
printed as a table; ratios compare against a reference measured in the
same run (plain SHA-256, one raw ECDSA signature, stock -M virt), never
against a fixed time.
"""

import argparse
import os
import subprocess
import sys

TMM_BENCHES = [
    ("TMM RMI/DATA_CREATE", "tests/tmm/core/bench-rmi"),
    ("TMM attestation token", "tests/tmm/attest/bench-attest"),
]


def run(label, cmd):
    print(f"== {label}: {' '.join(cmd)}", flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    lines = [l for l in p.stdout.splitlines() if l.startswith("bench:")]
    for l in lines:
        print("   " + l[len("bench:"):].strip())
    if p.returncode != 0 or not lines:
        print(p.stdout[-2000:])
        return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    args = ap.parse_args()
    ok = True
    for label, rel in TMM_BENCHES:
        ok &= run(label, [os.path.join(args.build, "tmm", rel)])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
