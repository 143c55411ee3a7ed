#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check the TMM measurement unit against an independent model.

The model follows cca-abi.md section 3 (RMM 1.0 descriptor layouts): it
builds every descriptor with struct.pack and hashes it with hashlib, then
compares all five slots with what measure-driver reports after each step.
"""

import hashlib
import os
import struct
import subprocess
import sys

GRANULE = 4096
HASHES = {0: ('sha256', 32, 'sha-256'), 1: ('sha512', 64, 'sha-512')}


class Model:
    def __init__(self, algo, flags, s2sz, sve_vl, bps, wps, pmu):
        self.algo = algo
        self.name, self.size, self.claim = HASHES[algo]
        self.slots = [bytes(64) for _ in range(5)]
        params = bytearray(GRANULE)
        struct.pack_into('<QQQQQQB', params, 0, flags, s2sz, sve_vl, bps,
                         wps, pmu, algo)
        self.set_rim(self.h(bytes(params)))

    def h(self, data):
        return hashlib.new(self.name, data).digest()

    def set_rim(self, digest):
        self.slots[0] = digest.ljust(64, b'\0')

    def desc(self, dtype, body):
        d = struct.pack('<QQ', dtype, 0x100) + self.slots[0] + body
        assert len(d) <= 0x100
        return d.ljust(0x100, b'\0')

    def data(self, ipa, flags, content):
        chash = self.h(content) if flags & 1 else b''
        body = struct.pack('<QQ', ipa, flags) + chash.ljust(64, b'\0')
        self.set_rim(self.h(self.desc(0, body)))

    def rec(self, flags, pc, gprs):
        params = bytearray(GRANULE)
        struct.pack_into('<Q', params, 0x000, flags)
        struct.pack_into('<Q', params, 0x200, pc)
        struct.pack_into('<8Q', params, 0x300, *gprs)
        self.set_rim(self.h(self.desc(1, self.h(bytes(params)))))

    def ripas(self, base, top):
        self.set_rim(self.h(self.desc(2, struct.pack('<QQ', base, top))))

    def extend(self, index, data):
        if not 1 <= index <= 4 or len(data) > 64:
            return False
        cur = self.slots[index][:self.size]
        self.slots[index] = self.h(cur + data).ljust(64, b'\0')
        return True


class Driver:
    def __init__(self, path):
        self.p = subprocess.Popen([path], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)

    def send(self, line):
        self.p.stdin.write(line + '\n')
        self.p.stdin.flush()

    def read(self):
        line = self.p.stdout.readline()
        if not line:
            raise SystemExit('measure-driver died')
        return line.strip()

    def dump(self):
        self.send('dump')
        head = self.read().split()
        slots = []
        for i in range(5):
            tag, hexval = self.read().split()
            assert tag == 'slot%d' % i, tag
            slots.append(bytes.fromhex(hexval))
        return head, slots

    def close(self):
        self.p.stdin.close()
        if self.p.wait() != 0:
            raise SystemExit('measure-driver exited with %d'
                             % self.p.returncode)


failures = 0
checks = 0


def check(drv, model, step):
    global failures, checks
    head, slots = drv.dump()
    checks += 1
    want_head = ['algo', str(model.algo), 'size', str(model.size),
                 'name', model.claim]
    if head != want_head:
        print('FAIL %s: header %s, expected %s' % (step, head, want_head))
        failures += 1
    for i in range(5):
        if slots[i] != model.slots[i]:
            print('FAIL %s: slot %d\n  got  %s\n  want %s'
                  % (step, i, slots[i].hex(), model.slots[i].hex()))
            failures += 1


def hexnum(v):
    return '%x' % v


def run_sequence(driver_path, algo):
    global failures
    rng = os.urandom
    drv = Driver(driver_path)
    create = (algo, 0x2, 48, 0, 2, 2, 0)
    model = Model(*create)
    drv.send('create ' + ' '.join(hexnum(v) for v in create))
    check(drv, model, 'create algo %d' % algo)

    # The measured realm params must not include unmeasured fields: a
    # different s2sz changes the RIM, a fresh create resets the REMs.
    for i, (ipa, flags) in enumerate([(0x80000000, 1), (0x80001000, 0),
                                      (0x80002000, 1), (0x80003000, 2),
                                      (0x80004000, 3)]):
        content = rng(GRANULE)
        model.data(ipa, flags, content)
        line = 'data %x %x' % (ipa, flags)
        if flags & 1 or i % 2:
            # Content given without MEASURE_CONTENT must be ignored.
            line += ' ' + content.hex()
        drv.send(line)
        check(drv, model, 'data %d' % i)
        # DATA_CREATE's way: copied into the granule, hashed as it lands.
        model.data(ipa + 0x100000, flags, content)
        drv.send('datacopy %x %x %s' % (ipa + 0x100000, flags,
                                       content.hex()))
        check(drv, model, 'datacopy %d' % i)

    for i, (base, top) in enumerate([(0x80000000, 0x80200000),
                                     (0x80200000, 0xc0000000),
                                     (0xc0000000, 0x100000000)]):
        model.ripas(base, top)
        drv.send('ripas %x %x' % (base, top))
        check(drv, model, 'ripas %d' % i)

    gprs = [0x88000000, 0, 0, 0, 0x1234, 0, 0, 0xffffffffffffffff]
    model.rec(1, 0x80000000, gprs)
    drv.send('rec 1 80000000 ' + ' '.join(hexnum(g) for g in gprs))
    check(drv, model, 'rec 0')
    model.rec(0, 0, [0] * 8)
    drv.send('rec 0 0 ' + ' '.join(['0'] * 8))
    check(drv, model, 'rec 1')

    extends = [(1, rng(64)), (1, rng(1)), (2, b''), (3, rng(32)),
               (4, rng(63)), (4, rng(64)),
               # Rejected: index 0 is the RIM, 5 does not exist, 65 bytes
               # is more than RSI_MEASUREMENT_EXTEND can carry.
               (0, rng(16)), (5, rng(16)), (2, rng(65))]
    for i, (idx, data) in enumerate(extends):
        want = model.extend(idx, data)
        drv.send('extend %x %s' % (idx, data.hex()))
        got = drv.read()
        if got != ('ok' if want else 'rejected'):
            print('FAIL extend %d (index %d, len %d): %s'
                  % (i, idx, len(data), got))
            failures += 1
        check(drv, model, 'extend %d' % i)

    # Creating again starts from zeroed slots.
    create2 = (algo, 0, 40, 1, 0, 0, 3)
    model = Model(*create2)
    drv.send('create ' + ' '.join(hexnum(v) for v in create2))
    check(drv, model, 'recreate algo %d' % algo)
    drv.close()


def main():
    driver = sys.argv[1]
    for algo in (0, 1):
        run_sequence(driver, algo)
    # Differing RIMs for different algorithms and params prove the params
    # reach the hash at all.
    a = Model(0, 0, 48, 0, 0, 0, 0).slots[0]
    b = Model(0, 0, 40, 0, 0, 0, 0).slots[0]
    assert a != b
    if failures:
        print('%d failures in %d checks' % (failures, checks))
        sys.exit(1)
    print('ok: %d slot dumps matched' % checks)


if __name__ == '__main__':
    main()
