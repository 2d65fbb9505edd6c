"""is_ip / is_ipv4 / is_ipv6 against a table taken from Node 20.

The table is the output of ``node tests/node_tables/isip_table.js``; edit the
inputs there and paste the new output here.
"""
import ipaddress

import pytest
from hypothesis import given, strategies as st

from greennet.address import is_ip, is_ipv4, is_ipv6

pytestmark = pytest.mark.timeout(60)

# 153 rows from Node v20.20.2: (input, isIP, isIPv4, isIPv6)
TABLE = [
    ("::1", 6, False, True),
    ("127.0.0.1", 4, True, False),
    ("127.000.000.001", 0, False, False),
    ("127.0.0.1/24", 0, False, False),
    ("fhqwhgads", 0, False, False),
    ("0.0.0.0", 4, True, False),
    ("255.255.255.255", 4, True, False),
    ("1.2.3.4", 4, True, False),
    ("10.0.0.1", 4, True, False),
    ("192.168.1.254", 4, True, False),
    ("249.250.251.252", 4, True, False),
    ("256.0.0.0", 0, False, False),
    ("1.2.3.256", 0, False, False),
    ("300.1.1.1", 0, False, False),
    ("1.2.3", 0, False, False),
    ("1.2.3.4.5", 0, False, False),
    ("1", 0, False, False),
    ("1.2", 0, False, False),
    ("127.1", 0, False, False),
    ("1..2.3", 0, False, False),
    (".1.2.3", 0, False, False),
    ("1.2.3.", 0, False, False),
    ("1.2.3.4.", 0, False, False),
    ("-1.2.3.4", 0, False, False),
    ("+1.2.3.4", 0, False, False),
    ("1.2.3.-4", 0, False, False),
    ("01.2.3.4", 0, False, False),
    ("1.02.3.4", 0, False, False),
    ("1.2.3.04", 0, False, False),
    ("00.0.0.0", 0, False, False),
    ("0.0.0.00", 0, False, False),
    ("010.10.10.10", 0, False, False),
    ("1.2.3.004", 0, False, False),
    ("0x7f.0.0.1", 0, False, False),
    ("0x7f000001", 0, False, False),
    ("2130706433", 0, False, False),
    ("017700000001", 0, False, False),
    ("1e1.1.1.1", 0, False, False),
    ("1.2.3.4e0", 0, False, False),
    ("10.0.0.0/8", 0, False, False),
    ("::1/128", 0, False, False),
    ("fe80::/10", 0, False, False),
    ("1.2.3.4:80", 0, False, False),
    ("[::1]", 0, False, False),
    ("[::1]:80", 0, False, False),
    ("", 0, False, False),
    (" ", 0, False, False),
    (" 1.2.3.4", 0, False, False),
    ("1.2.3.4 ", 0, False, False),
    ("1.2.3.4\n", 0, False, False),
    ("\n1.2.3.4", 0, False, False),
    ("1.2.3.4\t", 0, False, False),
    (" ::1", 0, False, False),
    ("::1 ", 0, False, False),
    ("::1\n", 0, False, False),
    ("1.2.3.4\u0000", 0, False, False),
    ("::1\u0000", 0, False, False),
    ("\u0661.2.3.4", 0, False, False),
    ("1.2.3.\u0664", 0, False, False),
    ("\uff11.2.3.4", 0, False, False),
    ("1\u30022.3.4", 0, False, False),
    ("::\u0661", 0, False, False),
    ("\u00b9.2.3.4", 0, False, False),
    ("::", 6, False, True),
    (":::", 0, False, False),
    ("::::", 0, False, False),
    (":", 0, False, False),
    ("::0", 6, False, True),
    ("0::", 6, False, True),
    ("0::0", 6, False, True),
    ("1::", 6, False, True),
    ("::1:2", 6, False, True),
    ("1:2:3:4:5:6:7:8", 6, False, True),
    ("0:0:0:0:0:0:0:0", 6, False, True),
    ("0:0:0:0:0:0:0:1", 6, False, True),
    ("1:2:3:4:5:6:7::", 6, False, True),
    ("::2:3:4:5:6:7:8", 6, False, True),
    ("1::8", 6, False, True),
    ("1:2::7:8", 6, False, True),
    ("1:2:3::6:7:8", 6, False, True),
    ("1:2:3:4::5:6:7", 6, False, True),
    ("1:2:3:4:5::6:7", 6, False, True),
    ("1:2:3:4:5:6:7:8::", 0, False, False),
    ("::1:2:3:4:5:6:7:8", 0, False, False),
    ("1:2:3:4::5:6:7:8", 0, False, False),
    ("1:2:3:4:5:6:7:8:9", 0, False, False),
    ("1:2:3:4:5:6:7", 0, False, False),
    ("1::2::3", 0, False, False),
    ("1:::2", 0, False, False),
    (":1:2:3:4:5:6:7", 0, False, False),
    ("1:2:3:4:5:6:7:", 0, False, False),
    (":1::", 0, False, False),
    ("::1:", 0, False, False),
    ("12345::", 0, False, False),
    ("::12345", 0, False, False),
    ("00000::", 0, False, False),
    ("::0000", 6, False, True),
    ("ffff::", 6, False, True),
    ("FFFF::", 6, False, True),
    ("fFfF::aBcD", 6, False, True),
    ("ABCD:EF01:2345:6789:ABCD:EF01:2345:6789", 6, False, True),
    ("g::", 0, False, False),
    ("::g", 0, False, False),
    ("abcg::1", 0, False, False),
    ("1:2:3:4:5:6:7:00000", 0, False, False),
    ("0001:0002:0003:0004:0005:0006:0007:0008", 6, False, True),
    ("::ffff:1.2.3.4", 6, False, True),
    ("::FFFF:1.2.3.4", 6, False, True),
    ("::1.2.3.4", 6, False, True),
    ("::ffff:0.0.0.0", 6, False, True),
    ("::ffff:255.255.255.255", 6, False, True),
    ("64:ff9b::192.0.2.33", 6, False, True),
    ("1:2:3:4:5:6:1.2.3.4", 6, False, True),
    ("1:2:3:4:5:6:7:1.2.3.4", 0, False, False),
    ("1:2:3:4:5::1.2.3.4", 6, False, True),
    ("1:2:3:4::5:1.2.3.4", 6, False, True),
    ("1::1.2.3.4", 6, False, True),
    ("::ffff:1.2.3", 0, False, False),
    ("::ffff:1.2.3.4.5", 0, False, False),
    ("::ffff:256.1.1.1", 0, False, False),
    ("::ffff:01.2.3.4", 0, False, False),
    ("1.2.3.4::", 0, False, False),
    ("1.2.3.4:5::", 0, False, False),
    ("::ffff:1.2.3.4:5", 0, False, False),
    ("::1.2.3.4:5", 0, False, False),
    ("0:0:0:0:0:ffff:1.2.3.4", 6, False, True),
    ("0000:0000:0000:0000:0000:ffff:255.255.255.255", 6, False, True),
    ("fe80::1%eth0", 6, False, True),
    ("fe80::1%1", 6, False, True),
    ("fe80::1%", 0, False, False),
    ("fe80::1%%", 0, False, False),
    ("fe80::1%eth0%1", 0, False, False),
    ("fe80::1%en0.1", 6, False, True),
    ("fe80::1%a-b", 6, False, True),
    ("fe80::1%a:b", 6, False, True),
    ("fe80::1%a b", 0, False, False),
    ("fe80::1%a_b", 0, False, False),
    ("fe80::1%\u00e9", 0, False, False),
    ("fe80::1%lo/64", 0, False, False),
    ("::ffff:1.2.3.4%eth0", 6, False, True),
    ("1.2.3.4%eth0", 0, False, False),
    ("%eth0", 0, False, False),
    ("::%eth0", 6, False, True),
    ("fe80::%25eth0", 6, False, True),
    ("localhost", 0, False, False),
    ("example.com", 0, False, False),
    ("::ffff", 6, False, True),
    ("ffff:", 0, False, False),
    ("::-1", 0, False, False),
    ("::1 1", 0, False, False),
    ("1:2:3:4:5:6:7:8%x", 6, False, True),
    ("null", 0, False, False),
    ("undefined", 0, False, False),
]


