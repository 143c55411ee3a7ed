#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make demo: boot the default guest as a realm on -M virtcca and show
what the realm gives a verifier and what it keeps from the host.

1. QEMU builds the realm and stops before its first instruction (-S);
   virtcca-measure predicts the RIM from the launch plan QEMU wrote and
   the images it loaded (kernel, initrd, DTB), without the monitor.
2. The realm boots; its kernel finds RSI 1.0 and returns a CCA
   attestation token for a fresh random challenge.
3. scripts/virtcca_token.py verifies the token against the platform key
   given to QEMU, the challenge and the predicted RIM.
4. The host reads the realm's RAM (QMP pmemsave) and looks for the secret
   the realm keeps in memory: it is not there.

The summary's lines "  <name>: <value>" are what tests/system/test_demo.py
checks; the exit status is 0 only if every step held.
"""

import argparse
import base64
import os
import shlex
import subprocess
import sys
import tempfile
import time

import guest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "scripts"))
import virtcca_token  # noqa: E402

RSI_LINE = "RME: Using RSI version 1.0"
RAM_BASE = 0x40000000
RAM_MIB = 512


def find_measure(qemu):
    """build/tmm/virtcca-measure next to QEMU's build/qemu-system-aarch64
    (or build/qemu/qemu-system-aarch64), else the tree's build."""
    d = os.path.dirname(os.path.abspath(qemu))
    for base in (d, os.path.dirname(d)):
        path = os.path.join(base, "tmm", "virtcca-measure")
        if os.access(path, os.X_OK):
            return path
    return guest.default_measure()


def shell_word(arg):
    """ARG quoted for a POSIX shell, a leading ~/ left for it to expand."""
    if arg.startswith("~/"):
        return "~/" + shlex.quote(arg[2:])
    return shlex.quote(arg)


def show_path(path):
    """PATH as a reader would type it: relative to the tree, or with ~."""
    path = os.path.abspath(path)
    home = os.path.expanduser("~")
    if path.startswith(TOP + os.sep):
        return os.path.relpath(path, TOP)
    if path.startswith(home + os.sep):
        return "~" + path[len(home):]
    return path


