"""BlockList against Node 20: every rule form in both families, IPv4-mapped
addresses both ways, the rule strings, every error, and properties held
against Python's ``ipaddress`` and against a rule-by-rule model of Node.

CHECKS and TABLE are the output of ``node tests/node_tables/blocklist_table.js``.
"""
import contextlib
import ipaddress
import time

import pytest
from hypothesis import given, settings, strategies as st

from greennet.address import SocketAddress
from greennet.blocklist import BlockList, _IntervalSet

pytestmark = pytest.mark.timeout(60)

# Node v20.20.2: (rule, rules[0], check() of each of CHECKS as T/F)
CHECKS = [
    ('1.2.3.4', 'ipv4'),
    ('1.2.3.5', 'ipv4'),
    ('1.2.4.4', 'ipv4'),
    ('8.8.8.8', 'ipv4'),
    ('0.0.0.1', 'ipv4'),
    ('1.2.3.4', 'IPV4'),
    ('::ffff:1.2.3.4', 'ipv6'),
    ('::ffff:0102:0305', 'ipv6'),
    ('::ffff:8.8.8.8', 'ipv6'),
    ('::1.2.3.4', 'ipv6'),
    ('::1', 'ipv6'),
    ('::ffff:1.2.3.4%eth0', 'ipv6'),
    ('fe80::1', 'ipv6'),
    ('fe80::1%lo', 'ipv6'),
    ('8592:757c:efae:4e45::1', 'ipv6'),
    ('::fffe:1.2.3.4', 'ipv6'),
    ('::1:0:0:0', 'ipv6'),
    ('1.2.3.4', 'ipv6'),
    ('::1', 'ipv4'),
    ('1.2.3.4', 'ipv5'),
]
TABLE = [
    (('address', ('1.2.3.4', 'ipv4')), 'Address: IPv4 1.2.3.4', 'TFFFFTTFFFFTFFFFFFFF'),
    (('address', ('::ffff:1.2.3.4', 'ipv6')), 'Address: IPv6 ::ffff:1.2.3.4', 'TFFFFTTFFFFTFFFFFFFF'),
    (('address', ('::1.2.3.4', 'ipv6')), 'Address: IPv6 ::1.2.3.4', 'FFFFFFFFFTFFFFFFFFFF'),
    (('address', ('::1', 'ipv6')), 'Address: IPv6 ::1', 'FFFFFFFFFFTFFFFFFFFF'),
    (('address', ('0.0.0.1', 'ipv4')), 'Address: IPv4 0.0.0.1', 'FFFFTFFFFFFFFFFFFFFF'),
    (('address', ('fe80::1%eth0', 'ipv6')), 'Address: IPv6 fe80::1', 'FFFFFFFFFFFFTTFFFFFF'),
    (('subnet', ('1.2.3.0', 'ipv4'), 24), 'Subnet: IPv4 1.2.3.0/24', 'TTFFFTTTFFFTFFFFFFFF'),
    (('subnet', ('1.2.3.4', 'ipv4'), 32), 'Subnet: IPv4 1.2.3.4/32', 'TFFFFTTFFFFTFFFFFFFF'),
    (('subnet', ('1.2.3.4', 'ipv4'), 31), 'Subnet: IPv4 1.2.3.4/31', 'TTFFFTTTFFFTFFFFFFFF'),
    (('subnet', ('1.2.3.4', 'ipv4'), 0), 'Subnet: IPv4 1.2.3.4/0', 'TTTTTTTTTFFTFFFFFFFF'),
    (('subnet', ('::ffff:1.2.3.0', 'ipv6'), 120), 'Subnet: IPv6 ::ffff:1.2.3.0/120', 'TTFFFTTTFFFTFFFFFFFF'),
    (('subnet', ('::ffff:1.2.3.4', 'ipv6'), 128), 'Subnet: IPv6 ::ffff:1.2.3.4/128', 'TFFFFTTFFFFTFFFFFFFF'),
    (('subnet', ('::ffff:0:0', 'ipv6'), 96), 'Subnet: IPv6 ::ffff:0.0.0.0/96', 'TTTTTTTTTFFTFFFFFFFF'),
    (('subnet', ('::fffe:0:0', 'ipv6'), 95), 'Subnet: IPv6 ::fffe:0:0/95', 'TTTTTTTTTFFTFFFTFFFF'),
    (('subnet', ('::', 'ipv6'), 96), 'Subnet: IPv6 ::/96', 'FFFFFFFFFTTFFFFFFFFF'),
    (('subnet', ('::', 'ipv6'), 80), 'Subnet: IPv6 ::/80', 'TTTTTTTTTTTTFFFTFFFF'),
    (('subnet', ('::', 'ipv6'), 0), 'Subnet: IPv6 ::/0', 'TTTTTTTTTTTTTTTTTFFF'),
    (('subnet', ('::1', 'ipv6'), 128), 'Subnet: IPv6 ::1/128', 'FFFFFFFFFFTFFFFFFFFF'),
    (('subnet', ('8592:757c:efae:4e45::', 'ipv6'), 64), 'Subnet: IPv6 8592:757c:efae:4e45::/64', 'FFFFFFFFFFFFFFTFFFFF'),
    (('range', ('1.2.3.0', 'ipv4'), ('1.2.3.255', 'ipv4')), 'Range: IPv4 1.2.3.0-1.2.3.255', 'TTFFFTTTFFFTFFFFFFFF'),
    (('range', ('1.2.3.4', 'ipv4'), ('1.2.3.4', 'ipv4')), 'Range: IPv4 1.2.3.4-1.2.3.4', 'TFFFFTTFFFFTFFFFFFFF'),
    (('range', ('::ffff:1.2.3.0', 'ipv6'), ('::ffff:1.2.3.255', 'ipv6')), 'Range: IPv6 ::ffff:1.2.3.0-::ffff:1.2.3.255', 'TTFFFTTTFFFTFFFFFFFF'),
    (('range', ('::', 'ipv6'), ('ffff::', 'ipv6')), 'Range: IPv6 ::-ffff::', 'FFFFFFTTTTTTTTTTTFFF'),
    (('range', ('::1.2.3.0', 'ipv6'), ('::ffff:1.2.3.255', 'ipv6')), 'Range: IPv6 ::1.2.3.0-::ffff:1.2.3.255', 'FFFFFFTTFTFTFFFTFFFF'),
    (('range', ('::1', 'ipv6'), ('::ff', 'ipv6')), 'Range: IPv6 ::1-::ff', 'FFFFFFFFFFTFFFFFFFFF'),
    (('range', ('1.2.3.0', 'ipv4'), ('::ffff:1.2.3.255', 'ipv6')), 'Range: IPv4 1.2.3.0-::ffff:1.2.3.255', 'TTFFFTTTFFFTFFFFFFFF'),
    (('range', ('::ffff:1.2.3.0', 'ipv6'), ('1.2.3.255', 'ipv4')), 'Range: IPv6 ::ffff:1.2.3.0-1.2.3.255', 'TTFFFTTTFFFTFFFFFFFF'),
    (('range', ('1.2.3.0', 'ipv4'), ('ffff::', 'ipv6')), 'Range: IPv4 1.2.3.0-ffff::', 'FFFFFFTTTFFTFFFFFFFF'),
    (('range', ('::', 'ipv6'), ('1.2.3.255', 'ipv4')), 'Range: IPv6 ::-1.2.3.255', 'FFFFFFTTFFFTFFFFFFFF'),
    (('range', ('9.0.0.0', 'ipv4'), ('::1', 'ipv6')), 'Range: IPv4 9.0.0.0-::1', 'FFFFFFFFFFFFFFFFFFFF'),
]


