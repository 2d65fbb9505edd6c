"""``greennet.Server``: Node's ``net.Server`` on gevent's ``StreamServer``.

gevent's ``StreamServer`` accepts (with its back-off when ``accept`` fails);
its handler runs in the hub and only wraps the new descriptor in a
:class:`~greennet.socket.Socket`, which owns it from then on: gevent's habit
of closing a client socket when the handler returns is turned off, since a
Node-style handler always returns at once.

Behind a load balancer: ``listen(reuse_port=True)`` gives this server its
own queue on a port others bind too (:mod:`greennet.binding`), and
``create_server(proxy_protocol=True)`` reads each connection's PROXY header
in the hub (:mod:`greennet.proxy_protocol`) before the connection goes the
ordinary way, with the client's address as its peer. With it off, the accept
path is the same as without it.
"""
from __future__ import annotations

import errno as _errno
import logging
import socket as _std
from collections.abc import Mapping
from typing import Any, Callable

from gevent.event import Event

from . import lookup as _lookup
from .abort import on_abort
from .address import is_ip
from .arguments import (
    is_listen_fd,
    is_pipe_name,
    merge_options,
    normalize_listen_args,
    to_number,
    validate_server_options,
)
from .binding import ListenError, adopt_fd, pipe_listener, tcp_listener, unlink_if_same
from .compat import StreamServer, accept
from .errors import (
    ERR_INVALID_ARG_TYPE,
    ERR_INVALID_ARG_VALUE,
    ERR_SERVER_ALREADY_LISTEN,
    ERR_SERVER_NOT_RUNNING,
    system_error,
)
from .proxy_protocol import HeaderReader, defer_accept
from .runtime import Handle, family_of
from .runtime import raw_socket as _raw_socket
from .socket import Socket
from .validators import (
    UNSET,
    js_truthy,
    over_connection_limit,
    validate_abort_signal,
    validate_function,
    validate_port,
)

__all__ = ['Server', 'create_server']

#: Node's default ``backlog`` (not 512).
DEFAULT_BACKLOG = 511

#: ``accept`` failures that mean "try again later": out of descriptors or memory.
_RESOURCE_ERRORS = frozenset((_errno.EMFILE, _errno.ENFILE, _errno.ENOBUFS, _errno.ENOMEM))
#: ``accept`` failures that concern one connection only (it was reset first).
_TRANSIENT_ACCEPT_ERRORS = frozenset((_errno.ECONNABORTED, _errno.EPROTO, _errno.EINTR,
                                      _errno.EPERM, _errno.ETIMEDOUT))

_log = logging.getLogger('greennet.server')

_SERVER_OPTIONS = ('allow_half_open', 'pause_on_connect', 'no_delay', 'keep_alive',
                   'keep_alive_initial_delay', 'block_list', 'high_water_mark',
                   'proxy_protocol', 'trusted_proxies', 'proxy_protocol_timeout')


class _Acceptor(StreamServer):
    """gevent's accept loop, handing each descriptor to its ``Server``.

    When ``accept`` runs out of descriptors (or memory) it stops accepting
    and tries again after ``min_delay``, doubling up to ``max_delay``: no busy
    loop, one report per episode, and the server resumes as soon as
    descriptors free up. (What this relies on of gevent is checked by
    :mod:`greennet.compat`.)
    """

    #: First pause after ``accept`` failed for want of resources (seconds).
    min_delay = 0.01
    #: Longest pause between two tries.
    max_delay = 0.5
    #: The class of accepted descriptors.
    client_class = _raw_socket

    def __init__(self, listener: _std.socket, server: Server) -> None:
        self._greennet_server = server
        self._starved = False
        self._backoff = self.min_delay
        self._retry: Any = None
        self._family = family_of(listener)   # of every descriptor it accepts
        StreamServer.__init__(self, listener, spawn=None)

    def do_handle(self, *args: Any) -> None:
        """The new descriptor goes to the server: gevent's ``do_handle``
        without its greenlet and close wrappers (nothing here blocks, and
        the ``Socket`` owns the descriptor)."""
        self._greennet_server._on_accept(*args)

    handle = do_handle

    def do_read(self) -> tuple[_std.socket, Any] | None:
        listener = self.socket
        try:
            fd, address = accept(listener)
        except BlockingIOError:
            return None
        except OSError as err:
            if err.errno in _TRANSIENT_ACCEPT_ERRORS:
                return None
            if err.errno not in _RESOURCE_ERRORS:
                raise
            self._back_off(err)
            return None
        if self._starved:
            self._starved = False
            self._backoff = self.min_delay
            self._greennet_server._accept_recovered()
        return self.client_class(self._family, _std.SOCK_STREAM, 0, fileno=fd), address

    def _back_off(self, err: OSError) -> None:
        if not self._starved:
            self._starved = True
            self._greennet_server._accept_starved(err)
        self.stop_accepting()
        self._retry = self.loop.timer(self._backoff)
        self._retry.start(self._accept_again)
        self._backoff = min(self.max_delay, self._backoff * 2)

    def _accept_again(self) -> None:
        self._retry = None
        if not self.closed:
            self.start_accepting()

    def close(self) -> None:
        if self._retry is not None:
            self._retry.stop()
            self._retry = None
        StreamServer.close(self)

    def do_close(self, *args: Any) -> None:
        """The ``Socket`` owns the descriptor now: leave it open."""