class Demo:
    def __init__(self, qemu, image, measure, tmp):
        self.qemu, self.image, self.measure, self.tmp = \
            qemu, image, measure, tmp
        self.t0 = time.monotonic()
        self.summary = []

    def step(self, text):
        print(f"[{time.monotonic() - self.t0:5.1f} s] {text}", flush=True)

    def result(self, name, value):
        self.summary.append((name, value))

    def run(self):
        t = self.tmp
        iak = os.path.join(t, "iak.pem")
        plan = os.path.join(t, "plan.txt")
        dtb = os.path.join(t, "realm.dtb")
        console = os.path.join(t, "console.log")
        sock = os.path.join(t, "qmp.sock")
        stderr_path = os.path.join(t, "qemu.stderr")

        platform_pub = guest.write_p384_key(iak)
        challenge = os.urandom(64)
        seed = os.urandom(8).hex()
        marker = guest.secret_marker(seed)
        append = (f"virtcca.challenge={challenge.hex()} "
                  f"virtcca.secret={seed} virtcca.hold=1 "
                  "virtcca.deadline=180")
        cmd = [self.qemu, "-M", "virtcca,confidential-guest-support=cca0",
               "-object", "virtcca-guest,id=cca0,"
               f"platform-key={iak},measurement-log={plan}",
               "-m", f"{RAM_MIB}M", "-nic", "none", "-no-reboot", "-S",
               "-display", "none", "-serial", "file:" + console,
               "-qmp", f"unix:{sock},server=on,wait=off"] + \
            self.image.args(append)
        self.step("starting QEMU, stopped before the realm runs:")
        print("  $ " + " ".join(shell_word(show_path(a) if os.path.isabs(a)
                                           else a) for a in cmd), flush=True)
        with open(stderr_path, "wb") as err:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                    stdout=err, stderr=err,
                                    start_new_session=True)
        qmp = None
        try:
            qmp = guest.Qmp(sock)
            ok = self.attest_and_inspect(qmp, proc, plan, dtb, console,
                                         challenge, platform_pub, marker)
        except (guest.GuestError, OSError, RuntimeError, KeyError,
                ValueError, virtcca_token.TokenError) as e:
            with open(stderr_path, errors="replace") as f:
                qerr = f.read().strip()
            print(f"demo: {e}", file=sys.stderr)
            if qerr:
                print("--- qemu stderr ---\n" + qerr[-2000:], file=sys.stderr)
            ok = False
        finally:
            if qmp is not None:
                if proc.poll() is None:
                    try:
                        qmp.cmd("quit")
                    except (OSError, ValueError):
                        pass
                qmp.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.print_summary(ok)
        self.print_by_hand()
        return ok

    def attest_and_inspect(self, qmp, proc, plan, dtb, console, challenge,
                           platform_pub, marker):
        ok = True
        # 1. The realm is built (at reset) but has not run: predict its RIM.
        info = qmp.cmd("query-virtcca")["return"]
        if not info.get("realm"):
            raise RuntimeError(f"QEMU built no realm: {info}")
        r = qmp.cmd("dumpdtb", filename=dtb)
        if "error" in r:
            raise RuntimeError("dumpdtb: " + r["error"]["desc"])
        rim = guest.predict_rim(self.measure, plan, self.image, dtb)
        self.step(f"virtcca-measure predicts the RIM {rim}")
        self.result("RIM predicted", rim)

        # 2. Run it.
        self.step("booting the realm (TCG)...")
        qmp.cmd("cont")
        report, text = guest.wait_report(console, proc, timeout=240)
        rsi = next((line.split("] ", 1)[-1].strip()
                    for line in text.split("\n") if RSI_LINE in line), None)
        self.step(f"the realm's report: realm={report.get('realm')}, "
                  f"kernel {report.get('kernel')}, "
                  f"token of {report.get('token_len')} bytes")
        self.result("realm kernel", rsi or "NO RSI LINE")
        ok &= rsi is not None and report.get("realm") == "yes"

        # 3. Verify the token for our challenge against the predicted RIM.
        self.result("challenge", challenge.hex())
        if "token_b64" not in report:
            self.result("token", "MISSING: " +
                        report.get("attestation_error", "no token_b64"))
            return False
        token = base64.b64decode(report["token_b64"])
        _, realm = virtcca_token.split_token(token)
        self.result("RIM in token", realm[3][virtcca_token.R_RIM].hex())
        try:
            claims = virtcca_token.verify_token(
                token, platform_pub, challenge=challenge,
                rim=bytes.fromhex(rim))
            lc = claims["platform"]["lifecycle"]
            self.result("token", "verified (platform and realm signatures, "
                        "RAK binding, challenge, RIM; lifecycle "
                        f"{virtcca_token.lifecycle_state(lc)})")
        except virtcca_token.TokenError as e:
            self.result("token", f"REJECTED: {e}")
            ok = False

        # 4. The host reads the realm's RAM and looks for its secret.
        if report.get("secret") != "held":
            raise RuntimeError(f"the realm holds no secret: {report}")
        ram = os.path.join(self.tmp, "ram.bin")
        r = qmp.cmd("pmemsave", val=RAM_BASE, size=RAM_MIB << 20,
                    filename=ram)
        if "error" in r:
            raise RuntimeError("pmemsave: " + r["error"]["desc"])
        with open(ram, "rb") as f:
            data = f.read()
        os.unlink(ram)
        found = data.count(marker)
        what = (f"pmemsave of the realm's RAM ({len(data) >> 20} MiB at "
                f"{RAM_BASE:#x}): ")
        if found == 0 and len(data) == RAM_MIB << 20:
            what += "secret not found"
        else:
            what += f"SECRET FOUND {found} times"
            ok = False
        self.result("host read", what)
        self.step("the host has read the realm's RAM")

        # 5. ... and asks for the realm vCPU's registers.
        regs = qmp.hmp("info registers")
        if "registers not available" in regs and "PC=" not in regs:
            self.result("host registers",
                        "info registers: " + regs.strip().split(": ", 1)[1])
        else:
            self.result("host registers", "SHOWN: " + regs[:60])
            ok = False

        # 6. How the realm ran: under the monitor's EL2, every device
        # access and host interrupt was a REC exit the host handled.
        info = qmp.cmd("query-virtcca")["return"]
        exits = {}
        for e in info.get("exits", []):
            for k, v in e.items():
                if k != "cpu":
                    exits[k] = exits.get(k, 0) + v
        if exits.get("mmio") and exits.get("irq"):
            self.result("REC exits", f"{sum(exits.values())}: " + ", ".join(
                f"{k} {v}" for k, v in sorted(exits.items(),
                                              key=lambda kv: -kv[1]) if v))
        else:
            self.result("REC exits", f"NONE COUNTED: {exits}")
            ok = False
        # The realm's memory: the host gave it granules at first touch,
        # a whole 2 MiB block (one RTT entry) where it had touched none.
        data = info.get("granules", {}).get("data", 0)
        self.result("realm memory", f"{data * 4 // 1024} MiB of granules "
                    f"(images included), backed at {exits.get('populate', 0)}"
                    " first touches: untouched 2 MiB blocks whole")

        # 7. The end: the machine's power button, as virsh shutdown does.
        qmp.cmd("system_powerdown")
        try:
            status = proc.wait(timeout=60)
            self.result("power button", "system_powerdown: the realm "
                        f"powered itself off (QEMU exit status {status})")
            ok = ok and status == 0
        except subprocess.TimeoutExpired:
            self.result("power button", "NO POWER-OFF within 60 s")
            ok = False
        return ok

    def print_summary(self, ok):
        results = dict(self.summary)
        predicted = results.get("RIM predicted")
        in_token = results.get("RIM in token")
        if predicted and in_token:
            results["RIM match"] = "yes" if predicted == in_token else "NO"
        results["result"] = ("ok" if ok else "FAILED") + \
            f" in {time.monotonic() - self.t0:.1f} s"
        order = ("realm kernel", "RIM predicted", "RIM in token", "RIM match",
                 "challenge", "token", "host read", "host registers",
                 "REC exits", "realm memory", "power button", "result")
        width = max(len(n) for n in results) + 1
        print("\nSummary")
        for name in order:
            if name in results:
                print(f"  {name + ':':<{width}} {results[name]}")
        sys.stdout.flush()

    def print_by_hand(self):
        def sh(path):
            """PATH for the commands below, which run in /tmp/realm."""
            path = os.path.abspath(path)
            home = os.path.expanduser("~")
            if path.startswith(TOP + os.sep):
                return "$T/" + os.path.relpath(path, TOP)
            if path.startswith(home + os.sep):
                return "$HOME" + path[len(home):]
            return path

        q, m = sh(self.qemu), sh(self.measure)
        k, i = sh(self.image.kernel), sh(self.image.initrd)
        v = sh(os.path.join(TOP, "scripts", "virtcca_token.py"))
        print(f"""
By hand, from the top of the tree (the files go to /tmp/realm):
  T=$PWD; mkdir -p /tmp/realm && cd /tmp/realm
  openssl ecparam -name secp384r1 -genkey -noout -out iak.pem   # platform key
  C=$(od -An -tx1 -N64 /dev/urandom | tr -d ' \\n')               # challenge
  S=demo$$                                                # the realm's secret
  Q="{q} -M virtcca,confidential-guest-support=cca0
     -object virtcca-guest,id=cca0,platform-key=iak.pem,measurement-log=plan.txt
     -m {RAM_MIB}M -nic none -kernel {k} -initrd {i}"
  A="console=ttyAMA0 virtcca.challenge=$C virtcca.secret=$S virtcca.hold=1"
  $Q -append "$A" -M dumpdtb=realm.dtb            # the DTB the realm will get
  $Q -append "$A" -display none -serial file:console.log -monitor stdio
    # (plan.txt is written before the realm runs.) Once console.log has
    # VIRTCCA-REPORT-END:  (qemu) pmemsave {RAM_BASE:#x} {RAM_MIB << 20:#x} ram.bin
    #                      (qemu) system_powerdown   # the power button
  R=$({m} --plan plan.txt --image kernel={k} \\
      --image initrd={i} --image dtb=realm.dtb | cut -d' ' -f3)
  grep -a '^token_b64=' console.log | cut -d= -f2- | tr -d '\\r' | base64 -d >token.cbor
  {v} verify token.cbor --platform-key iak.pem --challenge $C --rim $R
  grep -c $(printf virtcca-secret-$S | sha256sum | cut -c1-64) ram.bin   # 0""")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--guest", required=True,
                    help="directory with Image and initramfs.cpio.gz")
    ap.add_argument("--measure", help="virtcca-measure (default: "
                    "build/tmm/virtcca-measure beside QEMU's build)")
    args = ap.parse_args()

    image = guest.GuestImage(os.path.join(args.guest, "Image"),
                             os.path.join(args.guest, "initramfs.cpio.gz"))
    measure = args.measure or find_measure(args.qemu)
    for path in (args.qemu, measure):
        if not os.access(path, os.X_OK):
            print(f"demo: {path} is missing: make qemu tmm", file=sys.stderr)
            return 1
    for path in image:
        if not os.path.isfile(path):
            print(f"demo: {path} is missing: make guest", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory(prefix="virtcca-demo-") as tmp:
        ok = Demo(args.qemu, image, measure, tmp).run()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
