"""``greennet.Socket``: Node's ``net.Socket``, a duplex stream over a
non-blocking socket watched by gevent's hub.

The class is built from one module per concern, each extending the one
before (:mod:`~greennet.state`, :mod:`~greennet.timers`,
:mod:`~greennet.sockopts`, :mod:`~greennet.reading`,
:mod:`~greennet.writing`, :mod:`~greennet.connecting`); this module adds
construction, addresses, ``destroy()`` and the exception policy. The
socket's life is the state machine of :mod:`greennet.state`: ``'close'`` is
emitted once per ``destroy()``, last.

Isolation: the socket's listeners run on its own strand and in its own
``contextvars.Context`` (a copy of the server's at accept, of the caller's
at ``connect()``). An exception that escapes one of them is logged once
through the ``greennet`` logger, with its traceback, and destroys this
socket with the exception as its error; nothing else notices.
"""
from __future__ import annotations

import errno as _errno
import socket as _std
import struct
from collections.abc import Mapping
from contextvars import Context
from sys import intern
from typing import Any, Callable

from greenlet import GreenletExit

from .abort import on_abort
from .arguments import (
    CONNECT_OPTIONS,
    SOCKET_OPTIONS,
    merge_options,
    normalize_connect_args,
    validate_socket_options,
)
from .connecting import Connecting
from .errors import (
    ERR_INVALID_ARG_VALUE,
    ERR_INVALID_FD_TYPE,
    ERR_INVALID_HANDLE_TYPE,
    ERR_SOCKET_CLOSED,
    abort_error,
    system_error,
)
from .runtime import Handle, log
from .runtime import raw_socket as _raw_socket
from .state import CONNECTING_STATES, DESTROYED, DESTROYED_STATES, IDLE
from .writing import SENDING

__all__ = ['Socket', 'connect', 'create_connection']

#: ``SO_LINGER`` on with a zero timeout: ``close()`` sends an RST.
_LINGER_ZERO = struct.pack('ii', 1, 0)


def _sockaddr_dict(sockaddr: Any, family: int) -> dict[str, Any]:
    if family == _std.AF_UNIX or not isinstance(sockaddr, tuple):
        return {}
    # The address's own family: behind a PROXY header it need not be the socket's.
    kind = 'IPv6' if len(sockaddr) == 4 else 'IPv4'
    return {'address': sockaddr[0], 'family': kind, 'port': sockaddr[1]}


class _LentWatcher:
    """Stands for a socket's read watcher while a TLS socket has it
    (:meth:`Socket._lend_handle`): starting it does nothing; closing it (the
    lender's ``destroy()``) tells the borrower, before the handle closes."""

    __slots__ = ('on_closing',)

    def __init__(self, on_closing: Callable[[], None]) -> None:
        self.on_closing: Callable[[], None] | None = on_closing

    def start(self, *args: Any) -> None:
        pass

    def stop(self) -> None:
        pass

    def close(self) -> None:
        on_closing, self.on_closing = self.on_closing, None
        if on_closing is not None:
            on_closing()


