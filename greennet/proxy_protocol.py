"""The PROXY protocol on a server: ``create_server(proxy_protocol=True)``.

A load balancer that accepted a client's connection opens its own to the
server and sends, before any byte of the client's, a header that says who
the client is (:mod:`greennet.proxy_header` parses it). A
:class:`HeaderReader`, one per server, reads it in the hub: at accept it
reads once, and a header that came whole (the usual case:
``TCP_DEFER_ACCEPT`` waits for it) goes on at once, with no watcher, no
timer and no parser object; only a header still coming gets a read watcher,
a timer and a :class:`~greennet.proxy_header.HeaderParser` (no greenlet per
connection). Either way the connection goes on to the server's ordinary
accept path (``Server._on_accept``) with the client's address as its peer,
and with the client's bytes read along with the header, which the socket
takes as its first read (no byte is lost, and none is read twice). The
header comes before TLS, so this works for ``greennet.tls`` servers too.

A connection from a source outside ``trusted_proxies``, a malformed header,
a v1 line over 107 bytes, a truncated header or one later than the timeout
is dropped (the server's ``'drop'``, with a ``'reason'``): nobody can pass
for another address. A connection closed before sending anything (a TCP
health check) is closed quietly.
"""
from __future__ import annotations

import errno as _errno
import socket as _std
from collections.abc import Iterable
from typing import Any

from .address import is_ip
from .blocklist import BlockList
from .errors import ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE
from .proxy_header import (  # noqa: F401 - the parser's names, re-exported
    PP2_TYPE_CRC32C,
    V1_MAX,
    V2_SIGNATURE,
    HeaderParser,
    State,
    client_peer,
    crc32c,
    parse_v1,
    parse_v2,
    parse_whole,
    proxy_header,
)

__all__ = ['HeaderReader', 'trusted_proxies_list', 'defer_accept', 'DEFAULT_TIMEOUT_MS',
           'State', 'HeaderParser', 'parse_whole', 'parse_v1', 'parse_v2', 'proxy_header', 'client_peer',
           'crc32c', 'V1_MAX', 'V2_SIGNATURE', 'PP2_TYPE_CRC32C']

#: How long a connection may take to send its header (ms). The
#: specification asks receivers to wait at least 3 s, a TCP retransmission.
DEFAULT_TIMEOUT_MS = 3000
#: What a read at accept takes: a header and what follows it, as a socket's
#: own read would (``reading.READ_SIZE``).
_ACCEPT_READ = 65536


def trusted_proxies_list(value: Any) -> BlockList:
    """``trusted_proxies`` as a :class:`BlockList` (a list of matches): a
    ``BlockList`` is used as it is (rules added later apply); ``None`` is
    loopback only; an address or a ``'net/prefix'`` subnet, or a list of
    them, is checked here (``ERR_INVALID_ARG_VALUE``)."""
    if isinstance(value, BlockList):
        return value
    if value is None:
        value = ['127.0.0.0/8', '::1']
    elif isinstance(value, str):
        value = [value]
    elif not isinstance(value, Iterable) or isinstance(value, (bytes, dict)):
        raise ERR_INVALID_ARG_TYPE('options.trustedProxies', ['net.BlockList', 'Array'], value)
    trusted = BlockList()
    for entry in value:
        if not isinstance(entry, str):
            raise ERR_INVALID_ARG_VALUE('options.trustedProxies', entry, 'must be an IP address or subnet')
        address, _, prefix = entry.partition('/')
        version = is_ip(address)
        kind = 'ipv4' if version == 4 else 'ipv6'
        width = 32 if version == 4 else 128
        if not version or (prefix and not (prefix.isdigit() and int(prefix) <= width)):
            raise ERR_INVALID_ARG_VALUE('options.trustedProxies', entry, 'must be an IP address or subnet')
        if prefix:
            trusted.add_subnet(address, int(prefix), kind)
        else:
            trusted.add_address(address, kind)
    return trusted


class _Pending:
    """A connection whose header is still coming."""

    __slots__ = ('client', 'address', 'parser', 'watcher', 'timer')

    def __init__(self, client: _std.socket, address: Any) -> None:
        self.client = client
        self.address = address
        self.parser = HeaderParser()
        self.watcher: Any = None
        self.timer: Any = None


def defer_accept(listener: _std.socket) -> None:
    """Where the system has it (Linux's ``TCP_DEFER_ACCEPT``), accept a
    connection only once its first bytes came: a PROXY client always speaks
    first, so the header is there to read at accept, with no watcher. A
    connection that sends nothing is still accepted after a second or so."""
    option = getattr(_std, 'TCP_DEFER_ACCEPT', None)
    if option is None or listener.family not in (_std.AF_INET, _std.AF_INET6):
        return
    try:
        listener.setsockopt(_std.IPPROTO_TCP, option, 1)
    except OSError:
        pass


#: ``recv`` flags that never wait, whatever the descriptor's mode (the read at
#: accept comes before the socket is made non-blocking).
_NOW = getattr(_std, 'MSG_DONTWAIT', 0)
#: How many sources' trust a reader remembers (then it starts afresh).
_VERDICTS_MAX = 4096


def _sockaddr_family(address: Any) -> int:
    """The family of a ``sockaddr`` from ``accept`` (cheaper than asking the
    socket): ``(host, port)`` IPv4, ``(host, port, flow, scope)`` IPv6, a
    path Unix."""
    if type(address) is not tuple:
        return _std.AF_UNIX
    return _std.AF_INET6 if len(address) == 4 else _std.AF_INET


