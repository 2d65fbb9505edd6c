"""SocketAddress against Node 20: defaults, values and every validation error.

TABLE is the output of ``node tests/node_tables/socketaddress_table.js``.
"""
import pytest

from greennet.address import SocketAddress

pytestmark = pytest.mark.timeout(60)

# 86 rows from Node v20.20.2: (options, toJSON() or error code)
TABLE = [
    ({}, {"address": "127.0.0.1", "port": 0, "family": "ipv4", "flowlabel": 0}),
    ({"family": "ipv4"}, {"address": "127.0.0.1", "port": 0, "family": "ipv4", "flowlabel": 0}),
    ({"family": "ipv6"}, {"address": "::", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"family": "IPV6"}, {"address": "::", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"family": "IPv6"}, {"address": "::", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"family": "IPv4"}, "ERR_INVALID_ADDRESS"),
    ({"family": "IPv4", "address": "1.2.3.4"}, {"address": "1.2.3.4", "port": 0, "family": "ipv4", "flowlabel": 0}),
    ({"family": "Ipv6", "address": "::1"}, {"address": "::1", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"family": "ipv5"}, "ERR_INVALID_ARG_VALUE"),
    ({"family": "inet"}, "ERR_INVALID_ARG_VALUE"),
    ({"family": ""}, "ERR_INVALID_ARG_VALUE"),
    ({"family": 4}, "ERR_INVALID_ARG_VALUE"),
    ({"family": 6}, "ERR_INVALID_ARG_VALUE"),
    ({"family": True}, "ERR_INVALID_ARG_VALUE"),
    ({"address": "123.123.123.123", "port": 80}, {"address": "123.123.123.123", "port": 80, "family": "ipv4", "flowlabel": 0}),
    ({"address": "::1", "family": "ipv6", "port": 8080, "flowlabel": 7}, {"address": "::1", "port": 8080, "family": "ipv6", "flowlabel": 7}),
    ({"address": "0.0.0.0"}, {"address": "0.0.0.0", "port": 0, "family": "ipv4", "flowlabel": 0}),
    ({"address": "255.255.255.255"}, {"address": "255.255.255.255", "port": 0, "family": "ipv4", "flowlabel": 0}),
    ({"address": "::", "family": "ipv6"}, {"address": "::", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"address": "0:0:0:0:0:0:0:1", "family": "ipv6"}, {"address": "::1", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"address": "FE80::ABCD", "family": "ipv6"}, {"address": "fe80::abcd", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"address": "::ffff:1.2.3.4", "family": "ipv6"}, {"address": "::ffff:1.2.3.4", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"address": "::ffff:0102:0304", "family": "ipv6"}, {"address": "::ffff:1.2.3.4", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"address": "::1.2.3.4", "family": "ipv6"}, {"address": "::1.2.3.4", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"address": "1:0:0:1:0:0:0:1", "family": "ipv6"}, {"address": "1:0:0:1::1", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"address": "fe80::1%eth0", "family": "ipv6"}, {"address": "fe80::1", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"address": "fe80::1%", "family": "ipv6"}, {"address": "fe80::1", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"address": "1.2.3.4%eth0"}, "ERR_INVALID_ADDRESS"),
    ({"address": "::1"}, "ERR_INVALID_ADDRESS"),
    ({"address": "1.2.3.4", "family": "ipv6"}, "ERR_INVALID_ADDRESS"),
    ({"address": "01.2.3.4"}, "ERR_INVALID_ADDRESS"),
    ({"address": "1.2.3"}, "ERR_INVALID_ADDRESS"),
    ({"address": "127.1"}, "ERR_INVALID_ADDRESS"),
    ({"address": "0x7f.0.0.1"}, "ERR_INVALID_ADDRESS"),
    ({"address": " 1.2.3.4"}, "ERR_INVALID_ADDRESS"),
    ({"address": "1.2.3.4/8"}, "ERR_INVALID_ADDRESS"),
    ({"address": ""}, "ERR_INVALID_ADDRESS"),
    ({"address": "localhost"}, "ERR_INVALID_ADDRESS"),
    ({"address": "1::2::3", "family": "ipv6"}, "ERR_INVALID_ADDRESS"),
    ({"address": "12345::", "family": "ipv6"}, "ERR_INVALID_ADDRESS"),
    ({"address": 123}, "ERR_INVALID_ARG_TYPE"),
    ({"address": True}, "ERR_INVALID_ARG_TYPE"),
    ({"address": ["1.2.3.4"]}, "ERR_INVALID_ARG_TYPE"),
    ({"address": {"a": 1}}, "ERR_INVALID_ARG_TYPE"),
    ({"port": 0}, {"address": "127.0.0.1", "port": 0, "family": "ipv4", "flowlabel": 0}),
    ({"port": 1}, {"address": "127.0.0.1", "port": 1, "family": "ipv4", "flowlabel": 0}),
    ({"port": 65535}, {"address": "127.0.0.1", "port": 65535, "family": "ipv4", "flowlabel": 0}),
    ({"port": 80}, {"address": "127.0.0.1", "port": 80, "family": "ipv4", "flowlabel": 0}),
    ({"port": 65536}, "ERR_SOCKET_BAD_PORT"),
    ({"port": -1}, "ERR_SOCKET_BAD_PORT"),
    ({"port": 80.5}, "ERR_SOCKET_BAD_PORT"),
    ({"port": float('nan')}, "ERR_SOCKET_BAD_PORT"),
    ({"port": float('inf')}, "ERR_SOCKET_BAD_PORT"),
    ({"port": float('-inf')}, "ERR_SOCKET_BAD_PORT"),
    ({"port": True}, "ERR_SOCKET_BAD_PORT"),
    ({"port": False}, "ERR_SOCKET_BAD_PORT"),
    ({"port": ""}, "ERR_SOCKET_BAD_PORT"),
    ({"port": " "}, "ERR_SOCKET_BAD_PORT"),
    ({"port": "abc"}, "ERR_SOCKET_BAD_PORT"),
    ({"port": "80.5"}, "ERR_SOCKET_BAD_PORT"),
    ({"port": "-1"}, "ERR_SOCKET_BAD_PORT"),
    ({"port": "65536"}, "ERR_SOCKET_BAD_PORT"),
    ({"port": [80]}, "ERR_SOCKET_BAD_PORT"),
    ({"port": {}}, "ERR_SOCKET_BAD_PORT"),
    ({"flowlabel": 0, "family": "ipv6"}, {"address": "::", "port": 0, "family": "ipv6", "flowlabel": 0}),
    ({"flowlabel": 1, "family": "ipv6"}, {"address": "::", "port": 0, "family": "ipv6", "flowlabel": 1}),
    ({"flowlabel": 1048575, "family": "ipv6"}, {"address": "::", "port": 0, "family": "ipv6", "flowlabel": 1048575}),
    ({"flowlabel": 5}, {"address": "127.0.0.1", "port": 0, "family": "ipv4", "flowlabel": 0}),
    ({"flowlabel": 1048576}, {"address": "127.0.0.1", "port": 0, "family": "ipv4", "flowlabel": 0}),
    ({"flowlabel": 4294967295}, {"address": "127.0.0.1", "port": 0, "family": "ipv4", "flowlabel": 0}),
    ({"flowlabel": -1}, "ERR_OUT_OF_RANGE"),
    ({"flowlabel": 4294967296}, "ERR_OUT_OF_RANGE"),
    ({"flowlabel": 1.5}, "ERR_OUT_OF_RANGE"),
    ({"flowlabel": float('nan')}, "ERR_OUT_OF_RANGE"),
    ({"flowlabel": float('inf')}, "ERR_OUT_OF_RANGE"),
    ({"flowlabel": "5"}, "ERR_INVALID_ARG_TYPE"),
    ({"flowlabel": True}, "ERR_INVALID_ARG_TYPE"),
    ({"flowlabel": []}, "ERR_INVALID_ARG_TYPE"),
    ({"family": "x", "address": 5}, "ERR_INVALID_ARG_VALUE"),
    ({"family": "x", "port": -1}, "ERR_INVALID_ARG_VALUE"),
    ({"address": 5, "port": -1}, "ERR_INVALID_ARG_TYPE"),
    ({"port": -1, "flowlabel": -1}, "ERR_SOCKET_BAD_PORT"),
    ({"address": "zz", "port": -1}, "ERR_SOCKET_BAD_PORT"),
    ({"address": "zz", "flowlabel": -1}, "ERR_OUT_OF_RANGE"),
    ({"address": "zz", "flowlabel": "1"}, "ERR_INVALID_ARG_TYPE"),
    ({"address": "::1", "family": "ipv6", "port": "x", "flowlabel": "x"}, "ERR_SOCKET_BAD_PORT"),
]

