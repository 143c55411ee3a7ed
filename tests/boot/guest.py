#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot the virtcca-qemu test guest and read the report its /init prints.

The guest (scripts/make-guest.sh, scripts/guest/init) prints, on its serial
console, lines

    VIRTCCA-REPORT-BEGIN
    key=value
    ...
    VIRTCCA-REPORT-END

and powers off. run() starts QEMU, collects the console from QEMU's stdout
and returns (report, console, exit_status).

The console is read from a pipe on QEMU's stdout: QEMU's stdio chardev
writes with write(2), so nothing sits in a stdio buffer, and the pipe is
drained continuously by threads so QEMU never blocks on it. If the command
line does not route the serial port itself (-serial, -nographic), run()
adds "-serial stdio -display none -monitor none".

Library use:
    import guest
    g = guest.default_guest()
    report, console, status = guest.run(
        [guest.default_qemu(), "-M", "virt", "-cpu", "max", "-m", "1G",
         "-nic", "none", "-no-reboot"] + g.args("virtcca.rng=1"),
        timeout=120)

CLI:
    guest.py run [--guest] [--append ARGS] [--timeout S] [--json]
                 [--console FILE] [--echo] -- [QEMU] QEMU-ARGS...
    guest.py paths
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from typing import Dict, List, NamedTuple, Optional, Tuple

BEGIN = "VIRTCCA-REPORT-BEGIN"
END = "VIRTCCA-REPORT-END"
DEFAULT_APPEND = "panic=-1"
_KEY = re.compile(r"^([a-z0-9_]+)=(.*)$")
_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class GuestError(Exception):
    """The guest run failed; console and stderr are kept for diagnosis."""

    def __init__(self, message: str, console: str = "", stderr: str = "",
                 status: Optional[int] = None):
        self.console = console
        self.stderr = stderr
        self.status = status
        tail = "\n".join(console.rstrip("\n").split("\n")[-25:])
        text = message
        if tail:
            text += "\n--- last console lines ---\n" + tail
        if stderr.strip():
            text += "\n--- qemu stderr ---\n" + stderr.strip()[-2000:]
        super().__init__(text)


class GuestTimeout(GuestError):
    """QEMU did not finish in time (or did not exit after the report)."""


class GuestReportMissing(GuestError):
    """QEMU exited without a complete report on the console."""


def cache_dir() -> str:
    return os.environ.get("VIRTCCA_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "virtcca-qemu")


class GuestImage(NamedTuple):
    kernel: str
    initrd: str

    def args(self, append: str = "", console: str = "ttyAMA0") -> List[str]:
        """-kernel/-initrd/-append for this guest; APPEND adds to the
        command line (e.g. "virtcca.blk=1 virtcca.rng=1")."""
        cmdline = " ".join(x for x in (f"console={console}", DEFAULT_APPEND,
                                       append) if x)
        return ["-kernel", self.kernel, "-initrd", self.initrd,
                "-append", cmdline]


def default_guest(check: bool = True) -> GuestImage:
    """Image and initramfs built by scripts/make-guest.sh in
    $VIRTCCA_CACHE/guest (default ~/.cache/virtcca-qemu/guest)."""
    d = os.path.join(cache_dir(), "guest")
    g = GuestImage(os.path.join(d, "Image"), os.path.join(d, "initramfs.cpio.gz"))
    if check:
        for p in g:
            if not os.path.isfile(p):
                raise FileNotFoundError(
                    f"{p} is missing: run scripts/make-guest.sh first")
    return g


def default_qemu() -> str:
    """$QEMU, else this tree's build/qemu/qemu-system-aarch64, else PATH."""
    env = os.environ.get("QEMU")
    if env:
        return env
    built = os.path.join(_REPO, "build", "qemu", "qemu-system-aarch64")
    if os.access(built, os.X_OK):
        return built
    found = shutil.which("qemu-system-aarch64")
    if found:
        return found
    raise FileNotFoundError("no qemu-system-aarch64: set $QEMU or build it")


def parse_report(console: str) -> Optional[Dict[str, str]]:
    """The last complete report in CONSOLE as a dict (insertion order is the
    guest's order), or None. Lines that are not key=value (a stray kernel
    message) are skipped."""
    lines = console.split("\n")
    starts = [i for i, l in enumerate(lines) if l.strip() == BEGIN]
    for start in reversed(starts):
        report: Dict[str, str] = {}
        for line in lines[start + 1:]:
            line = line.strip()
            if line == END:
                return report
            m = _KEY.match(line)
            if m:
                report[m.group(1)] = m.group(2)
    return None


def _has_serial_route(cmd: List[str]) -> bool:
    return any(a in ("-nographic", "--nographic", "-serial", "--serial")
               for a in cmd)


def _normalise(data: bytes) -> str:
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "")


