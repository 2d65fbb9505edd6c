"""The PROXY protocol's header (v1 text, v2 binary), as HAProxy's
specification (``doc/proxy-protocol.txt``) defines it: what a load balancer
sends before any byte of its client's, saying who the client is.

No I/O here (:mod:`greennet.proxy_protocol` reads it on a server):

- :func:`parse_whole`, for the usual case: the connection's first bytes
  hold the whole header; the common v1 line and v2 header are taken in one
  step each.
- :class:`HeaderParser`, a state machine over bytes in the manner of h11
  (its states are explicit: :class:`State`), for a header that comes in
  pieces; fed what was read, it answers how many of those bytes are header.

A header is a dict (what ``socket.proxy_info`` holds): ``version``,
``command``, ``family``, ``transport``, ``source_address``,
``source_port``, ``destination_address``, ``destination_port``, ``tlvs``.
"""
from __future__ import annotations

import enum
import re
import socket as _std
import struct
from typing import Any

from .address import IPV4_PATTERN, is_ip

__all__ = ['State', 'HeaderParser', 'parse_whole', 'parse_v1', 'parse_v2', 'proxy_header',
           'client_peer', 'crc32c', 'V1_MAX', 'V2_SIGNATURE', 'PP2_TYPE_CRC32C']

#: The longest v1 header, ``\r\n`` included (the specification's 107 bytes).
V1_MAX = 107
#: The first twelve bytes of every v2 header.
V2_SIGNATURE = b'\r\n\r\n\x00\r\nQUIT\n'
#: How much the patient reader reads before the version is known: a whole v1
#: line, or a v2 header with its addresses and the usual TLVs.
_FIRST_READ = 536

_V1_PREFIX = b'PROXY '
_V2_FIXED = 16
#: v2 address block sizes by family nibble (AF_INET, AF_INET6, AF_UNIX).
_V2_ADDRESS_SIZE = {0x0: 0, 0x1: 12, 0x2: 36, 0x3: 216}
_V2_FAMILY = {0x0: None, 0x1: 'IPv4', 0x2: 'IPv6', 0x3: 'unix'}
_V2_TRANSPORT = {0x0: None, 0x1: 'stream', 0x2: 'dgram'}
#: The CRC32C TLV (checked when present).
PP2_TYPE_CRC32C = 0x03


class State(enum.Enum):
    """Where a :class:`HeaderParser` is."""
    START = 'start'          #: nothing yet
    V1_LINE = 'v1-line'      #: inside a ``PROXY ...\\r\\n`` line
    V2_FIXED = 'v2-fixed'    #: inside the 16 fixed bytes of a v2 header
    V2_BODY = 'v2-body'      #: inside the addresses and TLVs of a v2 header
    DONE = 'done'            #: a whole header: see :attr:`HeaderParser.header`
    FAILED = 'failed'        #: not a header: see :attr:`HeaderParser.reason`


def proxy_header(version: int, command: str, family: str | None = None,
                 transport: str | None = None, source: tuple[Any, Any] = (None, None),
                 destination: tuple[Any, Any] = (None, None),
                 tlvs: dict[int, bytes] | None = None) -> dict[str, Any]:
    """What a header said, as ``socket.proxy_info`` holds it."""
    return {'version': version, 'command': command, 'family': family, 'transport': transport,
            'source_address': source[0], 'source_port': source[1],
            'destination_address': destination[0], 'destination_port': destination[1],
            'tlvs': tlvs if tlvs is not None else {}}


def client_peer(header: dict[str, Any], connection_family: int) -> tuple[Any, ...] | None:
    """The client's ``sockaddr`` as a socket of ``connection_family``
    reports one (an IPv4 client on an IPv6 connection is IPv4-mapped, as a
    dual-stack socket shows it); ``None``: the connection's own endpoints
    stand (``LOCAL``, v1 ``UNKNOWN``, v2 ``UNSPEC`` and ``AF_UNIX``)."""
    family = header['family']
    if header['command'] != 'PROXY' or family not in ('IPv4', 'IPv6'):
        return None
    address, port = header['source_address'], header['source_port']
    if family == 'IPv6':
        return (address, port, 0, 0)    # an IPv6 sockaddr, whatever the connection
    if connection_family == _std.AF_INET6:
        return ('::ffff:' + address, port, 0, 0)
    return (address, port)


