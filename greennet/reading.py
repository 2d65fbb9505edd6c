"""The readable side of a ``Socket``: Node's ``stream.Readable`` in flowing
mode, and ``pipe()``.

The per-chunk path is kept short on purpose: the hub's read watcher queues
the socket's strand (:mod:`greennet.runtime`), whose step reads while the
kernel fills the whole buffer, at most ``MAX_READS`` times, as libuv does,
and emits each chunk as ``'data'`` at once when the stream flows. The read
watcher runs exactly while :meth:`Reading._wants_read` says so.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any, Callable

from .encoding import Decoder, normalize_encoding
from .errors import ERR_INVALID_ARG_TYPE
from .pipe import Pipe
from .sockopts import SocketOptions
from .state import DESTROYED_STATES, OPEN, R_EOF, R_OPEN, W_FINISHED
from .validators import validate_function

__all__ = ['Reading', 'HIGH_WATER_MARK', 'READ_SIZE', 'MAX_READS', 'READ', 'WRITE']

#: Node 20's default ``highWaterMark`` for both sides of a socket.
HIGH_WATER_MARK = 16384
#: Bytes asked of the kernel per read, as libuv does.
READ_SIZE = 65536
#: Reads in a row while each fills the buffer, as libuv's ``uv__read``.
MAX_READS = 32
#: libev's event bits, and the bits of ``_stalled``: which watcher to restart.
READ, WRITE = 1, 2

_WOULD_BLOCK = (BlockingIOError, InterruptedError)


class Reading(SocketOptions):
    """``'data'``, ``'end'``, ``pause()``, ``resume()``, ``set_encoding()``,
    ``onread`` and ``pipe()``."""

    __slots__ = ()

    @property
    def bytes_read(self) -> int:
        return self._bytes_read

    @property
    def readable_length(self) -> int:
        return self._buf_len

    @property
    def readable_high_water_mark(self) -> int:
        return HIGH_WATER_MARK

    @property
    def readable_flowing(self) -> bool | None:
        return self._flowing

    # -- listeners that start the flow ------------------------------------

    def _add_event_handler(self, event: str, k: Callable, v: Callable) -> None:
        super()._add_event_handler(event, k, v)
        if event == 'data' and self._flowing is not False:
            self.resume()

    # -- the read watcher ---------------------------------------------------

    def _wants_read(self) -> bool:
        return (self._conn is OPEN and self._rstate is R_OPEN and not self._hold
                and (self._flowing or self._buf_len < HIGH_WATER_MARK))

    def _sync_reading(self) -> None:
        """Start or stop the read watcher to match the stream's state."""
        want = self._wants_read()
        if want != self._reading:
            self._reading = want
            if want:
                self._stalled &= ~READ
                self._rw.start(self._on_readable)
            else:
                self._rw.stop()

    def _on_readable(self) -> None:
        # In the hub: queue a read on this socket's strand, unless it is busy;
        # then the watcher rests until the strand is idle (_idle).
        if self._busy:
            self._stalled |= READ
            self._reading = False
            self._rw.stop()
            return
        self._rt.enter(self, Reading._read_ready)

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
                    data = self._handle.recv(READ_SIZE)  # type: ignore[union-attr]
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
            nread = self._handle.recv_into(buf)  # type: ignore[union-attr]
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
        return bool(nread == len(buf))

    # -- the buffer and the end ----------------------------------------------

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
        while buf and self._flowing and self._conn not in DESTROYED_STATES:
            data: Any = buf.popleft()
            self._buf_len -= len(data)
            if self._decoder is not None:
                data = self._decoder.decode(data)
                if not data:
                    continue
            self._emit_fast('data', data)
        if not buf:
            self._buf = None
            if self._rstate is R_EOF:
                self._end_readable()
        self._sync_reading()

    def _on_eof(self) -> None:
        self._move_readable('eof')
        self._sync_reading()
        if not self._buf:
            self._defer(self._end_readable)

    def _end_readable(self) -> None:
        if self._rstate is not R_EOF or self._conn in DESTROYED_STATES or self._buf:
            return
        self._move_readable('end')
        decoder = self._decoder
        if decoder is not None:
            tail = decoder.end()
            if tail:
                self.emit('data', tail)
        self.emit('end')
        if self._conn in DESTROYED_STATES:
            return
        if not self.allow_half_open and self.writable:
            self._defer(self._end_after_readable)
        elif self._wstate is W_FINISHED:
            self.destroy()

    def _end_after_readable(self) -> None:
        if self.writable:
            self.end()

    # -- flowing mode ----------------------------------------------------------

    def pause(self) -> Any:
        """Stop ``'data'`` events; reading stops once the buffer is full."""
        self._flowing = False
        return self

    def resume(self) -> Any:
        """Start (or restart) ``'data'`` events."""
        if self._hold:
            self._hold = False
            self._sync_reading()
        if not self._flowing:
            self._flowing = True
            if self._buf or self._rstate is R_EOF:
                self._defer(self._flow)
            self._sync_reading()
        return self

    def is_paused(self) -> bool:
        return self._flowing is False

    def set_encoding(self, encoding: str | None = None) -> Any:
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

    # -- pipes ---------------------------------------------------------------

    def pipe(self, destination: Any, end: bool = True) -> Any:
        """Write everything this socket reads to ``destination``, pausing while
        it is full; end it when this one ends. Returns ``destination``."""
        Pipe(self, destination, end)
        return destination

    def unpipe(self, destination: Any = None) -> Any:
        """Undo ``pipe()`` for ``destination`` (all pipes without one); the
        socket pauses when no pipe is left."""
        for pipe in list(self._pipes or ()):
            if destination is None or pipe.destination is destination:
                pipe.cleanup()
        return self



