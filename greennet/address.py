"""Node's address half of ``net``: ``isIP``, ``isIPv4``, ``isIPv6`` and
``SocketAddress``.

``is_ip`` and friends are Node's regular expressions from
``lib/internal/net.js``, built the same way. ``SocketAddress`` parses as
libuv's ``uv_ip4_addr``/``uv_ip6_addr`` do (dot-decimal without leading
zeroes; an IPv6 zone id after ``%`` is accepted and dropped).
"""
from __future__ import annotations

import re
import socket as _stdsocket
from collections.abc import Mapping
from typing import Any

from .errors import ERR_INVALID_ADDRESS, ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE
from .validators import validate_int32, validate_port

__all__ = ['is_ip', 'is_ipv4', 'is_ipv6', 'SocketAddress']

# IPv4 segment: lib/internal/net.js's, with ``[1-9]?[0-9]`` for its last two
# alternatives (``[1-9][0-9]|[0-9]``): the same segments, matched faster.
_V4_SEG = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
_V4_STR = rf'(?:{_V4_SEG}\.){{3}}{_V4_SEG}'
#: An IPv4 address's pattern (dot-decimal, no leading zeroes), to build others with.
IPV4_PATTERN = _V4_STR
IPV4_RE = re.compile(rf'\A{_V4_STR}\Z')

# IPv6 segment; ``\A``/``\Z`` because Python's ``$`` also matches before a final newline.
_V6_SEG = '(?:[0-9a-fA-F]{1,4})'
IPV6_RE = re.compile(
    r'\A(?:'
    f'(?:{_V6_SEG}:){{7}}(?:{_V6_SEG}|:)|'
    f'(?:{_V6_SEG}:){{6}}(?:{_V4_STR}|:{_V6_SEG}|:)|'
    f'(?:{_V6_SEG}:){{5}}(?::{_V4_STR}|(?::{_V6_SEG}){{1,2}}|:)|'
    f'(?:{_V6_SEG}:){{4}}(?:(?::{_V6_SEG}){{0,1}}:{_V4_STR}|(?::{_V6_SEG}){{1,3}}|:)|'
    f'(?:{_V6_SEG}:){{3}}(?:(?::{_V6_SEG}){{0,2}}:{_V4_STR}|(?::{_V6_SEG}){{1,4}}|:)|'
    f'(?:{_V6_SEG}:){{2}}(?:(?::{_V6_SEG}){{0,3}}:{_V4_STR}|(?::{_V6_SEG}){{1,5}}|:)|'
    f'(?:{_V6_SEG}:){{1}}(?:(?::{_V6_SEG}){{0,4}}:{_V4_STR}|(?::{_V6_SEG}){{1,6}}|:)|'
    f'(?::(?:(?::{_V6_SEG}){{0,5}}:{_V4_STR}|(?::{_V6_SEG}){{1,7}}|:))'
    r')(?:%[0-9a-zA-Z\-.:]{1,})?\Z')


def is_ipv4(input: Any) -> bool:
    """``True`` if ``input`` is an IPv4 address in dot-decimal notation with
    no leading zeroes, else ``False`` (also for anything not a ``str``)."""
    return isinstance(input, str) and IPV4_RE.match(input) is not None


def is_ipv6(input: Any) -> bool:
    """``True`` if ``input`` is an IPv6 address (a zone id after ``%`` is
    allowed), else ``False`` (also for anything not a ``str``)."""
    return isinstance(input, str) and IPV6_RE.match(input) is not None


def is_ip(input: Any) -> int:
    """``6`` for an IPv6 address, ``4`` for an IPv4 address in dot-decimal
    notation with no leading zeroes, otherwise ``0``."""
    if is_ipv4(input):
        return 4
    if is_ipv6(input):
        return 6
    return 0


AF_INET = _stdsocket.AF_INET
AF_INET6 = _stdsocket.AF_INET6
_FAMILIES = {'ipv4': AF_INET, 'ipv6': AF_INET6}
#: libuv copies at most this many characters before an IPv6 ``%zone``.
_UV_ZONE_ADDRESS_MAX = 39
#: The largest flow label an IPv6 address carries (20 bits).
_FLOWLABEL_MAX = 0xFFFFF


def parse_packed(address: str, af: int) -> bytes | None:
    """The address in network byte order as libuv parses it, or ``None``.

    As in Node, the text ends at a NUL character (it is handed to C), and an
    IPv6 zone id after ``%`` is ignored.
    """
    nul = address.find('\x00')
    if nul >= 0:
        address = address[:nul]
    if af == AF_INET6:
        zone = address.find('%')
        if zone >= 0:
            address = address[:min(zone, _UV_ZONE_ADDRESS_MAX)]
    try:
        return _stdsocket.inet_pton(af, address)
    except (OSError, ValueError):
        return None