class _ProxyAcceptor(_Acceptor):
    """The accept loop of a PROXY-protocol server: each descriptor goes to
    the server's :class:`~greennet.proxy_protocol.HeaderReader` first."""

    def __init__(self, listener: _std.socket, server: Server) -> None:
        assert server._proxy is not None
        self._reader = server._proxy
        super().__init__(listener, server)

    def do_handle(self, *args: Any) -> None:
        self._reader.start(*args)

    handle = do_handle


class Server(Handle):
    """Node's ``net.Server``: a TCP or IPC server.

    Events: ``'close'``, ``'connection'(socket)``, ``'error'(err)``,
    ``'listening'``, and Node 20's ``'drop'(data)`` for a connection refused
    because of ``max_connections`` (or a ``block_list``).
    """

    #: The class of the sockets this server accepts (``greennet.tls``: ``TLSSocket``).
    _socket_class: type[Socket] = Socket

    def __init__(self, options: Any = None, connection_listener: Callable[..., Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__()
        # State first: a Server whose options are refused is still whole.
        #: Refuse connections beyond this many (``None`` or 0: no limit). Any
        #: value is taken, and applied with JavaScript's coercions, as Node.
        self.max_connections: Any = None
        self._acceptor: _Acceptor | None = None
        self._listener: _std.socket | None = None
        self._pipe_name: str | None = None
        self._unlink: tuple[str, int, int] | None = None
        self._connections = 0
        self._unwatch_signal: Any = None
        self._listen_attempt = 0
        self.allow_half_open = self.pause_on_connect = self.no_delay = self.keep_alive = False
        self.keep_alive_initial_delay: Any = 0
        self.block_list: Any = None
        #: The PROXY-protocol reader (``None``: the option is off).
        self._proxy: HeaderReader | None = None
        if callable(options) and not isinstance(options, Mapping):
            options, connection_listener = None, options
        if options is not None and not isinstance(options, Mapping):
            raise ERR_INVALID_ARG_TYPE('options', 'Object', options)
        opts = validate_server_options(
            merge_options(options or None, kwargs, _SERVER_OPTIONS, 'create_server'))
        self.allow_half_open = opts['allow_half_open']
        self.pause_on_connect = opts['pause_on_connect']
        self.no_delay = opts['no_delay']
        self.keep_alive = opts['keep_alive']
        self.keep_alive_initial_delay = opts['keep_alive_initial_delay']
        self.block_list = opts['block_list']
        if opts['proxy_protocol']:
            self._proxy = HeaderReader(self, opts['trusted_proxies'], opts['proxy_protocol_timeout'])
        if connection_listener is not None:
            validate_function(connection_listener, 'connectionListener')
            self.on('connection', connection_listener)

    # -- state -----------------------------------------------------------

    @property
    def listening(self) -> bool:
        """Whether the server is listening for connections."""
        return self._acceptor is not None

    def address(self) -> dict[str, Any] | str | None:
        """``{'address', 'family', 'port'}`` while listening on TCP, the path
        for an IPC server, else ``None``."""
        listener = self._listener
        if listener is not None and (listener.family != _std.AF_UNIX or self._pipe_name is None):
            try:
                sockaddr = listener.getsockname()
            except OSError:
                return None
            if listener.family == _std.AF_UNIX:
                return sockaddr.decode('latin-1') if isinstance(sockaddr, bytes) else sockaddr
            return {'address': sockaddr[0], 'family': _lookup.family_name(listener.family),
                    'port': sockaddr[1]}
        return self._pipe_name

    def get_connections(self, callback: Callable[..., Any] | None = None) -> Server:
        """Call ``callback(err, count)`` with the number of open connections."""
        self._defer(validate_function(callback, 'callback'), None, self._connections)
        return self

    # -- listen ----------------------------------------------------------

    def listen(self, *args: Any, **kwargs: Any) -> Server:
        """Start listening: ``listen([port[, host[, backlog]]][, cb])``,
        ``listen(path[, backlog][, cb])``, ``listen(handle[, backlog][, cb])``,
        ``listen(options[, cb])`` or keyword options; ``'listening'`` follows."""
        options, callback, backlog_arg, no_args = normalize_listen_args(args, kwargs)
        if self._acceptor is not None:
            raise ERR_SERVER_ALREADY_LISTEN()
        if callback is not None:
            self.once('listening', callback)
        signal = validate_abort_signal(options.get('signal'))
        backlog = _backlog(options.get('backlog')) or backlog_arg or DEFAULT_BACKLOG
        handle = options.get('handle')
        fd = options.get('fd')
        if handle is not None:
            fd = _handle_fd(handle)
        if is_listen_fd(fd):
            self._listen_on(lambda: adopt_fd(fd, backlog, handle is not None), signal)
            return self
        port = options.get('port', UNSET)
        if no_args or ('port' in options and port is None):
            port = 0
        if isinstance(port, (int, float, str)) and not isinstance(port, bool):
            port = validate_port(port, 'options.port')
            host = options.get('host')
            if not isinstance(host, str) and js_truthy(host):
                raise ERR_INVALID_ARG_TYPE('hostname', 'string', host)
            ipv6_only = bool(options.get('ipv6_only'))
            reuse_port = options.get('reuse_port') is True   # Node's `=== true`
            if isinstance(host, str) and js_truthy(host):
                self._lookup_and_listen(host, port, backlog, ipv6_only, signal, reuse_port)
                return self
            self._listen_on(lambda: tcp_listener(None, port, backlog, ipv6_only, reuse_port), signal)
            return self
        path = options.get('path')
        if isinstance(path, str) and is_pipe_name(path):
            self._listen_on(lambda: self._pipe_listener(path, backlog, options), signal)
            return self
        if 'port' not in options and 'path' not in options:
            raise ERR_INVALID_ARG_VALUE('options', options, 'must have the property "port" or "path"')
        raise ERR_INVALID_ARG_VALUE('options', options)

    def _lookup_and_listen(self, host: str, port: int, backlog: int, ipv6_only: bool,
                           signal: Any, reuse_port: bool = False) -> None:
        """Resolve ``host`` first, as Node does even for an IP address: the
        server binds, and ``listening`` turns true, after ``listen()`` returns."""
        self._watch_signal(signal)
        attempt = self._listen_attempt

        def on_lookup(err: Any, address: Any = None, family: Any = None) -> None:
            self._defer(self._listen_resolved, attempt, err, address, port, backlog, ipv6_only,
                        reuse_port)
        if is_ip(host):
            on_lookup(None, host, is_ip(host))
        else:
            _lookup.lookup(host, {}, on_lookup)

    def _listen_resolved(self, attempt: int, err: Any, address: Any, port: int, backlog: int,
                         ipv6_only: bool, reuse_port: bool) -> None:
        if attempt != self._listen_attempt:
            return  # close() came first
        if err is not None:
            self.emit('error', err)
            return
        self._listen_on(lambda: tcp_listener(address, port, backlog, ipv6_only, reuse_port), None)

    def _listen_on(self, make: Callable[[], _std.socket], signal: Any) -> None:
        try:
            listener = make()
        except ListenError as failure:
            self._defer(self._emit_error, failure.error)
            return
        self._listener = listener
        if self._proxy is not None:
            defer_accept(listener)
        self._acceptor = (_Acceptor if self._proxy is None else _ProxyAcceptor)(listener, self)
        self._acceptor.start()
        self._activate()
        self._watch_signal(signal)
        self._defer(self._emit_listening)

    def _pipe_listener(self, path: str, backlog: int, options: Mapping[str, Any]) -> _std.socket:
        listener, self._unlink = pipe_listener(path, backlog, options.get('readable_all') is True,
                                               options.get('writable_all') is True)
        self._pipe_name = path
        return listener

    def _watch_signal(self, signal: Any) -> None:
        if signal is None:
            return
        if signal.aborted:
            self._defer(self.close)
        else:
            self._unwatch_signal = on_abort(signal, self.close)

    def _emit_listening(self) -> None:
        if self._acceptor is not None:
            self.emit('listening')

    def _emit_error(self, error: BaseException) -> None:
        self.emit('error', error)

    # -- connections --------------------------------------------------------

    def _on_accept(self, client: _std.socket, peer: Any,
                   proxy_info: dict[str, Any] | None = None, preread: bytes = b'') -> None:
        # In the hub, from gevent's accept loop: nothing here may raise.
        # ``peer``: the client's address (behind a PROXY header, the one it
        # gave, which ``proxy_info`` holds; ``preread``: the client's bytes
        # read along with the header).
        limit = self.max_connections
        if limit is not None and over_connection_limit(limit, self._connections):
            self._drop(client, None, peer)
            return
        if self.block_list is not None and self._blocked(peer):
            self._drop(client, None, peer)
            return
        try:
            sock = self._socket_class._accepted(self, client, peer, self.allow_half_open,
                                                self.pause_on_connect, self._ctx.copy())
        except OSError:
            client.close()  # reset before we could look at it
            return
        if proxy_info is not None:
            sock.proxy_info = proxy_info
        if self.no_delay:
            sock.set_no_delay(True)
        if self.keep_alive:
            sock.set_keep_alive(True, self.keep_alive_initial_delay)
        self._connections += 1
        self._prepare(sock)
        sock._defer(self._emit_connection, sock)
        if preread:
            sock._preread(preread)

    def _prepare(self, sock: Socket) -> None:
        """A new connection, before its ``'connection'``: what a subclass
        adds (``greennet.tls`` starts the handshake)."""

    def _emit_connection(self, sock: Socket) -> None:
        """On the new socket's strand, in its context: a connection listener
        that blocks holds back that connection only, and one that raises
        destroys it."""
        try:
            self.emit('connection', sock)
        finally:
            sock._sync_reading()  # as Node, nothing is read before 'connection'

    def _fault(self, exc: BaseException) -> None:
        """An exception escaped a listener of this server (not of a
        connection): report it once, and close the server."""
        super()._fault(exc)
        if self._acceptor is not None:
            self.close()

    def _blocked(self, peer: Any) -> bool:
        """Whether ``block_list`` refuses ``peer``, the client's ``sockaddr``
        (behind a PROXY header, the one it gave); a Unix peer never is."""
        if type(peer) is not tuple:
            return False
        address = peer[0]
        return bool(self.block_list.check(address, 'ipv6' if is_ip(address) == 6 else 'ipv4'))

    def _drop(self, client: _std.socket, reason: str | None = None, peer: Any = None) -> None:
        """Close a refused connection; ``'drop'`` with its addresses (the
        remote one ``peer``, the client's behind a PROXY header, when given)
        and, for a refused PROXY header, ``'reason'``: ``'untrusted'``,
        ``'malformed'``, ``'too_long'``, ``'truncated'`` or ``'timeout'``."""
        data: dict[str, Any] = {}
        if client.family != _std.AF_UNIX:
            family = _lookup.family_name(client.family)
            try:
                local = client.getsockname()
                remote = peer if type(peer) is tuple else client.getpeername()
                data = {'local_address': local[0], 'local_port': local[1], 'local_family': family,
                        'remote_address': remote[0], 'remote_port': remote[1],
                        'remote_family': 'IPv6' if is_ip(remote[0]) == 6 else 'IPv4'}
            except OSError:
                pass
        if reason is not None:
            data['reason'] = reason
        client.close()
        self._defer(self.emit, 'drop', data or None)

    def _header_read(self, client: _std.socket, peer: Any, header: dict[str, Any], rest: bytes) -> None:
        """A whole PROXY header came (in the hub), after the accept (one that
        came with it goes to ``_on_accept`` at once): the connection goes on
        as if just accepted from ``peer``, through this class's
        ``_on_accept`` (``greennet.tls``'s included), with the header as its
        ``proxy_info`` and ``rest`` (the client's bytes read with it) as its
        first read."""
        self._on_accept(client, peer, header, rest)
        self._emit_close_if_drained()   # if the server closed while the header came

    def _header_abandoned(self) -> None:
        """A connection whose header was coming is gone."""
        self._emit_close_if_drained()

    def _accept_starved(self, err: OSError) -> None:
        """``accept`` ran out of resources: report it once per episode, as an
        ``'error'`` event when someone listens for one, else in the log."""
        error = system_error(err.errno, 'accept')
        if self.listeners('error'):
            self._defer(self._emit_error, error)
        else:
            _log.warning('%r: %s; accepting again when descriptors free up', self, error)

    def _accept_recovered(self) -> None:
        _log.info('%r: accepting again', self)

    def _connection_closed(self) -> None:
        self._connections -= 1
        self._emit_close_if_drained()

    # -- close -------------------------------------------------------------

    def close(self, callback: Callable[..., Any] | None = None) -> Server:
        """Stop accepting; ``'close'`` (and ``callback()``) once every
        connection has ended, or ``callback(err)`` if it was not listening."""
        if callable(callback):
            if self._acceptor is None:
                self.once('close', lambda: callback(ERR_SERVER_NOT_RUNNING()))
            else:
                self.once('close', callback)
        self._listen_attempt += 1
        if self._acceptor is not None:
            self._stop_listening()
        elif self._unwatch_signal is not None:
            self._unwatch_signal()
            self._unwatch_signal = None
        self._emit_close_if_drained()
        return self

    def _stop_listening(self) -> None:
        acceptor, self._acceptor = self._acceptor, None
        self._listener = None
        if acceptor is not None:
            acceptor.close()
        if self._unwatch_signal is not None:
            self._unwatch_signal()
            self._unwatch_signal = None
        self._unlink_path()
        self._deactivate()

    def _unlink_path(self) -> None:
        """Remove the Unix socket this server created, and nothing else."""
        identity, self._unlink = self._unlink, None
        unlink_if_same(identity)

    def _emit_close_if_drained(self) -> None:
        if self._acceptor is None and not self._connections and not (
                self._proxy is not None and self._proxy.pending):
            self._defer(self.emit, 'close')

    # -- with server: ------------------------------------------------------

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        """Node's ``server[Symbol.asyncDispose]``: close a listening server and
        wait (cooperatively) for its ``'close'``, once every connection ended."""
        if self._acceptor is None:
            return
        closed = Event()
        self.close(lambda *err: closed.set())
        closed.wait()

    def __repr__(self) -> str:
        return f'<greennet.Server {self.address()}>'


def _backlog(value: Any) -> int | None:
    """A backlog as the kernel takes it: at most an int32 (the kernel caps
    it at ``somaxconn`` anyway)."""
    number = to_number(value)
    if not number or number != number:
        return None
    return int(min(number, 2 ** 31 - 1))


def _handle_fd(handle: Any) -> int:
    if isinstance(handle, Server):
        listener = handle._listener
        if listener is None:
            raise ERR_INVALID_ARG_VALUE('handle', handle, 'is not listening')
        return listener.fileno()
    if isinstance(handle, Socket):
        if handle._handle is None:
            raise ERR_INVALID_ARG_VALUE('handle', handle, 'has no descriptor')
        return handle._handle.fileno()
    fd = getattr(handle, 'fd', None)
    if isinstance(fd, int) and not isinstance(fd, bool) and fd >= 0:
        return fd
    raise ERR_INVALID_ARG_VALUE('options', handle)


def create_server(options: Any = None, connection_listener: Callable[..., Any] | None = None,
                  **kwargs: Any) -> Server:
    """Node's ``net.createServer([options][, connectionListener])``."""
    return Server(options, connection_listener, **kwargs)
