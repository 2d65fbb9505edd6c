"""The writable side of a ``Socket``: Node's ``stream.Writable``.

``write()`` tries ``send`` straight away and queues only what the kernel did
not take, watching for writability only while something is queued; ``end()``
sends the FIN once the queue is flushed, and ``'finish'`` follows.

The queue ``_wq`` holds ``[data, callback, flight]`` entries. As in Node,
where one write at a time (or one ``writev`` of everything buffered) is
handed to the handle and the writes behind it wait in the ``Writable``'s
buffer, the entries at its head whose ``flight`` is set are the write in
flight (``SENDING``: partly taken by the kernel; ``WAITING``: written while
connecting, waiting for ``'connect'``), the others are buffered (``cork()``
keeps them there). The difference shows when the socket dies: the write in
flight completes when the handle closes (with no error, or with
``ERR_SOCKET_CLOSED_BEFORE_CONNECTION`` if it never connected: Node's
``onwrite``), and only then does everything buffered, and every ``end()``
callback, learn the socket's error (:meth:`Writing._error_buffer`, Node's
``errorBuffer``).
"""
from __future__ import annotations

import errno as _errno
import socket as _std
from collections import deque
from collections.abc import Iterable
from typing import Any, Callable

from .encoding import encode
from .errors import (
    ERR_INVALID_ARG_TYPE,
    ERR_SOCKET_CLOSED,
    ERR_SOCKET_CLOSED_BEFORE_CONNECTION,
    ERR_STREAM_ALREADY_FINISHED,
    ERR_STREAM_DESTROYED,
    ERR_STREAM_NULL_VALUES,
    ERR_STREAM_WRITE_AFTER_END,
    NodeError,
    system_error,
)
from .reading import HIGH_WATER_MARK, READ, WRITE, Reading
from .state import (
    CONNECTING_STATES,
    DESTROYED_STATES,
    IDLE,
    OPEN,
    R_ENDED,
    W_ENDING,
    W_FINISHED,
    W_FINISHING,
    W_OPEN,
)

__all__ = ['Writing', 'MAX_IOV', 'BUFFERED', 'SENDING', 'WAITING']

#: Chunks handed to one ``sendmsg`` when the write queue is flushed.
MAX_IOV = 64

#: ``flight`` of a queue entry: buffered behind the write in flight (or corked).
BUFFERED = 0
#: In flight on an open handle: the kernel has taken part of the write.
SENDING = 1
#: In flight on a connecting socket: sent on ``'connect'``.
WAITING = 2

_WOULD_BLOCK = (BlockingIOError, InterruptedError)


