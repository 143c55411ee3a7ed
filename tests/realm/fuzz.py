#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The hostile-realm fuzzer's harness (make fuzz-realm).

Each seed runs the realm payload in fuzz mode (tests/realm/payload.c): on
every vCPU at once it issues seeded random RSI calls (all ten and unknown
function IDs; random and boundary arguments; IPAs across the whole space,
unaligned, reversed and overlapping ranges; buffers in MMIO, shared and
unassigned memory), RIPAS changes with random flags, PSCI and other SMCs,
HVC and SMC from EL1 and EL0, attestation token INIT/CONTINUE interleaved
across vCPUs, and random loads, stores, exclusives, atomics and
instruction fetches at protected, unprotected, EMPTY, DESTROYED, MMIO
and unmapped IPAs.  Meanwhile the harness plays a hostile host that takes
back random pages of the realm's RAM (RMI_DATA_DESTROY through the realm
object's x-host-data-destroy), so that the realm meets DESTROYED memory.

Oracle, per seed:
- QEMU (an ASan+UBSan build) never crashes and reports no sanitizer error;
- it never hangs: a watchdog kills a run that prints nothing for --idle
  seconds;
- the monitor's invariant check holds after every RMI call, REC entry,
  exit and realm SMC (VIRTCCA_TMM_SELF_CHECK=1 makes QEMU abort
  otherwise);
- every call gets an architected answer and every access an architected
  outcome (the payload reports anything else as a finding, "F" lines);
- the realm's secret (a page derived from the seed at run time) is intact
  in the realm and never shows in the host's memory (pmemsave of all
  non-secure RAM after the run).

