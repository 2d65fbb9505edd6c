"""``greennet.Socket``: Node's ``net.Socket``, a duplex stream over a
non-blocking socket watched by gevent's hub.

The per-chunk path is kept short on purpose: the hub's read watcher hands
the socket to a pooled worker (:mod:`greennet.runtime`), which makes one
``recv`` and emits ``'data'`` at once when the stream is flowing; ``write()``
tries ``send`` straight away and queues only what the kernel did not take,
watching for writability only while something is queued. Idle sockets own no
greenlet and no write watcher.

A socket's life (h11-style, see :attr:`Socket.ready_state`): *pending* (no
handle) -> *opening* (``connecting``) -> *open* -> *readOnly* / *writeOnly*
as each side ends -> *closed* once ``destroyed``. ``'close'`` is emitted
exactly once, last.
"""
from __future__ import annotations

import errno as _errno
import socket as _std
import struct
from collections import deque
from collections.abc import Mapping
from typing import Any, Callable

from . import lookup as _lookup
from .abort import on_abort
from .address import is_ip
from .arguments import CONNECT_OPTIONS, SOCKET_OPTIONS, merge_options, normalize_connect_args
from .encoding import Decoder, encode, normalize_encoding
from .errors import (
    ERR_INVALID_ARG_TYPE,
    ERR_INVALID_ARG_VALUE,
    ERR_INVALID_FD_TYPE,
    ERR_INVALID_HANDLE_TYPE,
    ERR_INVALID_IP_ADDRESS,
    ERR_IP_BLOCKED,
    ERR_MISSING_ARGS,
    ERR_OUT_OF_RANGE,
    ERR_SOCKET_CLOSED,
    ERR_STREAM_ALREADY_FINISHED,
    ERR_STREAM_DESTROYED,
    ERR_STREAM_NULL_VALUES,
    ERR_STREAM_WRITE_AFTER_END,
    NodeError,
    abort_error,
    system_error,
)
from .pipe import Pipe
from .runtime import Handle
from .runtime import raw_socket as _raw_socket
from .validators import (
    UNSET,
    validate_abort_signal,
    validate_function,
    validate_number,
    validate_port,
    validate_string,
)

__all__ = ['Socket', 'connect', 'create_connection']

#: Node 20's default ``highWaterMark`` for both sides of a socket.
HIGH_WATER_MARK = 16384
#: Bytes asked of the kernel per read, as libuv does.
READ_SIZE = 65536
#: Reads in a row while each fills the buffer, as libuv's ``uv__read``.
MAX_READS = 32
#: Node's largest timer duration; longer timeouts are cut to it.
TIMEOUT_MAX = 2 ** 31 - 1
#: Chunks handed to one ``sendmsg`` when the write queue is flushed.
MAX_IOV = 64

_WOULD_BLOCK = (BlockingIOError, InterruptedError)
#: ``SO_LINGER`` on with a zero timeout: ``close()`` sends an RST.
_LINGER_ZERO = struct.pack('ii', 1, 0)
_READ, _WRITE = 1, 2


def _sockaddr_dict(sockaddr: Any, family: int) -> dict[str, Any]:
    if family == _std.AF_UNIX or not isinstance(sockaddr, tuple):
        return {}
    return {'address': sockaddr[0], 'family': _lookup.family_name(family), 'port': sockaddr[1]}