def _sa(spec):
    return SocketAddress(address=spec[0], family=spec[1])


def _add(block_list, rule, as_strings=False):
    """Adds a TABLE rule, with SocketAddress arguments or as strings plus type."""
    kind, first = rule[0], rule[1]
    if kind == 'address':
        if as_strings:
            block_list.add_address(first[0], first[1])
        else:
            block_list.add_address(_sa(first))
    elif kind == 'subnet':
        if as_strings:
            block_list.add_subnet(first[0], rule[2], first[1])
        else:
            block_list.add_subnet(_sa(first), rule[2])
    elif as_strings:
        block_list.add_range(first[0], rule[2][0], first[1])
    else:
        block_list.add_range(_sa(first), _sa(rule[2]))


def _answers(block_list):
    return ''.join('T' if block_list.check(address, family) else 'F' for address, family in CHECKS)


@pytest.mark.parametrize('rule, text, expected', TABLE, ids=[row[1] for row in TABLE])
def test_single_rule_matches_node(rule, text, expected):
    block_list = BlockList()
    _add(block_list, rule)
    assert block_list.rules == [text]
    assert _answers(block_list) == expected


@pytest.mark.parametrize('rule, text, expected', [
    row for row in TABLE if row[0][0] != 'range' or row[0][1][1] == row[0][2][1]])