def _family_name(family: Any) -> str | None:
    """Node lower-cases the family before it compares it."""
    if not isinstance(family, str):
        return None
    family = family.lower()
    return family if family in _FAMILIES else None


def _flowlabel(flowlabel: Any, af: int) -> int:
    """Node's ``validateUint32``; the label is kept for IPv6 only.

    Node aborts on an IPv6 label above 20 bits; greennet raises
    ``ERR_OUT_OF_RANGE`` instead.
    """
    label = validate_int32(flowlabel, 'options.flowlabel', 0, 0xFFFFFFFF)
    if af == AF_INET:
        return 0
    if label > _FLOWLABEL_MAX:
        raise ERR_OUT_OF_RANGE('options.flowlabel', f'>= 0 && <= {_FLOWLABEL_MAX}', flowlabel)
    return label


class SocketAddress:
    """Node's ``net.SocketAddress``: an IP address, port, family and IPv6
    flow label, validated at construction.

    ``SocketAddress(address=None, family='ipv4', flowlabel=0, port=0)``, or
    Node's options object as a ``dict``: ``SocketAddress({'address': '::1',
    'family': 'ipv6'})``. ``address`` defaults to ``'127.0.0.1'`` for
    ``'ipv4'`` and ``'::'`` otherwise; ``None`` means "not given".

    Raises ``ERR_INVALID_ARG_VALUE`` for a family other than ``'ipv4'`` or
    ``'ipv6'`` (any case), ``ERR_INVALID_ARG_TYPE`` for an address that is
    not a ``str`` or a flow label that is not a number,
    ``ERR_SOCKET_BAD_PORT`` for a port outside 0..65535, ``ERR_OUT_OF_RANGE``
    for a flow label outside 0..4294967295, and ``ERR_INVALID_ADDRESS`` when
    the address does not parse for the family. Where Node 20 aborts the
    process (a numeric-string port, an IPv6 flow label above 20 bits) the
    port is taken as its number and the label raises ``ERR_OUT_OF_RANGE``.
    """

    __slots__ = ('_address', '_port', '_family', '_flowlabel', '_packed')

    def __init__(self, address: str | Mapping[str, Any] | None = None,
                 family: str | None = 'ipv4', flowlabel: Any = 0, port: Any = 0) -> None:
        if isinstance(address, Mapping):
            options = address
            address = options.get('address')
            family = options.get('family', family)
            flowlabel = options.get('flowlabel', flowlabel)
            port = options.get('port', port)
        if family is None:
            family = 'ipv4'
        if address is None:
            # Node picks the default before it lower-cases the family.
            address = '127.0.0.1' if family == 'ipv4' else '::'
        name = _family_name(family)
        if name is None:
            raise ERR_INVALID_ARG_VALUE('options.family', family)
        af = _FAMILIES[name]
        if not isinstance(address, str):
            raise ERR_INVALID_ARG_TYPE('options.address', 'string', address)
        self._port = validate_port(0 if port is None else port, 'options.port')
        self._flowlabel = _flowlabel(0 if flowlabel is None else flowlabel, af)
        packed = parse_packed(address, af)
        if packed is None:
            raise ERR_INVALID_ADDRESS()
        self._packed = packed
        self._family = name
        self._address = _stdsocket.inet_ntop(af, packed)

    @staticmethod
    def is_socket_address(value: Any) -> bool:
        """``True`` if ``value`` is a ``SocketAddress`` (Node's ``isSocketAddress``)."""
        return isinstance(value, SocketAddress)

    @property
    def address(self) -> str:
        """The address, as ``inet_ntop`` writes it (``'::1'``, ``'10.0.0.1'``)."""
        return self._address

    @property
    def port(self) -> int:
        return self._port

    @property
    def family(self) -> str:
        """``'ipv4'`` or ``'ipv6'``."""
        return self._family

    @property
    def flowlabel(self) -> int:
        """The IPv6 flow label; always ``0`` for IPv4."""
        return self._flowlabel

    def to_json(self) -> dict:
        """Node's ``toJSON()``: ``{'address', 'port', 'family', 'flowlabel'}``."""
        return {'address': self._address, 'port': self._port,
                'family': self._family, 'flowlabel': self._flowlabel}

    def _key(self) -> tuple:
        return (self._family, self._packed, self._port, self._flowlabel)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SocketAddress):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f'SocketAddress(address={self._address!r}, port={self._port!r}, '
                f'family={self._family!r}, flowlabel={self._flowlabel!r})')