def run(cmd: List[str], timeout: float = 120, exit_grace: float = 20,
        kill_after_report: bool = False, echo=None,
        console_log: Optional[str] = None,
        usage: Optional[Dict[str, float]] = None) -> Tuple[Dict[str, str], str, Optional[int]]:
    """Run the QEMU command line CMD (a list, binary first) and return
    (report, console, exit_status).

    timeout: seconds for the whole run, boot to QEMU's exit.
    exit_grace: once the report is complete, seconds QEMU gets to exit
        (the guest powers off right after printing it).
    kill_after_report: if QEMU is still running after exit_grace, kill it
        and return with exit_status None instead of raising GuestTimeout.
    echo: a text stream that receives the console as it arrives.
    console_log: a path the full console is written to, whatever happens.
    usage: a dict that receives QEMU's resource use when it exits by
        itself: cpu_s (user + system seconds) and maxrss_mib (peak RSS).

    Raises GuestTimeout, GuestReportMissing (both GuestError)."""
    cmd = [str(a) for a in cmd]
    if not _has_serial_route(cmd):
        cmd += ["-serial", "stdio", "-display", "none", "-monitor", "none"]

    out_chunks: List[bytes] = []
    err_chunks: List[bytes] = []
    lock = threading.Lock()
    end_seen = threading.Event()
    marker = END.encode()

    def pump(stream, chunks, watch):
        tail = b""
        while True:
            data = os.read(stream.fileno(), 65536)
            if not data:
                break
            with lock:
                chunks.append(data)
            if echo is not None and watch:
                echo.write(_normalise(data))
                echo.flush()
            if watch:
                window = tail + data
                if marker in window:
                    end_seen.set()
                tail = window[-len(marker):]

    start = time.monotonic()
    # A session of its own: stop() can signal everything QEMU started (a
    # helper keeping the pipes open would stall the readers), and a ^C at
    # the caller's terminal is handled here rather than racing into QEMU.
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    threads = [threading.Thread(target=pump, args=(proc.stdout, out_chunks, True), daemon=True),
               threading.Thread(target=pump, args=(proc.stderr, err_chunks, False), daemon=True)]
    for t in threads:
        t.start()

    def signal_group(sig):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop():
        if proc.poll() is None:
            signal_group(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                signal_group(signal.SIGKILL)
                proc.wait()
        else:
            # QEMU is gone; anything left in its group only holds pipes.
            signal_group(signal.SIGKILL)

    def texts():
        deadline = time.monotonic() + 5
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        with lock:
            console = _normalise(b"".join(out_chunks))
            stderr = _normalise(b"".join(err_chunks))
        if console_log:
            with open(console_log, "w") as f:
                f.write(console)
        return console, stderr

    def poll() -> Optional[int]:
        """proc.poll(), keeping QEMU's resource use (wait4)."""
        if proc.returncode is not None:
            return proc.returncode
        pid, wstatus, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid == 0:
            return None
        proc.returncode = os.waitstatus_to_exitcode(wstatus)
        if usage is not None:
            usage["cpu_s"] = ru.ru_utime + ru.ru_stime
            usage["maxrss_mib"] = ru.ru_maxrss / 1024
        return proc.returncode

    status: Optional[int] = None
    end_at: Optional[float] = None
    try:
        while True:
            status = poll()
            if status is not None:
                break
            now = time.monotonic()
            if end_seen.is_set() and end_at is None:
                end_at = now
            if end_at is not None and now - end_at > exit_grace:
                stop()
                if kill_after_report:
                    status = None
                    break
                console, stderr = texts()
                raise GuestTimeout(
                    f"report printed but QEMU did not exit within {exit_grace:g} s "
                    "(did the guest's poweroff reach the machine?)",
                    console, stderr)
            if now - start > timeout:
                stop()
                console, stderr = texts()
                what = "incomplete report" if BEGIN in console else "no report"
                raise GuestTimeout(
                    f"QEMU timed out after {timeout:g} s ({what}): {' '.join(cmd)}",
                    console, stderr)
            time.sleep(0.05)
    except BaseException:
        stop()
        raise

    console, stderr = texts()
    report = parse_report(console)
    if report is None:
        what = ("an incomplete report (no " + END + ")") if BEGIN in console \
            else "no report"
        raise GuestReportMissing(
            f"QEMU exited with status {status} and {what}: {' '.join(cmd)}",
            console, stderr, status)
    return report, console, status


run_guest = run


# --- helpers for realm runs that a host inspects ---------------------------

class Qmp:
    """A small QMP client on a unix socket QEMU listens on
    (-qmp unix:PATH,server=on,wait=off). Events that arrive while waiting
    for a reply are kept in .events."""

    def __init__(self, path: str, timeout: float = 60):
        import socket
        deadline = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX)
            try:
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.file = self.sock.makefile("rw")
        self.events: List[dict] = []
        self._read()                                # the greeting
        self.cmd("qmp_capabilities")

    def _read(self) -> dict:
        line = self.file.readline()
        if not line:
            raise ConnectionError("QMP: QEMU closed the connection")
        return json.loads(line)

    def cmd(self, name: str, /, **args) -> dict:
        """Execute NAME; the whole reply ({"return": ...} or {"error":
        ...})."""
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.file.write(json.dumps(msg) + "\n")
        self.file.flush()
        while True:
            reply = self._read()
            if "event" in reply:
                self.events.append(reply)
            else:
                return reply

    def hmp(self, line: str) -> str:
        """A human monitor command; its output text."""
        r = self.cmd("human-monitor-command", **{"command-line": line})
        if "error" in r:
            raise RuntimeError(f"HMP {line!r}: {r['error']['desc']}")
        return r["return"]

    def close(self):
        self.file.close()
        self.sock.close()