def test_rule_given_as_strings_matches_node(rule, text, expected):
    block_list = BlockList()
    _add(block_list, rule, as_strings=True)
    assert block_list.rules == [text]
    assert _answers(block_list) == expected


@pytest.mark.parametrize('rule, text, expected', TABLE, ids=[row[1] for row in TABLE])
def test_check_with_a_socket_address_ignores_type(rule, text, expected):
    block_list = BlockList()
    _add(block_list, rule)
    for (address, family), answer in zip(CHECKS, expected):
        if family.lower() not in ('ipv4', 'ipv6'):
            continue
        try:
            sa = _sa((address, family.lower()))
        except Exception:
            continue
        other = 'ipv6' if sa.family == 'ipv4' else 'ipv4'
        assert block_list.check(sa, other) is (answer == 'T'), address


def test_all_rules_together_match_the_union():
    block_list = BlockList()
    for rule, _, _ in TABLE:
        _add(block_list, rule)
    union = ''.join('T' if any(row[2][i] == 'T' for row in TABLE) else 'F'
                    for i in range(len(CHECKS)))
    assert _answers(block_list) == union
    assert block_list.rules == [row[1] for row in reversed(TABLE)]


def test_documented_example():
    block_list = BlockList()
    block_list.add_address('123.123.123.123')
    block_list.add_range('10.0.0.1', '10.0.0.10')
    block_list.add_subnet('8592:757c:efae:4e45::', 64, 'ipv6')
    assert block_list.check('123.123.123.123') is True
    assert block_list.check('10.0.0.3') is True
    assert block_list.check('222.111.111.222') is False
    assert block_list.check('::ffff:7b7b:7b7b', 'ipv6') is True
    assert block_list.check('::ffff:123.123.123.123', 'ipv6') is True
    assert block_list.check('10.0.0.1') and block_list.check('10.0.0.10')
    assert not block_list.check('10.0.0.11') and not block_list.check('10.0.1.5')
    assert block_list.check('8592:757c:efae:4e45::1', 'ipv6')
    assert not block_list.check('8592:757c:efae:4e46::1', 'ipv6')
    assert block_list.rules == ['Subnet: IPv6 8592:757c:efae:4e45::/64',
                                'Range: IPv4 10.0.0.1-10.0.0.10',
                                'Address: IPv4 123.123.123.123']


