#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Token round trip: attest-driver writes CCA tokens, virtcca_token.py must
accept them and reject every tampered variant.

Usage: test-token.py ATTEST_DRIVER VIRTCCA_TOKEN_PY
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature)

failures = []


def fail(msg):
    print('FAIL ' + msg)
    failures.append(msg)


class Env:
    def __init__(self, driver, verifier, tmp):
        self.driver, self.verifier, self.tmp = driver, verifier, tmp
        self.n = 0

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, data):
        with open(self.path(name), 'wb') as f:
            f.write(data)
        return self.path(name)

    def make(self, rak='-', iak='-', algo=0, challenge=None, rpv=None,
             sw=None):
        """Run the driver; return (token bytes, IAK PEM path, slots)."""
        self.n += 1
        challenge = challenge if challenge is not None else os.urandom(64)
        rpv = rpv if rpv is not None else os.urandom(64)
        tok = self.path('token%d.cbor' % self.n)
        pub = self.path('iak%d.pub.pem' % self.n)
        args = [self.driver, 'token', rak, iak, str(algo), challenge.hex(),
                rpv.hex(), tok, pub]
        if sw is not None:
            args.append(str(sw))
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit('attest-driver failed: %s%s'
                             % (r.stdout, r.stderr))
        slots = [bytes.fromhex(line.split()[1])
                 for line in r.stdout.splitlines()]
        with open(tok, 'rb') as f:
            return f.read(), pub, slots

    def verify(self, token, pub, *extra):
        """Run the verifier CLI; return (exit code, stdout, stderr)."""
        self.n += 1
        path = self.write('check%d.cbor' % self.n, token)
        r = subprocess.run([sys.executable, self.verifier, 'verify', path,
                            '--platform-key', pub] + list(extra),
                           capture_output=True, text=True)
        return r.returncode, r.stdout, r.stderr


def expect_ok(env, token, pub, what, *extra):
    rc, out, err = env.verify(token, pub, '--json', *extra)
    if rc != 0:
        fail('%s: rejected: %s' % (what, err.strip()))
        return None
    print('ok %s' % what)
    return json.loads(out)


def expect_reject(env, token, pub, what, words, *extra):
    rc, out, err = env.verify(token, pub, *extra)
    if rc == 0:
        fail('%s: accepted' % what)
        return
    msg = err.strip()
    if rc != 1 or not msg.startswith('virtcca_token: '):
        fail('%s: no clean error (exit %d): %s' % (what, rc, msg))
        return
    for w in words:
        if w not in msg:
            fail('%s: message lacks %r: %s' % (what, w, msg))
            return
    print('ok %s rejected: %s' % (what, msg))


# Token surgery.  The structure is re-encoded with cbor2, so first check
# that re-encoding an untouched token is byte-identical (the C encoder is
# canonical), which also proves the surgery changes only what it means to.

def split(token):
    top = cbor2.loads(token)
    plat = cbor2.loads(top.value[44234])
    realm = cbor2.loads(top.value[44241])
    return top, plat, realm


def join(top, plat, realm):
    top.value[44234] = cbor2.dumps(plat)
    top.value[44241] = cbor2.dumps(realm)
    return cbor2.dumps(top)


def flip(b, i):
    b = bytearray(b)
    b[i] ^= 0x01
    return bytes(b)


def sign1(key, protected, payload):
    tbs = cbor2.dumps(['Signature1', protected, b'', payload])
    r, s = decode_dss_signature(key.sign(tbs, ec.ECDSA(hashes.SHA384())))
    return r.to_bytes(48, 'big') + s.to_bytes(48, 'big')


def cose_key(pub):
    n = pub.public_numbers()
    return cbor2.dumps({1: 2, -1: 2, -2: n.x.to_bytes(48, 'big'),
                        -3: n.y.to_bytes(48, 'big')})


def check_claims(d, challenge, rpv, slots, algo, what):
    r, p = d['realm'], d['platform']
    hsize = 32 if algo == 0 else 64
    want = {
        'challenge': challenge.hex(), 'personalization_value': rpv.hex(),
        'hash_algo': 'sha-256' if algo == 0 else 'sha-512',
        'rim': slots[0].hex(), 'rems': [s.hex() for s in slots[1:]],
        'rak_hash_algo': 'sha-256',
        'profile': 'tag:arm.com,2023:realm#1.0.0',
    }
    for k, v in want.items():
        if r[k] != v:
            fail('%s: realm %s = %s, expected %s' % (what, k, r[k], v))
    for s in slots:
        if len(s) != hsize:
            fail('%s: driver slot of %d bytes' % (what, len(s)))
    if p['profile'] != 'tag:arm.com,2023:cca_platform#1.0.0':
        fail('%s: platform profile %s' % (what, p['profile']))
    binding = hashlib.sha256(bytes.fromhex(r['rak'])).hexdigest()
    if p['challenge'] != binding:
        fail('%s: platform challenge is not SHA-256 of claim 44237' % what)


