#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Key handling of the TMM attestation unit, checked with python3-cryptography.

Usage: test-keys.py ATTEST_DRIVER
"""

import os
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

failures = []


def fail(msg):
    print('FAIL ' + msg)
    failures.append(msg)


def run_keys(driver, rak, iak, tmp):
    iak_pub = os.path.join(tmp, 'iak.pub.pem')
    rak_pub = os.path.join(tmp, 'rak.pub.pem')
    for p in (iak_pub, rak_pub):
        if os.path.exists(p):
            os.unlink(p)
    r = subprocess.run([driver, 'keys', rak, iak, iak_pub, rak_pub],
                       capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise SystemExit('driver crashed (%d): %s' % (r.returncode, r.stderr))
    out = r.stdout.strip()
    if r.returncode == 0:
        with open(iak_pub, 'rb') as f:
            ipem = f.read()
        with open(rak_pub, 'rb') as f:
            rpem = f.read()
        return out, ipem, rpem
    return out, None, None


def write(tmp, name, data):
    path = os.path.join(tmp, name)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def pem_of(key, fmt):
    return key.private_bytes(serialization.Encoding.PEM, fmt,
                             serialization.NoEncryption())


def same_public(pem, key, what):
    try:
        pub = serialization.load_pem_public_key(pem)
    except ValueError as e:
        fail('%s: exported PEM does not load: %s' % (what, e))
        return
    if not isinstance(pub, ec.EllipticCurvePublicKey) or \
            not isinstance(pub.curve, ec.SECP384R1):
        fail('%s: exported key is not P-384' % what)
        return
    if pub.public_numbers() != key.public_key().public_numbers():
        fail('%s: exported public key differs from the private key' % what)
    # The exported DER is the canonical SubjectPublicKeyInfo.
    want = key.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    if pem != want:
        fail('%s: PEM text differs from the canonical encoding' % what)


def expect_error(driver, rak, iak, tmp, path, words, what):
    out, _, _ = run_keys(driver, rak, iak, tmp)
    if not out.startswith('error: '):
        fail('%s: accepted (%s)' % (what, out))
        return
    if path not in out:
        fail('%s: message does not name %s: %s' % (what, path, out))
    for w in words:
        if w not in out:
            fail('%s: message lacks %r: %s' % (what, w, out))
    print('ok %s: %s' % (what, out))


def main():
    driver = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        # Generated keys: two calls give different, valid P-384 keys.
        out, ipem1, rpem1 = run_keys(driver, '-', '-', tmp)
        out2, ipem2, rpem2 = run_keys(driver, '-', '-', tmp)
        if out != 'ok' or out2 != 'ok':
            fail('generate: %s / %s' % (out, out2))
        else:
            for pem in (ipem1, rpem1, ipem2):
                k = serialization.load_pem_public_key(pem)
                if not isinstance(k.curve, ec.SECP384R1):
                    fail('generate: not P-384')
            if ipem1 == ipem2 or ipem1 == rpem1:
                fail('generate: keys repeat')
            print('ok generate')

        rak = ec.generate_private_key(ec.SECP384R1())
        iak = ec.generate_private_key(ec.SECP384R1())
        formats = {
            'SEC1': serialization.PrivateFormat.TraditionalOpenSSL,
            'PKCS#8': serialization.PrivateFormat.PKCS8,
        }
        for rname, rfmt in formats.items():
            for iname, ifmt in formats.items():
                rp = write(tmp, 'rak.pem', pem_of(rak, rfmt))
                ip = write(tmp, 'iak.pem', pem_of(iak, ifmt))
                what = 'load RAK %s, IAK %s' % (rname, iname)
                out, ipem, rpem = run_keys(driver, rp, ip, tmp)
                if out != 'ok':
                    fail('%s: %s' % (what, out))
                    continue
                same_public(ipem, iak, what + ' (IAK)')
                same_public(rpem, rak, what + ' (RAK)')
                print('ok ' + what)

        # One loaded, one generated
        ip = write(tmp, 'iak.pem', pem_of(iak, formats['PKCS#8']))
        out, ipem, rpem = run_keys(driver, '-', ip, tmp)
        if out != 'ok':
            fail('load IAK only: %s' % out)
        else:
            same_public(ipem, iak, 'load IAK only')
            if serialization.load_pem_public_key(rpem).public_numbers() == \
                    rak.public_key().public_numbers():
                fail('load IAK only: RAK not fresh')
            print('ok load IAK only')

        # A SEC1 key with CRLF line ends and text around it (openssl
        # ecparam -genkey writes an EC PARAMETERS block first).
        sec1 = pem_of(rak, formats['SEC1']).replace(b'\n', b'\r\n')
        params = (b'-----BEGIN EC PARAMETERS-----\r\nBgUrgQQAIg==\r\n'
                  b'-----END EC PARAMETERS-----\r\n')
        rp = write(tmp, 'rak-crlf.pem', b'comment\r\n' + params + sec1)
        out, _, rpem = run_keys(driver, rp, '-', tmp)
        if out != 'ok':
            fail('SEC1 with CRLF and parameters: %s' % out)
        else:
            same_public(rpem, rak, 'SEC1 with CRLF and parameters')
            print('ok SEC1 with CRLF and parameters')

        good = write(tmp, 'good.pem', pem_of(iak, formats['SEC1']))
        p256 = ec.generate_private_key(ec.SECP256R1())
        p521 = ec.generate_private_key(ec.SECP521R1())
        for fname, fmt in formats.items():
            path = write(tmp, 'p256-%s.pem' % fname[:4].lower(),
                         pem_of(p256, fmt))
            expect_error(driver, path, good, tmp, path, ['P-384'],
                         'P-256 key, %s, as RAK' % fname)
            expect_error(driver, good, path, tmp, path, ['P-384'],
                         'P-256 key, %s, as IAK' % fname)
            path = write(tmp, 'p521-%s.pem' % fname[:4].lower(),
                         pem_of(p521, fmt))
            expect_error(driver, path, good, tmp, path, ['P-384'],
                         'P-521 key, %s' % fname)

        path = write(tmp, 'garbage.pem', os.urandom(300))
        expect_error(driver, path, good, tmp, path, [], 'random bytes')
        path = write(tmp, 'text.pem', b'hello, this is not a key\n')
        expect_error(driver, good, path, tmp, path, ['PRIVATE KEY'],
                     'text file')
        path = write(tmp, 'bad-b64.pem',
                     b'-----BEGIN EC PRIVATE KEY-----\n!!!!not base64\n'
                     b'-----END EC PRIVATE KEY-----\n')
        expect_error(driver, path, good, tmp, path, [], 'bad base64')
        der = pem_of(iak, formats['SEC1'])
        path = write(tmp, 'truncated.pem',
                     der[:len(der) // 2] + b'\n-----END EC PRIVATE KEY-----\n')
        expect_error(driver, path, good, tmp, path, [], 'truncated DER')
        path = write(tmp, 'no-end.pem', der[:len(der) - 30])
        expect_error(driver, path, good, tmp, path, [], 'missing END line')
        path = write(tmp, 'public.pem', iak.public_key().public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo))
        expect_error(driver, path, good, tmp, path, [], 'public key only')
        path = write(tmp, 'encrypted.pem', iak.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b'secret')))
        expect_error(driver, path, good, tmp, path, ['encrypted'],
                     'encrypted key')
        missing = os.path.join(tmp, 'does-not-exist.pem')
        expect_error(driver, good, missing, tmp, missing, ['cannot open'],
                     'missing file')

    if failures:
        print('%d failures' % len(failures))
        sys.exit(1)
    print('all key tests passed')


if __name__ == '__main__':
    main()