ERROR_CLASSES = {
    'ERR_INVALID_ARG_TYPE': TypeError,
    'ERR_INVALID_ARG_VALUE': TypeError,   # a TypeError in Node too
    'ERR_SOCKET_BAD_PORT': ValueError,
    'ERR_OUT_OF_RANGE': ValueError,
    'ERR_INVALID_ADDRESS': Exception,
}


@pytest.mark.parametrize('options, expected', TABLE, ids=[repr(row[0]) for row in TABLE])
@pytest.mark.parametrize('form', ['dict', 'keywords'])
def test_matches_node(options, expected, form):
    if form == 'keywords' and isinstance(options.get('address'), dict):
        pytest.skip('a dict in the address place is the options object')
    make = (lambda: SocketAddress(options)) if form == 'dict' else (lambda: SocketAddress(**options))
    if isinstance(expected, str):
        with pytest.raises(ERROR_CLASSES[expected]) as info:
            make()
        assert info.value.code == expected
    else:
        sa = make()
        assert sa.to_json() == expected
        assert (sa.address, sa.port, sa.family, sa.flowlabel) == (
            expected['address'], expected['port'], expected['family'], expected['flowlabel'])


def test_documented_defaults():
    assert SocketAddress().to_json() == {'address': '127.0.0.1', 'port': 0, 'family': 'ipv4',
                                         'flowlabel': 0}
    assert SocketAddress(family='ipv6').address == '::'
    assert SocketAddress({}).address == '127.0.0.1'
    assert SocketAddress(None).address == '127.0.0.1'


