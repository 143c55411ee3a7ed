# SPDX-License-Identifier: GPL-2.0-or-later
"""A realm as a libvirt domain, with Debian 12's libvirt 9.0.

Installs libvirt-daemon, libvirt-daemon-driver-qemu and libvirt-clients
(bookworm, --no-install-recommends: no qemu-system package), starts its
own libvirtd on a private socket with private state and run directories,
and through virsh: probes the emulator (domcapabilities), defines the
domain of docs/system/arm/virtcca-domain.xml, starts it with `virsh start
--console` and reads the guest's report from the PL011 through virsh's
console, attests it with scripts/virtcca-attest,
checks that dump, save, managedsave, a memory snapshot and migration are
refused with virtcca's message while the realm keeps running, shuts it
down with the power button (virsh shutdown --mode acpi), boots it again,
shuts it down through the guest agent and undefines it.  Whatever it starts is
killed whatever happens.

The daemon runs privileged (as root) in a mount namespace of its own
where /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/cache/libvirt
and /var/log/libvirt are directories of the test and /etc/passwd has
the libvirt-qemu user libvirt looks up at start (libvirt-daemon-system
would create it; that package is not installed).  Nothing outside that
namespace changes except the empty mount points (created if missing).
"""

import glob
import json
import pty
import threading
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import guest
import test_realm

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("VIRTCCA_BUILD", os.path.join(TOP, "build"))
QEMU = os.path.join(BUILD, "qemu", "qemu-system-aarch64")
MEASURE = os.path.join(BUILD, "tmm", "virtcca-measure")
TEMPLATE = os.path.join(TOP, "docs", "system", "arm", "virtcca-domain.xml")
ATTEST = os.path.join(TOP, "scripts", "virtcca-attest")
PACKAGES = "libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients"
REFUSAL = "a realm's memory is private to it"
MOUNTS = {"etc": "/etc/libvirt", "run": "/run/libvirt",
          "lib": "/var/lib/libvirt", "cache": "/var/cache/libvirt",
          "log": "/var/log/libvirt"}

QEMU_CONF = """\
user = "root"
group = "root"
dynamic_ownership = 0
cgroup_controllers = [ ]
security_driver = "none"
namespaces = [ ]
stdio_handler = "file"
"""

NAMESPACE_SETUP = """\
set -e
for m in {mounts}; do mount --bind "$D/${{m%%:*}}" "${{m#*:}}"; done
mount --bind "$D/passwd" /etc/passwd
mount --bind "$D/group" /etc/group
exec libvirtd --config "$D/libvirtd.conf" --pid-file "$D/libvirtd.pid"
"""