class HeaderParser:
    """The header of one connection, fed the bytes read: :meth:`receive`
    returns how many of them belong to the header (the rest are the
    client's). Until the header is whole or refused, every byte given is
    taken."""

    __slots__ = ('state', 'reason', 'header', '_buf', '_need')

    def __init__(self) -> None:
        self.state = State.START
        #: Why the header was refused: ``'malformed'`` or ``'too_long'``.
        self.reason: str | None = None
        self.header: dict[str, Any] | None = None
        self._buf = b''
        self._need = 0   # v2: the whole header's length, once known

    @property
    def received(self) -> int:
        """Header bytes taken so far."""
        return len(self._buf)

    def want(self) -> int:
        """The most bytes worth reading now (never past the header, once its
        length is known)."""
        state = self.state
        if state is State.V1_LINE:
            return V1_MAX - len(self._buf)
        if state is State.V2_FIXED:
            return _V2_FIXED - len(self._buf)
        if state is State.V2_BODY:
            return self._need - len(self._buf)
        return _FIRST_READ if state is State.START else 0

    def receive(self, data: bytes) -> int:
        """Take the header's share of ``data`` (the connection's next bytes);
        returns how many bytes that is."""
        taken = 0
        while taken < len(data) and self.state not in (State.DONE, State.FAILED):
            step = self._step(data[taken:])
            if step < 0:
                break
            taken += step
        return taken

    # -- transitions ---------------------------------------------------------

    def _step(self, data: bytes) -> int:
        state = self.state
        if state is State.START:
            first = data[:1]
            if first == _V1_PREFIX[:1]:
                self.state = State.V1_LINE
            elif first == V2_SIGNATURE[:1]:
                self.state = State.V2_FIXED
            else:
                return self._fail('malformed')
            return 0
        if state is State.V1_LINE:
            return self._v1(data)
        if state is State.V2_FIXED:
            return self._v2_fixed(data)
        return self._v2_body(data)

    def _fail(self, reason: str) -> int:
        self.state = State.FAILED
        self.reason = reason
        return -1

    def _done(self, header: dict[str, Any] | None, taken: int) -> int:
        if header is None:
            return self._fail('malformed')
        self.state = State.DONE
        self.header = header
        return taken

    def _v1(self, data: bytes) -> int:
        have = len(self._buf)
        joint = self._buf + data[:V1_MAX - have]
        if not joint.startswith(_V1_PREFIX[:len(joint)]):
            return self._fail('malformed')
        end = joint.find(b'\n', max(0, have - 1))
        if end < 0:
            if len(joint) >= V1_MAX:
                return self._fail('too_long')
            self._buf = joint
            return len(joint) - have
        if end == 0 or joint[end - 1] != 0x0D:
            return self._fail('malformed')   # a bare LF
        self._buf = joint[:end + 1]
        return self._done(parse_v1(joint[:end - 1]), end + 1 - have)

    def _v2_fixed(self, data: bytes) -> int:
        have = len(self._buf)
        joint = self._buf + data[:_V2_FIXED - have]
        if joint[:12] != V2_SIGNATURE[:len(joint)] or (len(joint) > 12 and joint[12] not in (0x20, 0x21)):
            return self._fail('malformed')
        self._buf = joint
        if len(joint) < _V2_FIXED:
            return len(joint) - have
        self._need = _V2_FIXED + int.from_bytes(joint[14:16], 'big')
        self.state = State.V2_BODY
        if self._need == _V2_FIXED:
            return self._done(parse_v2(joint), len(joint) - have)
        return len(joint) - have

    def _v2_body(self, data: bytes) -> int:
        have = len(self._buf)
        joint = self._buf + data[:self._need - have]
        self._buf = joint
        if len(joint) < self._need:
            return len(joint) - have
        return self._done(parse_v2(joint), len(joint) - have)


def _port(text: bytes) -> int | None:
    if not text.isdigit() or len(text) > 5 or (len(text) > 1 and text[:1] == b'0'):
        return None
    port = int(text)
    return port if port <= 65535 else None


#: The usual v1 line (HAProxy's ``send-proxy`` for an IPv4 client), in one match.
_V1_TCP4 = re.compile(rb'PROXY TCP4 (%s) (%s) (0|[1-9][0-9]{0,4}) (0|[1-9][0-9]{0,4})'
                      % (IPV4_PATTERN.encode(), IPV4_PATTERN.encode()))
#: The same line with its end, at the start of a connection's bytes.
_V1_TCP4_LINE = re.compile(_V1_TCP4.pattern + rb'\r\n')
#: The usual v2 header (HAProxy's ``send-proxy-v2`` for an IPv4 client, no
#: TLVs): its first 16 bytes, then the addresses and ports.
_V2_TCP4 = V2_SIGNATURE + b'\x21\x11\x00\x0c'
_V2_TCP4_ADDRESSES = struct.Struct('!4s4sHH')


def _tcp4(version: int, source: str, destination: str, sport: int, dport: int) -> dict[str, Any] | None:
    if sport > 65535 or dport > 65535:
        return None
    return proxy_header(version, 'PROXY', 'IPv4', 'stream', (source, sport), (destination, dport))


def parse_v1(line: bytes) -> dict[str, Any] | None:
    """A v1 line without its ``\\r\\n``; ``None`` when malformed."""
    tcp4 = _V1_TCP4.fullmatch(line)
    if tcp4 is not None:
        source, destination, sport, dport = tcp4.groups()
        return _tcp4(1, source.decode(), destination.decode(), int(sport), int(dport))
    return _parse_v1_split(line)


