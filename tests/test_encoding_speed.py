"""Encodings at native speed, with Node's semantics for bad input.

``hex`` goes through ``binascii.unhexlify`` and ``base64``/``base64url``
through ``binascii.a2b_base64`` (after a C ``translate`` that does what
Node's lenient decoder does). The expected bytes below were printed by
Node 20 (``Buffer.from(text, encoding).toString('hex')``).
"""
import base64
import os
import sys

import pytest

from greennet.encoding import Decoder, encode

# text, Buffer.from(text, 'base64'), Buffer.from(text, 'base64url'), as hex
NODE_BASE64 = [
    ('YQ==YQ==', '61', '61'), ('Y=Q', '', ''), ('YQ=', '61', '61'), ('YQ===', '61', '61'),
    ('=YQ', '', ''), ('Y Q', '61', '61'), ('YWJj\nZGVm', '616263646566', '616263646566'),
    ('YQ', '61', '61'), ('Y', '', ''), ('YWJjZ', '616263', '616263'),
    ('YW-_', '616fbf', '616fbf'), ('YW+/', '616fbf', '616fbf'), ('a=b=c', '', ''),
    ('YWJj=ZGVm', '616263', '616263'), ('YWJjZA=ZGVm', '61626364', '61626364'),
    ('YWJjZA==ZGVm', '61626364', '61626364'), ('Y.W.J.j', '616263', '616263'),
    ('\u00e9 YQ', '61', '61'), ('YQ\u00e9==', '61', '61'), ('YWJ', '6162', '6162'),
    ('YWJ=', '6162', '6162'), ('YW==', '61', '61'), ('Y===', '', ''), ('====', '', ''),
    ('YWJjZ===', '616263', '616263'), ('YWJjZGV=Zg', '6162636465', '6162636465'),
    (' =YQ', '', ''),
]

# text, Buffer.from(text, 'hex') as hex: Node stops at the first bad pair
NODE_HEX = [
    ('abzz12', 'ab'), ('ab cd', 'ab'), ('abc', 'ab'), ('zzab', ''), ('a', ''), ('', ''),
    ('0g12', ''), ('ABcd', 'abcd'), ('ab\u00e9cd', 'ab'), ('abcd ', 'abcd'),
]


@pytest.mark.parametrize('text,b64,b64url', NODE_BASE64)
def test_base64_decodes_bad_input_as_node(text, b64, b64url):
    assert encode(text, 'base64').hex() == b64
    assert encode(text, 'base64url').hex() == b64url


@pytest.mark.parametrize('text,expected', NODE_HEX)
def test_hex_stops_at_the_first_bad_pair_as_node(text, expected):
    assert encode(text, 'hex').hex() == expected


def test_latin1_and_ascii_keep_the_low_byte():
    assert encode('a\u00e9\u0141', 'latin1') == b'a\xe9\x41'
    assert encode('abc', 'ascii') == b'abc'
    assert Decoder('ascii').decode(b'a\xe9b') == 'aib'


def _calls(fn):
    """Python and C function calls ``fn`` makes: a native path makes a few,
    whatever the input's size; a loop over characters makes millions. (Not a
    timing: speed is measured in bench/, never asserted.)"""
    count = [0]

    def profile(frame, event, arg):
        if event in ('call', 'c_call'):
            count[0] += 1
    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return count[0]


# hex ~1 ms, base64 ~5 ms for 2 million characters here (Node ~1 ms), where a
# Python loop took 360 ms: each conversion is a handful of calls into C.
@pytest.mark.parametrize('label,text,encoding', [
    ('hex', os.urandom(1_000_000).hex(), 'hex'),
    ('hex, bad pair at the end', os.urandom(1_000_000).hex()[:-2] + 'zz', 'hex'),
    ('base64', base64.b64encode(os.urandom(1_500_000)).decode(), 'base64'),
    ('base64 with line breaks', base64.encodebytes(os.urandom(1_500_000)).decode(), 'base64'),
    ('base64url', base64.urlsafe_b64encode(os.urandom(1_500_000)).decode(), 'base64url'),
    ('latin1', 'x' * 2_000_000, 'latin1'),
])
def test_two_million_characters_encode_natively(label, text, encoding):
    assert _calls(lambda: encode(text, encoding)) < 200, label


def test_decoders_for_hex_and_base64_are_native_too():
    data = os.urandom(1_500_000)
    assert _calls(lambda: Decoder('hex').decode(data)) < 200
    assert _calls(lambda: Decoder('base64').decode(data)) < 200
    decoder = Decoder('base64')
    assert decoder.decode(data[:7]) + decoder.decode(data[7:]) + decoder.end() == \
        base64.b64encode(data).decode()
