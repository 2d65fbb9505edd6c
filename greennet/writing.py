"""The writable side of a ``Socket``: Node's ``stream.Writable``.

``write()`` tries ``send`` straight away and queues only what the kernel did
not take, watching for writability only while something is queued; ``end()``
sends the FIN once the queue is flushed, and ``'finish'`` follows.
"""
from __future__ import annotations

import errno as _errno
import socket as _std
from collections import deque
from typing import Any, Callable

from .encoding import encode
from .errors import (
    ERR_INVALID_ARG_TYPE,
    ERR_SOCKET_CLOSED,
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

__all__ = ['Writing', 'MAX_IOV']

#: Chunks handed to one ``sendmsg`` when the write queue is flushed.
MAX_IOV = 64

_WOULD_BLOCK = (BlockingIOError, InterruptedError)


class Writing(Reading):
    """``write()``, ``end()``, ``'drain'``, ``'finish'``, ``destroy_soon()``."""

    __slots__ = ()

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
        return self._wlen if self._handle is not None or self._conn in CONNECTING_STATES else None

    @property
    def writable_high_water_mark(self) -> int:
        return HIGH_WATER_MARK

    @property
    def writable_need_drain(self) -> bool:
        return self._need_drain

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
            return self._write_refused(callback)
        if self._conn is IDLE:
            error = ERR_SOCKET_CLOSED()
            if callback is not None:
                self._defer(callback, error)
            self.destroy(error)
            return False
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
        if self._wq is None:
            self._wq = deque()
            if self._conn in CONNECTING_STATES:
                self.once('connect', self._flush_pending)
            else:
                self._watch_writable()
        self._wq.append([data, callback])
        self._wlen += len(data)

    def _watch_writable(self) -> None:
        if self._ww is None:
            self._ww = self._rt.loop.io(self._handle.fileno(), WRITE)  # type: ignore[union-attr]
        self._ww.start(self._on_writable)

    def _flush_pending(self) -> None:
        """On ``'connect'``: send what was written while connecting. As in
        Node, the first write completes inside this listener and the ones
        queued behind it on the next tick."""
        if self._wq and self._conn is OPEN:
            self._flush(1)
            if self._wq:
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
        if stalled & WRITE and self._wq and self._conn is OPEN:
            self._ww.start(self._on_writable)

    def _flush(self, deferred_after: int | None = None) -> None:
        """Hand queued chunks to the kernel; then callbacks, ``'drain'``, and
        the shutdown an ``end()`` was waiting for. Callbacks after the first
        ``deferred_after`` run on the next tick."""
        wq = self._wq
        if wq is None or self._conn is not OPEN:
            return
        handle = self._handle
        assert handle is not None
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
        if (self._need_drain and self._wq is None and self._wstate is W_OPEN
                and self._conn not in DESTROYED_STATES):
            self._need_drain = False
            self.emit('drain')

    def _after_flush(self, done: list[Callable[..., Any]], deferred_after: int | None) -> None:
        self._maybe_drain()
        for i, callback in enumerate(done):
            if deferred_after is not None and i >= deferred_after:
                self._defer(callback)
            else:
                callback()
        if self._wstate is W_ENDING and self._wq is None:
            self._final()

    def _after_write(self, callback: Callable[..., Any] | None) -> None:
        self._maybe_drain()
        if callback is not None:
            callback()

    def _write_refused(self, callback: Callable[..., Any] | None) -> bool:
        destroyed = self._conn in DESTROYED_STATES
        if destroyed:
            err: Exception = ERR_STREAM_DESTROYED('write')
        elif self._rstate is R_ENDED and not self.allow_half_open:
            err = NodeError('EPIPE', 'This socket has been ended by the other party')
        else:
            err = ERR_STREAM_WRITE_AFTER_END()
        if callback is not None:
            self._defer(callback, err)
        if not destroyed:
            self.destroy(err)
        return False

    # -- end ------------------------------------------------------------------

    def end(self, data: Any = None, encoding: Any = None,
            callback: Callable[..., Any] | None = None) -> Any:
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
        if self._wstate is W_OPEN and self._errored is None:
            self._move_writable('end')
            if callback is not None:
                self._on_finish(callback)
            if (self._wq is None and self._conn not in CONNECTING_STATES
                    and self._conn not in DESTROYED_STATES):
                self._final()
        elif callback is not None:
            if self._wstate is W_FINISHED:
                self._defer(callback, ERR_STREAM_ALREADY_FINISHED('end'))
            elif self._conn in DESTROYED_STATES:
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