@pytest.mark.parametrize('text, ip, v4, v6', TABLE, ids=[repr(row[0]) for row in TABLE])
def test_matches_node(text, ip, v4, v6):
    assert (is_ip(text), is_ipv4(text), is_ipv6(text)) == (ip, v4, v6)


def test_table_is_large_and_distinct():
    assert len(TABLE) >= 120
    assert len({row[0] for row in TABLE}) == len(TABLE)


@pytest.mark.parametrize('value', [123, 4.5, None, True, b'::1', bytearray(b'1.2.3.4'),
                                   ['1.2.3.4'], {'address': '::1'}, object()])
def test_anything_but_a_str_is_not_an_ip(value):
    assert (is_ip(value), is_ipv4(value), is_ipv6(value)) == (0, False, False)


def test_str_subclass_is_a_str():
    class Text(str):
        pass
    assert is_ip(Text('::1')) == 6


def test_return_types():
    assert type(is_ip('::1')) is int
    assert type(is_ipv4('1.2.3.4')) is bool and type(is_ipv6('::1')) is bool


@given(st.integers(0, 2 ** 32 - 1))
def test_every_ipv4_address_in_dot_decimal(value):
    text = str(ipaddress.IPv4Address(value))
    assert (is_ip(text), is_ipv4(text), is_ipv6(text)) == (4, True, False)


@given(st.integers(0, 2 ** 128 - 1), st.sampled_from(['compressed', 'exploded', 'upper']))
def test_every_ipv6_address_in_either_form(value, form):
    address = ipaddress.IPv6Address(value)
    text = address.exploded if form == 'exploded' else address.compressed
    if form == 'upper':
        text = text.upper()
    assert (is_ip(text), is_ipv4(text), is_ipv6(text)) == (6, False, True)
    assert is_ipv6(text + '%eth0')
