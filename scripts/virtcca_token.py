#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Decode and verify an Arm CCA attestation token (RMM 1.0 format).

The token is CBOR tag 399 around {44234: platform token, 44241: realm
token} or, as newer monitors emit it, a CMW collection: tag 907 around
{44234: [263, platform token], 44241: [263, realm token]}, each entry a
CMW record of content format 263.  Each token is a tagged (18)
COSE_Sign1.  Verification checks both signatures (the realm token with
the RAK carried in claim 44237, the platform token with the platform key
given by the caller), the binding of the RAK to the platform token
(platform challenge = H(claim 44237 bytes)), the presence, types and
sizes of the claims that Veraison's CCA verifier requires, and that the
platform's security lifecycle (claim 2395) lies in one of the ranges the
CCA platform profile defines.

Usage:
  virtcca_token.py verify TOKEN_FILE --platform-key PEM [--challenge HEX]
                   [--rim HEX] [--json]
  virtcca_token.py show TOKEN_FILE [--json]     (decode only, no checks)

As a module: verify_token(token, platform_key_pem, challenge=None,
rim=None) returns the claims as a dict or raises TokenError.

Needs only python3-cbor2 and python3-cryptography.
"""

import argparse
import hashlib
import io
import json
import sys

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    encode_dss_signature)

TAG_CCA_TOKEN = 399
TAG_CMW_COLLECTION = 907
CMW_CONTENT_FORMAT = 263
TAG_COSE_SIGN1 = 18
CCA_PLATFORM_TOKEN = 44234
CCA_REALM_TOKEN = 44241

REALM_PROFILE = 'tag:arm.com,2023:realm#1.0.0'
PLATFORM_PROFILE = 'tag:arm.com,2023:cca_platform#1.0.0'

# Claim keys
CHALLENGE = 10
PROFILE = 265
INSTANCE_ID = 256
R_PERSONALIZATION = 44235
R_HASH_ALGO = 44236
R_PUB_KEY = 44237
R_RIM = 44238
R_REM = 44239
R_PUB_KEY_HASH_ALGO = 44240
P_LIFECYCLE = 2395
P_IMPLEMENTATION_ID = 2396
P_SW_COMPONENTS = 2399
P_VERIFICATION_SERVICE = 2400
P_CONFIG = 2401
P_HASH_ALGO = 2402

# COSE algorithms: name, curve, hash, coordinate size
COSE_ALGS = {
    -7: ('ES256', ec.SECP256R1, hashes.SHA256, 32),
    -35: ('ES384', ec.SECP384R1, hashes.SHA384, 48),
    -36: ('ES512', ec.SECP521R1, hashes.SHA512, 66),
}
# COSE EC2 curves: curve, coordinate size
COSE_CURVES = {1: (ec.SECP256R1, 32), 2: (ec.SECP384R1, 48),
               3: (ec.SECP521R1, 66)}
# Security lifecycle (claim 2395): the defined ranges, low and high
# inclusive; the low byte is implementation defined.
LIFECYCLES = (
    (0x0000, 0x00ff, 'unknown'),
    (0x1000, 0x10ff, 'assembly-and-test'),
    (0x2000, 0x20ff, 'cca-platform-rot-provisioning'),
    (0x3000, 0x30ff, 'secured'),
    (0x4000, 0x40ff, 'non-cca-platform-debug'),
    (0x5000, 0x50ff, 'recoverable-cca-platform-debug'),
    (0x6000, 0x60ff, 'decommissioned'),
)
HASH_NAMES = {'sha-256': ('sha256', 32), 'sha-384': ('sha384', 48),
              'sha-512': ('sha512', 64)}


class TokenError(Exception):
    """The token is malformed or does not verify."""


def _loads(data, what):
    """Decode exactly one CBOR item from @data."""
    fp = io.BytesIO(data)
    try:
        obj = cbor2.CBORDecoder(fp).decode()
    except (cbor2.CBORDecodeError, ValueError, EOFError) as e:
        raise TokenError('%s: not valid CBOR: %s' % (what, e)) from None
    if fp.tell() != len(data):
        raise TokenError('%s: %d bytes of trailing data'
                         % (what, len(data) - fp.tell()))
    return obj


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _bstr(claims, key, what, sizes=None, optional=False):
    if key not in claims:
        if optional:
            return None
        raise TokenError('%s: claim %d missing' % (what, key))
    v = claims[key]
    if not isinstance(v, bytes):
        raise TokenError('%s: claim %d is not a byte string' % (what, key))
    if sizes is not None and len(v) not in sizes:
        raise TokenError('%s: claim %d has %d bytes, expected %s'
                         % (what, key, len(v),
                            ' or '.join(str(s) for s in sizes)))
    return v


def _tstr(claims, key, what, optional=False):
    if key not in claims:
        if optional:
            return None
        raise TokenError('%s: claim %d missing' % (what, key))
    v = claims[key]
    if not isinstance(v, str):
        raise TokenError('%s: claim %d is not a text string' % (what, key))
    return v


def _hash_of(name, what):
    if name not in HASH_NAMES:
        raise TokenError('%s: unknown hash algorithm %r' % (what, name))
    return HASH_NAMES[name]


def decode_sign1(obj, what):
    """Split a tagged COSE_Sign1 into (protected bytes, alg, payload bytes,
    claims dict, signature bytes)."""
    if not isinstance(obj, cbor2.CBORTag) or obj.tag != TAG_COSE_SIGN1:
        raise TokenError('%s: not a tagged (18) COSE_Sign1' % what)
    v = obj.value
    if not isinstance(v, list) or len(v) != 4:
        raise TokenError('%s: COSE_Sign1 is not an array of 4' % what)
    protected, unprotected, payload, sig = v
    if not isinstance(protected, bytes) or not isinstance(payload, bytes) \
            or not isinstance(sig, bytes) or not isinstance(unprotected, dict):
        raise TokenError('%s: COSE_Sign1 has fields of the wrong type' % what)
    hdr = _loads(protected, what + ' protected header') if protected else {}
    if not isinstance(hdr, dict) or not _is_int(hdr.get(1)):
        raise TokenError('%s: no algorithm in the protected header' % what)
    alg = hdr[1]
    if alg not in COSE_ALGS:
        raise TokenError('%s: unsupported COSE algorithm %d' % (what, alg))
    claims = _loads(payload, what + ' payload')
    if not isinstance(claims, dict):
        raise TokenError('%s: payload is not a map' % what)
    return protected, alg, payload, claims, sig


def verify_sign1(parts, key, what):
    """Check a COSE_Sign1 signature (RFC 9052 section 4.4)."""
    protected, alg, payload, _, sig = parts
    name, curve, hash_cls, size = COSE_ALGS[alg]
    if not isinstance(key, ec.EllipticCurvePublicKey) or \
            not isinstance(key.curve, curve):
        raise TokenError('%s: signed with %s but the key is not on %s'
                         % (what, name, curve.name))
    if len(sig) != 2 * size:
        raise TokenError('%s: %s signature of %d bytes, expected %d'
                         % (what, name, len(sig), 2 * size))
    tbs = cbor2.dumps(['Signature1', protected, b'', payload])
    der = encode_dss_signature(int.from_bytes(sig[:size], 'big'),
                               int.from_bytes(sig[size:], 'big'))
    try:
        key.verify(der, tbs, ec.ECDSA(hash_cls()))
    except InvalidSignature:
        raise TokenError('%s: signature does not verify' % what) from None


def _collection(top):
    """The {label: token bytes} map of a tag 399 or tag 907 token."""
    if not isinstance(top, cbor2.CBORTag) or \
            top.tag not in (TAG_CCA_TOKEN, TAG_CMW_COLLECTION):
        raise TokenError('CCA token: not CBOR tag 399 or 907 (CMW '
                         'collection)')
    m = top.value
    if not isinstance(m, dict):
        raise TokenError('CCA token: tag %d content is not a map' % top.tag)
    if top.tag == TAG_CCA_TOKEN:
        return m
    # A CMW collection: each entry is a CMW record [content format, bytes].
    tokens = {}
    for key, record in m.items():
        if not isinstance(record, list) or len(record) != 2 or \
                not isinstance(record[1], bytes):
            raise TokenError('CCA token: CMW collection entry %r is not a '
                             '[content format, byte string] record' % (key,))
        if record[0] != CMW_CONTENT_FORMAT:
            raise TokenError('CCA token: CMW collection entry %r has content '
                             'format %r, expected %d'
                             % (key, record[0], CMW_CONTENT_FORMAT))
        tokens[key] = record[1]
    return tokens


def split_token(token):
    """The (platform, realm) COSE_Sign1 items of a CCA token."""
    m = _collection(_loads(token, 'CCA token'))
    for key, what in ((CCA_PLATFORM_TOKEN, 'platform'),
                      (CCA_REALM_TOKEN, 'realm')):
        if not isinstance(m.get(key), bytes):
            raise TokenError('CCA token: no %s token (key %d)' % (what, key))
    if len(m) != 2:
        raise TokenError('CCA token: unexpected keys %s'
                         % ', '.join(sorted(map(repr, set(m) - {
                             CCA_PLATFORM_TOKEN, CCA_REALM_TOKEN}))))
    platform = decode_sign1(_loads(m[CCA_PLATFORM_TOKEN], 'platform token'),
                            'platform token')
    realm = decode_sign1(_loads(m[CCA_REALM_TOKEN], 'realm token'),
                         'realm token')
    return platform, realm


def cose_key_to_public(data, what):
    """A COSE_Key EC2 public key (RFC 9053 section 7.1.1)."""
    k = _loads(data, what)
    if not isinstance(k, dict) or k.get(1) != 2:
        raise TokenError('%s: not an EC2 COSE_Key' % what)
    crv = k.get(-1)
    if crv not in COSE_CURVES:
        raise TokenError('%s: unsupported COSE curve %r' % (what, crv))
    curve, size = COSE_CURVES[crv]
    x, y = k.get(-2), k.get(-3)
    if not isinstance(x, bytes) or not isinstance(y, bytes) or \
            len(x) != size or len(y) != size:
        raise TokenError('%s: x and y must be %d-byte strings' % (what, size))
    try:
        return ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, 'big'), int.from_bytes(y, 'big'),
            curve()).public_key()
    except ValueError:
        raise TokenError('%s: point is not on the curve' % what) from None


def check_realm_claims(c):
    what = 'realm token'
    profile = _tstr(c, PROFILE, what)
    if profile != REALM_PROFILE:
        raise TokenError('%s: profile %r, expected %r'
                         % (what, profile, REALM_PROFILE))
    _bstr(c, CHALLENGE, what, [64])
    _bstr(c, R_PERSONALIZATION, what, [64])
    _, hsize = _hash_of(_tstr(c, R_HASH_ALGO, what), what + ' claim 44236')
    _bstr(c, R_RIM, what, [hsize])
    rems = c.get(R_REM)
    if not isinstance(rems, list) or len(rems) != 4:
        raise TokenError('%s: claim 44239 is not an array of 4 REMs' % what)
    for i, rem in enumerate(rems):
        if not isinstance(rem, bytes) or len(rem) != hsize:
            raise TokenError('%s: REM %d is not %d bytes' % (what, i, hsize))
    _hash_of(_tstr(c, R_PUB_KEY_HASH_ALGO, what), what + ' claim 44240')
    return cose_key_to_public(_bstr(c, R_PUB_KEY, what),
                              what + ' claim 44237 (RAK)')


def _lifecycle_text(value):
    return '0x%04x' % value if value >= 0 else str(value)


def lifecycle_state(value):
    """The name of the security lifecycle state @value is in, or None."""
    for low, high, name in LIFECYCLES:
        if low <= value <= high:
            return name
    return None


def check_platform_claims(c):
    what = 'platform token'
    profile = _tstr(c, PROFILE, what)
    if profile != PLATFORM_PROFILE:
        raise TokenError('%s: profile %r, expected %r'
                         % (what, profile, PLATFORM_PROFILE))
    _bstr(c, CHALLENGE, what, [32, 48, 64])
    lifecycle = c.get(P_LIFECYCLE)
    if not _is_int(lifecycle):
        raise TokenError('%s: claim 2395 (lifecycle) missing or not an '
                         'integer' % what)
    if lifecycle_state(lifecycle) is None:
        raise TokenError('%s: claim 2395 (lifecycle) %s is outside the '
                         'defined ranges' % (what, _lifecycle_text(lifecycle)))
    _bstr(c, P_IMPLEMENTATION_ID, what, [32])
    inst = _bstr(c, INSTANCE_ID, what, [33])
    if inst[0] != 0x01:
        raise TokenError('%s: instance id does not start with 0x01' % what)
    _bstr(c, P_CONFIG, what)
    _tstr(c, P_HASH_ALGO, what)
    _tstr(c, P_VERIFICATION_SERVICE, what, optional=True)
    sw = c.get(P_SW_COMPONENTS)
    if not isinstance(sw, list) or not sw:
        raise TokenError('%s: claim 2399 needs at least one software '
                         'component' % what)
    for i, comp in enumerate(sw):
        cw = '%s software component %d' % (what, i)
        if not isinstance(comp, dict):
            raise TokenError('%s: not a map' % cw)
        _bstr(comp, 2, cw)
        _bstr(comp, 5, cw)
        for key in (1, 4, 6):
            _tstr(comp, key, cw, optional=True)


def _hex(v):
    return v.hex() if isinstance(v, bytes) else v


def describe(platform_claims, realm_claims):
    """The claims as a JSON-friendly dict."""
    r, p = realm_claims, platform_claims
    realm = {
        'profile': r.get(PROFILE),
        'challenge': _hex(r.get(CHALLENGE)),
        'personalization_value': _hex(r.get(R_PERSONALIZATION)),
        'hash_algo': r.get(R_HASH_ALGO),
        'rim': _hex(r.get(R_RIM)),
        'rems': [_hex(x) for x in r.get(R_REM, [])]
        if isinstance(r.get(R_REM), list) else None,
        'rak_hash_algo': r.get(R_PUB_KEY_HASH_ALGO),
        'rak': _hex(r.get(R_PUB_KEY)),
    }
    sw = p.get(P_SW_COMPONENTS)
    comps = []
    for comp in sw if isinstance(sw, list) else []:
        if isinstance(comp, dict):
            comps.append({'type': comp.get(1),
                          'measurement': _hex(comp.get(2)),
                          'version': comp.get(4),
                          'signer_id': _hex(comp.get(5)),
                          'hash_algo': comp.get(6)})
    platform = {
        'profile': p.get(PROFILE),
        'challenge': _hex(p.get(CHALLENGE)),
        'lifecycle': p.get(P_LIFECYCLE),
        'implementation_id': _hex(p.get(P_IMPLEMENTATION_ID)),
        'instance_id': _hex(p.get(INSTANCE_ID)),
        'config': _hex(p.get(P_CONFIG)),
        'hash_algo': p.get(P_HASH_ALGO),
        'verification_service': p.get(P_VERIFICATION_SERVICE),
        'sw_components': comps,
    }
    return {'platform': platform, 'realm': realm}


def load_platform_key(pem):
    """An EC public key from PEM (a private key PEM also does)."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(pem, None).public_key()
        except (ValueError, TypeError):
            raise TokenError('platform key: not a PEM EC public key') \
                from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise TokenError('platform key: not an EC key')
    return key