class HeaderReader:
    """Reads the PROXY header of each connection a server accepts, in the
    hub; hands the connection on with its client's address, or drops it."""

    def __init__(self, server: Any, trusted: BlockList, timeout_ms: float) -> None:
        self.server = server
        #: The proxies whose headers are believed.
        self.trusted = trusted
        #: Milliseconds a header may take (0: no limit).
        self.timeout_ms = timeout_ms
        #: Connections whose header is still coming.
        self.pending: set[_Pending] = set()
        #: ``trusted``'s answer per source (a proxy has few addresses), valid
        #: while its rules are those counted in ``_verdicts_rules``.
        self._verdicts: dict[str, bool] = {}
        self._verdicts_rules = -1

    def start(self, client: _std.socket, address: Any) -> None:
        """From the accept loop, in the hub: nothing here may raise."""
        family = _sockaddr_family(address)
        if not self._trusted(family, address):
            self.server._drop(client, 'untrusted', address)
            return
        # The header usually came whole (TCP_DEFER_ACCEPT waited for it):
        # take it at once, with no watcher, timer or parser.
        data: bytes | None = b''
        if _NOW:
            try:
                data = client.recv(_ACCEPT_READ, _NOW)
            except BlockingIOError:
                pass
            except OSError:
                data = None   # reset before a byte: the patient path says so
            else:
                whole = parse_whole(data) if data else None
                if whole is not None:
                    length, header = whole
                    self.server._on_accept(client, client_peer(header, family) or address, header,
                                           data[length:])
                    return
        self._start_pending(client, address, data)

    def _start_pending(self, client: _std.socket, address: Any, data: bytes | None) -> None:
        """A header still coming (or a bad one), after ``data`` (what the
        read at accept took; ``None``: it failed): read the rest as it
        comes."""
        pending = _Pending(client, address)
        try:
            client.setblocking(False)
        except (OSError, ValueError):
            client.close()
            return
        self.pending.add(pending)
        if data and not self._received(pending, data):
            return
        if not self._readable(pending):
            return
        loop = self.server._rt.loop
        try:
            pending.watcher = loop.io(client.fileno(), 1)
        except (OSError, ValueError):
            self._finish(pending, None)
            return
        if self.timeout_ms:
            pending.timer = loop.timer(self.timeout_ms / 1000.0)
            pending.timer.start(self._expired, pending)
        pending.watcher.start(self._readable, pending)

    def _trusted(self, family: int, address: Any) -> bool:
        if family == _std.AF_UNIX:
            return True   # who may connect is the file's permissions' business
        host = address[0] if address else None
        if not isinstance(host, str):
            return False
        rules = len(self.trusted._rules)   # rules are only ever added
        verdicts = self._verdicts
        if rules != self._verdicts_rules or len(verdicts) >= _VERDICTS_MAX:
            verdicts.clear()   # a rule was added since: ask again
            self._verdicts_rules = rules
        verdict = verdicts.get(host)
        if verdict is None:
            verdict = verdicts[host] = bool(
                self.trusted.check(host, 'ipv6' if family == _std.AF_INET6 else 'ipv4'))
        return verdict
    def _readable(self, pending: _Pending) -> bool:
        """Read what there is of the header; ``False`` once the connection
        was handed on or dropped, ``True`` while more is to come."""
        client, parser = pending.client, pending.parser
        while True:
            want = parser.want()
            try:
                data = client.recv(want)
            except BlockingIOError:
                return True
            except OSError as err:
                quiet = not parser.received or err.errno not in (_errno.ECONNRESET, _errno.EPIPE)
                self._finish(pending, None if quiet else 'truncated')
                return False
            if not data:
                self._finish(pending, 'truncated' if parser.received else None)
                return False
            if not self._received(pending, data) or len(data) < want:
                return pending in self.pending

    def _received(self, pending: _Pending, data: bytes) -> bool:
        """The parser takes ``data``; ``False`` once the connection was handed
        on (with what followed the header) or dropped."""
        parser = pending.parser
        taken = parser.receive(data)
        if parser.state is State.DONE:
            self._finish(pending, '', data[taken:])
            return False
        if parser.state is State.FAILED:
            self._finish(pending, parser.reason or 'malformed')
            return False
        return True

    def _expired(self, pending: _Pending) -> None:
        if pending in self.pending:
            self._finish(pending, 'timeout')

    def _finish(self, pending: _Pending, outcome: str | None, rest: bytes = b'') -> None:
        """``outcome``: ``''`` a whole header (``rest``: the client's bytes
        read after it), ``None`` closed before a byte (quietly), else why it
        is dropped."""
        self.pending.discard(pending)
        for watcher in (pending.watcher, pending.timer):
            if watcher is not None:
                watcher.stop()
                watcher.close()
        pending.watcher = pending.timer = None
        client = pending.client
        server = self.server
        if outcome == '':
            header = pending.parser.header
            assert header is not None
            peer = client_peer(header, _sockaddr_family(pending.address))
            server._header_read(client, peer or pending.address, header, rest)
        elif outcome is None:
            client.close()
            server._header_abandoned()
        else:
            server._drop(client, outcome, pending.address)
            server._header_abandoned()
