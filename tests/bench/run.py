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
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
import guest  # noqa: E402
import workloads  # noqa: E402

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


def realm_args(extra=()):
    return ["-M", "virtcca,confidential-guest-support=cca0",
            "-object", "virtcca-guest,id=cca0", *extra]


def virt_args(extra=()):
    return ["-M", "virt", "-cpu", "max", *extra]


def spread(values, fmt="{:.2f}"):
    """min-max of a benchmark's runs."""
    return (fmt + "-" + fmt).format(min(values), max(values))


def boot_ratio(qemu, rounds):
    """The same guest on -M virt and as a realm on -M virtcca, interleaved,
    from start to its power-off after the report: wall time, QEMU's CPU
    time (user + system: less noisy here than wall time) and its peak RSS.

    The ratio compares the same work: the guest's attestation step, which
    only a realm can take (-M virt has no RSI, so its guest skips it), is
    left out of both (virtcca.attest=0).  A third run per round boots the
    realm with the step, and the step's own time (the guest's clock) is
    printed beside it: what attestation adds to a realm's boot."""
    image = guest.default_guest()
    kinds = (("virt", virt_args(), "virtcca.attest=0"),
             ("realm", realm_args(), "virtcca.attest=0"),
             ("realm-attested", realm_args(), ""))
    runs = {name: [] for name, _, _ in kinds}
    attest_s = []
    for _ in range(rounds):
        for name, machine, append in kinds:
            usage = {}
            t0 = time.monotonic()
            report, _, status = guest.run(
                [qemu, *machine, "-m", "1G", "-nic", "none", "-no-reboot"] +
                image.args(append), timeout=300, usage=usage)
            usage["wall_s"] = time.monotonic() - t0
            runs[name].append(usage)
            realm = name != "virt"
            want = "ok" if name == "realm-attested" else "skipped"
            if status != 0 or realm != (report["realm"] == "yes") or \
                    report.get("attestation") != want:
                raise RuntimeError(f"{name} boot went wrong: {report}")
            if name == "realm-attested":
                attest_s.append(float(report["attestation_s"]))
    goals = {"wall_s": "goal <= 1.15", "cpu_s": "goal <= 1.05",
             "maxrss_mib": "goal <= 1.25"}
    for key, label in (("wall_s", "boot-to-report wall s"),
                       ("cpu_s", "boot-to-report CPU s"),
                       ("maxrss_mib", "peak RSS MiB")):
        v = [u[key] for u in runs["virt"]]
        r = [u[key] for u in runs["realm"]]
        fmt = "{:.0f}" if key == "maxrss_mib" else "{:.2f}"
        print(f"   {label}: virt={fmt.format(statistics.median(v))} "
              f"({spread(v, fmt)}) realm="
              f"{fmt.format(statistics.median(r))} ({spread(r, fmt)}) "
              f"ratio={statistics.median(r) / statistics.median(v):.3f} "
              f"(median of {rounds}, interleaved, same work; "
              f"{goals[key]})")
    v = [u["wall_s"] for u in runs["virt"]]
    a = [u["wall_s"] for u in runs["realm-attested"]]
    print(f"   realm boot with its attestation step: wall "
          f"{statistics.median(a):.2f} s ({spread(a)}) "
          f"ratio={statistics.median(a) / statistics.median(v):.3f} to "
          f"virt; the step itself {statistics.median(attest_s):.2f} s "
          f"({spread(attest_s)}) of guest time (median of {rounds})")