Prints one line per seed and a total: seeds, realm-issued operations,
time, findings.  Exits non-zero on any finding.
"""

import argparse
import os
import random
import re
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import realm_payload as rp  # noqa: E402

SANITIZER = re.compile(r"ERROR: AddressSanitizer|runtime error:|"
                       r"SUMMARY: (Address|UndefinedBehavior)Sanitizer|"
                       r"LeakSanitizer")
RAM_BASE = 0x40000000
# The payload's playground (tests/realm/payload.c PLAY_BASE, PLAY_PAGES)
# and the per-vCPU pages after it: RAM the host may take back.
PLAY_BASE, PLAY_PAGES = RAM_BASE + 0x04000000, 4096


def secret_bytes(seed):
    """The payload's make_secret(): splitmix64 from seed ^ constant."""
    mask = (1 << 64) - 1
    state = (seed ^ 0x5ec2e75ec2e75ec2) & mask
    out = bytearray()
    for _ in range(4096 // 8):
        state = (state + 0x9e3779b97f4a7c15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & mask
        z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & mask
        out += struct.pack("<Q", z ^ (z >> 31))
    return bytes(out)


def run_seed(args, seed):
    """One seed; returns (ops, findings[list of str], seconds)."""
    findings = []
    ops = 0
    start = time.monotonic()
    # Enough for the payload's playground; the monitor's invariant check
    # scans every secure granule, so less memory is a faster check.
    memory_mib = 128
    env = dict(os.environ)
    # Sanitizer reports must fail the run; leaks at exit are QEMU's own
    # business, not the realm's.
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    if args.self_check:
        env["VIRTCCA_TMM_SELF_CHECK"] = "1"
    run = rp.PayloadRun(args.qemu, args.payload, rp.MODE_FUZZ, seed=seed,
                        iters=args.iters, ncpus=args.smp,
                        memory=f"{memory_mib}M", env=env)
    host = random.Random(seed)
    destroyed = 0
    host_stopped = False
    try:
        deadline = time.monotonic() + args.timeout
        last_output, seen = time.monotonic(), 0
        while True:
            pause = host.uniform(0.05, 2 * (args.destroy or 0.5))
            end = run.read_until(lambda l: l == "END", timeout=pause)
            if end == "END" or run.proc.poll() is not None:
                break
            if b"which the host cannot back: stopping the realm" in \
                    run.stderr:
                # The host took back a page just as the realm named it
                # as an RSI buffer, or the realm touched RAM the host
                # cannot back: the host stops the realm, as a KVM host
                # would.  The seed ends here; not a finding.
                host_stopped = True
                break
            now = time.monotonic()
            if len(run.lines) != seen:
                last_output, seen = now, len(run.lines)
            if now - last_output > args.idle or now > deadline:
                break
            if args.destroy:
                # Often a vCPU's own page, which the realm touches most.
                if host.randrange(3) == 0:
                    index = PLAY_PAGES + 0x100 + host.randrange(args.smp)
                else:
                    index = host.randrange(PLAY_PAGES)
                page = PLAY_BASE + index * 4096
                reply = run.connect_qmp().cmd(
                    "qom-set", path="/objects/cca0",
                    property="x-host-data-destroy", value=page)
                # Refused when nothing is assigned there: also fine.
                destroyed += "error" not in reply
        progress = {}
        for line in run.lines:
            if line.startswith("F "):
                findings.append(f"seed {seed}: realm: {line}")
            elif line.startswith("D "):
                _, f = rp.parse(line)
                ops += f.get("calls", 0) + f.get("accesses", 0)
            elif line.startswith("P "):
                _, f = rp.parse(line)
                progress[f.get("cpu")] = f.get("ops", 0)
        if host_stopped:
            ops = sum(progress.values())
            print(f"seed {seed}: the realm needed a page the host cannot "
                  f"back; the host stopped it after {ops} operations",
                  flush=True)
        elif end != "END":
            if run.proc.poll() is None:
                findings.append(f"seed {seed}: hang: no progress for "
                                f"{args.idle} s (last line: "
                                f"{run.lines[-1] if run.lines else ''!r})")
            else:
                findings.append(f"seed {seed}: QEMU exited with status "
                                f"{run.proc.returncode} mid-run")
        if end == "END" or host_stopped:
            if end == "END" and "S secret-intact=0x1" not in run.lines:
                findings.append(f"seed {seed}: the realm's secret changed")
            dump = os.path.join(run.tmp.name, "ns-ram.bin")
            reply = run.connect_qmp().cmd("pmemsave", val=RAM_BASE,
                                          size=memory_mib << 20,
                                          filename=dump)
            if "error" in reply:
                findings.append(f"seed {seed}: pmemsave: {reply['error']}")
            else:
                with open(dump, "rb") as f:
                    ram = f.read()
                secret = secret_bytes(seed)
                for off in range(0, 4096, 512):
                    if secret[off:off + 32] in ram:
                        findings.append(f"seed {seed}: the realm's secret "
                                        f"is in host memory")
                        break
                os.unlink(dump)
        status = run.quit()
        if status != 0 and (end == "END" or host_stopped):
            findings.append(f"seed {seed}: QEMU exit status {status}")
        err = run.stderr.decode(errors="replace")
        if SANITIZER.search(err) or (status is not None and status < 0):
            findings.append(f"seed {seed}: QEMU crashed or a sanitizer "
                            f"reported:\n{err[-4000:]}")
    finally:
        run.close()
    return ops, findings, time.monotonic() - start, destroyed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--payload", required=True)
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--iters", type=int, default=20000,
                    help="operations per vCPU and seed")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--idle", type=float, default=120,
                    help="watchdog: seconds without realm output")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--destroy", type=float, default=0.5,
                    help="hostile host: mean seconds between page "
                    "destructions (0: none)")
    ap.add_argument("--no-self-check", dest="self_check",
                    action="store_false")
    args = ap.parse_args()

    total_ops = 0
    all_findings = []
    t0 = time.monotonic()
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        ops, findings, secs, destroyed = run_seed(args, seed)
        total_ops += ops
        all_findings += findings
        print(f"seed {seed}: {ops} operations in {secs:.1f} s, "
              f"{destroyed} pages destroyed by the host, "
              f"{len(findings)} findings", flush=True)
        for f in findings:
            print("  " + f.replace("\n", "\n  "), flush=True)
    secs = time.monotonic() - t0
    print(f"fuzz-realm: {args.seeds} seeds, {total_ops} realm-issued calls "
          f"and accesses on {args.smp} vCPUs in {secs:.0f} s "
          f"({total_ops / max(secs, 1e-9):.0f}/s), "
          f"{len(all_findings)} findings")
    return 1 if all_findings else 0


if __name__ == "__main__":
    sys.exit(main())