class Writing(Reading):
    """``write()``, ``end()``, ``cork()``, ``'drain'``, ``'finish'``, ``destroy_soon()``."""

    __slots__ = ()

    @property
    def bytes_written(self) -> int:
        return self._bytes_written

    @property
    def writable(self) -> bool:
        """Node's ``writable``: not ended, not destroyed, and no write failed."""
        return (self._wstate is W_OPEN and self._conn not in DESTROYED_STATES
                and self._errored is None)

    @property
    def writable_length(self) -> int:
        """Bytes written but not yet handed to the kernel (kept after
        ``destroy()`` until the callbacks of those writes have run, as Node)."""
        return self._wlen

    @property
    def buffer_size(self) -> int | None:
        """Deprecated alias of ``writable_length`` (``None`` without a handle)."""
        return self._wlen if self._handle is not None or self._conn in CONNECTING_STATES else None

    @property
    def writable_high_water_mark(self) -> int:
        return HIGH_WATER_MARK

    @property
    def writable_need_drain(self) -> bool:
        """``True`` while a ``'drain'`` is due: never once ``end()`` was
        called or the socket destroyed, as Node."""
        return self._need_drain and self._wstate is W_OPEN and self._conn not in DESTROYED_STATES

    @property
    def writable_corked(self) -> int:
        """How many ``uncork()`` calls it takes to send what ``cork()`` held back."""
        return self._corked

    # -- write ----------------------------------------------------------------

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
        if self._wstate is not W_OPEN or self._conn in DESTROYED_STATES:
            self._write_refused(callback)
            return False
        if self._conn is IDLE and not self._corked:
            return self._write_unconnected(data, callback)
        return self._write(data, callback)

    def _write(self, data: bytes, callback: Callable[..., Any] | None) -> bool:
        n = len(data)
        self._bytes_written += n
        if self._wq is None and self._conn is OPEN:
            try:
                sent = self._handle.send(data)  # type: ignore[union-attr]
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
                data = memoryview(data)[sent:]  # type: ignore[assignment]
        self._enqueue(data, callback)
        # As Node's Writable: whether what is still queued is under the mark.
        if self._wlen < HIGH_WATER_MARK:
            return True
        self._need_drain = True
        return False

    def _enqueue(self, data: Any, callback: Callable[..., Any] | None) -> None:
        wq = self._wq
        if wq is None:
            # Nothing in flight: this write is (Node's _writeGeneric).
            wq = self._wq = deque()
            if self._conn in CONNECTING_STATES:
                wq.append([data, callback, WAITING])
                self._await_connect(wq)
            else:
                wq.append([data, callback, SENDING])
                self._watch_writable()
        else:
            wq.append([data, callback, BUFFERED])
        self._wlen += len(data)

    def _write_unconnected(self, data: bytes, callback: Callable[..., Any] | None) -> bool:
        """A write on a socket that never connected: Node's ``_writeGeneric``
        without a handle fails it with ``ERR_SOCKET_CLOSED``; the socket is
        errored at once (no longer ``writable``), the callback and the
        ``destroy()`` follow on the next tick (``onwriteError``). Writes
        made meanwhile are buffered and learn the same error."""
        self._bytes_written += len(data)
        if self._errored is None:
            error = ERR_SOCKET_CLOSED()
            self._errored = error
            self._defer(self._on_write_error, error, () if callback is None else (callback,))
        else:
            if self._wq is None:
                self._wq = deque()
            self._wq.append([data, callback, BUFFERED])
            self._wlen += len(data)
        return False

    def _watch_writable(self) -> None:
        if self._ww is None:
            self._ww = self._rt.loop.io(self._handle.fileno(), WRITE)  # type: ignore[union-attr]
        self._ww.start(self._on_writable)

    def _await_connect(self, wq: deque[list]) -> None:
        """The write in flight waits for ``'connect'``; a ``'close'`` before
        fails it with ``ERR_SOCKET_CLOSED_BEFORE_CONNECTION`` (Node's
        ``_writeGeneric`` while connecting, listeners and all)."""
        def on_connect() -> None:
            _forget(self, 'close', on_close)
            if self._wq is wq:
                self._flush_pending()

        def on_close(*_: Any) -> None:
            _forget(self, 'connect', on_connect)
            if self._wq is wq:
                self._inflight_done(ERR_SOCKET_CLOSED_BEFORE_CONNECTION())
        self.once('connect', on_connect)
        self.once('close', on_close)

    def _flush_pending(self) -> None:
        """On ``'connect'``: send the write that waited for it. As in Node,
        its callback runs inside this listener, and those of the writes
        buffered behind it on the next tick."""
        wq = self._wq
        if not wq or self._conn is not OPEN:
            return
        inflight = 0
        for entry in wq:
            if not entry[2]:
                break
            entry[2] = SENDING
            inflight += 1
        self._flush(inflight)
        if self._wq and self._wq[0][2]:
            self._watch_writable()

    def _on_writable(self) -> None:
        # In the hub.
        if not self._enter(Writing._flush):
            self._stalled |= WRITE
            self._ww.stop()

    def _idle(self) -> None:
        stalled, self._stalled = self._stalled, 0
        if stalled & READ:
            self._sync_reading()
        if stalled & WRITE and self._wq and self._wq[0][2] and self._conn is OPEN:
            self._ww.start(self._on_writable)

    def _flush(self, deferred_after: int | None = None) -> None:
        """Hand queued chunks to the kernel; then callbacks, ``'drain'``, and
        the shutdown an ``end()`` was waiting for. Callbacks after the first
        ``deferred_after`` run on the next tick. Once the write in flight is
        out, everything buffered behind it goes in flight at once (Node's
        ``clearBuffer``), unless corked."""
        wq = self._wq
        if wq is None or self._conn is not OPEN:
            return
        handle = self._handle
        assert handle is not None
        corked = self._corked
        done: list[Callable[..., Any]] = []
        while wq:
            if not wq[0][2]:
                if corked:
                    break
                _take_off(wq, SENDING)
            try:
                if len(wq) == 1:
                    sent = handle.send(wq[0][0])
                else:
                    sent = handle.sendmsg([entry[0] for entry in _head(wq, corked)])
            except _WOULD_BLOCK:
                break
            except OSError as err:
                for callback in done:   # those writes did complete
                    self._defer(callback)
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
                    if wq and not wq[0][2] and not corked:
                        _take_off(wq, SENDING)
                else:
                    entry[0] = memoryview(entry[0])[sent:]
                    sent = 0
        if self._timeout_ms:
            self._touch()
        if not wq or not wq[0][2]:
            if not wq and not corked:
                self._wq = None
            if self._ww is not None:
                self._ww.stop()
        self._after_flush(done, deferred_after)

    def _maybe_drain(self) -> None:
        """``'drain'`` once the queue that made ``write()`` return ``False`` is empty."""
        if (self._need_drain and not self._wq and self._wstate is W_OPEN
                and self._conn not in DESTROYED_STATES):
            self._need_drain = False
            self.emit('drain')

    def _after_flush(self, done: list[Callable[..., Any]], deferred_after: int | None) -> None:
        if deferred_after == 0:
            # Every callback on the next tick, 'drain' with them (Node's afterWriteTick).
            if done or self._need_drain:
                self._defer(self._after_flush, done, None)
            return
        self._maybe_drain()
        for i, callback in enumerate(done):
            if deferred_after is not None and i >= deferred_after:
                self._defer(callback)
            else:
                callback()
        if self._conn in DESTROYED_STATES:
            self._error_buffer()
        elif self._wstate is W_ENDING and self._wq is None:
            self._final()

    def _after_write(self, callback: Callable[..., Any] | None) -> None:
        """Node's ``afterWrite`` for a write the kernel took at once."""
        self._maybe_drain()
        if callback is not None:
            callback()
        if self._conn in DESTROYED_STATES:
            self._error_buffer()

    def _write_refused(self, callback: Callable[..., Any] | None) -> Exception:
        """A write after ``end()`` or ``destroy()``: the callback gets the
        error on the next tick, and the socket is destroyed with it."""
        if self._wstate is not W_OPEN:
            if self._rstate is R_ENDED and not self.allow_half_open:
                err: Exception = NodeError('EPIPE', 'This socket has been ended by the other party')
            else:
                err = ERR_STREAM_WRITE_AFTER_END()
        else:
            err = ERR_STREAM_DESTROYED('write')
        if callback is not None:
            self._defer(callback, err)
        if self._conn not in DESTROYED_STATES:
            self.destroy(err)
        return err

    # -- when writes cannot complete: Node's onwrite(err), onwriteError, errorBuffer --

    def _inflight_done(self, error: BaseException | None = None,
                       callbacks: Iterable[Callable[..., Any]] = ()) -> None:
        """The write in flight ends without being sent (Node's ``onwrite``):
        when the handle closes under it (no error), when it was closed before
        connecting, or when the kernel refused it. Its callbacks (and
        ``callbacks``, of a write already taken off) are called with
        ``error``; then :meth:`_error_buffer`."""
        wq = self._wq
        done = list(callbacks)
        while wq and wq[0][2]:
            entry = wq.popleft()
            self._wlen -= len(entry[0])
            if entry[1] is not None:
                done.append(entry[1])
        if error is None:
            for cb in done:
                cb()
        else:
            if self._errored is None:
                self._errored = error
            for cb in done:
                cb(error)
        self._error_buffer()

    def _on_write_error(self, error: BaseException, callbacks: Iterable[Callable[..., Any]] = ()) -> None:
        """Node's ``onwriteError``: the failed write's callbacks, then every
        pending one, then ``destroy(error)``."""
        self._inflight_done(error, callbacks)
        if self._conn not in DESTROYED_STATES:
            self.destroy(error)

    def _error_buffer(self) -> None:
        """Node's ``errorBuffer``, the one place pending callbacks learn that
        the socket is gone: unless a write is still in flight (its end calls
        this again), the callbacks of buffered writes and of ``end()`` get
        the socket's error, or ``ERR_STREAM_DESTROYED``."""
        wq = self._wq
        if wq and wq[0][2]:
            return
        error = self._errored
        if wq is not None:
            self._wq = None
            for entry in wq:
                self._wlen -= len(entry[0])
                if entry[1] is not None:
                    entry[1](error if error is not None else ERR_STREAM_DESTROYED('write'))
        callbacks, self._finish_cbs = self._finish_cbs, None
        for callback in callbacks or ():
            callback(error if error is not None else ERR_STREAM_DESTROYED('end'))

    # -- cork -----------------------------------------------------------------

    def cork(self) -> None:
        """Hold writes back until as many ``uncork()`` calls (or ``end()``);
        they then go out together, in one ``sendmsg``."""
        self._corked += 1
        if self._wq is None:
            self._wq = deque()   # write() queues (buffered) while anything is queued

    def uncork(self) -> None:
        """Undo one ``cork()``; the last sends what was held back."""
        if self._corked:
            self._corked -= 1
            if not self._corked:
                self._clear_buffer()

    def _clear_buffer(self) -> None:
        """Node's ``clearBuffer`` at ``uncork()``: everything buffered goes in
        flight at once, unless a write is already in flight (it follows)."""
        wq = self._wq
        if wq is None:
            return
        if not wq:
            self._wq = None
            return
        if wq[0][2] or self._conn in DESTROYED_STATES:
            return
        if self._conn is OPEN:
            _take_off(wq, SENDING)
            self._flush(0)
            if self._wq and self._wq[0][2]:
                self._watch_writable()
        elif self._conn in CONNECTING_STATES:
            _take_off(wq, WAITING)
            self._await_connect(wq)
        else:
            # Never connected: no handle to write to. As Node's onwrite(err),
            # the writes are taken off and the socket errored at once, their
            # callbacks and destroy() follow on the next tick.
            self._wq = None
            self._wlen -= sum(len(entry[0]) for entry in wq)
            error = ERR_SOCKET_CLOSED()
            if self._errored is None:
                self._errored = error
            self._defer(self._on_write_error, error, [entry[1] for entry in wq if entry[1] is not None])

    # -- end ------------------------------------------------------------------

    def end(self, data: Any = None, encoding: Any = None,
            callback: Callable[..., Any] | None = None) -> Any:
        """Half-close: send ``data`` if given, then FIN once everything written
        before is flushed; ``'finish'`` follows. Uncorks fully."""
        if callable(data) and encoding is None and callback is None:
            data, callback = None, data
        elif callable(encoding) and callback is None:
            encoding, callback = None, encoding
        if callback is not None and not callable(callback):
            raise ERR_INVALID_ARG_TYPE('cb', 'function', callback)
        err: BaseException | None = None
        if data is not None:
            if self._wstate is not W_OPEN or self._conn in DESTROYED_STATES:
                err = self._write_refused(None)
            else:
                self.write(data, encoding)
        if self._corked:
            self._corked = 1
            self.uncork()
        if err is not None:
            pass
        elif self._wstate is W_OPEN and self._errored is None:
            self._move_writable('end')
            self._release_end()
            if self._conn is OPEN and self._wq is None:
                self._final()
        elif self._wstate is W_FINISHED:
            err = ERR_STREAM_ALREADY_FINISHED('end')
        elif self._conn in DESTROYED_STATES:
            err = ERR_STREAM_DESTROYED('end')
        if callback is not None:
            if err is not None:
                self._defer(callback, err)
            elif self._errored is not None:
                self._defer(callback, self._errored)
            elif self._wstate is W_FINISHED:
                self._defer(callback)
            else:
                self._on_finish(callback)
        return self

    def _on_finish(self, callback: Callable[..., Any]) -> None:
        if self._finish_cbs is None:
            self._finish_cbs = []
        self._finish_cbs.append(callback)

    def _final(self) -> None:
        """Shut the writable side down (FIN); ``'finish'`` comes after."""
        if self._wstate is not W_ENDING or self._conn in DESTROYED_STATES:
            return
        self._move_writable('shutdown')
        if self._handle is not None:
            try:
                self._handle.shutdown(_std.SHUT_WR)
            except OSError as err:
                if err.errno != _errno.ENOTCONN:
                    self._defer(self.destroy, system_error(err.errno, 'shutdown'))
                    return
        self._defer_later(self._finish)

    def _finish(self) -> None:
        if self._wstate is not W_FINISHING or self._conn in DESTROYED_STATES:
            return
        self._move_writable('finish')
        callbacks, self._finish_cbs = self._finish_cbs, None
        for callback in callbacks or ():
            callback()
        self.emit('finish')
        if self._conn not in DESTROYED_STATES and self._rstate is R_ENDED:
            self.destroy()

    def destroy_soon(self) -> None:
        """End the writable side, and destroy once it has finished."""
        if self.writable:
            self.end()
        if self._wstate is W_FINISHED:
            self.destroy()
        else:
            self.once('finish', self.destroy)


def _take_off(wq: deque[list], flight: int) -> None:
    """Everything queued goes in flight (Node's ``clearBuffer``: one ``writev``)."""
    for entry in wq:
        entry[2] = flight


def _head(wq: deque[list], corked: int) -> list[list]:
    """The entries one ``sendmsg`` takes: at most ``MAX_IOV``, and only those
    in flight while corked."""
    if corked:
        head: list[list] = []
        for entry in wq:
            if not entry[2] or len(head) == MAX_IOV:
                break
            head.append(entry)
        return head
    if len(wq) <= MAX_IOV:
        return list(wq)
    return [wq[i] for i in range(MAX_IOV)]


def _forget(emitter: Any, event: str, listener: Callable[..., Any]) -> None:
    """Remove ``listener`` if it is still there (a listener may have removed it)."""
    try:
        emitter.remove_listener(event, listener)
    except KeyError:
        pass


def _to_bytes(data: Any, encoding: Any) -> bytes:
    if isinstance(data, str):
        return encode(data, encoding) if encoding is not None else encode(data)
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if data is None:
        raise ERR_STREAM_NULL_VALUES()
    raise ERR_INVALID_ARG_TYPE('chunk', ['string', 'Buffer', 'TypedArray', 'DataView'], data)
