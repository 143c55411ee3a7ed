# SPDX-License-Identifier: GPL-2.0-or-later
"""The virtcca machine from a user's command line: listing, options, errors,
and booting the default guest to its report."""

import os
import subprocess
import tempfile
import unittest

import guest

BUILD = os.environ.get("VIRTCCA_BUILD", os.path.join(
    os.path.dirname(__file__), "..", "..", "build"))
QEMU = os.path.join(BUILD, "qemu", "qemu-system-aarch64")


def qemu(*args, timeout=60):
    return subprocess.run([QEMU, *args], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


class MachineCommandLine(unittest.TestCase):
    def test_machine_is_listed(self):
        out = qemu("-M", "help").stdout
        self.assertRegex(out, r"(?m)^virtcca\s+virtCCA")

    def test_machine_options_are_listed(self):
        out = qemu("-M", "virtcca,help").stdout
        self.assertIn("virtcca-machine options:", out)
        for option in ("confidential-guest-support", "kernel", "initrd",
                       "append", "memory-backend"):
            self.assertIn(option, out)

    def test_unknown_option_is_named(self):
        proc = qemu("-M", "virtcca,no-such-option=on", "-display", "none")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("no-such-option", proc.stdout)

    def test_missing_kernel_is_named(self):
        path = "/nonexistent/virtcca-Image"
        proc = qemu("-M", "virtcca", "-display", "none", "-nic", "none",
                    "-kernel", path)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(path, proc.stdout)

    def test_cpu_without_el3_is_refused(self):
        proc = qemu("-M", "virtcca", "-cpu", "cortex-a57", "-display",
                    "none", "-nic", "none")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("cortex-a57", proc.stdout)

    def test_too_many_cpus_are_refused(self):
        proc = qemu("-M", "virtcca", "-smp", "200", "-display", "none",
                    "-nic", "none")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("virtcca", proc.stdout)
        self.assertIn("123", proc.stdout)

    def test_secure_memory_size_is_listed(self):
        out = qemu("-M", "virtcca,help").stdout
        self.assertIn("secure-memory-size", out)

    def test_secure_memory_size_not_4k_multiple_is_refused(self):
        proc = qemu("-M", "virtcca,secure-memory-size=4097", "-display",
                    "none", "-nic", "none")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("secure-memory-size", proc.stdout)
        self.assertIn("4 KiB", proc.stdout)

    def test_secure_memory_size_zero_has_no_tzasc(self):
        def mtree(machine):
            proc = subprocess.run(
                [QEMU, "-M", machine, "-display", "none", "-nic", "none",
                 "-S", "-monitor", "stdio"],
                input="info mtree\nquit\n", stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, timeout=60)
            self.assertEqual(proc.returncode, 0, proc.stdout[-2000:])
            return proc.stdout

        # The default: 64 MiB of Secure DRAM behind the TZC-400, whose
        # registers are in the Secure address space.
        out = mtree("virtcca")
        self.assertRegex(out, r"0000004000000000-0000004003ffffff .*"
                              r"tzc400-downstream")
        self.assertIn("virtcca.secure-ram", out)
        self.assertRegex(out, r"0000000009030000-0000000009030fff .*"
                              r"tzc400-regs")
        out = mtree("virtcca,secure-memory-size=0")
        self.assertNotIn("virtcca.secure-ram", out)
        self.assertNotIn("tzc400", out)

class DefaultGuestBoots(unittest.TestCase):
    def test_boot_to_report(self):
        image = guest.default_guest()
        report, console, status = guest.run(
            [QEMU, "-M", "virtcca", "-m", "1G", "-nic", "none",
             "-no-reboot"] + image.args(), timeout=180)
        self.assertEqual(status, 0, console[-2000:])
        self.assertTrue(report["kernel"].startswith("7.2.13"), report)
        self.assertIn("Machine model: QEMU virtCCA platform", console)
        # PSCI over SMC is what realms need; the kernel reports it.
        self.assertIn("psci: Using standard PSCI", console)


if __name__ == "__main__":
    unittest.main()