class Socket(Handle):
    """Node's ``net.Socket``: a TCP or IPC (Unix socket) duplex stream.

    Events: ``'close'(had_error)``, ``'connect'``, ``'data'``, ``'drain'``,
    ``'end'``, ``'error'``, ``'finish'``, ``'lookup'``, ``'ready'``,
    ``'timeout'``.
    """

    __slots__ = (
        'allow_half_open', 'connecting', 'destroyed', '_handle', '_family', '_rw', '_ww',
        '_reading', '_read_stalled', '_write_stalled', '_server', '_flowing', '_hold', '_buf',
        '_buf_len', '_eof', '_end_emitted', '_readable_side', '_writable_side', '_ending',
        '_finishing', '_finished', '_finish_cbs', '_wq', '_wlen', '_need_drain', '_bytes_read',
        '_bytes_written', '_decoder', '_timeout_ms', '_timer', '_last_active',
        '_closed', '_had_error', '_peername', '_onread', '_no_delay', '_keep_alive',
        '_unwatch_signal', '_pipes', '_connect_target', '_errored',
    )

    def __init__(self, options: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__()
        self._setup(False)  # state first: a Socket whose options are refused is still whole
        opts = merge_options(options, kwargs, SOCKET_OPTIONS + CONNECT_OPTIONS + ('pause_on_connect',),
                             'Socket')
        self.allow_half_open = bool(opts.get('allow_half_open', False))
        signal = validate_abort_signal(opts.get('signal'))
        if opts.get('onread') is not None:
            self._set_onread(opts['onread'])
        fd = opts.get('fd')
        if fd is not None:
            self._open_fd(fd, opts.get('readable', True), opts.get('writable', True))
        if signal is not None:
            self._watch_signal(signal)

    # -- construction --------------------------------------------------

    def _setup(self, allow_half_open: bool) -> None:
        self.allow_half_open = allow_half_open
        self._handle: _std.socket | None = None
        self._family = 0
        self._rw: Any = None
        self._ww: Any = None
        self._reading = False
        self._read_stalled = False
        self._write_stalled = False
        self.connecting = False
        self.destroyed = False
        self._server: Any = None
        self._flowing: bool | None = None
        self._hold = False                 # pause_on_connect: no reads until resume()
        self._buf: deque[bytes] | None = None
        self._buf_len = 0
        self._eof = False
        self._end_emitted = False
        self._readable_side = True
        self._writable_side = True
        self._ending = False
        self._finishing = False
        self._finished = False
        self._finish_cbs: list[Callable[..., Any]] | None = None
        self._wq: deque[list] | None = None
        self._wlen = 0
        self._need_drain = False
        self._bytes_read = 0
        self._bytes_written = 0
        self._decoder: Decoder | None = None
        self._timeout_ms: float | None = None
        self._timer: Any = None
        self._last_active = 0.0
        self._closed = False
        self._had_error: bool | None = False
        self._errored: BaseException | None = None
        self._peername: Any = None
        self._onread: Any = None
        self._no_delay: bool | None = None
        self._keep_alive: tuple[bool, float] | None = None
        self._unwatch_signal: Any = None
        self._pipes: list | None = None

    @classmethod
    def _accepted(cls, server: Any, handle: _std.socket, allow_half_open: bool,
                  pause_on_connect: bool) -> Socket:
        """The socket of a connection a server accepted."""
        self = cls.__new__(cls)
        Handle.__init__(self)
        self._setup(allow_half_open)
        self._server = server
        self._attach(handle)
        if pause_on_connect:
            self._hold = True
            self._flowing = False
        self._activate()
        return self  # reading starts once the server has emitted 'connection'


    def _attach(self, handle: _std.socket) -> None:
        handle.setblocking(False)
        self._handle = handle
        self._family = handle.family
        loop = self._rt.loop
        self._rw = loop.io(handle.fileno(), _READ)

    def _open_fd(self, fd: Any, readable: Any, writable: Any) -> None:
        if isinstance(fd, bool) or not isinstance(fd, int) or fd < 0:
            raise ERR_INVALID_ARG_VALUE('options.fd', fd)
        try:
            handle = _raw_socket(fileno=fd)
        except OSError as err:
            raise ERR_INVALID_FD_TYPE('FILE' if err.errno == _errno.ENOTSOCK else 'UNKNOWN') from None
        if handle.type != _std.SOCK_STREAM:
            handle.detach()
            raise ERR_INVALID_FD_TYPE('UDP')
        self._attach(handle)
        if readable is False:
            self._readable_side = False
            self._eof = self._end_emitted = True
        if writable is False:
            self._writable_side = False
            self._ending = self._finishing = self._finished = True
        self._activate()
        self._sync_reading()

    def _watch_signal(self, signal: Any) -> None:
        if signal.aborted:
            self._defer(self.destroy, abort_error(getattr(signal, 'reason', None)))
            return
        self._unwatch_signal = on_abort(
            signal, lambda: self.destroy(abort_error(getattr(signal, 'reason', None))))

    # -- properties -----------------------------------------------------

    @property
    def pending(self) -> bool:
        """``True`` until the socket is connected."""
        return self._handle is None or self.connecting

    @property
    def readable(self) -> bool:
        return self._readable_side and not self.destroyed and not self._end_emitted

    @property
    def writable(self) -> bool:
        return self._writable_side and not self.destroyed and not self._ending

    @property
    def ready_state(self) -> str:
        """``'opening'``, ``'open'``, ``'readOnly'``, ``'writeOnly'`` or ``'closed'``."""
        if self.connecting:
            return 'opening'
        readable, writable = self.readable, self.writable
        if readable and writable:
            return 'open'
        if readable:
            return 'readOnly'
        if writable:
            return 'writeOnly'
        return 'closed'

    @property
    def bytes_read(self) -> int:
        return self._bytes_read

    @property
    def bytes_written(self) -> int:
        return self._bytes_written

    @property
    def writable_length(self) -> int:
        """Bytes written but not yet handed to the kernel."""
        return self._wlen

    @property
    def buffer_size(self) -> int | None:
        """Deprecated alias of ``writable_length`` (``None`` without a handle)."""
        return self._wlen if self._handle is not None or self.connecting else None

    @property
    def readable_length(self) -> int:
        return self._buf_len

    @property
    def writable_high_water_mark(self) -> int:
        return HIGH_WATER_MARK

    @property
    def readable_high_water_mark(self) -> int:
        return HIGH_WATER_MARK

    @property
    def writable_need_drain(self) -> bool:
        return self._need_drain

    @property
    def writable_ended(self) -> bool:
        return self._ending

    @property
    def writable_finished(self) -> bool:
        return self._finished

    @property
    def readable_ended(self) -> bool:
        return self._end_emitted

    @property
    def readable_flowing(self) -> bool | None:
        return self._flowing

    @property
    def errored(self) -> BaseException | None:
        """The error the socket was destroyed with, if any."""
        return self._errored

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def timeout(self) -> float | None:
        """The idle timeout set by ``set_timeout()``, ``None`` if never set."""
        return self._timeout_ms

    def address(self) -> dict[str, Any]:
        """``{'port', 'family', 'address'}`` of the local end, as the OS reports it."""
        if self._handle is None:
            return {}
        try:
            return _sockaddr_dict(self._handle.getsockname(), self._family)
        except OSError:
            return {}

    def _peer(self) -> dict[str, Any]:
        if self._peername is None:
            if self._handle is None:
                return {}
            try:
                self._peername = _sockaddr_dict(self._handle.getpeername(), self._family)
            except OSError:
                return {}
        return self._peername

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

    # -- listeners that start the flow ------------------------------------

    def _add_event_handler(self, event: str, k: Callable, v: Callable) -> None:
        super()._add_event_handler(event, k, v)
        if event == 'data' and self._flowing is not False:
            self.resume()

    # -- reading ----------------------------------------------------------

    def _wants_read(self) -> bool:
        return (self._handle is not None and not self.connecting and not self.destroyed
                and not self._eof and self._readable_side and not self._hold
                and (self._flowing or self._buf_len < HIGH_WATER_MARK))

    def _sync_reading(self) -> None:
        """Start or stop the read watcher to match the stream's state."""
        want = self._wants_read()
        if want != self._reading:
            self._reading = want
            if want:
                self._read_stalled = False
                self._rw.start(self._on_readable)
            else:
                self._rw.stop()

    def _on_readable(self) -> None:
        # In the hub: queue a read on this socket's strand (Emitter._enter,
        # inlined on the per-chunk path), unless the strand is busy.
        if self._busy:
            self._stalled = self._read_stalled = True
            self._reading = False
            self._rw.stop()
            return
        self._busy = True
        rt = self._rt
        rt.pending += 1
        rt.dispatch(self, Socket._read_ready)

    def _idle(self) -> None:
        self._stalled = False
        if self._read_stalled:
            self._read_stalled = False
            self._sync_reading()
        if self._write_stalled:
            self._write_stalled = False
            if self._wq and self._handle is not None:
                self._ww.start(self._on_writable)

    def _read_ready(self) -> None:
        """Read while the kernel fills the whole buffer, at most
        ``MAX_READS`` times, as libuv does, emitting each chunk at once when
        the stream flows; what a chunk makes due runs before the next read,
        as Node's ticks run after each callback."""
        for _ in range(MAX_READS):
            if not self._reading:
                return
            if self._onread is not None:
                if not self._read_into(self._onread):
                    return
            else:
                try:
                    data = self._handle.recv(READ_SIZE)
                except _WOULD_BLOCK:
                    return
                except OSError as err:
                    self._fail(err, 'read')
                    return
                size = len(data)
                if not size:
                    self._on_eof()
                    return
                self._bytes_read += size
                if self._timeout_ms:
                    self._touch()
                if self._flowing and self._buf is None:
                    if self._decoder is not None:
                        data = self._decoder.decode(data)
                    handlers = self._events.get('data')  # Emitter._emit_fast, inlined
                    if handlers and data:
                        if len(handlers) == 1:
                            (f,) = handlers.values()
                            f(data)
                        else:
                            for f in tuple(handlers.values()):
                                f(data)
                else:
                    self._push(data)
                if size < READ_SIZE:
                    return
            if self._tasks:
                self._run_tasks()

    def _read_into(self, onread: tuple[Any, Callable[..., Any]]) -> bool:
        supplier, callback = onread
        buf = supplier() if callable(supplier) else supplier
        try:
            nread = self._handle.recv_into(buf)
        except _WOULD_BLOCK:
            return False
        except OSError as err:
            self._fail(err, 'read')
            return False
        if nread == 0:
            self._on_eof()
            return False
        self._bytes_read += nread
        if self._timeout_ms:
            self._touch()
        if callback(nread, buf) is False:
            self._hold = True          # stop reading, without pausing: resume() reads again
            self._sync_reading()
        return nread == len(buf)

    def _push(self, data: bytes) -> None:
        if self._buf is None:
            self._buf = deque()
        self._buf.append(data)
        self._buf_len += len(data)
        if self._buf_len >= HIGH_WATER_MARK and not self._flowing:
            self._sync_reading()

    def _flow(self) -> None:
        """Deliver what was buffered while the stream was not flowing."""
        buf = self._buf
        while buf and self._flowing and not self.destroyed:
            data = buf.popleft()
            self._buf_len -= len(data)
            if self._decoder is not None:
                data = self._decoder.decode(data)
                if not data:
                    continue
            self._emit_fast('data', data)
        if not buf:
            self._buf = None
            if self._eof:
                self._end_readable()
        self._sync_reading()

    def _on_eof(self) -> None:
        self._eof = True
        self._sync_reading()
        if not self._buf:
            self._defer(self._end_readable)

    def _end_readable(self) -> None:
        if self._end_emitted or self.destroyed or self._buf:
            return
        self._end_emitted = True
        decoder = self._decoder
        if decoder is not None:
            tail = decoder.end()
            if tail:
                self.emit('data', tail)
        self.emit('end')
        if self.destroyed:
            return
        if not self.allow_half_open and self.writable:
            self._defer(self._end_after_readable)
        elif self._finished or not self._writable_side:
            self.destroy()

    def _end_after_readable(self) -> None:
        if self.writable:
            self.end()

    def pause(self) -> Socket:
        """Stop ``'data'`` events; reading stops once the buffer is full."""
        self._flowing = False
        return self

    def resume(self) -> Socket:
        """Start (or restart) ``'data'`` events."""
        if self._hold:
            self._hold = False
            self._sync_reading()
        if not self._flowing:
            self._flowing = True
            if self._buf or (self._eof and not self._end_emitted):
                self._defer(self._flow)
            self._sync_reading()
        return self

    def is_paused(self) -> bool:
        return self._flowing is False

    def set_encoding(self, encoding: str | None = None) -> Socket:
        """Deliver ``'data'`` as ``str`` decoded with ``encoding``."""
        self._decoder = Decoder(normalize_encoding(encoding))
        return self

    def _set_onread(self, onread: Any) -> None:
        if not isinstance(onread, Mapping):
            raise ERR_INVALID_ARG_TYPE('options.onread', 'Object', onread)
        buffer, callback = onread.get('buffer'), onread.get('callback')
        validate_function(callback, 'options.onread.callback')
        if not callable(buffer) and not isinstance(buffer, (bytearray, memoryview)):
            raise ERR_INVALID_ARG_TYPE('options.onread.buffer', ['Buffer', 'TypedArray', 'DataView'], buffer)
        self._onread = (buffer, callback)

    # -- writing ----------------------------------------------------------

    def write(self, data: bytes | bytearray | memoryview | str, encoding: Any = None,
              callback: Callable[..., Any] | None = None) -> bool:
        """Send ``data``; return ``False`` once the queue reaches the high water
        mark, after which ``'drain'`` says when to write again."""
        if type(data) is not bytes:
            if callback is None and callable(encoding):
                encoding, callback = None, encoding
            data = _to_bytes(data, encoding)
        elif encoding is not None and callback is None and callable(encoding):
            encoding, callback = None, encoding
        if callback is not None and not callable(callback):
            raise ERR_INVALID_ARG_TYPE('cb', 'function', callback)
        if self._ending or self.destroyed:
            return self._write_refused(callback)
        if self._handle is None and not self.connecting:
            error = ERR_SOCKET_CLOSED()
            if callback is not None:
                self._defer(callback, error)
            self.destroy(error)
            return False
        return self._write(data, callback)

    def _write(self, data: bytes, callback: Callable[..., Any] | None) -> bool:
        n = len(data)
        self._bytes_written += n
        if self._wq is None and not self.connecting:
            try:
                sent = self._handle.send(data)
            except _WOULD_BLOCK:
                sent = 0
            except OSError as err:
                self._fail(err, 'write', callback)
                return False
            if self._timeout_ms:
                self._touch()
            if sent == n:
                if callback is not None or self._need_drain:
                    self._defer(self._after_write, callback)
                return True
            if sent:
                data = memoryview(data)[sent:]
        self._enqueue(data, callback)
        # As Node's Writable: whether what is still queued is under the mark.
        if self._wlen < HIGH_WATER_MARK:
            return True
        self._need_drain = True
        return False

    def _enqueue(self, data: Any, callback: Callable[..., Any] | None) -> None:
        if self._wq is None:
            self._wq = deque()
            if self.connecting:
                self.once('connect', self._flush_pending)
            else:
                self._watch_writable()
        self._wq.append([data, callback])
        self._wlen += len(data)

    def _watch_writable(self) -> None:
        if self._ww is None:
            self._ww = self._rt.loop.io(self._handle.fileno(), _WRITE)
        self._ww.start(self._on_writable)

    def _flush_pending(self) -> None:
        """On ``'connect'``: send what was written while connecting. As in
        Node, the first write completes inside this listener and the ones
        queued behind it on the next tick."""
        if self._wq and not self.destroyed:
            self._flush(1)
            if self._wq:
                self._watch_writable()

    def _on_writable(self) -> None:
        if not self._enter(Socket._flush):
            self._stalled = self._write_stalled = True
            self._ww.stop()

    def _flush(self, deferred_after: int | None = None) -> None:
        """Hand queued chunks to the kernel; then callbacks, ``'drain'``, and
        the shutdown an ``end()`` was waiting for. Callbacks after the first
        ``deferred_after`` run on the next tick."""
        wq = self._wq
        handle = self._handle
        done: list[Callable[..., Any]] = []
        while wq:
            try:
                if len(wq) == 1:
                    sent = handle.send(wq[0][0])
                else:
                    sent = handle.sendmsg([entry[0] for entry in _head(wq)])
            except _WOULD_BLOCK:
                break
            except OSError as err:
                self._fail(err, 'write')
                return
            self._wlen -= sent
            while sent and wq:
                entry = wq[0]
                size = len(entry[0])
                if sent >= size:
                    sent -= size
                    wq.popleft()
                    if entry[1] is not None:
                        done.append(entry[1])
                else:
                    entry[0] = memoryview(entry[0])[sent:]
                    sent = 0
        if self._timeout_ms:
            self._touch()
        if not wq:
            self._wq = None
            if self._ww is not None:
                self._ww.stop()
        self._after_flush(done, deferred_after)

    def _maybe_drain(self) -> None:
        """``'drain'`` once the queue that made ``write()`` return ``False`` is empty."""
        if self._need_drain and self._wq is None and not self._ending and not self.destroyed:
            self._need_drain = False
            self.emit('drain')

    def _after_flush(self, done: list[Callable[..., Any]], deferred_after: int | None) -> None:
        self._maybe_drain()
        for i, callback in enumerate(done):
            if deferred_after is not None and i >= deferred_after:
                self._defer(callback)
            else:
                callback()
        if self._ending and self._wq is None and not self._finishing:
            self._final()

    def _after_write(self, callback: Callable[..., Any] | None) -> None:
        self._maybe_drain()
        if callback is not None:
            callback()

    def _write_refused(self, callback: Callable[..., Any] | None) -> bool:
        if self.destroyed:
            err: Exception = ERR_STREAM_DESTROYED('write')
        elif self._end_emitted and not self.allow_half_open:
            err = NodeError('EPIPE', 'This socket has been ended by the other party')
        else:
            err = ERR_STREAM_WRITE_AFTER_END()
        if callback is not None:
            self._defer(callback, err)
        if not self.destroyed:
            self.destroy(err)
        return False

    def end(self, data: Any = None, encoding: Any = None,
            callback: Callable[..., Any] | None = None) -> Socket:
        """Half-close: send ``data`` if given, then FIN once everything written
        before is flushed; ``'finish'`` follows."""
        if callable(data) and encoding is None and callback is None:
            data, callback = None, data
        elif callable(encoding) and callback is None:
            encoding, callback = None, encoding
        if callback is not None and not callable(callback):
            raise ERR_INVALID_ARG_TYPE('cb', 'function', callback)
        if data is not None:
            self.write(data, encoding)
        if not self._ending and self._errored is None:
            self._ending = True
            if callback is not None:
                self._on_finish(callback)
            if self._wq is None and not self.connecting and not self.destroyed:
                self._final()
        elif callback is not None:
            if self._finished:
                self._defer(callback, ERR_STREAM_ALREADY_FINISHED('end'))
            elif self.destroyed:
                self._defer(callback, ERR_STREAM_DESTROYED('end'))
            else:
                self._on_finish(callback)
        return self

    def _on_finish(self, callback: Callable[..., Any]) -> None:
        if self._finish_cbs is None:
            self._finish_cbs = []
        self._finish_cbs.append(callback)

    def _final(self) -> None:
        """Shut the writable side down (FIN); ``'finish'`` comes after."""
        if self._finishing or self.destroyed:
            return
        self._finishing = True
        if self._handle is not None:
            try:
                self._handle.shutdown(_std.SHUT_WR)
            except OSError as err:
                if err.errno != _errno.ENOTCONN:
                    self._defer(self.destroy, system_error(err.errno, 'shutdown'))
                    return
        self._defer_later(self._finish)

    def _finish(self) -> None:
        if self.destroyed or self._finished:
            return
        self._finished = True
        callbacks, self._finish_cbs = self._finish_cbs, None
        for callback in callbacks or ():
            callback()
        self.emit('finish')
        if not self.destroyed and (self._end_emitted or not self._readable_side):
            self.destroy()

    def destroy_soon(self) -> None:
        """End the writable side, and destroy once it has finished."""
        if self.writable:
            self.end()
        if self._finished:
            self.destroy()
        else:
            self.once('finish', self.destroy)

    # -- destruction --------------------------------------------------------

    def destroy(self, error: BaseException | None = None) -> Socket:
        """Close the connection at once, discarding what is queued; emit
        ``'error'`` (if ``error``) and then ``'close'``, after this call."""
        if self.destroyed:
            return self
        self.destroyed = True
        self.connecting = False
        # A socket that never had a handle closes without an argument in Node.
        self._had_error = (error is not None) if self._active else None
        self._errored = error
        self._close_handle()
        pending, self._wq = self._wq, None
        self._wlen = 0
        self._buf = None
        self._buf_len = 0
        if error is not None:
            self._defer(self._emit_error, error)
        if pending or self._finish_cbs:
            self._defer(self._error_buffer, pending, error)
        if self._had_error is None:
            self._defer(self._emit_close)    # no handle to close: Node's emitCloseNT
        else:
            self._defer_later(self._emit_close)
        return self

    def _error_buffer(self, pending: deque[list] | None, error: BaseException | None) -> None:
        """Node's ``errorBuffer``: the callbacks of writes that never went out,
        and of ``end()``, learn that the socket was destroyed."""
        for entry in pending or ():
            if entry[1] is not None:
                entry[1](error or ERR_STREAM_DESTROYED('write'))
        callbacks, self._finish_cbs = self._finish_cbs, None
        for callback in callbacks or ():
            callback(error or ERR_STREAM_DESTROYED('end'))

    def reset_and_destroy(self) -> Socket:
        """Close the TCP connection with an RST instead of a FIN (once it is
        connected, if it is still connecting)."""
        if self._handle is None and not self.connecting:
            if not self.destroyed:
                self.destroy(ERR_SOCKET_CLOSED())
            return self
        if self._family == _std.AF_UNIX:
            raise ERR_INVALID_HANDLE_TYPE()
        if self.connecting:
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
        if self._unwatch_signal is not None:
            self._unwatch_signal()
            self._unwatch_signal = None
        handle = self._handle
        if handle is None:
            return
        self._peer()
        for watcher in (self._rw, self._ww):
            if watcher is not None:
                watcher.stop()
                watcher.close()
        self._rw = self._ww = None
        self._reading = False
        self._handle = None
        try:
            handle.close()
        except OSError:
            pass
        server = self._server
        if server is not None:
            self._server = None
            server._connection_closed()

    def _emit_error(self, error: BaseException) -> None:
        self.emit('error', error)

    def _emit_close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._deactivate()
        self.emit('close', self._had_error)

    def _fail(self, err: OSError, syscall: str, callback: Callable[..., Any] | None = None) -> None:
        error = system_error(err.errno or _errno.EIO, syscall)
        if callback is not None:
            self._defer(callback, error)
        self.destroy(error)

    # -- timeouts -------------------------------------------------------

    def set_timeout(self, timeout: float, callback: Callable[..., Any] | None = None) -> Socket:
        """Emit ``'timeout'`` after ``timeout`` ms of inactivity (0 disables)."""
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool):
            validate_number(timeout, 'msecs')
        if not (timeout >= 0 and timeout != float('inf')):
            raise ERR_OUT_OF_RANGE('msecs', 'a non-negative finite number', timeout)
        if callback is not None:
            validate_function(callback, 'callback')
        self._timeout_ms = timeout
        if timeout == 0:
            self._stop_timer()
            if callback is not None and callback in self.listeners('timeout'):
                self.remove_listener('timeout', callback)
            return self
        if callback is not None:
            self.once('timeout', callback)
        self._stop_timer()
        self._touch()
        return self

    def _timeout_seconds(self) -> float:
        return min(self._timeout_ms, TIMEOUT_MAX) / 1000.0

    def _touch(self) -> None:
        """Activity: the idle timeout starts again."""
        self._last_active = self._rt.loop.now()
        if self._timer is None and not self.destroyed:
            self._arm_timer(self._timeout_seconds())

    def _arm_timer(self, seconds: float) -> None:
        if self.destroyed:
            return
        self._stop_timer()
        self._timer = self._rt.loop.timer(seconds, 0, ref=False)
        self._timer.start(self._on_timer)

    def _on_timer(self) -> None:
        if self.destroyed or not self._timeout_ms:
            return
        remaining = self._last_active + self._timeout_seconds() - self._rt.loop.now()
        if remaining > 0.0005:
            self._arm_timer(remaining)
            return
        self._stop_timer()
        self._defer(self._emit_timeout)

    def _emit_timeout(self) -> None:
        if not self.destroyed:
            self.emit('timeout')

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer.close()
            self._timer = None

    # -- socket options ------------------------------------------------------

    def set_no_delay(self, no_delay: bool = True) -> Socket:
        """Disable (or with ``False`` re-enable) Nagle's algorithm."""
        self._no_delay = bool(no_delay)
        self._apply_no_delay()
        return self

    def _apply_no_delay(self) -> None:
        if self._no_delay is None or self._handle is None or self.connecting:
            return
        if self._family in (_std.AF_INET, _std.AF_INET6):
            try:
                self._handle.setsockopt(_std.IPPROTO_TCP, _std.TCP_NODELAY, int(self._no_delay))
            except OSError:
                pass

    def set_keep_alive(self, enable: bool = False, initial_delay: float = 0) -> Socket:
        """Enable TCP keep-alive: ``SO_KEEPALIVE``, ``TCP_KEEPIDLE`` =
        ``initial_delay`` (ms, 0 keeps the current value), ``TCP_KEEPCNT=10``,
        ``TCP_KEEPINTVL=1``."""
        self._keep_alive = (bool(enable), _keep_idle_seconds(initial_delay))
        self._apply_keep_alive()
        return self

    def _apply_keep_alive(self) -> None:
        if self._keep_alive is None or self._handle is None or self.connecting:
            return
        if self._family not in (_std.AF_INET, _std.AF_INET6):
            return
        enable, delay = self._keep_alive
        handle = self._handle
        try:
            handle.setsockopt(_std.SOL_SOCKET, _std.SO_KEEPALIVE, int(enable))
            if enable:
                if delay > 0:
                    handle.setsockopt(_std.IPPROTO_TCP, _std.TCP_KEEPIDLE, delay)
                handle.setsockopt(_std.IPPROTO_TCP, _std.TCP_KEEPINTVL, 1)
                handle.setsockopt(_std.IPPROTO_TCP, _std.TCP_KEEPCNT, 10)
        except OSError:
            pass

    # -- connecting ------------------------------------------------------------

    def connect(self, *args: Any, **kwargs: Any) -> Socket:
        """Open a connection: ``connect(port[, host][, cb])``,
        ``connect(path[, cb])`` or ``connect(options[, cb])``; ``'connect'``
        follows, or ``'error'``."""
        options, callback = normalize_connect_args(args, kwargs)
        self._connect(options, callback)
        return self

    def _connect(self, options: dict[str, Any], callback: Callable[..., Any] | None) -> None:
        path = options.get('path')
        port = options.get('port', UNSET)
        if port is UNSET and path is None:
            raise ERR_MISSING_ARGS('options', 'port', 'path')
        if callback is not None:
            validate_function(callback, 'connectListener')
        if self.connecting:
            raise NodeError('EALREADY', 'Socket is already connecting')
        plan = self._plan_connect(options, path, port)
        if self._handle is not None and not self.destroyed:
            # Node keeps a live connection when connect() is called again.
            if callback is not None:
                self.once('connect', callback)
            return
        if self.destroyed:
            self._reset_for_reconnect()
        if options.get('onread') is not None:
            self._set_onread(options['onread'])
        timeout = options.get('timeout')
        if timeout is not None:
            self.set_timeout(timeout)
        if options.get('no_delay'):
            self._no_delay = True
        if options.get('keep_alive'):
            self._keep_alive = (True, _keep_idle_seconds(options.get('keep_alive_initial_delay')))
        if callback is not None:
            self.once('connect', callback)
        self.connecting = True
        self._activate()
        plan()

    def _plan_connect(self, options: dict[str, Any], path: Any, port: Any) -> Callable[[], None]:
        """Validate the options at the call and return what starts the connection."""
        if path is not None:
            validate_string(path, 'options.path')
            return lambda: self._defer(self._connect_to, _std.AF_UNIX, path, None, None)
        host = options.get('host') or 'localhost'
        if not isinstance(host, str):
            raise ERR_INVALID_ARG_TYPE('options.host', 'string', host)
        if not (isinstance(port, (int, float, str)) and not isinstance(port, bool)):
            raise ERR_INVALID_ARG_TYPE('options.port', ['number', 'string'], port)
        port = validate_port(port)
        local_address = options.get('local_address')
        if local_address is not None and not is_ip(local_address):
            raise ERR_INVALID_IP_ADDRESS(local_address)
        local_port = options.get('local_port')
        if local_port is not None:
            validate_number(local_port, 'options.localPort')
        family = options.get('family', UNSET)
        if isinstance(family, str):
            family = {'IPv4': 4, 'IPv6': 6}.get(family, family)
        if family is not UNSET and (isinstance(family, bool) or family not in (0, 4, 6)):
            raise ERR_INVALID_ARG_VALUE('options.family', family, 'must be one of: 0, 4, 6')
        lookup = options.get('lookup')
        if lookup is not None:
            validate_function(lookup, 'options.lookup')
        local = (local_address, int(local_port or 0))
        block_list = options.get('block_list')
        kind = is_ip(host)
        if kind:
            af = _std.AF_INET6 if kind == 6 else _std.AF_INET
            return lambda: self._defer(self._connect_checked, af, host, port, local, block_list)
        hints = options.get('hints') or 0
        return lambda: self._lookup_then_connect(lookup or _lookup.lookup, host, port, family,
                                                 hints, local, block_list)

    def _reset_for_reconnect(self) -> None:
        """Node's ``_undestroy()``: a closed socket may connect again, keeping
        its listeners and settings."""
        kept = (self._decoder, self._timeout_ms, self._no_delay, self._keep_alive, self._refed,
                self._onread, self._flowing, self._pipes)
        self._setup(self.allow_half_open)
        (self._decoder, self._timeout_ms, self._no_delay, self._keep_alive, self._refed,
         self._onread, self._flowing, self._pipes) = kept

    def _lookup_then_connect(self, lookup: Callable[..., Any], host: str, port: int, family: Any,
                             hints: int, local: tuple[Any, int], block_list: Any) -> None:
        # Node's dns options: ADDRCONFIG unless a family or hints are given, and
        # every address (autoSelectFamily) unless a family or local address is.
        dns_options: dict[str, Any] = {} if family is UNSET else {'family': family}
        any_family = family not in (4, 6)
        dns_options['hints'] = hints or (_lookup.ADDRCONFIG if any_family else 0)
        if any_family and not local[0]:
            dns_options['all'] = True

        def on_lookup(err: Any, address: Any = None, kind: Any = None) -> None:
            self._defer(self._after_lookup, err, address, kind, host, port, local, block_list)
        lookup(host, dns_options, on_lookup)

    def _after_lookup(self, err: Any, address: Any, kind: Any, host: str, port: int,
                      local: tuple[Any, int], block_list: Any) -> None:
        if not self.connecting or self.destroyed:
            return
        if isinstance(address, list):
            if not address and err is None:
                err = system_error(_errno.ENOENT, 'getaddrinfo', host)
            first = address[0] if address else {}
            address, kind = first.get('address'), first.get('family')
        if err is not None:
            self.emit('lookup', err, address, kind, host)
            self.destroy(err)
            return
        if not isinstance(address, str) or not is_ip(address):
            self.destroy(ERR_INVALID_IP_ADDRESS(address))
            return
        kind = {'IPv4': 4, 'IPv6': 6}.get(kind, kind) or is_ip(address)
        self.emit('lookup', None, address, kind, host)
        if self.connecting and not self.destroyed:
            af = _std.AF_INET6 if is_ip(address) == 6 else _std.AF_INET
            self._connect_checked(af, address, port, local, block_list)

    def _connect_checked(self, family: int, address: str, port: int, local: tuple[Any, int],
                         block_list: Any) -> None:
        if block_list is not None and block_list.check(address, 'ipv6' if family == _std.AF_INET6 else 'ipv4'):
            self.destroy(ERR_IP_BLOCKED(address))
            return
        self._connect_to(family, address, port, local)

    def _connect_to(self, family: int, address: str, port: int | None,
                    local: tuple[Any, int] | None) -> None:
        if not self.connecting or self.destroyed:
            return
        try:
            handle = _raw_socket(family, _std.SOCK_STREAM)
        except OSError as err:
            self.destroy(system_error(err.errno, 'socket'))
            return
        self._attach(handle)
        target: Any = address if family == _std.AF_UNIX else (address, port)
        if local and (local[0] or local[1]):
            bind_host = local[0] or ('::' if family == _std.AF_INET6 else '0.0.0.0')
            try:
                handle.bind((bind_host, local[1]))
            except OSError as err:
                self.destroy(system_error(err.errno, 'bind', bind_host, local[1]))
                return
        code = handle.connect_ex(target)
        if code in (0, _errno.EINPROGRESS, _errno.EAGAIN, _errno.EWOULDBLOCK):
            self._connect_target = (address, port)
            self._ww = self._rt.loop.io(handle.fileno(), _WRITE)
            self._ww.start(self._on_connect_ready)
        else:
            self.destroy(system_error(code, 'connect', address, port))

    def _on_connect_ready(self) -> None:
        # In the hub: the connection is up (or failed). Its 'connect' comes
        # after the reads this turn of the loop found, as Node's does.
        self._ww.stop()
        self._defer_later(self._after_connect)

    def _after_connect(self) -> None:
        if not self.connecting or self.destroyed:
            return
        address, port = self._connect_target
        code = self._handle.getsockopt(_std.SOL_SOCKET, _std.SO_ERROR)
        if code:
            self.destroy(system_error(code, 'connect', address, port))
            return
        self.connecting = False
        if self._timeout_ms:
            self._touch()
        self._apply_no_delay()
        self._apply_keep_alive()
        self.emit('connect')
        self.emit('ready')
        if self.destroyed:
            return
        if self._wq is None and self._ending and not self._finishing:
            self._final()
        self._sync_reading()

    # -- pipes ---------------------------------------------------------------

    def pipe(self, destination: Any, end: bool = True) -> Any:
        """Write everything this socket reads to ``destination``, pausing while
        it is full; end it when this one ends. Returns ``destination``."""
        Pipe(self, destination, end)
        return destination

    def unpipe(self, destination: Any = None) -> Socket:
        """Undo ``pipe()`` for ``destination`` (all pipes without one); the
        socket pauses when no pipe is left."""
        for pipe in list(self._pipes or ()):
            if destination is None or pipe.destination is destination:
                pipe.cleanup()
        return self

    def __repr__(self) -> str:
        return f'<greennet.Socket {self.ready_state} {self._peer() or self.address()}>'