def main():
    driver, verifier = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        env = Env(driver, verifier, tmp)

        # Round trips with both measurement algorithms
        for algo in (0, 1):
            challenge, rpv = os.urandom(64), os.urandom(64)
            token, pub, slots = env.make(algo=algo, challenge=challenge,
                                         rpv=rpv)
            what = 'round trip algo %d' % algo
            d = expect_ok(env, token, pub, what, '--challenge',
                          challenge.hex(), '--rim', slots[0].hex())
            if d:
                check_claims(d, challenge, rpv, slots, algo, what)
            if cbor2.dumps(cbor2.loads(token)) != token:
                fail('%s: token is not canonical CBOR' % what)

        # The human-readable summary works too.
        token, pub, slots = env.make()
        rc, out, err = env.verify(token, pub)
        if rc != 0 or 'verified' not in out or slots[0].hex() not in out:
            fail('summary output: %d %s %s' % (rc, out, err))

        # show decodes without checking anything, not even signatures.
        r = subprocess.run([sys.executable, verifier, 'show', env.write(
            'show.cbor', token[:-3] + bytes(3)), '--json'],
            capture_output=True, text=True)
        if r.returncode != 0 or \
                json.loads(r.stdout)['realm']['rim'] != slots[0].hex() or \
                json.loads(r.stdout)['verified'] is not False:
            fail('show: %d %s %s' % (r.returncode, r.stdout, r.stderr))

        # A short challenge is zero-padded, as the RSI call pads it.
        short = os.urandom(32)
        token, pub, slots = env.make(challenge=short.ljust(64, b'\0'))
        expect_ok(env, token, pub, 'short challenge', '--challenge',
                  short.hex())

        # Loaded keys: the platform key is the one the user gave.
        rak = ec.generate_private_key(ec.SECP384R1())
        iak = ec.generate_private_key(ec.SECP384R1())
        rp = env.write('rak.pem', rak.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption()))
        ip = env.write('iak.pem', iak.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        iak_pub = env.write('iak-own.pub.pem', iak.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo))
        token, pub, slots = env.make(rak=rp, iak=ip, sw=3)
        d = expect_ok(env, token, iak_pub, 'loaded keys, 3 sw components')
        if d:
            _, _, realm = split(token)
            rak_claim = cbor2.loads(realm.value[2])[44237]
            if rak_claim != cose_key(rak.public_key()):
                fail('loaded keys: claim 44237 is not the loaded RAK')
            # Instance id: UEID type RAND (0x01) + SHA-256 of the IAK point.
            pt = iak.public_key().public_bytes(
                serialization.Encoding.X962,
                serialization.PublicFormat.UncompressedPoint)
            want = '01' + hashlib.sha256(pt).hexdigest()
            if d['platform']['instance_id'] != want:
                fail('instance id %s, expected %s'
                     % (d['platform']['instance_id'], want))
            comps = d['platform']['sw_components']
            if len(comps) != 3 or comps[0]['type'] != 'BL' or \
                    comps[1]['type'] is not None or \
                    comps[2]['measurement'] != 'a2' * 48:
                fail('sw components: %s' % comps)

        # Refused component lists keep the driver from making a token.
        for n, words in ((0, 'needs a software component'),
                         (32, 'too large')):
            r = subprocess.run([driver, 'token', '-', '-', '0', '00' * 64,
                                '00' * 64, env.path('x.cbor'),
                                env.path('x.pem'), str(n)],
                               capture_output=True, text=True)
            if r.returncode != 1 or words not in r.stdout:
                fail('%d sw components: %d %s %s'
                     % (n, r.returncode, r.stdout, r.stderr))
            else:
                print('ok %d sw components refused: %s'
                      % (n, r.stdout.strip()))
        token, pub, slots = env.make(sw=12)
        expect_ok(env, token, pub, '12 sw components')
        if len(token) > 4096:
            fail('12 sw components: token of %d bytes' % len(token))

        # The default software component
        token, pub, slots = env.make()
        d = expect_ok(env, token, pub, 'default sw component')
        if d:
            comps = d['platform']['sw_components']
            if len(comps) != 1 or comps[0]['type'] != 'TMM':
                fail('default sw components: %s' % comps)

        # Tampering.  Start from a fresh token with known inputs.
        challenge = os.urandom(64)
        token, pub, slots = env.make(rak=rp, iak=ip, challenge=challenge)
        top, plat, realm = split(token)
        if join(top, plat, realm) != token:
            fail('re-encoding an untouched token changes it')
        expect_ok(env, token, pub, 'untampered', '--challenge',
                  challenge.hex(), '--rim', slots[0].hex())

        def tampered(fn):
            t, p, r = split(token)
            fn(t, p, r)
            return join(t, p, r)

        def set_sig(obj, i):
            obj.value[3] = flip(obj.value[3], i)

        for i in (0, 47, 48, 95):
            expect_reject(env, tampered(lambda t, p, r: set_sig(r, i)), pub,
                          'realm signature byte %d' % i,
                          ['realm token', 'signature'])
            expect_reject(env, tampered(lambda t, p, r: set_sig(p, i)), pub,
                          'platform signature byte %d' % i,
                          ['platform token', 'signature'])

        # Payload bytes: inside the challenge (realm) and inside the
        # implementation id (platform), so the CBOR stays well formed and
        # only the signature can catch it.
        def flip_in(obj, needle):
            pl = obj.value[2]
            i = pl.index(needle)
            obj.value[2] = flip(pl, i + 3)

        expect_reject(env, tampered(lambda t, p, r: flip_in(r, challenge)),
                      pub, 'realm payload byte', ['realm token', 'signature'])
        impl = cbor2.loads(plat.value[2])[2396]
        expect_reject(env, tampered(lambda t, p, r: flip_in(p, impl)),
                      pub, 'platform payload byte',
                      ['platform token', 'signature'])

        def flip_protected(obj):
            obj.value[0] = cbor2.dumps({1: -35, 3: 'x'})

        expect_reject(env, tampered(lambda t, p, r: flip_protected(r)), pub,
                      'realm protected header', ['signature'])

        # Wrong expectations
        expect_reject(env, token, pub, 'wrong challenge', ['challenge'],
                      '--challenge', flip(challenge, 5).hex())
        expect_reject(env, token, pub, 'wrong RIM', ['RIM'],
                      '--rim', flip(slots[0], 0).hex())
        other = ec.generate_private_key(ec.SECP384R1())
        other_pub = env.write('other.pub.pem', other.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo))
        expect_reject(env, token, other_pub, 'wrong platform key',
                      ['platform token', 'signature'])
        p256 = env.write('p256.pub.pem', ec.generate_private_key(
            ec.SECP256R1()).public_key().public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo))
        expect_reject(env, token, p256, 'P-256 platform key',
                      ['platform token'])

        # A realm token re-signed with another RAK: both signatures are
        # valid, only the binding to the platform token catches it.
        def swap_rak(t, p, r):
            claims = cbor2.loads(r.value[2])
            claims[44237] = cose_key(other.public_key())
            r.value[2] = cbor2.dumps(claims)
            r.value[3] = sign1(other, r.value[0], r.value[2])

        expect_reject(env, tampered(swap_rak), pub, 'foreign RAK',
                      ['binding'])

        # Veraison's claim rules: each must be enforced.
        def edit_realm(fn):
            def f(t, p, r):
                claims = cbor2.loads(r.value[2])
                fn(claims)
                r.value[2] = cbor2.dumps(claims)
                r.value[3] = sign1(rak, r.value[0], r.value[2])
            return f

        def edit_platform(fn):
            def f(t, p, r):
                claims = cbor2.loads(p.value[2])
                fn(claims)
                p.value[2] = cbor2.dumps(claims)
                p.value[3] = sign1(iak, p.value[0], p.value[2])
            return f

        def delete(k):
            return lambda c: c.pop(k)

        def setv(k, v):
            return lambda c: c.__setitem__(k, v)

        # First prove that re-signing alone keeps a token valid.
        expect_ok(env, tampered(edit_realm(lambda c: None)), pub,
                  'realm re-signed unchanged')
        expect_ok(env, tampered(edit_platform(lambda c: None)), pub,
                  'platform re-signed unchanged')

        realm_cases = [
            ('no realm challenge', delete(10), ['10']),
            ('short realm challenge', setv(10, b'x' * 32), ['10']),
            ('no RPV', delete(44235), ['44235']),
            ('no RAK hash algo', delete(44240), ['44240']),
            ('RIM size', setv(44238, b'\0' * 48), ['44238']),
            ('three REMs', setv(44239, [b'\0' * 32] * 3), ['44239']),
            ('REM size', setv(44239, [b'\0' * 32] * 3 + [b'\0' * 64]),
             ['REM']),
            ('realm profile', setv(265, 'tag:arm.com,2023:realm#0.9'),
             ['profile']),
            ('RAK not a COSE_Key', setv(44237, b'\x04' + b'\1' * 96),
             ['44237']),
            ('unknown hash algo', setv(44236, 'md5'), ['44236']),
        ]
        for what, fn, words in realm_cases:
            expect_reject(env, tampered(edit_realm(fn)), pub, what, words)

        platform_cases = [
            ('no platform profile', delete(265), ['265']),
            ('no lifecycle', delete(2395), ['2395']),
            ('lifecycle not int', setv(2395, b'\x30\x00'), ['2395']),
            ('implementation id size', setv(2396, b'\0' * 31), ['2396']),
            ('instance id size', setv(256, b'\1' * 32), ['256']),
            ('instance id type', setv(256, b'\2' + b'\0' * 32), ['instance']),
            ('no sw components', setv(2399, []), ['2399']),
            ('sw component without signer',
             setv(2399, [{1: 'TMM', 2: b'\0' * 32}]), ['claim 5']),
            ('no config', delete(2401), ['2401']),
            ('no hash algo id', delete(2402), ['2402']),
        ]
        for what, fn, words in platform_cases:
            expect_reject(env, tampered(edit_platform(fn)), pub, what, words)

        # Security lifecycle: every value inside the defined ranges (each
        # state's 0xNN00..0xNNff) is accepted, every value outside refused.
        for lc in (0x0000, 0x00ff, 0x1000, 0x10ff, 0x2000, 0x20ff, 0x3000,
                   0x3005, 0x30ff, 0x4000, 0x40ff, 0x5000, 0x50ff, 0x6000,
                   0x60ff):
            expect_ok(env, tampered(edit_platform(setv(2395, lc))), pub,
                      'lifecycle 0x%04x' % lc)
        for lc in (0x0100, 0x0fff, 0x10ff + 1, 0x3100, 0x6100, 0x7000,
                   0xffff, -1):
            expect_reject(env, tampered(edit_platform(setv(2395, lc))), pub,
                          'lifecycle %#x' % lc, ['2395', 'outside'])

        # The CMW collection encoding (tag 907, entries [263, token]) of
        # the same two tokens verifies exactly as tag 399 does.
        def cmw(m, fmt=263):
            return cbor2.dumps(cbor2.CBORTag(907, {
                k: [fmt, v] for k, v in m.items()}))

        m399 = cbor2.loads(token).value
        d = expect_ok(env, cmw(m399), pub, 'CMW collection (tag 907)',
                      '--challenge', challenge.hex(),
                      '--rim', slots[0].hex())
        if d and d['realm']['rim'] != slots[0].hex():
            fail('CMW collection: RIM %s' % d['realm']['rim'])
        expect_reject(env, cmw(m399), pub, 'CMW collection, wrong RIM',
                      ['RIM'], '--rim', flip(slots[0], 0).hex())
        expect_reject(env, cmw(m399), other_pub,
                      'CMW collection, wrong platform key',
                      ['platform token', 'signature'])
        expect_reject(env, cmw(m399, 264), pub,
                      'CMW collection, content format 264', ['263'])
        expect_reject(env, cbor2.dumps(cbor2.CBORTag(907, m399)), pub,
                      'CMW collection of bare byte strings', ['record'])
        expect_reject(env, cbor2.dumps(cbor2.CBORTag(907, {
            k: [263, v, 'x'] for k, v in m399.items()})), pub,
            'CMW collection, records of 3', ['record'])
        expect_reject(env, cbor2.dumps(cbor2.CBORTag(907, {
            44234: [263, m399[44234]]})), pub,
            'CMW collection without the realm token', ['realm token'])
        expect_reject(env, cbor2.dumps(cbor2.CBORTag(907, dict(
            {k: [263, v] for k, v in m399.items()}, **{'x': [263, b'']}))),
            pub, 'CMW collection, extra entry', ['unexpected'])
        expect_reject(env, cbor2.dumps(cbor2.CBORTag(400, m399)), pub,
                      'tag 400', ['399', '907'])
        # A lifecycle outside the ranges is refused in either encoding.
        bad = cbor2.loads(tampered(edit_platform(setv(2395, 0x7000)))).value
        expect_reject(env, cmw(bad), pub, 'CMW collection, lifecycle 0x7000',
                      ['2395', 'outside'])

        # Structure
        untagged = cbor2.dumps(cbor2.loads(token).value)
        expect_reject(env, untagged, pub, 'no tag 399', ['399'])

        def untag_realm(t, p, r):
            t.value[44241] = cbor2.dumps(r.value)
            t.value[44234] = cbor2.dumps(p)

        t, p, r = split(token)
        untag_realm(t, p, r)
        expect_reject(env, cbor2.dumps(t), pub, 'untagged realm COSE_Sign1',
                      ['18'])
        expect_reject(env, token + b'\0', pub, 'trailing byte', ['trailing'])
        expect_reject(env, token[:-10], pub, 'truncated', ['CBOR'])

    if failures:
        print('%d failures' % len(failures))
        sys.exit(1)
    print('all token tests passed')


if __name__ == '__main__':
    main()