def test_rules_is_a_fresh_list_newest_first():
    block_list = BlockList()
    assert block_list.rules == []
    block_list.add_address('1.1.1.1')
    block_list.add_address('1.1.1.1')
    block_list.add_subnet('1.2.3.4', 8.0)
    rules = block_list.rules
    rules.clear()
    assert block_list.rules == ['Subnet: IPv4 1.2.3.4/8', 'Address: IPv4 1.1.1.1',
                                'Address: IPv4 1.1.1.1']
    assert 'Subnet: IPv4 1.2.3.4/8' in repr(block_list)
    for i in range(200):
        block_list.add_address('10.0.0.%d' % i)
    assert repr(block_list).endswith("'Address: IPv4 10.0.0.100'] + [... 103 more])")


def test_rule_strings_use_the_parsed_address():
    block_list = BlockList()
    block_list.add_address('FE80:0:0:0::1%eth0', 'ipv6')
    block_list.add_range('::ffff:0102:0304', '::FFFF:1.2.3.5', 'IPv6')
    block_list.add_subnet('0:0:0:0:0:0:0:0', 0, 'ipv6')
    assert block_list.rules == ['Subnet: IPv6 ::/0', 'Range: IPv6 ::ffff:1.2.3.4-::ffff:1.2.3.5',
                                'Address: IPv6 fe80::1']


def test_type_is_case_insensitive_and_ignored_for_socket_addresses():
    block_list = BlockList()
    block_list.add_address('::5', 'IPV6')
    block_list.add_address(SocketAddress(address='::7', family='ipv6'), 'garbage')
    block_list.add_address(SocketAddress(address='::8', family='ipv6'), 5)
    block_list.add_subnet(SocketAddress(address='::1', family='ipv6'), 100)
    assert block_list.check('::7', 'IPv6') and block_list.check('::8', 'ipv6')
    assert block_list.rules[0] == 'Subnet: IPv6 ::1/100'


def test_check_answers_false_for_what_does_not_parse():
    block_list = BlockList()
    block_list.add_subnet('::', 0, 'ipv6')
    block_list.add_subnet('0.0.0.0', 0)
    for address, family in [('1.2.3', 'ipv4'), ('::1', 'ipv4'), ('1.2.3.4', 'ipv6'),
                            ('1.2.3.4', 'x'), ('', 'ipv4'), ('01.2.3.4', 'ipv4'),
                            ('\u0661.2.3.4', 'ipv4')]:
        assert block_list.check(address, family) is False
    # As in Node, the text ends at a NUL and an IPv6 zone id is ignored.
    assert block_list.check('1.2.3.4\x00junk') is True
    assert block_list.check('::1%eth0', 'ipv6') is True