def gdb_packet(sock, payload: str, timeout: float = 10) -> str:
    """Send one GDB remote protocol packet on @sock (connected to QEMU's
    gdbstub) and return the reply's payload, acknowledged."""
    import re
    csum = sum(payload.encode()) & 0xff
    sock.sendall(f"${payload}#{csum:02x}".encode())
    sock.settimeout(timeout)
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("gdbstub closed")
        data += chunk
        m = re.search(rb"\$([^#]*)#[0-9a-f]{2}", data)
        if m:
            sock.sendall(b"+")
            return m.group(1).decode()


def write_p384_key(path: str) -> bytes:
    """Write a fresh ECC P-384 private key to PATH (PEM, PKCS#8), usable as
    virtcca-guest's platform-key= or rak-key=; return its public key as
    PEM, what a verifier is given."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP384R1())
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return key.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo)


def default_measure() -> str:
    """virtcca-measure of this tree's standalone build (build/tmm), or of
    $VIRTCCA_BUILD/tmm."""
    build = os.environ.get("VIRTCCA_BUILD") or os.path.join(_REPO, "build")
    return os.path.join(build, "tmm", "virtcca-measure")


def predict_rim(measure: str, plan: str, image: GuestImage, dtb: str) -> str:
    """The RIM (hex) virtcca-measure computes from the launch plan QEMU
    wrote (virtcca-guest's measurement-log=) and the images it loaded: the
    kernel, the initrd and the DTB (-M virtcca,dumpdtb= or QMP dumpdtb)."""
    p = subprocess.run([measure, "--plan", plan, "--json",
                        "--image", "kernel=" + image.kernel,
                        "--image", "initrd=" + image.initrd,
                        "--image", "dtb=" + dtb],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        raise RuntimeError(f"virtcca-measure failed: {p.stderr.strip()}")
    return json.loads(p.stdout)["rim"]


def secret_marker(seed: str) -> bytes:
    """What the guest keeps in memory with virtcca.secret=SEED: these 64
    hex digits, 4096 times."""
    import hashlib
    return hashlib.sha256(("virtcca-secret-" + seed).encode()) \
        .hexdigest().encode()


def wait_report(console: str, proc: subprocess.Popen,
                timeout: float = 240) -> Tuple[Dict[str, str], str]:
    """Wait until the console file CONSOLE (-serial file:CONSOLE) holds a
    complete report of the guest that PROC runs; return (report, console
    text). Raises GuestTimeout, or GuestReportMissing if QEMU exits
    first."""
    start = time.monotonic()
    text = ""
    while True:
        if os.path.exists(console):
            with open(console, "rb") as f:
                text = _normalise(f.read())
            if END in text:
                report = parse_report(text)
                if report is not None:
                    return report, text
        status = proc.poll()
        if status is not None:
            raise GuestReportMissing(
                f"QEMU exited with status {status} before the report",
                text, "", status)
        if time.monotonic() - start > timeout:
            raise GuestTimeout(f"no report after {timeout:g} s", text)
        time.sleep(0.2)


def _cli(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(
        prog="guest.py", description="Boot the virtcca-qemu test guest.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run QEMU and print the guest's report",
                       description="Arguments after -- are QEMU's; the "
                       "binary may come first, else $QEMU or the tree's build.")
    r.add_argument("--guest", action="store_true",
                   help="add -kernel/-initrd/-append of the default guest")
    r.add_argument("--append", default="",
                   help="extra kernel arguments with --guest (e.g. virtcca.rng=1)")
    r.add_argument("--timeout", type=float, default=120)
    r.add_argument("--json", action="store_true", help="print the report as JSON")
    r.add_argument("--console", metavar="FILE", help="save the full console here")
    r.add_argument("--echo", action="store_true",
                   help="copy the console to stderr as it arrives")
    r.add_argument("qemu", nargs=argparse.REMAINDER)
    sub.add_parser("paths", help="print the default guest's Image and initramfs")
    a = ap.parse_args(argv)

    if a.cmd == "paths":
        g = default_guest(check=False)
        print(f"kernel={g.kernel}\ninitrd={g.initrd}")
        return 0 if all(os.path.isfile(p) for p in g) else 1

    qargs = a.qemu[1:] if a.qemu[:1] == ["--"] else a.qemu
    if qargs and not qargs[0].startswith("-"):
        cmd = qargs
    else:
        try:
            cmd = [default_qemu()] + qargs
        except FileNotFoundError as e:
            print(f"guest.py: {e}", file=sys.stderr)
            return 2
    t0 = time.monotonic()
    try:
        if a.guest:
            cmd += default_guest().args(a.append)
        report, _, status = run(cmd, timeout=a.timeout, console_log=a.console,
                                echo=sys.stderr if a.echo else None)
    except (GuestError, OSError) as e:
        print(f"guest.py: {e}", file=sys.stderr)
        return 2
    if a.json:
        print(json.dumps(report, indent=1))
    else:
        for k, v in report.items():
            print(f"{k}={v}")
    print(f"guest.py: QEMU exit status {status}, {time.monotonic() - t0:.1f} s",
          file=sys.stderr)
    return 0 if status == 0 else 1


if __name__ == "__main__":
    sys.exit(_cli(sys.argv[1:]))