def _parse_hex(s, what):
    try:
        return bytes.fromhex(s)
    except ValueError:
        raise TokenError('%s: not hex: %r' % (what, s)) from None


def verify_token(token, platform_key_pem, challenge=None, rim=None):
    """Verify a CCA token; return describe() of its claims.

    @challenge (bytes, at most 64) is compared with the realm challenge
    after zero-padding to 64 bytes, as RSI_ATTESTATION_TOKEN_INIT takes
    it; @rim (bytes) must equal claim 44238 exactly.
    """
    iak = load_platform_key(platform_key_pem)
    platform, realm = split_token(token)
    p_claims, r_claims = platform[3], realm[3]

    rak = check_realm_claims(r_claims)
    check_platform_claims(p_claims)
    verify_sign1(realm, rak, 'realm token')
    verify_sign1(platform, iak, 'platform token')

    # The platform vouches for the RAK through its challenge.
    hname, _ = _hash_of(r_claims[R_PUB_KEY_HASH_ALGO], 'claim 44240')
    rak_hash = hashlib.new(hname, r_claims[R_PUB_KEY]).digest()
    if rak_hash != p_claims[CHALLENGE]:
        raise TokenError('RAK binding: platform challenge is not the %s of '
                         'the realm token\'s RAK (claim 44237)'
                         % r_claims[R_PUB_KEY_HASH_ALGO])

    if challenge is not None:
        if len(challenge) > 64:
            raise TokenError('expected challenge: more than 64 bytes')
        if r_claims[CHALLENGE] != challenge.ljust(64, b'\0'):
            raise TokenError('challenge mismatch: token has %s'
                             % r_claims[CHALLENGE].hex())
    if rim is not None and r_claims[R_RIM] != rim:
        raise TokenError('RIM mismatch: token has %s, expected %s'
                         % (r_claims[R_RIM].hex(), rim.hex()))
    return describe(p_claims, r_claims)


