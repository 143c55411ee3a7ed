#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Workload benchmarks: the bench guest as a realm against -M virt.

The bench guest is the default guest's kernel (scripts/make-guest.sh) with
the initramfs of scripts/make-bench-guest.sh: hackbench, redis, memcached
and a web server with their load generators, run inside the guest over
loopback by /workbench (scripts/guest/workbench) when the kernel command
line has virtcca.workbench=1.  Each round boots it once on -M virt -cpu max
and once as a realm on -M virtcca, one after the other, with the same
memory (1 GiB), one vCPU and no NIC; the table shows the medians and the
realm's performance relative to -M virt beside the ratio the virtCCA paper
(Fig. 4) reports for virtCCA-SEL2 against vanilla KVM.

Both machines are emulated (TCG), so the absolute figures are far below
the paper's and say nothing about hardware; the ratio isolates what the
realm adds on the same emulator: bounce buffers, monitor calls (RSI/RMI),
the first touch of memory the host must hand to the realm.

usage: workloads.py [--qemu QEMU] [--rounds N]
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "boot"))
import guest  # noqa: E402

# (report key, workload, metric, unit, higher is better,
#  paper's (virtCCA-SEL2, vanilla KVM) or None)
WORKLOADS = [
    ("wb_hackbench_s", "hackbench", "time", "s", False, (0.292, 0.3606)),
    ("wb_redis_set_rps", "redis SET", "rate", "req/s", True,
     (827905, 866243)),
    ("wb_redis_get_rps", "redis GET", "rate", "req/s", True, None),
    ("wb_memcached_ops", "memcached", "rate", "ops/s", True,
     (109573, 86426)),
    ("wb_web_rps", "web (paper: Apache)", "rate", "req/s", True,
     (9856, 6930)),
]
# In the paper's Fig. 4 without figures to compare with here.
NOT_MEASURED = ("MySQL", "MongoDB")

APPEND = "virtcca.workbench=1 virtcca.deadline=900"
COMMON = ["-m", "1G", "-nic", "none", "-no-reboot"]
MACHINES = (
    ("virt", ["-M", "virt", "-cpu", "max"]),
    ("realm", ["-M", "virtcca,confidential-guest-support=cca0",
               "-object", "virtcca-guest,id=cca0"]),
)


def bench_guest() -> guest.GuestImage:
    """The default guest's Image with $VIRTCCA_CACHE/bench-guest's
    initramfs."""
    kernel = guest.default_guest().kernel
    initrd = os.path.join(guest.cache_dir(), "bench-guest",
                          "initramfs.cpio.gz")
    if not os.path.isfile(initrd):
        raise FileNotFoundError(
            f"{initrd} is missing: run scripts/make-bench-guest.sh "
            "(make bench-guest) first")
    return guest.GuestImage(kernel, initrd)


def relative(realm: float, virt: float, higher_is_better: bool) -> float:
    """The realm's performance relative to virt: > 1 means the realm did
    better (a higher rate, or a shorter time)."""
    return realm / virt if higher_is_better else virt / realm


def fmt(v) -> str:
    if v is None:
        return "n/a"
    return f"{v:.3f}" if v < 10 else f"{v:.0f}"


def workload_table(qemu: str, rounds: int) -> bool:
    """Boot the bench guest ROUNDS times on each machine, interleaved, and
    print the table. False if a workload failed in some run (its figures
    are left out); a guest that does not boot raises RuntimeError."""
    image = bench_guest()
    values = {name: {key: [] for key, *_ in WORKLOADS}
              for name, _ in MACHINES}
    pairs = []      # per round: {machine: report}, for per-round ratios
    errors = []
    walls = []
    for rnd in range(rounds):
        t_round = time.monotonic()
        got = {}
        for name, machine in MACHINES:
            report, _, status = guest.run(
                [qemu, *machine, *COMMON] + image.args(APPEND),
                timeout=900)
            if status != 0 or (name == "realm") != (
                    report.get("realm") == "yes"):
                raise RuntimeError(f"{name} bench guest went wrong: "
                                   f"status {status}, realm="
                                   f"{report.get('realm')}")
            if "wb_error" in report:
                errors.append(f"round {rnd + 1} {name}: "
                              f"{report['wb_error']}")
            for key, *_ in WORKLOADS:
                if key in report:
                    values[name][key].append(float(report[key]))
            got[name] = report
        pairs.append(got)
        walls.append(time.monotonic() - t_round)

    print("   realm performance relative to -M virt, > 1 when the realm "
          "does better: rates realm/virt, times virt/realm; paper: "
          "virtCCA-SEL2 relative to vanilla KVM (Fig. 4), the same way")
    print(f"   median of {rounds} round(s), virt and realm interleaved, "
          f"{statistics.median(walls):.0f} s a round; (min-max) over the "
          "rounds")
    cols = ("workload", "metric", "virt (min-max)", "realm (min-max)",
            "realm/virt (min-max)", "paper")
    rows = []
    for key, label, metric, unit, higher, paper in WORKLOADS:
        v, r = values["virt"][key], values["realm"][key]
        per_round = [relative(float(g["realm"][key]), float(g["virt"][key]),
                              higher)
                     for g in pairs if key in g["virt"] and key in g["realm"]]
        row = [label, f"{metric}, {unit} ({'higher' if higher else 'lower'}"
               " better)"]
        if v and r and per_round:
            vm, rm = statistics.median(v), statistics.median(r)
            row += [f"{fmt(vm)} ({fmt(min(v))}-{fmt(max(v))})",
                    f"{fmt(rm)} ({fmt(min(r))}-{fmt(max(r))})",
                    f"{relative(rm, vm, higher):.3f} "
                    f"({min(per_round):.2f}-{max(per_round):.2f})"]
        else:
            row += ["n/a", "n/a", "n/a"]
        row.append(f"{relative(*paper, higher):.3f}" if paper else "-")
        rows.append(row)
    widths = [max(len(x[i]) for x in rows + [cols]) for i in range(len(cols))]
    for row in [cols] + rows:
        print("   " + "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                                for i, (c, w) in enumerate(zip(row, widths))))
    print(f"   not measured: {', '.join(NOT_MEASURED)} (in the paper's "
          "Fig. 4; no workload in the bench guest)")
    args = pairs[0]["virt"]
    print("   loads: " + "; ".join(
        f"{w} {args[k]}" for w, k in (
            ("hackbench", "wb_hackbench_args"), ("redis-benchmark",
                                                 "wb_redis_args"),
            ("memcaslap", "wb_memcached_args"), ("ab", "wb_web_args"))
        if k in args))
    for e in errors:
        print(f"   error: {e}")
    return not errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qemu", help="qemu-system-aarch64 (default: $QEMU, "
                    "else this tree's build)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    qemu = args.qemu or guest.default_qemu()
    print(f"== workloads: bench guest, -M virtcca realm vs -M virt ({qemu})",
          flush=True)
    return 0 if workload_table(qemu, args.rounds) else 1


if __name__ == "__main__":
    sys.exit(main())
