"""Node's ``net.BlockList``: rules that disable access to IP addresses,
ranges and subnets.

Node tries its rules one by one; greennet answers ``check()`` with a binary
search in sorted, merged intervals, one table per checked family, so a
check costs the same with ten rules or a hundred thousand. The tables hold
exactly Node's matches, including its treatment of IPv4-mapped IPv6
addresses (``::ffff:a.b.c.d``):

* an address or subnet rule matches an address of either family that names
  the same IPv4-mapped IPv6 address (``1.2.3.4`` is ``::ffff:1.2.3.4``);
* a range rule compares an IPv4 address with an IPv6 bound only when that
  bound is IPv4-mapped, and an IPv6 address with an IPv4 bound only when the
  address is IPv4-mapped; any other comparison fails, and so does the rule.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, MutableSequence, Sequence
from functools import partial
from itertools import accumulate
from typing import Any, Callable

from .address import AF_INET, AF_INET6, SocketAddress, parse_packed
from .errors import ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE
from .validators import validate_int32

__all__ = ['BlockList']

Interval = tuple[int, int]

#: ``::ffff:0.0.0.0``, the first IPv4-mapped IPv6 address, and the last.
_MAPPED_FIRST = 0xFFFF << 32
_MAPPED_LAST = _MAPPED_FIRST | 0xFFFFFFFF
_LABELS = {'ipv4': 'IPv4', 'ipv6': 'IPv6'}
_CHECK_FAMILIES = {'ipv4': AF_INET, 'ipv6': AF_INET6}


class _IntervalSet:
    """Sorted, disjoint, inclusive integer intervals, found by binary search.

    Additions wait until the next lookup, which settles them all at once.
    From ``index_min`` intervals on, a bucket index (about one bucket per
    interval, by the high bits of ``value - base``) narrows each search to
    the intervals starting in the value's bucket, so a lookup costs about
    the same with a hundred thousand intervals as with ten.
    """

    __slots__ = ('starts', 'ends', '_new', '_pending', '_base', '_shift', '_index', '_reindex_in')

    #: Pending intervals up to which a lookup inserts them one by one
    #: (a binary search and a splice each); above it, it re-sorts everything.
    insert_limit = 64
    #: Intervals from which lookups go through the bucket index.
    index_min = 512
    #: After one-by-one insertions, lookups use a plain binary search until
    #: ``len(starts) // reindex_every`` of them have run, then the index is
    #: rebuilt: its O(n) cost is spread over that many lookups.
    reindex_every = 8

    def __init__(self, typecode: str | None = None) -> None:
        """``typecode``: keep the bounds in an ``array`` of that type (compact,
        and quicker to search) rather than a list of ints."""
        self._new: Callable[[Iterable[int]], MutableSequence[int]] = (
            list if typecode is None else partial(array, typecode))
        self.starts: MutableSequence[int] = self._new(())
        self.ends: MutableSequence[int] = self._new(())
        self._pending: list[Interval] = []
        self._index: Sequence[int] | None = None
        self._base = self._shift = 0
        self._reindex_in = 0   # lookups left before the index is rebuilt; 0: none due

    def add(self, interval: Interval | None) -> None:
        if interval is not None and interval[0] <= interval[1]:
            self._pending.append(interval)

    def settle(self) -> None:
        """Fold the pending intervals into the sorted ones."""
        pending, self._pending = self._pending, []
        if len(pending) <= self.insert_limit:
            for lo, hi in pending:
                self._insert(lo, hi)
            self._index = None
            if len(self.starts) >= self.index_min:
                self._reindex_in = len(self.starts) // self.reindex_every + 1
        else:
            self._rebuild(pending)
            self._build_index()

    def _insert(self, lo: int, hi: int) -> None:
        starts, ends = self.starts, self.ends
        first = bisect_left(ends, lo - 1)       # first interval touching [lo, hi]
        last = bisect_right(starts, hi + 1)     # one past the last touching it
        if first < last:
            lo = min(lo, starts[first])
            hi = max(hi, ends[last - 1])
        starts[first:last] = self._new((lo,))
        ends[first:last] = self._new((hi,))

    def _rebuild(self, pending: list[Interval]) -> None:
        intervals = sorted(list(zip(self.starts, self.ends)) + pending)
        starts: list[int] = []
        ends: list[int] = []
        for lo, hi in intervals:
            if ends and lo <= ends[-1] + 1:
                if hi > ends[-1]:
                    ends[-1] = hi
            else:
                starts.append(lo)
                ends.append(hi)
        self.starts, self.ends = self._new(starts), self._new(ends)

    def _build_index(self) -> None:
        """``index[b]``: how many intervals start below bucket ``b``."""
        starts = self.starts
        self._reindex_in = 0
        if len(starts) < self.index_min:
            self._index = None
            return
        base = starts[0]
        shift = max((starts[-1] - base).bit_length() - len(starts).bit_length(), 0)
        counts = [0] * (((starts[-1] - base) >> shift) + 2)
        for start in starts:
            counts[((start - base) >> shift) + 1] += 1
        self._index, self._base, self._shift = array('q', accumulate(counts)), base, shift

    def __contains__(self, value: int) -> bool:
        if self._pending:
            self.settle()
        index = self._index
        if index is None:
            i = bisect_right(self.starts, value)
            if self._reindex_in:
                self._reindex_in -= 1
                if not self._reindex_in:
                    self._build_index()
        else:
            bucket = (value - self._base) >> self._shift
            if bucket < 0:
                return False
            if bucket < len(index) - 1:
                i = bisect_right(self.starts, value, index[bucket], index[bucket + 1])
            else:
                i = len(self.starts)
        return i > 0 and value <= self.ends[i - 1]


def _value(address: SocketAddress) -> int:
    """The address as a 128-bit number, an IPv4 address as its IPv4-mapped form."""
    number = int.from_bytes(address._packed, 'big')
    return number | _MAPPED_FIRST if address.family == 'ipv4' else number


def _is_mapped(value: int) -> bool:
    return _MAPPED_FIRST <= value <= _MAPPED_LAST


def _clip_to_mapped(lo: int, hi: int) -> Interval | None:
    """The part of ``[lo, hi]`` inside ``::ffff:0:0/96``."""
    lo, hi = max(lo, _MAPPED_FIRST), min(hi, _MAPPED_LAST)
    return (lo, hi) if lo <= hi else None


def _as_ipv4(lo: int, hi: int) -> Interval | None:
    """The IPv4 addresses whose IPv4-mapped forms lie in ``[lo, hi]``."""
    clipped = _clip_to_mapped(lo, hi)
    if clipped is None:
        return None
    return clipped[0] - _MAPPED_FIRST, clipped[1] - _MAPPED_FIRST


def _socket_address(value: Any, name: str, family: Any) -> SocketAddress:
    """Node's ``new SocketAddress({address, family})`` for a string argument;
    a ``SocketAddress`` is taken as it is and the family ignored."""
    if isinstance(value, SocketAddress):
        return value
    if not isinstance(value, str):
        raise ERR_INVALID_ARG_TYPE(name, 'string', value)
    if family is None:
        family = 'ipv4'
    if not isinstance(family, str):
        raise ERR_INVALID_ARG_TYPE('family', 'string', family)
    return SocketAddress(address=value, family=family)


def _comparable(one: SocketAddress, two: SocketAddress) -> bool:
    """Node compares across families only through an IPv4-mapped address."""
    return one.family == two.family or _is_mapped(_value(one)) and _is_mapped(_value(two))


class BlockList:
    """Node's ``net.BlockList``.

    Every method takes an address as a ``str`` of the given ``type``
    (``'ipv4'``, the default, or ``'ipv6'``) or as a :class:`SocketAddress`,
    whose own family is used and ``type`` ignored.
    """

    __slots__ = ('_rules', '_v4', '_v6')

    #: How many rules ``repr()`` shows (Node's ``inspect`` shows 100 items).
    repr_rules = 100

    def __init__(self) -> None:
        self._rules: list[str] = []
        self._v4 = _IntervalSet('L')   # what an IPv4 address matches, as IPv4 numbers
        self._v6 = _IntervalSet()   # what an IPv6 address matches, as 128-bit numbers

    def _add_rule(self, text: str, v4: Interval | None, v6: Interval | None) -> None:
        self._rules.append(text)
        self._v4.add(v4)
        self._v6.add(v6)

    def add_address(self, address: str | SocketAddress, type: str = 'ipv4') -> None:
        """Adds a rule to block the given IP address."""
        sa = _socket_address(address, 'address', type)
        value = _value(sa)
        self._add_rule(f'Address: {_LABELS[sa.family]} {sa.address}',
                       _as_ipv4(value, value), (value, value))

    def add_range(self, start: str | SocketAddress, end: str | SocketAddress,
                  type: str = 'ipv4') -> None:
        """Adds a rule to block the addresses from ``start`` to ``end``, both
        inclusive. ``ERR_INVALID_ARG_VALUE`` if ``start`` comes after ``end``."""
        first = _socket_address(start, 'start', type)
        last = _socket_address(end, 'end', type)
        lo, hi = _value(first), _value(last)
        if lo > hi and _comparable(first, last):
            raise ERR_INVALID_ARG_VALUE('start', first, 'must come before end')
        both_ipv6 = first.family == last.family == 'ipv6'
        v6 = (lo, hi) if both_ipv6 else _clip_to_mapped(lo, hi)
        v4 = _as_ipv4(lo, hi) if _is_mapped(lo) and _is_mapped(hi) else None
        self._add_rule(f'Range: {_LABELS[first.family]} {first.address}-{last.address}',
                       v4, v6)

    def add_subnet(self, net: str | SocketAddress, prefix: int, type: str = 'ipv4') -> None:
        """Adds a rule to block the subnet ``net/prefix``; ``prefix`` is
        0..32 for IPv4 and 0..128 for IPv6 (``ERR_OUT_OF_RANGE`` otherwise)."""
        sa = _socket_address(net, 'network', type)
        width = 32 if sa.family == 'ipv4' else 128
        prefix = validate_int32(prefix, 'prefix', 0, width)
        host_bits = width - prefix
        lo = _value(sa) >> host_bits << host_bits
        hi = lo | ((1 << host_bits) - 1)
        self._add_rule(f'Subnet: {_LABELS[sa.family]} {sa.address}/{prefix}',
                       _as_ipv4(lo, hi), (lo, hi))

    def check(self, address: str | SocketAddress, type: str = 'ipv4') -> bool:
        """``True`` if the address matches any rule. An address that does not
        parse for ``type``, or an unknown ``type``, is simply ``False``."""
        if isinstance(address, SocketAddress):
            packed = address._packed
        else:
            if not isinstance(address, str):
                raise ERR_INVALID_ARG_TYPE('address', 'string', address)
            af = AF_INET if type == 'ipv4' else self._check_family(type)
            if af is None:
                return False
            parsed = parse_packed(address, af)
            if parsed is None:
                return False
            packed = parsed
        table = self._v4 if len(packed) == 4 else self._v6
        return int.from_bytes(packed, 'big') in table

    @staticmethod
    def _check_family(family: Any) -> int | None:
        if family is None:
            return AF_INET
        if not isinstance(family, str):
            raise ERR_INVALID_ARG_TYPE('family', 'string', family)
        return _CHECK_FAMILIES.get(family.lower())

    @property
    def rules(self) -> list[str]:
        """The rules added, newest first: ``'Address: IPv4 1.2.3.4'``,
        ``'Range: IPv4 10.0.0.1-10.0.0.10'``, ``'Subnet: IPv6 8592:757c:efae:4e45::/64'``."""
        return self._rules[::-1]

    def __repr__(self) -> str:
        rules = self.rules
        if len(rules) > self.repr_rules:
            more = len(rules) - self.repr_rules
            return f'BlockList(rules={rules[:self.repr_rules]!r} + [... {more} more])'
        return f'BlockList(rules={rules!r})'