def _print_summary(d, verified):
    p, r = d['platform'], d['realm']
    print('CCA token%s' % (': signatures, RAK binding and claims verified'
                           if verified else ' (NOT verified)'))
    print('realm:')
    print('  profile            %s' % r['profile'])
    print('  challenge          %s' % r['challenge'])
    print('  personalization    %s' % r['personalization_value'])
    print('  hash algorithm     %s' % r['hash_algo'])
    print('  RIM                %s' % r['rim'])
    for i, rem in enumerate(r['rems'] or [], 1):
        print('  REM%d               %s' % (i, rem))
    print('  RAK hash algorithm %s' % r['rak_hash_algo'])
    print('platform:')
    print('  profile            %s' % p['profile'])
    print('  challenge          %s' % p['challenge'])
    lc = p['lifecycle']
    if _is_int(lc):
        lc = '%s (%s)' % (_lifecycle_text(lc),
                          lifecycle_state(lc) or 'undefined')
    print('  lifecycle          %s' % lc)
    print('  implementation id  %s' % p['implementation_id'])
    print('  instance id        %s' % p['instance_id'])
    print('  config             %s' % p['config'])
    print('  hash algorithm     %s' % p['hash_algo'])
    for i, c in enumerate(p['sw_components']):
        print('  sw component %d     type=%s version=%s hash=%s'
              % (i, c['type'], c['version'], c['hash_algo']))
        print('    measurement      %s' % c['measurement'])
        print('    signer id        %s' % c['signer_id'])


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog='virtcca_token.py',
        description='Decode and verify an Arm CCA attestation token.')
    sub = ap.add_subparsers(dest='cmd', required=True)
    v = sub.add_parser('verify', help='verify signatures, binding, claims')
    v.add_argument('token', metavar='TOKEN_FILE')
    v.add_argument('--platform-key', metavar='PEM', required=True,
                   help='platform (IAK) public key, PEM')
    v.add_argument('--challenge', metavar='HEX',
                   help='expected realm challenge (zero-padded to 64 bytes)')
    v.add_argument('--rim', metavar='HEX', help='expected RIM')
    v.add_argument('--json', action='store_true', help='print JSON')
    s = sub.add_parser('show', help='decode only, without any check')
    s.add_argument('token', metavar='TOKEN_FILE')
    s.add_argument('--json', action='store_true', help='print JSON')
    args = ap.parse_args(argv)

    try:
        try:
            with open(args.token, 'rb') as f:
                token = f.read()
        except OSError as e:
            raise TokenError('cannot read: %s' % e.strerror) from None
        if args.cmd == 'show':
            platform, realm = split_token(token)
            d = describe(platform[3], realm[3])
            verified = False
        else:
            try:
                with open(args.platform_key, 'rb') as f:
                    pem = f.read()
            except OSError as e:
                raise TokenError('platform key %s: %s'
                                 % (args.platform_key, e.strerror)) from None
            challenge = rim = None
            if args.challenge is not None:
                challenge = _parse_hex(args.challenge, '--challenge')
            if args.rim is not None:
                rim = _parse_hex(args.rim, '--rim')
            d = verify_token(token, pem, challenge, rim)
            verified = True
    except TokenError as e:
        print('virtcca_token: %s: %s' % (args.token, e), file=sys.stderr)
        return 1
    if args.json:
        d['verified'] = verified
        print(json.dumps(d, indent=2))
    else:
        _print_summary(d, verified)
    return 0


if __name__ == '__main__':
    sys.exit(main())