def _keep_idle_seconds(delay_ms: Any) -> int:
    """Node's ``~~(initialDelay / 1000)``: whole seconds as an int32, where
    anything that is not a finite number counts as 0."""
    try:
        number = float(delay_ms) if not isinstance(delay_ms, (list, dict, tuple)) else float('nan')
    except (TypeError, ValueError):
        return 0
    if number != number or number in (float('inf'), float('-inf')):
        return 0
    seconds = int(number / 1000)
    return (seconds + 2 ** 31) % 2 ** 32 - 2 ** 31


def _head(wq: deque[list]) -> list[list]:
    if len(wq) <= MAX_IOV:
        return list(wq)
    return [wq[i] for i in range(MAX_IOV)]


def _to_bytes(data: Any, encoding: Any) -> bytes:
    if isinstance(data, str):
        return encode(data, encoding) if encoding is not None else encode(data)
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if data is None:
        raise ERR_STREAM_NULL_VALUES()
    raise ERR_INVALID_ARG_TYPE('chunk', ['string', 'Buffer', 'TypedArray', 'DataView'], data)


def connect(*args: Any, **kwargs: Any) -> Socket:
    """Create a ``Socket`` and start connecting it (Node's ``net.connect``):
    ``connect(port[, host][, cb])``, ``connect(path[, cb])``,
    ``connect(options[, cb])`` or keyword options."""
    options, callback = normalize_connect_args(args, kwargs)
    socket_options = {key: options[key] for key in SOCKET_OPTIONS if key in options and key != 'onread'}
    sock = Socket(**socket_options)
    sock._connect(options, callback)
    return sock


create_connection = connect