# Codes and messages as Node 20 throws them.
ERRORS = [
    (lambda b: b.add_address(123), TypeError, 'ERR_INVALID_ARG_TYPE', '"address" argument'),
    (lambda b: b.add_address('1.2.3.4', 4), TypeError, 'ERR_INVALID_ARG_TYPE', '"family" argument'),
    (lambda b: b.add_address('1.2.3.4', 'ipv5'), TypeError, 'ERR_INVALID_ARG_VALUE', "'options.family'"),
    (lambda b: b.add_address('1.2.3'), Exception, 'ERR_INVALID_ADDRESS', 'Invalid socket address'),
    (lambda b: b.add_address('::1'), Exception, 'ERR_INVALID_ADDRESS', 'Invalid socket address'),
    (lambda b: b.add_range('10.0.0.10', '10.0.0.1'), TypeError, 'ERR_INVALID_ARG_VALUE',
     "The argument 'start' must come before end"),
    (lambda b: b.add_range('::10', '::1', 'ipv6'), TypeError, 'ERR_INVALID_ARG_VALUE', "'start'"),
    (lambda b: b.add_range(_sa(('::ffff:2.0.0.0', 'ipv6')), _sa(('1.0.0.0', 'ipv4'))), TypeError,
     'ERR_INVALID_ARG_VALUE', "'start'"),
    (lambda b: b.add_range(_sa(('2.0.0.0', 'ipv4')), _sa(('::ffff:1.0.0.0', 'ipv6'))), TypeError,
     'ERR_INVALID_ARG_VALUE', "'start'"),
    (lambda b: b.add_range(1, '1.1.1.1'), TypeError, 'ERR_INVALID_ARG_TYPE', '"start" argument'),
    (lambda b: b.add_range('1.1.1.1', 2), TypeError, 'ERR_INVALID_ARG_TYPE', '"end" argument'),
    (lambda b: b.add_range('bad', 2), Exception, 'ERR_INVALID_ADDRESS', 'Invalid socket address'),
    (lambda b: b.add_range('1.1.1.1', '1.1.1.2', 4), TypeError, 'ERR_INVALID_ARG_TYPE', '"family"'),
    (lambda b: b.add_subnet('1.2.3.4', 33), ValueError, 'ERR_OUT_OF_RANGE', '>= 0 && <= 32'),
    (lambda b: b.add_subnet('1.2.3.4', -1), ValueError, 'ERR_OUT_OF_RANGE', '>= 0 && <= 32'),
    (lambda b: b.add_subnet('::', 129, 'ipv6'), ValueError, 'ERR_OUT_OF_RANGE', '>= 0 && <= 128'),
    (lambda b: b.add_subnet(_sa(('::', 'ipv6')), 129), ValueError, 'ERR_OUT_OF_RANGE', '<= 128'),
    (lambda b: b.add_subnet('1.2.3.4', 1.5), ValueError, 'ERR_OUT_OF_RANGE', 'an integer'),
    (lambda b: b.add_subnet('1.2.3.4', float('nan')), ValueError, 'ERR_OUT_OF_RANGE', 'an integer'),
    (lambda b: b.add_subnet('1.2.3.4', float('inf')), ValueError, 'ERR_OUT_OF_RANGE', 'an integer'),
    (lambda b: b.add_subnet('1.2.3.4', '8'), TypeError, 'ERR_INVALID_ARG_TYPE', '"prefix" argument'),
    (lambda b: b.add_subnet('1.2.3.4', None), TypeError, 'ERR_INVALID_ARG_TYPE', '"prefix"'),
    (lambda b: b.add_subnet('1.2.3.4', True), TypeError, 'ERR_INVALID_ARG_TYPE', '"prefix"'),
    (lambda b: b.add_subnet(5, 8), TypeError, 'ERR_INVALID_ARG_TYPE', '"network" argument'),
    (lambda b: b.add_subnet('zz', 99), Exception, 'ERR_INVALID_ADDRESS', 'Invalid socket address'),
    (lambda b: b.add_subnet('1.2.3.4', 8, 'x'), TypeError, 'ERR_INVALID_ARG_VALUE', "'options.family'"),
    (lambda b: b.check(5), TypeError, 'ERR_INVALID_ARG_TYPE', '"address" argument'),
    (lambda b: b.check(None), TypeError, 'ERR_INVALID_ARG_TYPE', '"address" argument'),
    (lambda b: b.check('1.2.3.4', 4), TypeError, 'ERR_INVALID_ARG_TYPE', '"family" argument'),
    (lambda b: b.check('1.2.3.4', ['ipv4']), TypeError, 'ERR_INVALID_ARG_TYPE', '"family"'),
    (lambda b: b.add_address('1.2.3.4', ['ipv4']), TypeError, 'ERR_INVALID_ARG_TYPE', '"family"'),
]


@pytest.mark.parametrize('call, cls, code, message', ERRORS)
def test_errors_match_node(call, cls, code, message):
    block_list = BlockList()
    with pytest.raises(cls) as info:
        call(block_list)
    assert info.value.code == code
    assert message in str(info.value)
    assert block_list.rules == []