class Socket(Connecting):
    """Node's ``net.Socket``: a TCP or IPC (Unix socket) duplex stream.

    Events: ``'close'(had_error)``, ``'connect'``, ``'data'``, ``'drain'``,
    ``'end'``, ``'error'``, ``'finish'``, ``'lookup'``, ``'ready'``,
    ``'timeout'``.
    """

    __slots__ = ('proxy_info',)

    def __init__(self, options: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__()
        self._setup(False)  # state first: a Socket whose options are refused is still whole
        #: What a PROXY protocol header said (a server's ``proxy_protocol``), else ``None``.
        self.proxy_info: dict[str, Any] | None = None
        if isinstance(options, (int, float)) and not isinstance(options, bool):
            options = {'fd': options}       # Node's new Socket(fd)
        opts = validate_socket_options(merge_options(
            options, kwargs, SOCKET_OPTIONS + CONNECT_OPTIONS + ('pause_on_connect',), 'Socket'))
        self.allow_half_open = opts['allow_half_open']
        signal = opts['signal']
        if opts.get('onread') is not None:
            self._set_onread(opts['onread'])
        fd = opts.get('fd')
        if fd is not None:
            self._open_fd(fd, opts.get('readable', True), opts.get('writable', True))
        if signal is not None:
            self._watch_signal(signal)

    # -- construction --------------------------------------------------

    @classmethod
    def _accepted(cls, server: Any, handle: _std.socket, peer: Any, allow_half_open: bool,
                  pause_on_connect: bool, context: Context) -> Socket:
        """The socket of a connection a server accepted from ``peer``."""
        self = cls.__new__(cls)
        Handle.__init__(self, context, server._rt)
        self._setup(allow_half_open)
        self.proxy_info = None
        self._server = server
        self._attach(handle)
        if type(peer) is tuple:   # one string per client address, however many connections
            peer = (intern(peer[0]), *peer[1:])
        self._peername = peer or None
        self._move('attach')
        if pause_on_connect:
            self._hold = True
            self._flowing = False
        self._activate()
        return self  # reading starts once the server has emitted 'connection'

    def _open_fd(self, fd: Any, readable: Any, writable: Any) -> None:
        if isinstance(fd, bool) or not isinstance(fd, int) or fd < 0:
            raise ERR_INVALID_ARG_VALUE('options.fd', fd)
        try:
            handle = _raw_socket(fileno=fd)
        except OSError as err:
            raise ERR_INVALID_FD_TYPE('FILE' if err.errno == _errno.ENOTSOCK else 'UNKNOWN') from None
        except (OverflowError, ValueError):
            raise ERR_INVALID_ARG_VALUE('options.fd', fd) from None
        if handle.type != _std.SOCK_STREAM:
            handle.detach()
            raise ERR_INVALID_FD_TYPE('UDP')
        self._attach(handle)
        self._move('attach')
        if readable is False:
            self._move_readable('end')
        if writable is False:
            self._move_writable('finish')
        self._activate()
        self._sync_reading()

    def _watch_signal(self, signal: Any) -> None:
        if signal.aborted:
            self._defer(self.destroy, abort_error(getattr(signal, 'reason', None)))
            return
        self._unwatch_signal = on_abort(
            signal, lambda: self.destroy(abort_error(getattr(signal, 'reason', None))))

    # -- addresses ------------------------------------------------------

    @property
    def errored(self) -> BaseException | None:
        """The error the socket was destroyed with, if any."""
        return self._errored

    def address(self) -> dict[str, Any]:
        """``{'port', 'family', 'address'}`` of the local end, as the OS reports it."""
        if self._handle is None:
            return {}
        try:
            return _sockaddr_dict(self._handle.getsockname(), self._family)
        except OSError:
            return {}

    def _peer(self) -> dict[str, Any]:
        """The remote end: known from ``accept`` for an accepted socket, else
        asked of the OS once (and kept after the handle closes)."""
        if self._peername is None:
            if self._handle is None:
                return {}
            try:
                self._peername = self._handle.getpeername()
            except OSError:
                return {}
        return _sockaddr_dict(self._peername, self._family)

    @property
    def local_address(self) -> str | None:
        return self.address().get('address')

    @property
    def local_port(self) -> int | None:
        return self.address().get('port')

    @property
    def local_family(self) -> str | None:
        return self.address().get('family')

    @property
    def remote_address(self) -> str | None:
        return self._peer().get('address')

    @property
    def remote_family(self) -> str | None:
        return self._peer().get('family')

    @property
    def remote_port(self) -> int | None:
        return self._peer().get('port')

    # -- destruction --------------------------------------------------------

    def destroy(self, error: BaseException | None = None) -> Socket:
        """Close the connection at once; emit ``'error'`` (if ``error``) and
        then ``'close'``, after this call. What is still queued is not sent:
        its callbacks and those of ``end()`` learn it (Node's
        ``errorBuffer``, :meth:`~greennet.writing.Writing._error_buffer`) on
        the next tick, or, behind a write in flight, when the handle closes."""
        if self._conn in DESTROYED_STATES:
            return self
        had_handle = self._active   # a socket that never had one closes without an argument
        if self._wq is not None or self._finish_cbs:
            self._defer(self._error_buffer)
        self._move('destroy')
        if self._errored is None:
            self._errored = error
        self._close_handle()
        self._buf = None
        self._buf_len = 0
        if error is not None:
            self._defer(self._emit_error, error)
        if had_handle:
            self._rt.close_later(self, self._emit_close, (error is not None,))
        else:
            self._defer(self._emit_close, None)
        return self

    def reset_and_destroy(self) -> Socket:
        """Close the TCP connection with an RST instead of a FIN (once it is
        connected, if it is still connecting)."""
        if self._conn is IDLE or self._conn in DESTROYED_STATES:
            if self._conn is IDLE:
                self.destroy(ERR_SOCKET_CLOSED())
            return self
        if self._family == _std.AF_UNIX:
            raise ERR_INVALID_HANDLE_TYPE()
        if self._conn in CONNECTING_STATES:
            self.once('connect', self._reset)
        else:
            self._reset()
        return self

    def _reset(self) -> None:
        if self._handle is not None:
            try:
                self._handle.setsockopt(_std.SOL_SOCKET, _std.SO_LINGER, _LINGER_ZERO)
            except OSError:
                pass
        self.destroy()

    def _close_handle(self) -> None:
        self._stop_timer()
        self._cancel_attempts()
        if self._unwatch_signal is not None:
            self._unwatch_signal()
            self._unwatch_signal = None
        if self._handle is None:
            return
        self._peer()
        self._release_handle()
        server = self._server
        if server is not None:
            self._server = None
            server._connection_closed()

    # -- a handle lent to a TLS socket (greennet.tls.wrap) -------------------------

    def _lend_handle(self, on_closing: Callable[[], None]) -> tuple[Any, list[bytes]]:
        """Give this connected socket's read watcher, and the bytes it read
        but nobody took, to the TLS socket taking it over (Node's
        ``TLSSocket`` wrapping a ``net.Socket``): this socket stays open, with
        its handle and addresses, but reads nothing more. ``on_closing`` runs
        when this socket is destroyed, before its handle closes."""
        self._peer()                       # it keeps knowing its peer
        rw, self._rw = self._rw, _LentWatcher(on_closing)
        rw.stop()
        self._reading = False
        self._hold = True
        buffered = [chunk for chunk in self._buf or () if isinstance(chunk, bytes)]
        self._buf = None
        self._buf_len = 0
        return rw, buffered

    def _emit_error(self, error: BaseException) -> None:
        self.emit('error', error)

    def _emit_close(self, had_error: bool | None) -> None:
        if self._conn is DESTROYED:   # not connecting again since
            wq = self._wq
            if wq and wq[0][2] is SENDING:
                # The kernel had part of it: it completes, without an error,
                # as libuv cancels it before the close callback (Node).
                self._inflight_done()
            self._move('closed')
            self._deactivate()
        if had_error is None:
            self.emit('close')
        else:
            self.emit('close', had_error)

    def _fail(self, err: OSError, syscall: str, callback: Callable[..., Any] | None = None) -> None:
        error = system_error(err.errno or _errno.EIO, syscall)
        if syscall == 'write':
            # Node's onwrite(err): the failed write (and ``callback``) learn
            # it first, then what is buffered, then 'error'.
            if self._errored is None:
                self._errored = error
            self._defer(self._on_write_error, error, () if callback is None else (callback,))
        self.destroy(error)

    # -- the exception policy --------------------------------------------------

    def _fault(self, exc: BaseException) -> None:
        """An exception escaped one of this socket's listeners: report it once
        and destroy this socket with it; nothing else notices."""
        if isinstance(exc, (SystemExit, KeyboardInterrupt, GreenletExit)):
            super()._fault(exc)
            return
        if exc is self._reported:
            return   # raised again as the 'error' nobody listens for
        self._reported = exc
        if exc is self._errored:
            log.error("%r: unhandled 'error' event", self, exc_info=(type(exc), exc, exc.__traceback__))
        else:
            self._report(exc)
        if self._conn not in DESTROYED_STATES:
            self.destroy(exc)

    # -- with socket: -----------------------------------------------------

    def __enter__(self) -> Socket:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        """Node's ``socket[Symbol.asyncDispose]``: destroy the socket."""
        self.destroy()

    def __repr__(self) -> str:
        return f'<greennet.Socket {self.ready_state} {self._peer() or self.address()}>'


def connect(*args: Any, **kwargs: Any) -> Socket:
    """Create a ``Socket`` and start connecting it (Node's ``net.connect``):
    ``connect(port[, host][, cb])``, ``connect(path[, cb])``,
    ``connect(options[, cb])`` or keyword options."""
    options, callback = normalize_connect_args(args, kwargs)
    socket_options = {key: options[key] for key in SOCKET_OPTIONS if key in options and key != 'onread'}
    sock = Socket(**socket_options)
    # As Node's net.connect: `new Socket(options)`, then `socket.connect(...)`
    # looked up on the socket, so a patched Socket.connect applies.
    if callback is None:
        return sock.connect(options)
    return sock.connect(options, callback)


create_connection = connect