def _parse_v1_split(line: bytes) -> dict[str, Any] | None:
    """Any v1 line, word by word (what :data:`_V1_TCP4` does not match)."""
    parts = line.split(b' ')
    if parts[0] != b'PROXY' or len(parts) < 2:
        return None
    if parts[1] == b'UNKNOWN':
        return proxy_header(1, 'PROXY')
    if len(parts) != 6 or parts[1] not in (b'TCP4', b'TCP6'):
        return None
    version = 4 if parts[1] == b'TCP4' else 6
    try:
        source, destination = parts[2].decode('ascii'), parts[3].decode('ascii')
    except UnicodeDecodeError:
        return None
    if is_ip(source) != version or is_ip(destination) != version or '%' in source + destination:
        return None
    sport, dport = _port(parts[4]), _port(parts[5])
    if sport is None or dport is None:
        return None
    family = 'IPv4' if version == 4 else 'IPv6'
    return proxy_header(1, 'PROXY', family, 'stream', (source, sport), (destination, dport))


def parse_whole(data: bytes) -> tuple[int, dict[str, Any]] | None:
    """A well-formed header that ``data``, a connection's first bytes, holds
    whole: ``(its length, the header)``; ``None`` for a header still coming
    or a bad one. The usual v1 and v2 headers are taken in one step each,
    any other by a :class:`HeaderParser` (whose rules they follow)."""
    tcp4 = _V1_TCP4_LINE.match(data)
    if tcp4 is not None:   # the usual cases first, each in one step
        source, destination, sport, dport = tcp4.groups()
        header = _tcp4(1, source.decode(), destination.decode(), int(sport), int(dport))
        return None if header is None else (tcp4.end(), header)
    if data[:16] == _V2_TCP4 and len(data) >= 28:
        source, destination, sport, dport = _V2_TCP4_ADDRESSES.unpack_from(data, 16)
        return 28, proxy_header(2, 'PROXY', 'IPv4', 'stream', (_std.inet_ntoa(source), sport),
                                (_std.inet_ntoa(destination), dport), {})
    parser = HeaderParser()   # any other header: the parser's rules, in one pass
    taken = parser.receive(data)
    return (taken, parser.header) if parser.header is not None else None


def parse_v2(header: bytes) -> dict[str, Any] | None:
    """A whole v2 header (signature to last TLV); ``None`` when malformed."""
    command = 'LOCAL' if header[12] & 0xF == 0 else 'PROXY'
    fam, proto = header[13] >> 4, header[13] & 0xF
    if fam not in _V2_ADDRESS_SIZE or proto not in _V2_TRANSPORT:
        if command == 'LOCAL':   # its protocol block is to be ignored
            return proxy_header(2, 'LOCAL')
        return None
    size = _V2_ADDRESS_SIZE[fam]
    body = header[_V2_FIXED:]
    if len(body) < size:
        return None if command == 'PROXY' else proxy_header(2, 'LOCAL')
    tlvs = _tlvs(body[size:])
    if tlvs is None or not _crc_ok(header, tlvs):
        return None
    if command == 'LOCAL':
        return proxy_header(2, 'LOCAL', tlvs=tlvs)
    source: tuple[Any, Any] = (None, None)
    destination: tuple[Any, Any] = (None, None)
    if fam in (0x1, 0x2):
        width = 4 if fam == 0x1 else 16
        af = _std.AF_INET if fam == 0x1 else _std.AF_INET6
        source = (_std.inet_ntop(af, body[:width]),
                  int.from_bytes(body[2 * width:2 * width + 2], 'big'))
        destination = (_std.inet_ntop(af, body[width:2 * width]),
                       int.from_bytes(body[2 * width + 2:2 * width + 4], 'big'))
    elif fam == 0x3:
        source = (_unix_path(body[:108]), None)
        destination = (_unix_path(body[108:216]), None)
    return proxy_header(2, 'PROXY', _V2_FAMILY[fam], _V2_TRANSPORT[proto], source, destination, tlvs)


def _unix_path(raw: bytes) -> str:
    return raw.split(b'\0', 1)[0].decode('utf-8', 'surrogateescape')


def _tlvs(data: bytes) -> dict[int, bytes] | None:
    """``{type: value}``; a repeated type keeps its first value; ``None`` if
    a TLV runs past the header."""
    out: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        if pos + 3 > len(data):
            return None
        kind, length = data[pos], int.from_bytes(data[pos + 1:pos + 3], 'big')
        end = pos + 3 + length
        if end > len(data):
            return None
        out.setdefault(kind, data[pos + 3:end])
        pos = end
    return out


def _crc32c_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC32C (Castagnoli), as the ``PP2_TYPE_CRC32C`` TLV carries it."""
    crc = 0xFFFFFFFF
    table = _CRC32C
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _crc_ok(header: bytes, tlvs: dict[int, bytes]) -> bool:
    """A CRC32C TLV, when there is one, must match the header with its
    value zeroed."""
    value = tlvs.get(PP2_TYPE_CRC32C)
    if value is None:
        return True
    if len(value) != 4:
        return False
    at = header.find(b'\x03\x00\x04' + value, _V2_FIXED)
    zeroed = header[:at + 3] + b'\0\0\0\0' + header[at + 7:]
    return crc32c(zeroed) == int.from_bytes(value, 'big')