def test_incomparable_mixed_range_is_accepted_and_matches_nothing():
    block_list = BlockList()
    block_list.add_range(_sa(('9.0.0.0', 'ipv4')), _sa(('::1', 'ipv6')))
    block_list.add_range(_sa(('::2', 'ipv6')), _sa(('1.0.0.0', 'ipv4')))
    assert block_list.rules == ['Range: IPv6 ::2-1.0.0.0', 'Range: IPv4 9.0.0.0-::1']
    assert not any(block_list.check(a, f) for a, f in CHECKS)


# Properties ---------------------------------------------------------------

def _ipv4(value):
    return str(ipaddress.IPv4Address(value))


def _ipv6(value):
    return str(ipaddress.IPv6Address(value))


# Small pools so that random rules and addresses meet often.
V4_VALUES = st.one_of(st.integers(0x0A000000, 0x0A0003FF), st.integers(0, 2 ** 32 - 1))
V6_VALUES = st.one_of(st.integers(0x20010DB8 << 96, (0x20010DB8 << 96) + 0x3FF),
                      st.integers(0, 2 ** 128 - 1))


@st.composite
def _same_family_rule(draw, bits, values):
    kind = draw(st.sampled_from(['address', 'range', 'subnet']))
    if kind == 'address':
        return ('address', draw(values))
    if kind == 'range':
        lo, hi = sorted([draw(values), draw(values)])
        return ('range', lo, hi)
    prefix = draw(st.one_of(st.integers(0, bits), st.integers(bits - 12, bits)))
    return ('subnet', draw(values), prefix)


def _oracle_hit(rule, value, bits):
    """Does ``ipaddress`` put the address ``value`` under ``rule``?"""
    address = ipaddress.IPv4Address if bits == 32 else ipaddress.IPv6Address
    network = ipaddress.IPv4Network if bits == 32 else ipaddress.IPv6Network
    value = address(value)
    if rule[0] == 'address':
        return value == address(rule[1])
    if rule[0] == 'range':
        return address(rule[1]) <= value <= address(rule[2])
    return value in network((address(rule[1]), rule[2]), strict=False)


def _add_same_family(block_list, rule, to_text, family):
    if rule[0] == 'address':
        block_list.add_address(to_text(rule[1]), family)
    elif rule[0] == 'range':
        block_list.add_range(to_text(rule[1]), to_text(rule[2]), family)
    else:
        block_list.add_subnet(to_text(rule[1]), rule[2], family)


def _same_family_steps(bits, values):
    step = st.one_of(st.tuples(st.just('add'), _same_family_rule(bits, values)),
                     st.tuples(st.just('check'), values))
    return st.lists(step, max_size=300)