def blk_ratio(qemu, rounds, mib=1024):
    """Sequential virtio-blk reads in the guest, the realm (bounce-buffered
    by construction) against two -M virt baselines with swiotlb=force, and
    the same machine without a realm:

    virt          the device as -M virt makes it.  Linux bounces only DMA
                  that goes through the DMA API, and virtio uses the DMA API
                  only with VIRTIO_F_ACCESS_PLATFORM, so despite
                  swiotlb=force this baseline copies nothing;
    virt-bounced  the device with iommu_platform=on, so that the guest
                  bounces every buffer as the realm does.  The swiotlb is
                  given 128 MiB: arm64 shrinks a 64 MiB (default-sized)
                  request to 1 MiB when it sees no need for bouncing, and
                  1 MiB stalls the device;
    virtcca-bounced  -M virtcca without a realm, bounced the same way: the
                  realm against it is the realm's own cost, apart from the
                  TrustZone platform's (EL3, a GIC with security
                  extensions), which -M virt does not model.

    The guest reads twice: the first ("cold") pass also pays for its first
    touch of the page-cache memory, which in a realm includes the host
    giving it granules; the second measures the I/O path.  1 GiB (2 GiB of
    guest RAM, so that the page cache holds it): the guest times each pass
    in 10 ms steps, and a warm pass over 256 MiB took about 200 ms."""
    image = guest.default_guest()
    names = ("virt", "virt-bounced", "virtcca-bounced", "realm")
    rates = {n: [] for n in names}
    cold = {n: [] for n in names}
    with tempfile.TemporaryDirectory() as t:
        disk = os.path.join(t, "disk.raw")
        with open(disk, "wb") as f:
            f.truncate(mib << 20)
        drive = ["-drive", f"file={disk},if=none,id=d0,format=raw,"
                 "cache=none,aio=threads"]
        dev = drive + ["-device", "virtio-blk-pci,drive=d0"]
        bounced = drive + ["-device", "virtio-blk-pci,drive=d0,"
                           "iommu_platform=on,disable-legacy=on"]
        for _ in range(rounds):
            for name, machine, append in (
                    ("virt", virt_args(dev), "swiotlb=force"),
                    ("virt-bounced", virt_args(bounced),
                     "swiotlb=65536,force"),
                    ("virtcca-bounced", ["-M", "virtcca", *bounced],
                     "swiotlb=65536,force"),
                    ("realm", realm_args(dev), "")):
                report, _, _ = guest.run(
                    [qemu, *machine, "-m", "2G", "-nic", "none",
                     "-no-reboot"] +
                    image.args(f"{append} virtcca.blkbench={mib}".strip()),
                    timeout=600)
                rates[name].append(int(report["blkbench_mibps"]))
                cold[name].append(int(report["blkbench_cold_mibps"]))
    for n in names:
        print(f"   runs {n} (MiB/s cold/warm): "
              + " ".join(f"{c}/{w}" for c, w in zip(cold[n], rates[n])))
    r_cold = statistics.median(cold["realm"])
    r_warm = statistics.median(rates["realm"])
    notes = {"virt": "first pass goal >= 0.80",
             "virt-bounced": "warm at least 0.85, goal >= 0.95",
             "virtcca-bounced": "the realm's own cost"}
    for base in ("virt", "virt-bounced", "virtcca-bounced"):
        v_cold = statistics.median(cold[base])
        v_warm = statistics.median(rates[base])
        warm_ratios = [r / v for r, v in zip(rates["realm"], rates[base])]
        cold_ratios = [r / v for r, v in zip(cold["realm"], cold[base])]
        print(f"   virtio-blk-seq-read-mibps {base}: "
              f"warm {v_warm}/{r_warm} ratio={r_warm / v_warm:.3f} "
              f"({spread(warm_ratios)}); "
              f"first pass {v_cold}/{r_cold} ratio={r_cold / v_cold:.3f} "
              f"({spread(cold_ratios)}) "
              f"(median of {rounds}; {notes[base]})")


def realm_exits(qemu, append="", extra=()):
    """One realm boot that holds after its report: its REC exits by kind,
    summed over its vCPUs (query-virtcca)."""
    image = guest.default_guest()
    with tempfile.TemporaryDirectory() as t:
        console = os.path.join(t, "console.log")
        qmp_path = os.path.join(t, "qmp.sock")
        proc = subprocess.Popen(
            [qemu, *realm_args(extra), "-m", "2G", "-nic", "none",
             "-no-reboot", "-display", "none", "-serial", f"file:{console}",
             "-qmp", f"unix:{qmp_path},server=on,wait=off"] +
            image.args(f"{append} virtcca.hold=1 virtcca.deadline=600"
                       .strip()),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            guest.wait_report(console, proc, timeout=600)
            qmp = guest.Qmp(qmp_path)
            exits = qmp.cmd("query-virtcca")["return"]["exits"]
            qmp.close()
        finally:
            proc.kill()
            proc.wait()
    total = {}
    for e in exits:
        for k, v in e.items():
            if k != "cpu":
                total[k] = total.get(k, 0) + v
    return total


def exit_counts(qemu, mib=256):
    """REC exits per realm boot, and per MiB the guest reads from a
    virtio-blk disk (both passes of the read benchmark, beyond a boot's
    exits): the round trips to the host that the monitor's EL2 costs."""
    boot = realm_exits(qemu)
    with tempfile.TemporaryDirectory() as t:
        disk = os.path.join(t, "disk.raw")
        with open(disk, "wb") as f:
            f.truncate(mib << 20)
        io = realm_exits(qemu, f"virtcca.blkbench={mib}", [
            "-drive", f"file={disk},if=none,id=d0,format=raw,cache=none,"
            "aio=threads", "-device", "virtio-blk-pci,drive=d0"])
    kinds = sorted(boot)
    print("   exits per boot: total=%d " % sum(boot.values()) +
          " ".join(f"{k}={boot[k]}" for k in kinds))
    read = 2 * mib
    print("   exits per MiB of virtio-blk read (%d MiB, both passes): "
          "total=%.1f " % (read, (sum(io.values()) - sum(boot.values())) /
                           read) +
          " ".join(f"{k}={(io[k] - boot[k]) / read:.1f}" for k in kinds))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    ok = True
    for label, rel in TMM_BENCHES:
        ok &= run(label, [os.path.join(args.build, "tmm", rel)])
    qemu = os.path.join(args.build, "qemu", "qemu-system-aarch64")
    print("== boot to report: -M virtcca realm vs -M virt", flush=True)
    boot_ratio(qemu, args.rounds)
    print("== virtio-blk sequential read: realm vs -M virt swiotlb=force",
          flush=True)
    blk_ratio(qemu, max(3, args.rounds // 2))
    print("== REC exits of a realm (query-virtcca)", flush=True)
    exit_counts(qemu)
    print("== workloads: bench guest, -M virtcca realm vs -M virt",
          flush=True)
    ok &= workloads.workload_table(qemu, max(3, args.rounds // 2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
