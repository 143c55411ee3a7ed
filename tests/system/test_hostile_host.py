# SPDX-License-Identifier: GPL-2.0-or-later
"""A hostile host beside a running realm.

The default Linux guest runs as a realm, keeps a secret in its memory and
answers attestation requests through its guest agent.  Meanwhile the host
issues a seeded random interleaving of what QEMU's monitor lets it do to
a running guest: pmemsave, memsave, xp, x, dump-guest-memory, gdbstub
register and memory reads, savevm, migrate, stop/cont, system_reset,
device_add/device_del of virtio devices, and
query-virtcca, with attestation requests in between.

Oracle: QEMU answers every command and never crashes; the realm survives
(or, after system_reset, is rebuilt with the same RIM and boots again);
every token verifies against the platform key, its fresh challenge and the
realm's RIM; and no byte of the secret shows in anything the host read.

VIRTCCA_HOSTILE_SEED picks another interleaving, VIRTCCA_HOSTILE_STEPS a
longer one.
"""

import base64
import collections
import hashlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import guest

TOP = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(TOP, "scripts"))
import virtcca_token  # noqa: E402

BUILD = os.environ.get("VIRTCCA_BUILD", os.path.join(TOP, "build"))
QEMU = os.path.join(BUILD, "qemu", "qemu-system-aarch64")
SEED = int(os.environ.get("VIRTCCA_HOSTILE_SEED", "20261204"))
STEPS = int(os.environ.get("VIRTCCA_HOSTILE_STEPS", "40"))
SECRET_SEED = "h0571le"
RAM_BASE, RAM_SIZE = 0x40000000, 512 << 20
# With nokaslr the kernel's text is here (arm64, 48-bit VA).
KERNEL_TEXT_VA = 0xffff800080000000


def secret_marker():
    """What the guest keeps in memory (scripts/guest/init, virtcca.secret):
    the 64 hex digits of sha256("virtcca-secret-SEED")."""
    return hashlib.sha256(
        ("virtcca-secret-" + SECRET_SEED).encode()).hexdigest().encode()


def words_to_bytes(text):
    """The bytes behind HMP x/xp output ("addr: 0x... 0x..."), as the
    little-endian 32-bit words it prints."""
    out = bytearray()
    for line in text.splitlines():
        _, sep, rest = line.partition(":")
        if not sep:
            continue
        for w in rest.split():
            try:
                out += int(w, 16).to_bytes(4, "little")
            except ValueError:
                pass
    return bytes(out)