def install_libvirt():
    """Debian's packages through scripts/install-deps.sh; a second try
    after a pause when another apt holds the lock."""
    env = dict(os.environ, EXTRA_PKGS=PACKAGES)
    out = ""
    for _ in range(3):
        p = subprocess.run(["sh", os.path.join(TOP, "scripts",
                                               "install-deps.sh")],
                           env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if p.returncode == 0:
            return
        out = p.stdout
        time.sleep(20)
    raise RuntimeError("installing %s failed:\n%s" % (PACKAGES, out[-3000:]))


def alive(pid):
    """PID exists and is not a zombie waiting for its reaper."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class Libvirtd:
    """libvirtd on a private socket with private state, in a mount
    namespace; stop() leaves nothing running."""

    def __init__(self, root):
        self.root = root
        self.sock = os.path.join(root, "sock", "libvirt-sock")
        self.uri = "qemu+unix:///system?socket=" + self.sock
        self.proc = None

    def _files(self):
        d = self.root
        for sub in list(MOUNTS) + ["sock"]:
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        with open(os.path.join(d, "etc", "qemu.conf"), "w") as f:
            f.write(QEMU_CONF)
        with open(os.path.join(d, "libvirtd.conf"), "w") as f:
            f.write('unix_sock_dir = "%s"\n' % os.path.dirname(self.sock))
            f.write('unix_sock_rw_perms = "0700"\n')
            f.write('auth_unix_rw = "none"\nauth_unix_ro = "none"\n')
            f.write('log_outputs = "3:file:%s/libvirtd.log"\n' % d)
        for name, line in (("passwd", "libvirt-qemu:x:64055:64055:libvirt "
                            "qemu:/nonexistent:/usr/sbin/nologin\n"),
                           ("group", "libvirt-qemu:x:64055:\n")):
            with open("/etc/" + name) as f:
                text = f.read()
            if not text.endswith("\n"):
                text += "\n"
            if not text.startswith("libvirt-qemu:") and \
                    "\nlibvirt-qemu:" not in text:
                text += line
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        for mnt in MOUNTS.values():
            os.makedirs(mnt, exist_ok=True)

    def start(self):
        self._files()
        script = NAMESPACE_SETUP.format(mounts=" ".join(
            "%s:%s" % kv for kv in MOUNTS.items()))
        self.log = open(os.path.join(self.root, "libvirtd.out"), "w")
        self.proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private",
             "sh", "-c", script],
            env=dict(os.environ, D=self.root), stdin=subprocess.DEVNULL,
            stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("libvirtd exited (%s): %s" % (
                    self.proc.returncode, self.tail()))
            if os.path.exists(self.sock) and \
                    self.virsh("list", "--all").returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("libvirtd did not answer: " + self.tail())
            time.sleep(0.3)

    def tail(self):
        out = []
        for name in ("libvirtd.out", "libvirtd.log"):
            try:
                with open(os.path.join(self.root, name)) as f:
                    out.append(f.read()[-2000:])
            except OSError:
                pass
        return "\n".join(out)

    def virsh(self, *args, timeout=180):
        return subprocess.run(["virsh", "-q", "-c", self.uri] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=timeout)

    def qemu_pids(self):
        """QEMUs this daemon started that still run (its pid files;
        driver.pid is the daemon's own)."""
        pids = []
        for pidfile in glob.glob(os.path.join(self.root, "run", "qemu",
                                              "*.pid")):
            try:
                with open(pidfile) as f:
                    pid = int(f.read().strip())
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    if b"qemu-system" in f.read() and alive(pid):
                        pids.append(pid)
            except (OSError, ValueError):
                pass
        return pids

    def stop(self):
        """Destroy every domain, stop the daemon, kill what is left."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                for name in self.virsh("list", "--all", "--name",
                                       timeout=30).stdout.split():
                    self.virsh("destroy", name, timeout=30)
                    self.virsh("undefine", name, "--managed-save",
                               "--snapshots-metadata", timeout=30)
            except subprocess.TimeoutExpired:
                pass
        pids = self.qemu_pids()
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            try:
                self.proc.wait(wait)
            except subprocess.TimeoutExpired:
                continue
            deadline = time.monotonic() + wait
            while any(alive(p) for p in pids) and \
                    time.monotonic() < deadline:
                time.sleep(0.1)
            if not any(alive(p) for p in pids):
                break
        self.log.close()


def wait_for(check, timeout, what):
    """CHECK()'s first true result, polled for TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("%s: not within %d s" % (what, timeout))
        time.sleep(0.3)


def read_log(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-3000:]
    except OSError:
        return ""


class VirshConsole:
    """`virsh start --console` (virsh wants a terminal: a pseudo-terminal
    here), its output collected as it comes."""

    def __init__(self, daemon, name):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            ["virsh", "-c", daemon.uri, "start", "--console", name],
            stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        os.close(slave)
        self.chunks = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:     # EIO: virsh has gone
                return
            if not data:
                return
            self.chunks.append(data)

    def text(self):
        return b"".join(self.chunks).decode(errors="replace") \
            .replace("\r", "")

    def close(self):
        if self.master is None:
            return
        if self.proc.poll() is None:
            try:
                os.write(self.master, b"\x1d")     # virsh's escape: ^]
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.reader.join(5)
        os.close(self.master)
        self.master = None


def fill_template(values):
    with open(TEMPLATE) as f:
        text = f.read()
    for k, v in values.items():
        text = text.replace("@%s@" % k, v)
    left = re.findall(r"@[A-Z_]+@", text.split("-->", 1)[1])
    if left:
        raise ValueError("unfilled placeholders: %s" % left)
    return text


@unittest.skipUnless(os.geteuid() == 0, "libvirtd is run privileged: root")
class LibvirtRealm(unittest.TestCase):
    """One libvirtd, one realm domain, its whole life."""

    @classmethod
    def setUpClass(cls):
        install_libvirt()
        cls.tmp = tempfile.mkdtemp(prefix="virtcca-libvirt-")
        cls.daemon = Libvirtd(os.path.join(cls.tmp, "d"))
        try:
            cls.daemon.start()
        except BaseException:
            cls.daemon.stop()
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        left = cls.daemon.qemu_pids()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        if left:
            raise RuntimeError("QEMU still running: %s" % left)

    def virsh_ok(self, *args, timeout=180):
        p = self.daemon.virsh(*args, timeout=timeout)
        self.assertEqual(p.returncode, 0, "virsh %s: %s%s" % (
            " ".join(args), p.stderr, self.daemon.tail()[-1500:]))
        return p.stdout

    def state(self, name):
        return self.virsh_ok("domstate", name).strip()

    def test_1_domcapabilities(self):
        caps = self.virsh_ok("domcapabilities", "--emulatorbin", QEMU,
                             "--arch", "aarch64", "--machine", "virtcca",
                             "--virttype", "qemu")
        self.assertIn("<machine>virtcca</machine>", caps)
        # ... and under the name that makes it an Arm virt board to libvirt
        caps = self.virsh_ok("domcapabilities", "--emulatorbin", QEMU,
                             "--arch", "aarch64", "--machine",
                             "virt-virtcca", "--virttype", "qemu")
        self.assertIn("<machine>virtcca</machine>", caps)
        self.assertIn("<arch>aarch64</arch>", caps)
        self.assertRegex(caps, r"<model [^>]*>max</model>")
        self.assertIn("<value>virtio</value>", caps)

    def test_2_realm_domain(self):
        t = self.tmp
        name = "virtcca-test-%d" % os.getpid()
        image = guest.default_guest()
        key = os.path.join(t, "iak.pem")
        test_realm.write_key(key)
        disk = os.path.join(t, "disk.raw")
        with open(disk, "wb") as f:
            f.truncate(16 << 20)
        xml = os.path.join(t, "domain.xml")
        with open(xml, "w") as f:
            f.write(fill_template({
                "NAME": name, "QEMU": QEMU, "KERNEL": image.kernel,
                "INITRD": image.initrd, "DISK": disk,
                "CMDLINE": "virtcca.blk=1 virtcca.deadline=300",
                "MEASUREMENT_LOG": os.path.join(t, "plan.txt"),
                "PLATFORM_KEY": key}))

        self.virsh_ok("define", xml)
        self.assertEqual(self.state(name), "shut off")
        console = VirshConsole(self.daemon, name)
        self.addCleanup(console.close)
        wait_for(lambda: self.state(name) == "running", 60, "running")

        # The report on the serial console, while the domain runs.
        qemu_log = os.path.join(self.daemon.root, "log", "qemu",
                                name + ".log")

        def report_done():
            self.assertEqual(self.state(name), "running",
                             console.text()[-2000:] + "\n" +
                             read_log(qemu_log))
            return guest.parse_report(console.text())

        report = wait_for(report_done, 240, "the guest's report")
        self.assertEqual(report.get("realm"), "yes", report)
        self.assertEqual(report.get("attestation"), "ok", report)
        self.assertEqual(report.get("blk_rw"), "ok", report)
        self.assertIn("eth0", report.get("nics", ""))
        # disk, NIC and the agent's virtio-serial: all iommu='on'.
        self.assertEqual(len(report["virtio_access_platform"].split(",")), 3,
                         report)

        # The agent answers once the guest opened its port.
        wait_for(lambda: self.daemon.virsh(
            "qemu-agent-command", name,
            '{"execute": "guest-ping"}').returncode == 0, 60,
            "an answer of the guest agent")

        # Attestation with a fresh challenge, against virtcca-measure.
        env = dict(os.environ, VIRTCCA_MEASURE=MEASURE)
        p = subprocess.run([sys.executable, ATTEST, "-c", self.daemon.uri,
                            name, "--json"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        result = json.loads(p.stdout)
        self.assertTrue(result["verified"])
        self.assertEqual(result["claims"]["realm"]["challenge"],
                         result["challenge"])
        # ... and the same tool refuses a token that does not match.
        p = subprocess.run([sys.executable, ATTEST, "-c", self.daemon.uri,
                            name, "--rim", "00" * 32], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=300)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("RIM mismatch", p.stderr)

        # What would read the realm's memory is refused; it keeps running.
        refused = {
            "dump": ["dump", name, os.path.join(t, "core")],
            "save": ["save", name, os.path.join(t, "saved")],
            "managedsave": ["managedsave", name],
            "snapshot-create": ["snapshot-create-as", name, "s0",
                                "--memspec",
                                "file=%s,snapshot=external" %
                                os.path.join(t, "snap.mem"),
                                "--diskspec", "vda,snapshot=external,"
                                "file=%s" % os.path.join(t, "snap.qcow2")],
            "migrate": ["migrate", "--live", name, self.daemon.uri],
        }
        for what, args in refused.items():
            p = self.daemon.virsh(*args)
            self.assertNotEqual(p.returncode, 0, what)
            self.assertIn(REFUSAL, p.stderr, what)
            self.assertEqual(self.state(name), "running", what)
        # A memory-only dump is QMP dump-guest-memory, refused as well.
        p = self.daemon.virsh("dump", "--memory-only", name,
                              os.path.join(t, "core.elf"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot be dumped", p.stderr)
        self.assertEqual(self.state(name), "running")
        self.assertEqual(self.virsh_ok("snapshot-list", name, "--name")
                         .strip(), "")
        self.assertFalse(os.path.exists(os.path.join(t, "snap.qcow2")))

        # Shut down with the power button (system_powerdown) ...
        self.virsh_ok("shutdown", "--mode", "acpi", name)
        wait_for(lambda: self.state(name) == "shut off", 60, "shut off")
        self.assertIn("power button pressed, powering off", console.text())
        wait_for(lambda: not self.daemon.qemu_pids(), 20, "QEMU's exit")
        console.close()

        # ... and, booted again, through the guest agent; then undefine.
        console = VirshConsole(self.daemon, name)
        self.addCleanup(console.close)
        wait_for(lambda: self.daemon.virsh(
            "qemu-agent-command", name,
            '{"execute": "guest-ping"}').returncode == 0, 120,
            "an answer of the guest agent")
        self.virsh_ok("shutdown", "--mode", "agent", name)
        wait_for(lambda: self.state(name) == "shut off", 60, "shut off")
        self.assertIn("agent: guest-shutdown", console.text())
        wait_for(lambda: not self.daemon.qemu_pids(), 20, "QEMU's exit")
        self.virsh_ok("undefine", name)
        self.assertNotIn(name, self.virsh_ok("list", "--all", "--name"))


if __name__ == "__main__":
    unittest.main()
