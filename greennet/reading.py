"""The readable side of a ``Socket``: Node's ``stream.Readable`` in flowing
and paused mode (``'readable'``, ``read()``), and ``pipe()``.

The per-chunk path is kept short on purpose: the hub's read watcher queues
the socket's strand (:mod:`greennet.runtime`), whose step reads while the
kernel fills the whole buffer, at most ``MAX_READS`` times, as libuv does,
and emits each chunk as ``'data'`` at once when the stream flows. The read
watcher runs exactly while :meth:`Reading._wants_read` says so.

Paused mode keeps what Node's ``ReadableState`` has beyond the slots of
:mod:`greennet.state` in one :class:`PausedState`, made the first time a
``'readable'`` listener, ``read()`` or a straight-line reader
(:mod:`greennet.straight`) needs it: a socket that only flows never has
one. Chunks are buffered decoded (after ``set_encoding()``), so
``readable_length`` and ``read(n)`` count characters then, as Node's do.
A greenlet that waits on a socket whose strand it is itself holding (a
listener reading straight-line) registers as the strand's *pump*
(``PausedState.pump``): what the busy strand would otherwise stall (its
read and write watchers, tasks deferred from outside) pokes the pump,
which does that work itself; see :mod:`greennet.straight`.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any, Callable

from .encoding import Decoder, normalize_encoding
from .errors import ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE
from .pipe import Pipe
from .runtime import Emitter, on_own_strand
from .sockopts import SocketOptions
from .state import DESTROYED_STATES, OPEN, R_EOF, R_OPEN, W_FINISHED, W_OPEN
from .validators import validate_function

__all__ = ['Reading', 'PausedState', 'HIGH_WATER_MARK', 'READ_SIZE', 'MAX_READS', 'READ', 'WRITE']

#: Node 20's default ``highWaterMark`` for both sides of a socket.
HIGH_WATER_MARK = 16384
#: Bytes asked of the kernel per read, as libuv does.
READ_SIZE = 65536
#: Reads in a row while each fills the buffer, as libuv's ``uv__read``.
MAX_READS = 32
#: libev's event bits, and the bits of ``_stalled``: which watcher to restart.
READ, WRITE = 1, 2

#: Node's ceiling for a grown ``highWaterMark`` (``read(n)`` above it throws).
MAX_HWM = 0x40000000

_WOULD_BLOCK = (BlockingIOError, InterruptedError)


class PausedState:
    """What Node's ``ReadableState`` has beyond a socket's own slots, for
    paused mode; made on first use (:meth:`Reading._paused_state`)."""

    __slots__ = ('listening', 'need_readable', 'emitted_readable', 'hwm', 'resume_scheduled',
                 'paused', 'pump', 'hold_end')

    def __init__(self) -> None:
        #: Node's ``readableListening``: a ``'readable'`` listener is on.
        self.listening = False
        self.need_readable = False
        self.emitted_readable = False
        #: ``highWaterMark``, grown by a ``read(n)`` above it, as Node's.
        self.hwm = HIGH_WATER_MARK
        self.resume_scheduled = False
        #: Node's ``kPaused``: ``pause()`` (``True``) or ``resume()`` (``False``) was called.
        self.paused: bool | None = None
        #: The wakeup of a greenlet waiting on this socket from its own
        #: strand (:func:`greennet.straight.pump`), while it waits.
        self.pump: Any = None
        #: Readers (``makefile()``) that see the end themselves: while any
        #: is on, the peer's end is not emitted before a read finds it.
        self.hold_end = 0


class Reading(SocketOptions):
    """``'data'``, ``'end'``, ``'readable'``, ``read()``, ``pause()``,
    ``resume()``, ``set_encoding()``, ``onread`` and ``pipe()``; straight-line
    reading (``for chunk in socket``, ``makefile()``) from :mod:`greennet.straight`."""

    __slots__ = ('_rs',)

    def _setup(self, allow_half_open: bool) -> None:
        super()._setup(allow_half_open)
        self._rs: PausedState | None = None

    def _paused_state(self) -> PausedState:
        rs = self._rs
        if rs is None:
            rs = self._rs = PausedState()
        return rs

    @property
    def bytes_read(self) -> int:
        return self._bytes_read

    @property
    def readable_length(self) -> int:
        return self._buf_len

    @property
    def readable_high_water_mark(self) -> int:
        return HIGH_WATER_MARK if self._rs is None else self._rs.hwm

    @property
    def readable_flowing(self) -> bool | None:
        return self._flowing

    # -- listeners that start the flow ------------------------------------

    def _add_event_handler(self, event: str, k: Callable, v: Callable) -> None:
        super()._add_event_handler(event, k, v)
        if event == 'data':
            if self._rs is not None:
                self._rs.listening = bool(self._events.get('readable'))
            if self._flowing is not False:
                self.resume()
        elif event == 'readable':
            self._on_readable_listener()

    def _on_readable_listener(self) -> None:
        """Node's ``on('readable')``: paused mode, and ``'readable'`` soon if
        anything is buffered (else a ``read(0)`` that starts reading)."""
        rs = self._paused_state()
        if self.readable_ended or rs.listening:
            return
        rs.listening = rs.need_readable = True
        self._flowing = False
        rs.emitted_readable = False
        if self._buf_len:
            self._emit_readable()
        else:
            self._defer(self.read, 0)

    def _remove_listener(self, event: str, f: Callable) -> None:
        super()._remove_listener(event, f)
        if event == 'readable':
            self._defer(self._update_readable_listening)

    def remove_all_listeners(self, event: str | None = None) -> None:
        super().remove_all_listeners(event)
        if event is None or event == 'readable':
            self._defer(self._update_readable_listening)

    def _update_readable_listening(self) -> None:
        """Node's ``updateReadableListening``, a tick after a ``'readable'``
        listener went: flowing again if ``'data'`` listeners are left."""
        rs = self._rs
        if rs is None:
            return
        rs.listening = bool(self._events.get('readable'))
        if rs.resume_scheduled and rs.paused is False:
            self._flowing = True
        elif self._events.get('data'):
            self.resume()
        elif not rs.listening:
            self._flowing = None

    # -- a strand held by a greenlet waiting on this socket ---------------------

    def _defer(self, fn: Callable[..., Any], *args: Any) -> None:
        Emitter._defer(self, fn, *args)
        rs = self._rs
        if rs is not None and rs.pump is not None:
            rs.pump.poke()

    def _enter(self, step: Callable[[Any], Any]) -> bool:
        if self._busy:
            rs = self._rs
            if rs is not None and rs.pump is not None:
                rs.pump.poke()   # after the caller has stalled its watcher
            return False
        self._rt.enter(self, step)
        return True

    # -- the read watcher ---------------------------------------------------

    def _wants_read(self) -> bool:
        return (self._conn is OPEN and self._rstate is R_OPEN and not self._hold
                and (self._flowing or self._buf_len < self.readable_high_water_mark))

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
            rs = self._rs
            if rs is not None and rs.pump is not None:
                rs.pump.poke()
            return
        self._rt.enter(self, type(self)._read_ready)   # a subclass's read step (TLS)

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

    def _push(self, data: Any) -> None:
        """Node's ``addChunk``: buffer ``data`` (decoded, after
        ``set_encoding()``); ``'readable'`` if paused mode waits for it."""
        if self._decoder is not None and type(data) is not str:
            data = self._decoder.decode(data)
            if not data:
                return
        if self._buf is None:
            self._buf = deque()
        self._buf.append(data)
        self._buf_len += len(data)
        rs = self._rs
        if rs is not None and rs.need_readable:
            self._emit_readable()
        if not self._flowing and self._buf_len >= self.readable_high_water_mark:
            self._sync_reading()

    def _preread(self, data: bytes) -> None:
        """Bytes read from the descriptor before this socket had it (the
        client's first, read with a PROXY header): buffered before
        ``'connection'``, as a proxy library's ``unshift()`` does in Node."""
        self._bytes_read += len(data)
        self._push(data)

    def _flow(self) -> None:
        """Deliver what was buffered while the stream was not flowing."""
        buf = self._buf
        while buf and self._flowing and self._conn not in DESTROYED_STATES:
            data: Any = buf.popleft()
            self._buf_len -= len(data)
            self._emit_fast('data', data)
        if not buf:
            self._buf = None
            if self._rstate is R_EOF:
                self._end_readable()
        self._sync_reading()

    def _on_eof(self) -> None:
        self._move_readable('eof')
        self._sync_reading()
        rs = self._rs
        if rs is not None:
            # Node's onEofChunk: the decoder's tail is buffered, 'readable' now.
            rs.need_readable = False
            rs.emitted_readable = True
            if self._decoder is not None and not self._flowing:
                tail = self._decoder.end()
                if tail:
                    self._push(tail)
            self._emit_readable_now()
            if rs.hold_end and self._wstate is W_OPEN:
                return   # a file's reader may still answer the lines it holds
        if not self._buf:
            self._defer(self._end_readable)

    def _release_end(self) -> None:
        """The writable side ended: no line a file holds can be answered
        any more, so a peer's end held for it is due now."""
        rs = self._rs
        if rs is not None and rs.hold_end and self._rstate is R_EOF and not self._buf:
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

    # -- paused mode -----------------------------------------------------------

    def read(self, size: int | None = None) -> Any:
        """Node's ``readable.read([size])``: ``size`` bytes (characters after
        ``set_encoding()``), or everything buffered without ``size``; ``None``
        when not that much is buffered (or at the end, whose ``'end'``
        follows). Never blocks. What it returns is emitted as ``'data'`` too."""
        if size is not None:
            size = _read_size(size)
        rs = self._paused_state()
        if size is not None and size > rs.hwm:
            rs.hwm = _new_hwm(size)
        if size != 0:
            rs.emitted_readable = False
        length = self._buf_len
        ended = self._rstate is not R_OPEN or self._conn in DESTROYED_STATES
        if size == 0 and rs.need_readable and (length >= rs.hwm or ended):
            if not length and ended:
                self._defer(self._end_readable)
            else:
                self._emit_readable()
            return None
        n = self._how_much(size, length, ended)
        if n == 0 and ended:
            if not length:
                self._defer(self._end_readable)
            return None
        if not length and not ended:
            rs.need_readable = True
        ret = self._take(n) if n > 0 else None
        if ret is None:
            rs.need_readable = self._buf_len <= rs.hwm
        if not self._buf_len:
            if not ended:
                rs.need_readable = True
            elif size != n:
                self._defer(self._end_readable)
        self._sync_reading()
        if ret is not None and self._conn not in DESTROYED_STATES and self._events.get('data'):
            if on_own_strand(self):
                try:
                    self.emit('data', ret)
                except BaseException as exc:
                    self._fault(exc)   # the policy, not the caller of read(), gets it
            else:
                self._defer(self.emit, 'data', ret)   # in the socket's context, on its strand
        return ret

    def _how_much(self, size: int | None, length: int, ended: bool) -> int:
        """Node's ``howMuchToRead``."""
        if (size is not None and size <= 0) or (not length and ended):
            return 0
        if size is None:
            return len(self._buf[0]) if self._flowing and length else length  # type: ignore[index]
        if size <= length:
            return size
        return length if ended else 0

    def _take(self, n: int) -> Any:
        """Node's ``fromList``: the first ``n`` units of the buffer, joined."""
        buf = self._buf
        assert buf is not None
        self._buf_len -= n
        first = buf[0]
        if len(first) == n:
            buf.popleft()
            ret = first
        elif len(first) > n:
            buf[0] = first[n:]
            ret = first[:n]
        else:
            parts = []
            left = n
            while left:
                chunk = buf[0]
                if len(chunk) <= left:
                    parts.append(buf.popleft())
                    left -= len(chunk)
                else:
                    parts.append(chunk[:left])
                    buf[0] = chunk[left:]
                    left = 0
            ret = ('' if type(first) is str else b'').join(parts)
        if not buf:
            self._buf = None
        return ret

    def _emit_readable(self) -> None:
        """Node's ``emitReadable``: ``'readable'`` on the next tick, once."""
        rs = self._rs
        assert rs is not None
        rs.need_readable = False
        if not rs.emitted_readable:
            rs.emitted_readable = True
            self._defer(self._emit_readable_now)

    def _emit_readable_now(self) -> None:
        """Node's ``emitReadable_``."""
        rs = self._rs
        assert rs is not None
        if self._conn not in DESTROYED_STATES and (self._buf_len or self._rstate is not R_OPEN):
            self.emit('readable')
            rs.emitted_readable = False
        rs.need_readable = (not self._flowing and self._rstate is R_OPEN
                            and self._buf_len <= rs.hwm)
        if self._flowing and self._buf:
            self._flow()

    # -- straight-line reading (greennet.straight) --------------------------------

    def __iter__(self) -> Iterator[Any]:
        """``for chunk in socket``: Node's async iterator, in the calling
        greenlet. Each chunk is what ``read()`` returns; the loop ends at
        the peer's end, raises the socket's error, and leaving it (at the
        end too, as Node's) destroys the socket."""
        from .straight import iterate
        return iterate(self)

    def makefile(self, mode: str = 'rb', buffering: int | None = None, *, encoding: str | None = None,
                 errors: str | None = None, newline: str | None = None) -> Any:
        """A file object over the socket, as the standard library's
        ``socket.makefile``: reads block the calling greenlet until data or
        the end; writes block it while the socket needs ``'drain'``; closing
        the file does not end the socket."""
        from .straight import makefile
        return makefile(self, mode, buffering, encoding, errors, newline)

    # -- flowing mode ----------------------------------------------------------

    def pause(self) -> Any:
        """Stop ``'data'`` events; reading stops once the buffer is full."""
        if self._flowing is not False:
            self._flowing = False
            self.emit('pause')
        if self._rs is not None:
            self._rs.paused = True
        return self

    def resume(self) -> Any:
        """Start (or restart) ``'data'`` events; with a ``'readable'``
        listener on, the stream stays in paused mode, as Node's does."""
        if self._hold:
            self._hold = False
            self._sync_reading()
        rs = self._rs
        if not self._flowing:
            if rs is None:
                self._flowing = True
                self._defer(self._resumed)
            else:
                self._flowing = not rs.listening
                if not rs.resume_scheduled:
                    rs.resume_scheduled = True
                    self._defer(self._resumed)
            self._sync_reading()
        if rs is not None:
            rs.paused = False
        return self

    def _resumed(self) -> None:
        """Node's ``resume_``: ``'resume'``, then what was buffered flows."""
        rs = self._rs
        if rs is not None:
            rs.resume_scheduled = False
        self.emit('resume')
        if self._buf or self._rstate is R_EOF:
            self._flow()

    def is_paused(self) -> bool:
        return self._flowing is False

    def set_encoding(self, encoding: str | None = None) -> Any:
        """Deliver ``'data'`` (and ``read()``) as ``str`` decoded with
        ``encoding``; what is buffered is decoded now, as Node does."""
        decoder = self._decoder = Decoder(normalize_encoding(encoding))
        if self._buf:
            content = ''.join(c if type(c) is str else decoder.decode(c) for c in self._buf)
            self._buf = deque((content,)) if content else None  # type: ignore[arg-type]  # str chunks
            self._buf_len = len(content)
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


def _read_size(size: Any) -> int:
    """``read()``'s argument, as Node takes it (an integer; ``parseInt`` of
    anything else)."""
    if isinstance(size, bool) or not isinstance(size, (int, float, str)):
        raise ERR_INVALID_ARG_TYPE('size', 'number', size)
    try:
        return int(size)
    except ValueError:
        return 0


def _new_hwm(n: int) -> int:
    """Node's ``computeNewHighWaterMark``: the next power of two."""
    if n > MAX_HWM:
        raise ERR_OUT_OF_RANGE('size', '<= 1GiB', n)
    return 1 << (n - 1).bit_length()