@contextlib.contextmanager
def _knobs(**values):
    """Sets _IntervalSet's tunables for the duration."""
    saved = {name: getattr(_IntervalSet, name) for name in values}
    for name, value in values.items():
        setattr(_IntervalSet, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(_IntervalSet, name, value)


KNOBS = {
    'defaults': {},
    # Tiny thresholds: the bucket index, its rebuild after one-by-one
    # insertions, and the full re-sort all happen within a few rules.
    'tiny': {'insert_limit': 2, 'index_min': 3, 'reindex_every': 1},
}


_SMALL = st.integers(0, 200)
_INTERVAL_STEPS = st.lists(st.one_of(
    st.tuples(st.just('add'), st.tuples(_SMALL, _SMALL)),
    st.tuples(st.just('add-many'), st.lists(st.tuples(_SMALL, _SMALL), min_size=1, max_size=8)),
    st.tuples(st.just('check'), st.lists(_SMALL, max_size=8))), max_size=60)


def test_index_is_rebuilt_after_enough_lookups():
    intervals = _IntervalSet('L')
    for i in range(2 * _IntervalSet.index_min):
        intervals.add((10 * i, 10 * i + 1))
    assert 5 not in intervals and intervals._index is not None   # one sort, then indexed
    intervals.add((5, 5))
    assert 5 in intervals and intervals._index is None          # inserted, index dropped
    lookups = 1
    while intervals._index is None:
        assert 7 not in intervals
        lookups += 1
    assert lookups <= len(intervals.starts) // _IntervalSet.reindex_every + 1
    assert 5 in intervals and 15 not in intervals and 11 in intervals


@pytest.mark.parametrize('knobs', KNOBS.values(), ids=KNOBS.keys())
@settings(max_examples=300, deadline=None)
@given(steps=_INTERVAL_STEPS)
def test_interval_set_agrees_with_brute_force(knobs, steps):
    with _knobs(**knobs):
        intervals = _IntervalSet('L')
        covered = set()
        for action, arg in steps:
            for lo, hi in ([arg] if action == 'add' else arg if action == 'add-many' else []):
                intervals.add((lo, hi))
                covered.update(range(lo, hi + 1))
            for value in (arg if action == 'check' else []):
                assert (value in intervals) is (value in covered)
        assert all(intervals.starts[i] > intervals.ends[i - 1] + 1
                   for i in range(1, len(intervals.starts))), 'merged and sorted'


@pytest.mark.parametrize('knobs', KNOBS.values(), ids=KNOBS.keys())
@pytest.mark.parametrize('bits, values, to_text, family', [
    (32, V4_VALUES, _ipv4, 'ipv4'), (128, V6_VALUES, _ipv6, 'ipv6')], ids=['ipv4', 'ipv6'])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_same_family_check_agrees_with_ipaddress(knobs, bits, values, to_text, family, data):
    """Adds and checks interleaved, so one-by-one insertion, the full
    re-sort of pending rules and the bucket index are all exercised."""
    block_list = BlockList()
    rules = []
    with _knobs(**knobs):
        for action, arg in data.draw(_same_family_steps(bits, values)):
            if action == 'add':
                _add_same_family(block_list, arg, to_text, family)
                rules.append(arg)
            else:
                expected = any(_oracle_hit(rule, arg, bits) for rule in rules)
                assert block_list.check(to_text(arg), family) is expected


@settings(max_examples=50, deadline=None)
@given(st.lists(_same_family_rule(32, V4_VALUES), min_size=100, max_size=400),
       st.lists(V4_VALUES, max_size=100))
def test_many_rules_at_once_agree_with_ipaddress(rules, checks):
    block_list = BlockList()
    for rule in rules:
        _add_same_family(block_list, rule, _ipv4, 'ipv4')
    for value in checks:
        expected = any(_oracle_hit(rule, value, 32) for rule in rules)
        assert block_list.check(_ipv4(value)) is expected


# A rule-by-rule model of Node's src/node_sockaddr.cc, for mixed families.
MAPPED = 0xFFFF << 32


def _node_value(sa):
    return int(ipaddress.ip_address(sa.address.split('%')[0]))


def _node_mapped(sa):
    """The address as Node compares across families, or None if it is IPv6
    and not IPv4-mapped."""
    value = _node_value(sa)
    if sa.family == 'ipv4':
        return value
    return value - MAPPED if MAPPED <= value <= MAPPED + 0xFFFFFFFF else None


def _node_compare(one, two):
    """Node's SocketAddress::compare: -1, 0, 1 or None (not comparable)."""
    if one.family == two.family:
        a, b = _node_value(one), _node_value(two)
    else:
        a, b = _node_mapped(one), _node_mapped(two)
        if a is None or b is None:
            return None
    return (a > b) - (a < b)


def _node_in_network(ip, net, prefix):
    if ip.family == net.family:
        bits = 32 if ip.family == 'ipv4' else 128
        shift = bits - prefix
        return _node_value(ip) >> shift == _node_value(net) >> shift
    if net.family == 'ipv4':      # an IPv6 address against an IPv4 network
        mapped = _node_mapped(ip)
        return mapped is not None and mapped >> (32 - prefix) == _node_value(net) >> (32 - prefix)
    shift = 128 - prefix          # an IPv4 address against an IPv6 network
    return (MAPPED + _node_value(ip)) >> shift == _node_value(net) >> shift


def _node_apply(rule, sa):
    if rule[0] == 'address':
        return _node_compare(rule[1], sa) == 0
    if rule[0] == 'range':
        return _node_compare(sa, rule[1]) in (0, 1) and _node_compare(sa, rule[2]) in (-1, 0)
    return _node_in_network(sa, rule[1], rule[2])


@st.composite
def _any_address(draw):
    if draw(st.booleans()):
        return SocketAddress(address=_ipv4(draw(V4_VALUES)))
    value = draw(st.one_of(st.integers(MAPPED, MAPPED + 0xFFFFFFFF),
                           st.integers(MAPPED + 0x0A000000, MAPPED + 0x0A0003FF),
                           st.integers(0x0A000000, 0x0A0003FF), V6_VALUES))
    return SocketAddress(address=_ipv6(value), family='ipv6')


@st.composite
def _any_rule(draw):
    kind = draw(st.sampled_from(['address', 'range', 'subnet']))
    first = draw(_any_address())
    if kind == 'address':
        return ('address', first)
    if kind == 'range':
        return ('range', first, draw(_any_address()))
    bits = 32 if first.family == 'ipv4' else 128
    return ('subnet', first, draw(st.one_of(st.integers(0, bits), st.integers(max(0, bits - 40), bits))))


@pytest.mark.parametrize('knobs', KNOBS.values(), ids=KNOBS.keys())
@settings(max_examples=150, deadline=None)
@given(rules=st.lists(_any_rule(), max_size=30), checks=st.lists(_any_address(), max_size=40))
def test_mixed_families_agree_with_a_model_of_node(knobs, rules, checks):
    with _knobs(**knobs):
        _mixed_families_agree(rules, checks)


def _mixed_families_agree(rules, checks):
    block_list = BlockList()
    accepted = []
    for rule in rules:
        if rule[0] == 'address':
            block_list.add_address(rule[1])
        elif rule[0] == 'subnet':
            block_list.add_subnet(rule[1], rule[2])
        else:
            inverted = _node_compare(rule[1], rule[2]) == 1
            try:
                block_list.add_range(rule[1], rule[2])
            except TypeError as err:
                assert inverted and err.code == 'ERR_INVALID_ARG_VALUE'
                continue
            assert not inverted
        accepted.append(rule)
    for sa in checks:
        expected = any(_node_apply(rule, sa) for rule in accepted)
        assert block_list.check(sa) is expected, (sa, block_list.rules)
        assert block_list.check(sa.address, sa.family) is expected


# Scaling ------------------------------------------------------------------

def _timed_checks(block_list, addresses):
    best = float('inf')
    for _ in range(5):
        started = time.perf_counter()
        for address in addresses:
            block_list.check(address)
        best = min(best, time.perf_counter() - started)
    return best


def test_check_does_not_slow_down_with_many_rules():
    import random
    rng = random.Random(1)
    small, large = BlockList(), BlockList()
    for _ in range(10):
        small.add_address(_ipv4(rng.getrandbits(32)))
    started = time.perf_counter()
    for i in range(100_000):
        value = rng.getrandbits(32)
        if i % 3 == 0:
            large.add_address(_ipv4(value))
        elif i % 3 == 1:
            large.add_range(_ipv4(value), _ipv4(min(value + rng.randrange(256), 2 ** 32 - 1)))
        else:
            large.add_subnet(_ipv4(value), rng.randrange(20, 33))
    assert time.perf_counter() - started < 20
    large.check('1.2.3.4')   # settle the pending rules outside the timing
    addresses = [_ipv4(rng.getrandbits(32)) for _ in range(5000)]
    assert _timed_checks(large, addresses) < 3 * _timed_checks(small, addresses)
