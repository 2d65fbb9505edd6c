"""Straight-line reading and writing for green threads: ``for chunk in
socket``, ``socket.makefile()``, and the waiting under ``greennet.once()``.

Each of these blocks the calling greenlet until the socket has something
for it, cooperatively: a :class:`Wakeup` that the socket's listeners (or
the hub) wake. Where the caller stands decides who does the socket's work
meanwhile:

- **Any other greenlet** (one the app spawned, the main greenlet, another
  socket's listener): it only waits. The socket's strand reads, buffers,
  emits and wakes it, as for any listener; a strand held back by one of its
  own listeners holds this reader back too, which is the back-pressure a
  reader expects.

- **The socket's own strand** (a ``'connection'`` listener reading its
  connection line by line, a ``'data'`` listener calling ``once``): the
  strand is busy with that very listener, so nothing would ever run on it:
  :meth:`~greennet.reading.Reading._on_readable` stalls the read watcher,
  ``_on_writable`` the write watcher, and tasks deferred from outside (a
  ``destroy()``, ``'timeout'``, ``'close'``) wait for the strand to be idle.
  The waiter therefore becomes the strand's *pump* (:func:`pump`): it
  registers its wakeup as ``PausedState.pump``, and whatever the busy strand
  would stall *pokes* it instead (``_on_readable``, ``_enter`` and
  ``_defer`` of :class:`~greennet.reading.Reading`); the pump then does, in
  its own greenlet, exactly what the idle strand would have done, in the
  same order: the due tasks, the read step (``_read_ready``), the write
  step (``_flush``), each under the socket's exception policy (an exception
  escaping a listener is reported once and destroys the socket). It
  returns as soon as its own wakeup was woken, and the listener goes on
  holding the strand. The waiter is recognised by its context: listeners
  run in the socket's own ``contextvars.Context``, and a greenlet running
  in it (``getcurrent().gr_context is socket._ctx``) while the strand is
  busy is the strand. Events other listeners of the socket get while the
  waiter waits run nested in its call, as in Node they run while an
  ``async`` listener awaits.

Wakeups never switch greenlets from inside the code that wakes them: the
woken greenlet is switched to from a loop callback, so a watcher callback
always finishes (stalls its watcher) before the pump looks.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

from gevent import get_hub
from greenlet import getcurrent

from .encoding import encode
from .errors import NodeError, abort_error
from .reading import READ, WRITE, Reading
from .runtime import on_own_strand
from .state import OPEN, R_OPEN

__all__ = ['Wakeup', 'wait', 'pump', 'iterate', 'makefile', 'SocketIO', 'ERR_STREAM_PREMATURE_CLOSE']


def ERR_STREAM_PREMATURE_CLOSE() -> NodeError:
    return NodeError('ERR_STREAM_PREMATURE_CLOSE', 'Premature close')


class Wakeup:
    """One waiting greenlet's wakeup: :meth:`wake` says it has something
    (``woken``, reset by the waiter); :meth:`poke` only makes it look (the
    pump's work). Either resumes it from a loop callback."""

    __slots__ = ('hub', 'greenlet', 'woken', 'scheduled')

    def __init__(self) -> None:
        self.hub = get_hub()
        self.greenlet: Any = None
        self.woken = False
        self.scheduled = False

    def wake(self, *_: Any) -> None:
        self.woken = True
        self.poke()

    def poke(self) -> None:
        if self.greenlet is not None and not self.scheduled:
            self.scheduled = True
            self.hub.loop.run_callback(self._switch)

    def _switch(self) -> None:
        self.scheduled = False
        waiting = self.greenlet
        if waiting is not None:
            waiting.switch()

    def sleep(self) -> None:
        """Block until poked or woken (at once if woken already)."""
        if self.woken:
            return
        self.greenlet = getcurrent()
        try:
            self.hub.switch()
        finally:
            self.greenlet = None


def wait(emitter: Any, wakeup: Wakeup) -> None:
    """Block the calling greenlet until ``wakeup`` is woken; on the
    socket's own strand, pump it meanwhile."""
    if isinstance(emitter, Reading) and on_own_strand(emitter):
        pump(emitter, wakeup)
        return
    while not wakeup.woken:
        wakeup.sleep()


def pump(sock: Reading, wakeup: Wakeup) -> None:
    """Do the work of ``sock``'s strand, which the calling greenlet holds,
    until ``wakeup`` is woken: due tasks, then what the busy strand stalled
    (reads, writes), in order."""
    rs = sock._paused_state()
    outer, rs.pump = rs.pump, wakeup
    try:
        while True:
            _run_due(sock)
            if wakeup.woken:
                return
            sock._sync_reading()   # even inside 'connection', before which nothing is read
            if not (sock._tasks or sock._stalled):
                wakeup.sleep()
    finally:
        rs.pump = outer


def _run_due(sock: Any) -> None:
    while True:
        if sock._tasks:
            sock._run_tasks()
        stalled = sock._stalled
        if not stalled:
            if not sock._tasks:
                return
            continue
        sock._stalled = 0
        if stalled & WRITE:
            _step(sock, sock._flush)
            sock._stalled |= WRITE
            sock._idle()     # restarts the write watcher if a write is still queued
        if stalled & READ:
            sock._sync_reading()
            if sock._reading:
                _step(sock, sock._read_ready)


def _step(sock: Any, step: Callable[[], Any]) -> None:
    """An I/O step, under the strand's exception policy (``Emitter._serve``)."""
    try:
        step()
    except BaseException as exc:
        sock._fault(exc)


# -- for chunk in socket ----------------------------------------------------------

class _Iteration:
    """The end of a ``for chunk in socket`` loop, as Node's ``eos`` sees it:
    ``error`` unset (``False``), ``None`` (the end) or the error."""

    __slots__ = ('sock', 'wakeup', 'error')

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.wakeup = Wakeup()
        self.error: Any = False
        if sock.readable_ended:
            self.error = None
        elif sock.destroyed:
            self.error = sock.errored or ERR_STREAM_PREMATURE_CLOSE()

    def on_end(self) -> None:
        self.finish(None)

    def on_error(self, err: BaseException) -> None:
        self.finish(err)

    def on_close(self, *_: Any) -> None:
        if not self.sock.readable_ended:
            self.finish(self.sock.errored or ERR_STREAM_PREMATURE_CLOSE())

    def finish(self, error: Any) -> None:
        if self.error is False:
            self.error = error
        self.wakeup.wake()


def iterate(sock: Any) -> Iterator[Any]:
    """Node's ``createAsyncIterator``: a ``'readable'`` listener (paused
    mode), ``read()`` until it returns ``None``, then wait."""
    it = _Iteration(sock)
    wakeup = it.wakeup
    sock.on('readable', wakeup.wake)
    sock.on('end', it.on_end)
    sock.on('error', it.on_error)
    sock.on('close', it.on_close)
    try:
        while True:
            wakeup.woken = False
            chunk = None if sock.destroyed else sock.read()
            if chunk is not None:
                yield chunk
            elif it.error is None:
                return
            elif it.error is not False:
                raise it.error
            else:
                wait(sock, wakeup)
    finally:
        # As Node's iterator (its destroyer): at the end, on break, on an
        # exception; an AbortError unless both sides were done.
        sock.destroy(None if _finished(sock) else abort_error())


def _finished(sock: Any) -> bool:
    """Node's ``isFinished``: destroyed, or neither side still going."""
    return bool(sock.destroyed or not ((sock.readable and not sock.readable_ended)
                                       or (sock.writable and not sock.writable_ended)))


# -- makefile ------------------------------------------------------------------------

class SocketIO(io.RawIOBase):
    """The raw file under ``makefile()``: ``readinto`` takes what is buffered
    (waiting for some, or the end), ``write`` waits while the socket needs
    ``'drain'``. Closing it leaves the socket as it is.

    While a file reads, the peer's end becomes ``'end'`` only once a read
    has found it (``PausedState.hold_end``): the lines the file has buffered
    are still answered before ``allow_half_open=False`` ends the socket, as
    a standard socket's file would let them be."""

    def __init__(self, sock: Any, mode: str) -> None:
        super().__init__()
        self._sock = sock
        self._mode = mode
        self._reading = 'r' in mode
        self._writing = 'w' in mode
        self._wakeup = Wakeup()
        self._error: BaseException | None = None
        self._listening = False
        self._reader = False
        self._rest = b''

    def _listen(self, reader: bool) -> None:
        sock = self._sock
        if not self._listening:
            self._listening = True
            for event, listener in self._listeners():
                if event != 'readable':
                    sock.on(event, listener)
        if reader and not self._reader:
            self._reader = True
            sock._paused_state().hold_end += 1
            sock.on('readable', self._wakeup.wake)

    def _listeners(self) -> list[tuple[str, Callable[..., Any]]]:
        wake = self._wakeup.wake
        return [('readable', wake), ('end', wake), ('drain', wake), ('close', wake),
                ('error', self._on_error)]

    def _on_error(self, err: BaseException) -> None:
        if self._error is None:
            self._error = err
        self._wakeup.wake()

    def _failure(self) -> BaseException | None:
        return self._error or self._sock.errored

    def readinto(self, b: Any) -> int:
        self._checkClosed()
        if not self._reading:
            raise io.UnsupportedOperation('not readable')
        view = memoryview(b).cast('B')
        if self._rest:
            return self._give(view, self._rest)
        sock = self._sock
        self._listen(True)
        if self._alone(sock):
            n = self._recv_direct(sock, view)
            if n is not None:
                return n
        wakeup = self._wakeup
        while True:
            wakeup.woken = False
            have = sock.readable_length
            if have:
                data = sock.read(min(have, len(view)))
                if data is not None:
                    if type(data) is str:
                        data = encode(data, sock._decoder.encoding)
                    return self._give(view, data)
            error = self._failure()
            if error is not None:
                raise error
            if sock.destroyed:
                return 0
            if sock._rstate is not R_OPEN:
                sock.read(0)   # the end, seen by this reader: 'end' follows
                return 0
            wait(sock, wakeup)

    def _alone(self, sock: Any) -> bool:
        """Whether this file is the socket's only reader, on its own strand,
        with nothing buffered: then it may read the kernel directly."""
        events = sock._events
        return (not sock._buf_len and sock._conn is OPEN and sock._rstate is R_OPEN
                and sock._onread is None and sock._decoder is None and not events.get('data')
                and len(events.get('readable') or ()) <= 1 and on_own_strand(sock))

    def _recv_direct(self, sock: Any, view: memoryview) -> int | None:
        """``recv_into`` the caller's buffer; while the kernel has nothing,
        wait with the read watcher on (its ``_on_readable`` wakes this
        waiter, the strand's pump). ``None``: anything else is due, or the
        end or an error came, and the full path takes over."""
        rs = sock._rs
        wakeup = self._wakeup
        while not sock._tasks and not sock._stalled & ~READ and sock._conn is OPEN:
            try:
                n = sock._handle.recv_into(view)
            except BlockingIOError:
                sock._sync_reading()
                outer, rs.pump = rs.pump, wakeup
                wakeup.woken = False
                try:
                    wakeup.sleep()
                finally:
                    rs.pump = outer
                sock._stalled &= ~READ      # what the watcher saw, this waiter reads
                continue
            except OSError as err:
                sock._fail(err, 'read')
                return None
            if not n:
                sock._on_eof()
                return None
            sock._bytes_read += n
            if sock._timeout_ms:
                sock._touch()
            return int(n)
        return None

    def _give(self, view: memoryview, data: bytes) -> int:
        n = min(len(view), len(data))
        view[:n] = data[:n]
        self._rest = data[n:]
        return n

    def write(self, b: Any) -> int:
        self._checkClosed()
        if not self._writing:
            raise io.UnsupportedOperation('not writable')
        data = bytes(b)
        sock = self._sock
        self._listen(False)
        if not sock.writable:
            raise self._failure() or BrokenPipeError(32, 'write after the socket has ended')
        if sock.write(data) is False:
            wakeup = self._wakeup
            while sock.writable_need_drain and not sock.destroyed:
                wakeup.woken = False
                wait(sock, wakeup)
            if sock.destroyed:
                raise self._failure() or BrokenPipeError(32, 'socket destroyed before drain')
        return len(data)

    def readable(self) -> bool:
        return self._reading

    def writable(self) -> bool:
        return self._writing

    def fileno(self) -> int:
        handle = self._sock._handle
        return -1 if handle is None else handle.fileno()

    @property
    def mode(self) -> str:
        return self._mode

    def close(self) -> None:
        if not self.closed and self._listening:
            sock = self._sock
            for event, listener in self._listeners():
                if event != 'readable' or self._reader:
                    try:
                        sock.remove_listener(event, listener)
                    except KeyError:
                        pass
            if self._reader:
                sock._paused_state().hold_end -= 1
                if sock._rstate is not R_OPEN and not sock.readable_length:
                    sock.read(0)
        super().close()


def makefile(sock: Any, mode: str = 'rb', buffering: int | None = None, encoding: str | None = None,
             errors: str | None = None, newline: str | None = None) -> Any:
    """``socket.makefile`` of the standard library, over a greennet socket."""
    if not set(mode) <= {'r', 'w', 'b'}:
        raise ValueError(f'invalid mode {mode!r} (only r, w, b allowed)')
    writing = 'w' in mode
    reading = 'r' in mode or not writing
    binary = 'b' in mode
    raw = SocketIO(sock, ('r' if reading else '') + ('w' if writing else ''))
    if buffering is None:
        buffering = -1
    if buffering < 0:
        buffering = io.DEFAULT_BUFFER_SIZE
    if buffering == 0:
        if not binary:
            raise ValueError('unbuffered streams must be binary')
        return raw
    buffer: Any
    if reading and writing:
        buffer = io.BufferedRWPair(raw, raw, buffering)
    elif reading:
        buffer = io.BufferedReader(raw, buffering)
    else:
        buffer = io.BufferedWriter(raw, buffering)
    if binary:
        return buffer
    text = io.TextIOWrapper(buffer, encoding, errors, newline)
    text.mode = mode  # type: ignore[misc]
    return text
