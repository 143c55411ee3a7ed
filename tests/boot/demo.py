#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make demo: boot the default guest on -M virtcca and show its report."""

import argparse
import os
import sys

import guest


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--guest", required=True,
                    help="directory with Image and initramfs.cpio.gz")
    args = ap.parse_args()

    image = guest.GuestImage(os.path.join(args.guest, "Image"),
                             os.path.join(args.guest, "initramfs.cpio.gz"))
    cmd = [args.qemu, "-M", "virtcca", "-m", "1G", "-nic", "none",
           "-no-reboot"] + image.args()
    print("$ " + " ".join(cmd), flush=True)
    try:
        report, _console, status = guest.run(cmd, timeout=300)
    except guest.GuestError as e:
        print(f"demo: {e}", file=sys.stderr)
        return 1
    print("The guest's report:")
    for key, value in report.items():
        print(f"  {key} = {value}")
    return 0 if status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