def test_address_as_first_positional():
    sa = SocketAddress('10.0.0.1', port=80)
    assert (sa.address, sa.port, sa.family) == ('10.0.0.1', 80, 'ipv4')
    assert SocketAddress('::1', 'ipv6').family == 'ipv6'


def test_keywords_add_to_a_dict():
    sa = SocketAddress({'address': '::1'}, family='ipv6', port=1)
    assert sa.to_json() == {'address': '::1', 'port': 1, 'family': 'ipv6', 'flowlabel': 0}


def test_none_means_not_given():
    sa = SocketAddress(address=None, family=None, port=None, flowlabel=None)
    assert sa.to_json() == SocketAddress().to_json()
    assert SocketAddress({'address': None, 'family': 'ipv6'}).address == '::'


def test_unknown_dict_keys_are_ignored_as_in_node():
    assert SocketAddress({'address': '1.2.3.4', 'flowLabel': 9, 'host': 'x'}).address == '1.2.3.4'


def test_other_options_objects_are_rejected():
    for bad in (5, 4.5, ['1.2.3.4'], b'1.2.3.4', object()):
        with pytest.raises(TypeError) as info:
            SocketAddress(bad)
        assert info.value.code == 'ERR_INVALID_ARG_TYPE'


def test_unhashable_family_is_an_invalid_value():
    for family in (['ipv4'], {'ipv4': 1}):
        with pytest.raises(TypeError) as info:
            SocketAddress(family=family)
        assert info.value.code == 'ERR_INVALID_ARG_VALUE'


def test_float_port_that_is_whole_becomes_int():
    sa = SocketAddress(port=80.0)
    assert sa.port == 80 and type(sa.port) is int


def test_numeric_string_port_is_taken_as_its_number():
    # Node 20 passes validatePort and then aborts the process; greennet
    # takes the port Node validated.
    assert SocketAddress(port='80').port == 80
    assert SocketAddress(port=' 8080 ').port == 8080


def test_ipv6_flowlabel_above_20_bits_is_out_of_range():
    # Node 20 aborts the process (CHECK in set_flow_label).
    for label in (0x100000, 2 ** 32 - 1):
        with pytest.raises(ValueError) as info:
            SocketAddress(family='ipv6', flowlabel=label)
        assert info.value.code == 'ERR_OUT_OF_RANGE'


def test_error_messages_follow_node():
    with pytest.raises(TypeError, match="The property 'options.family' is invalid"):
        SocketAddress(family='ipv5')
    with pytest.raises(TypeError, match='"options.address" property must be of type string'):
        SocketAddress(address=123)
    with pytest.raises(ValueError, match=r'options.port should be >= 0 and < 65536'):
        SocketAddress(port=-1)
    with pytest.raises(ValueError, match=r'It must be >= 0 && <= 4294967295'):
        SocketAddress(flowlabel=-1)
    with pytest.raises(Exception, match='Invalid socket address'):
        SocketAddress(address='1.2.3')


def test_properties_are_read_only():
    sa = SocketAddress()
    for name in ('address', 'port', 'family', 'flowlabel'):
        with pytest.raises(AttributeError):
            setattr(sa, name, 1)
    with pytest.raises(AttributeError):
        sa.extra = 1


def test_equality_hash_and_repr():
    one = SocketAddress(address='::1', family='ipv6', port=80)
    two = SocketAddress({'address': '0:0:0:0:0:0:0:1', 'family': 'ipv6', 'port': 80})
    assert one == two and hash(one) == hash(two)
    assert one != SocketAddress(address='::1', family='ipv6', port=81)
    assert SocketAddress(address='::ffff:1.2.3.4', family='ipv6') != SocketAddress(address='1.2.3.4')
    assert one != '::1'
    assert len({one, two}) == 1
    assert repr(one) == "SocketAddress(address='::1', port=80, family='ipv6', flowlabel=0)"


def test_is_socket_address():
    assert SocketAddress.is_socket_address(SocketAddress())
    assert not SocketAddress.is_socket_address('127.0.0.1')
    assert not SocketAddress.is_socket_address(None)
