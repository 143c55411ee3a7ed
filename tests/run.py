#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Run every test of virtcca-qemu and print one summary line.

Suites, in order of cost:
  tmm     the TMM core's unit tests (standalone meson project, build/tmm)
  qtest   QEMU qtests of the virtcca machine (build/qemu/tests/qtest)
  system  Python tests that run qemu-system-aarch64 (tests/system/test_*.py)

Each test counts once; the last line reads "N passed, N failed" (plus
", N skipped" when some were), and the exit status is non-zero on any
failure.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QTESTS = ["virtcca-test", "tzc400-test"]


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []

    def add(self, suite, name, result, detail=""):
        label = f"{suite}: {name}"
        if result == "pass":
            self.passed += 1
        elif result == "skip":
            self.skipped += 1
            label += f" (skipped: {detail})" if detail else " (skipped)"
        else:
            self.failed += 1
            self.failures.append(label)
        print(f"{result.upper():4} {label}", flush=True)
        if result == "fail" and detail:
            print("     " + detail.replace("\n", "\n     "), flush=True)

    def summary(self):
        line = f"{self.passed} passed, {self.failed} failed"
        if self.skipped:
            line += f", {self.skipped} skipped"
        return line


def run_tmm(build, tally):
    tmm = os.path.join(build, "tmm")
    # A log of our own, so that a concurrent "meson test" cannot mix in.
    proc = subprocess.run(["meson", "test", "-C", tmm, "--print-errorlogs",
                           "--logbase", "virtcca-check"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    log = os.path.join(tmm, "meson-logs", "virtcca-check.json")
    if not os.path.exists(log):
        tally.add("tmm", "meson test", "fail", proc.stdout[-3000:])
        return
    with open(log) as f:
        for line in f:
            if not line.strip():
                continue
            entry = json.loads(line)
            result = {"OK": "pass", "EXPECTEDFAIL": "pass",
                      "SKIP": "skip"}.get(entry["result"], "fail")
            detail = ""
            if result == "fail":
                detail = (entry.get("stdout") or "")[-3000:]
            tally.add("tmm", entry["name"], result, detail)


def run_qtests(build, tally):
    env = dict(os.environ)
    env["QTEST_QEMU_BINARY"] = os.path.join(build, "qemu",
                                            "qemu-system-aarch64")
    for name in QTESTS:
        exe = os.path.join(build, "qemu", "tests", "qtest", name)
        try:
            proc = subprocess.run([exe, "--tap"], env=env, timeout=300,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        except subprocess.TimeoutExpired as e:
            tally.add("qtest", name, "fail", f"timed out: {e}")
            continue
        seen = 0
        for line in proc.stdout.splitlines():
            m = re.match(r"^(not ok|ok) \d+ (\S+)(.*)$", line)
            if not m:
                continue
            seen += 1
            if "# SKIP" in m.group(3):
                tally.add("qtest", m.group(2), "skip", m.group(3))
            elif m.group(1) == "ok":
                tally.add("qtest", m.group(2), "pass")
            else:
                tally.add("qtest", m.group(2), "fail", proc.stdout[-3000:])
        if proc.returncode != 0 and (seen == 0 or "not ok" not in
                                     proc.stdout):
            tally.add("qtest", name, "fail",
                      f"exit status {proc.returncode}\n" +
                      proc.stdout[-3000:])


class TallyResult(unittest.TestResult):
    def __init__(self, tally):
        super().__init__()
        self.tally = tally

    def addSuccess(self, test):
        self.tally.add("system", test.id(), "pass")

    def addFailure(self, test, err):
        self.tally.add("system", test.id(), "fail",
                       self._exc_info_to_string(err, test))

    def addError(self, test, err):
        self.tally.add("system", test.id(), "fail",
                       self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        self.tally.add("system", test.id(), "skip", reason)


def run_system(build, guest, tally):
    os.environ["VIRTCCA_BUILD"] = build
    os.environ["VIRTCCA_GUEST"] = guest
    sys.path.insert(0, os.path.join(TOP, "tests", "system"))
    sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
    suite = unittest.defaultTestLoader.discover(
        os.path.join(TOP, "tests", "system"), pattern="test_*.py",
        top_level_dir=os.path.join(TOP, "tests", "system"))
    suite.run(TallyResult(tally))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--guest", default=os.path.join(
        os.environ.get("VIRTCCA_CACHE",
                       os.path.expanduser("~/.cache/virtcca-qemu")),
        "guest"))
    ap.add_argument("--suite", action="append",
                    choices=["tmm", "qtest", "system"])
    args = ap.parse_args()
    suites = args.suite or ["tmm", "qtest", "system"]

    tally = Tally()
    if "tmm" in suites:
        run_tmm(args.build, tally)
    if "qtest" in suites:
        run_qtests(args.build, tally)
    if "system" in suites:
        run_system(args.build, args.guest, tally)

    if tally.failures:
        print("\nFailed:")
        for f in tally.failures:
            print("  " + f)
    print(tally.summary())
    return 1 if tally.failed or not tally.passed else 0


if __name__ == "__main__":
    sys.exit(main())
