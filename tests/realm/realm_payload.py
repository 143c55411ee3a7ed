# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the bare-metal realm payload (tests/realm/payload.c) on -M virtcca.

The payload's console (the PL011, through its unprotected alias) is read
line by line; lines starting "R " are results ("R name key=value ..."),
"F " findings, "P " progress, "D " per-vCPU totals, "S " status, "W " a
request the payload waits on ("W destroy <ipa>": the host is to take
that granule back) and "END" the end of its work.  QEMU is left running
after END so that the caller can look at it from the host (QMP,
gdbstub), then quit.
"""

import os
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "boot"))
import guest  # noqa: E402

MODE_CASES, MODE_SPIN, MODE_FUZZ = 0, 1, 2
MODE_BUFFER_DESTROYED, MODE_BUFFER_OUTSIDE_RAM = 3, 4
MODE_EL2, MODE_EL2_BPR = 5, 6
MODE_ACCESS_OUTSIDE_RAM = 7
MAGIC = b"VIRTCCA-PAYLOAD\0"


def payload_image(path, out, mode, seed=1, iters=1000, ncpus=1,
                  ram_mib=512):
    """Copy the payload image with its params block set."""
    with open(path, "rb") as f:
        image = bytearray(f.read())
    at = image.index(MAGIC) + len(MAGIC)
    struct.pack_into("<5Q", image, at, mode, seed, iters, ncpus, ram_mib)
    with open(out, "wb") as f:
        f.write(image)


def guest_ram_mib(memory):
    """-m's value ("512M", "1G") in MiB."""
    units = {"M": 1, "G": 1024}
    return int(memory[:-1]) * units[memory[-1].upper()]


def parse(line):
    """'R name k=v k=v' -> (name, {k: int or str})"""
    words = line.split()
    fields = {}
    for w in words[2:]:
        k, _, v = w.partition("=")
        try:
            fields[k] = int(v, 0)
        except ValueError:
            fields[k] = v
    return words[1] if len(words) > 1 else "", fields


class PayloadRun:
    """QEMU running the payload as a realm, with a QMP socket and,
    optionally, a gdbstub on a unix socket."""

    def __init__(self, qemu, payload, mode, seed=1, iters=1000, ncpus=1,
                 memory="512M", extra_args=(), gdb=False, env=None,
                 guest_errors=False, realm_object=""):
        self.tmp = tempfile.TemporaryDirectory(prefix="virtcca-payload-")
        t = self.tmp.name
        self.image = os.path.join(t, "payload.bin")
        payload_image(payload, self.image, mode, seed, iters, ncpus,
                      guest_ram_mib(memory))
        self.qmp_path = os.path.join(t, "qmp.sock")
        self.gdb_path = os.path.join(t, "gdb.sock") if gdb else None
        self.log = os.path.join(t, "qemu.log")
        args = [qemu, "-M", "virtcca,confidential-guest-support=cca0",
                "-object", "virtcca-guest,id=cca0" +
                ("," + realm_object if realm_object else ""), "-m", memory,
                "-smp", str(ncpus), "-nographic", "-no-reboot",
                "-nic", "none", "-kernel", self.image,
                "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
                "-D", self.log]
        if guest_errors:
            args += ["-d", "guest_errors"]
        if gdb:
            args += ["-gdb", f"unix:{self.gdb_path},server=on,wait=off"]
        args += list(extra_args)
        self.args = args
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.lines = []
        self._buf = b""
        self.stderr = b""
        self.qmp = None

    def connect_qmp(self):
        if not self.qmp:
            self.qmp = guest.Qmp(self.qmp_path)
        return self.qmp

    def read_until(self, pred, timeout=60, idle=None):
        """Read console lines until pred(line) is true.  Returns the line,
        or None on timeout, on idle seconds without output, or when QEMU
        exits."""
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        fds = [self.proc.stdout, self.proc.stderr]
        while True:
            while b"\n" in self._buf:
                raw, self._buf = self._buf.split(b"\n", 1)
                line = raw.decode(errors="replace").strip("\r ")
                self.lines.append(line)
                if pred(line):
                    return line
            now = time.monotonic()
            if now > deadline or (idle and now - last > idle):
                return None
            ready, _, _ = select.select(fds, [], [], 0.5)
            for f in ready:
                data = os.read(f.fileno(), 65536)
                if f is self.proc.stderr:
                    self.stderr += data
                    continue
                if not data:
                    return None
                self._buf += data
                last = time.monotonic()
            if not ready and self.proc.poll() is not None:
                return None

    def status(self):
        """QEMU's run state (query-status); None once QEMU has gone."""
        if self.proc.poll() is not None:
            return None
        try:
            return self.connect_qmp().cmd("query-status")["return"]["status"]
        except (OSError, ConnectionError, KeyError):
            return None

    def read_until_stopped(self, pred, timeout=60):
        """read_until, giving up as soon as the realm no longer runs (the
        host stopped it, or QEMU exited) rather than at the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.read_until(pred, timeout=2)
            if line is not None:
                return line
            if self.status() != "running":
                return None
        return None

    def exits(self, info=None):
        """query-virtcca's REC exit counters (or those of its answer
        @info) as {cpu: {kind: count}}; None where it does not count
        them."""
        if info is None:
            info = self.connect_qmp().cmd("query-virtcca")["return"]
        if "exits" not in info:
            return None
        return {e["cpu"]: e for e in info["exits"]}

    def results(self):
        """{name: fields} of every R line so far."""
        out = {}
        for line in self.lines:
            if line.startswith("R "):
                name, fields = parse(line)
                out[name] = fields
        return out

    def quit(self, timeout=20):
        """Ask QEMU to quit; returns its exit status (negative: signal)."""
        if self.proc.poll() is None:
            try:
                self.connect_qmp().cmd("quit")
            except (OSError, ConnectionError):
                pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.stderr += self.proc.stderr.read() or b""
        return self.proc.returncode

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        if self.qmp:
            try:
                self.qmp.sock.close()
            except OSError:
                pass
        self.tmp.cleanup()

    def guest_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def esr_ec(esr):
    return (esr >> 26) & 0x3f


def esr_fsc(esr):
    return esr & 0x3f


HEX = re.compile(r"0x[0-9a-f]+")