class Agent:
    """The guest agent's virtio-serial port, from the host's side."""

    def __init__(self, path):
        self.path = path
        self.sock = None
        self.buf = b""

    def connect(self):
        if not self.sock:
            self.sock = socket.socket(socket.AF_UNIX)
            self.sock.connect(self.path)

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    def _line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not data:
                raise ConnectionError("agent socket closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.strip(b"\xff\r ")

    def sync(self, timeout):
        """guest-sync until the guest answers (it may be booting)."""
        self.connect()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            token = random.randrange(1 << 30)
            # While the guest has not opened its port QEMU reads nothing
            # from this socket, and a send may block.
            self.sock.settimeout(5)
            try:
                self.sock.sendall(json.dumps(
                    {"execute": "guest-sync", "arguments": {"id": token}})
                    .encode() + b"\n")
            except socket.timeout:
                continue
            end = min(deadline, time.monotonic() + 3)
            while True:
                line = self._line(end)
                if line is None:
                    break
                try:
                    if json.loads(line).get("return") == token:
                        return True
                except ValueError:
                    pass
        return False

    def attest(self, challenge, timeout=120):
        self.sock.settimeout(timeout)
        self.sock.sendall(json.dumps(
            {"execute": "guest-virtcca-attest",
             "arguments": {"challenge": challenge.hex()}}).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            line = self._line(deadline)
            if line is None:
                raise TimeoutError("no answer to guest-virtcca-attest")
            try:
                reply = json.loads(line)
            except ValueError:
                continue
            if "return" in reply and isinstance(reply["return"], dict):
                return base64.b64decode(reply["return"]["token"])
            if "error" in reply:
                raise RuntimeError(reply["error"])


def gdb_exchange(path, packets, timeout=20):
    """Connect to the gdbstub at unix @path, send each RSP packet, return
    the replies' payloads; detach at the end (the VM runs on)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(path)
        replies = [guest.gdb_packet(s, body, timeout) for body in packets]
        guest.gdb_packet(s, "D", timeout)
    return replies


@unittest.skipUnless(os.path.exists(QEMU), "no QEMU build")
class HostileHost(unittest.TestCase):

    def setUp(self):
        self.reads = {}         # what the host read: name -> bytes
        self.log = []           # the steps taken, for failure messages
        self.tmp = tempfile.TemporaryDirectory(prefix="virtcca-hostile-")
        self.addCleanup(self.tmp.cleanup)
        t = self.tmp.name
        self.platform_pub = guest.write_p384_key(os.path.join(t, "iak.pem"))
        self.qmp_path = os.path.join(t, "qmp.sock")
        self.gdb_path = os.path.join(t, "gdb.sock")
        self.agent_path = os.path.join(t, "agent.sock")
        self.console = os.path.join(t, "console.log")
        image = guest.default_guest()
        args = [QEMU, "-M", "virtcca,confidential-guest-support=cca0",
                "-object", f"virtcca-guest,id=cca0,platform-key={t}/iak.pem",
                "-m", "512M", "-smp", "2", "-nic", "none",
                "-display", "none", "-serial", "file:" + self.console,
                "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
                "-gdb", f"unix:{self.gdb_path},server=on,wait=off",
                "-chardev",
                f"socket,id=agent,path={self.agent_path},server=on,wait=off",
                "-device", "virtio-serial-pci,id=vser",
                "-device", "virtserialport,chardev=agent,"
                "name=org.qemu.guest_agent.0"]
        args += image.args(f"virtcca.secret={SECRET_SEED} virtcca.agent=1 "
                           "virtcca.deadline=900 nokaslr")
        self.stderr_path = os.path.join(t, "stderr.log")
        self.stderr = open(self.stderr_path, "wb")
        self.addCleanup(self.stderr.close)
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=self.stderr, stderr=self.stderr)
        self.addCleanup(self.stop_qemu)
        deadline = time.monotonic() + 30
        while not os.path.exists(self.qmp_path):
            self.assertLess(time.monotonic(), deadline, self.qemu_output())
            self.assertIsNone(self.proc.poll(), self.qemu_output())
            time.sleep(0.1)
        self.qmp = guest.Qmp(self.qmp_path)
        self.addCleanup(self.qmp.close)
        self.agent = Agent(self.agent_path)
        self.addCleanup(self.agent.close)

    def stop_qemu(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def qemu_output(self):
        self.stderr.flush()
        with open(self.stderr_path, errors="replace") as f:
            text = f.read()[-3000:]
        try:
            with open(self.console, errors="replace") as f:
                text += "\n--- console ---\n" + f.read()[-3000:]
        except OSError:
            pass
        return text + "\n--- steps ---\n" + "\n".join(self.log[-30:])

    # --- the oracle's pieces ------------------------------------------

    def assert_alive(self):
        self.assertIsNone(self.proc.poll(), self.qemu_output())
        reply = self.qmp.cmd("query-status")
        self.assertIn("return", reply, self.qemu_output())
        return reply["return"]["status"]

    def wait_guest(self, timeout=240):
        self.assertTrue(self.agent.sync(timeout),
                        "the realm's agent never answered\n" +
                        self.qemu_output())

    def attest(self, rng):
        challenge = rng.randbytes(64)
        token = self.agent.attest(challenge)
        claims = virtcca_token.verify_token(token, self.platform_pub,
                                            challenge=challenge,
                                            rim=bytes.fromhex(self.rim))
        self.assertEqual(claims["realm"]["challenge"], challenge.hex())
        return claims

    def keep(self, name, data):
        self.reads[f"{len(self.log)}: {name}"] = data

    def hmp(self, line):
        reply = self.qmp.cmd("human-monitor-command",
                             **{"command-line": line})
        self.assertIn("return", reply, f"HMP {line}: {reply}")
        return reply["return"]

    # --- what the host does -------------------------------------------

    def do_pmemsave(self, rng):
        if rng.randrange(3) == 0:
            base, size = RAM_BASE, RAM_SIZE
        else:
            size = rng.choice([4096, 1 << 20, 16 << 20])
            base = RAM_BASE + rng.randrange(0, RAM_SIZE - size, 4096)
        path = os.path.join(self.tmp.name, "pmem.bin")
        reply = self.qmp.cmd("pmemsave", val=base, size=size, filename=path)
        self.assertIn("return", reply, reply)
        with open(path, "rb") as f:
            self.keep(f"pmemsave {base:#x}+{size:#x}", f.read())
        os.unlink(path)

    def do_memsave(self, rng):
        va = KERNEL_TEXT_VA + rng.randrange(0, 64 << 20, 4096)
        path = os.path.join(self.tmp.name, "mem.bin")
        reply = self.qmp.cmd("memsave", val=va, size=65536, filename=path,
                             **{"cpu-index": rng.randrange(2)})
        if "return" in reply:
            with open(path, "rb") as f:
                self.keep(f"memsave {va:#x}", f.read())
            os.unlink(path)

    def do_xp(self, rng):
        addr = RAM_BASE + rng.randrange(0, RAM_SIZE, 4)
        self.keep(f"xp {addr:#x}",
                  words_to_bytes(self.hmp(f"xp /256xw {addr:#x}")))

    def do_x(self, rng):
        va = KERNEL_TEXT_VA + rng.randrange(0, 64 << 20, 4)
        out = self.hmp(f"x /256xw {va:#x}")
        self.keep(f"x {va:#x}", words_to_bytes(out))

    def do_dump(self, rng):
        path = os.path.join(self.tmp.name, "dump.elf")
        reply = self.qmp.cmd("dump-guest-memory", paging=rng.random() < 0.5,
                             protocol="file:" + path)
        self.assertIn("error", reply, "a realm's memory was dumped")
        self.assertIn("cannot be dumped", reply["error"]["desc"])
        if os.path.exists(path):
            with open(path, "rb") as f:
                self.keep("dump-guest-memory", f.read())
            os.unlink(path)

    def do_gdb(self, rng):
        va = KERNEL_TEXT_VA + rng.randrange(0, 64 << 20, 4)
        pa = RAM_BASE + rng.randrange(0, RAM_SIZE, 4)
        # Registers, memory through the vCPU's MMU, then physical memory
        replies = gdb_exchange(self.gdb_path, [
            "g", "p1f", "p20", f"m{va:x},100", "Qqemu.PhyMemMode:1",
            f"m{pa:x},100", "Qqemu.PhyMemMode:0"])
        self.assertTrue(replies[0].startswith("E"), replies[0][:80])
        self.assertTrue(replies[1].startswith("E"), replies[1][:80])
        self.assertTrue(replies[2].startswith("E"), replies[2][:80])
        for r in replies[3:]:
            if r and not r.startswith("E"):
                try:
                    self.keep("gdbstub m", bytes.fromhex(r))
                except ValueError:
                    pass
        # The gdbstub stopped the VM on attach; detaching lets it run.
        if self.assert_alive() != "running":
            self.qmp.cmd("cont")

    def do_savevm(self, rng):
        out = self.hmp("savevm hostile")
        self.assertIn("cannot be saved", out)

    def do_migrate(self, rng):
        reply = self.qmp.cmd("migrate",
                             uri="exec:cat > /dev/null")
        self.assertIn("error", reply, "a realm was migrated")
        self.assertIn("cannot be saved, snapshotted or migrated",
                      reply["error"]["desc"])

    def do_stop_cont(self, rng):
        self.assertIn("return", self.qmp.cmd("stop"))
        self.assertEqual(self.assert_alive(), "paused")
        time.sleep(rng.random())
        self.assertIn("return", self.qmp.cmd("cont"))

    def do_reset(self, rng):
        self.assertIn("return", self.qmp.cmd("system_reset"))
        info = self.qmp.cmd("query-virtcca")["return"]
        self.assertEqual(info["state"], "active")
        self.assertEqual(info["rim"], self.rim, "RIM after reset")
        self.wait_guest()
        self.resets += 1

    def do_device(self, rng):
        """A virtio-serial port comes and goes (the guest's virtio-serial
        driver sees each); a virtio PCI device cannot be hot-plugged on
        this machine's root bus, which QEMU must say."""
        if rng.randrange(4) == 0:
            reply = self.qmp.cmd("device_add", driver="virtio-rng-pci",
                                 id=f"hostile-rng{len(self.log)}")
            self.assertIn("error", reply, reply)
        elif self.port_present:
            reply = self.qmp.cmd("device_del", id="hostile-port")
            self.assertIn("return", reply, reply)
            self.port_present = False
        else:
            self.qmp.cmd("chardev-add", id="hostile-chr",
                         backend={"type": "null", "data": {}})
            reply = self.qmp.cmd("device_add", driver="virtserialport",
                                 bus="vser.0", chardev="hostile-chr",
                                 name="org.virtcca.hostile",
                                 id="hostile-port")
            # Refused while the last one is still going away: fine too.
            self.port_present = "return" in reply
        self.log.append(f"  -> {reply}")

    def do_query(self, rng):
        info = self.qmp.cmd("query-virtcca")["return"]
        self.assertTrue(info["realm"])
        self.assertEqual(info["state"], "active")
        self.assertEqual(info["rim"], self.rim)
        self.assertIn("realm: yes", self.hmp("info virtcca"))

    def do_attest(self, rng):
        self.attest(rng)
        self.tokens += 1

    ACTIONS = ["pmemsave", "memsave", "xp", "x", "dump", "gdb", "savevm",
               "migrate", "stop_cont", "reset", "device", "query", "attest",
               "attest"]

    def test_random_host_commands_beside_an_attesting_realm(self):
        rng = random.Random(SEED)
        self.t0 = time.monotonic()
        self.resets = self.tokens = 0
        self.port_present = False
        self.wait_guest()
        self.rim = self.qmp.cmd("query-virtcca")["return"]["rim"]
        self.attest(rng)
        # Every action at least once, in a random order, then at random.
        order = sorted(set(self.ACTIONS))
        rng.shuffle(order)
        for step in range(STEPS):
            action = order[step] if step < len(order) else \
                rng.choice(self.ACTIONS)
            if step == STEPS // 2 and not self.resets:
                action = "reset"    # at least one, whatever the seed
            if action == "reset" and self.resets >= 2:
                action = "attest"   # each reset reboots the guest: slow
            self.log.append(f"step {step}: {action} "
                            f"({time.monotonic() - self.t0:.1f} s)")
            getattr(self, "do_" + action)(rng)
            self.assert_alive()
        # Still a realm, still attesting, with the same RIM.
        self.wait_guest()
        self.attest(rng)
        self.do_pmemsave(random.Random(0))      # all of RAM at the end
        marker = secret_marker()
        for name, data in self.reads.items():
            for off in range(0, len(marker) - 15, 16):
                self.assertNotIn(marker[off:off + 16], data,
                                 f"the realm's secret in {name}")
        self.qmp.cmd("quit")
        self.assertEqual(self.proc.wait(30), 0, self.qemu_output())
        with open(self.stderr_path, errors="replace") as f:
            err = f.read()
        self.assertNotRegex(err, r"(?i)assert|abort|segmentation|"
                            r"AddressSanitizer|runtime error")
        done = collections.Counter(line.split()[2] for line in self.log
                                   if line.startswith("step "))
        print(f"\nhostile host: seed {SEED}, {STEPS} steps "
              f"({', '.join(f'{k} {v}' for k, v in sorted(done.items()))}), "
              f"{self.tokens} tokens verified, {self.resets} resets, "
              f"{len(self.reads)} host reads without the secret",
              file=sys.stderr)


class SecretSearchControl(unittest.TestCase):
    """The search above can fail: it finds the marker in data holding
    it, and in x/xp output that shows it."""

    def test_marker_found_in_raw_and_in_words(self):
        marker = secret_marker()
        data = b"\0" * 100 + marker + b"\0" * 100
        self.assertIn(marker[16:32], data)
        words = [int.from_bytes(data[i:i + 4], "little")
                 for i in range(0, len(data), 4)]
        text = "\n".join(f"{0x40000000 + 16 * i:#018x}: " +
                         " ".join(f"{w:#010x}" for w in words[i:i + 4])
                         for i in range(0, len(words), 4))
        self.assertIn(marker[16:32], words_to_bytes(text))


if __name__ == "__main__":
    unittest.main()
