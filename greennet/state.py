"""A socket's life, as explicit state machines (in the manner of h11).

A :class:`~greennet.socket.Socket` has three of them: the connection, and
each direction of the stream. Every state is a named constant (a ``str``, so
that a check on the per-chunk path is one identity comparison), and every
change of state goes through :func:`advance` with a named event, which looks
the move up in the tables below: a move that is not in a table raises
:class:`StateError` (a bug in greennet, never a user's error).

Connection (``Socket._conn``)::

    state        event        next          what happens
    -----------  -----------  ------------  -------------------------------------
    IDLE         lookup       LOOKING_UP    connect(): a lookup for a host name, the
                                            tick Node waits for an IP address or a path
    IDLE         attach       OPEN          accepted, or Socket(fd=...)
    LOOKING_UP   resolved     CONNECTING    the attempt opens the life's one handle
    CONNECTING   retry        CONNECTING    happy eyeballs (greennet.autoselect): the
                                            attempt failed or timed out, its handle is
                                            closed and the next address's opened
    CONNECTING   connected    OPEN          'connect', then 'ready'
    IDLE, LOOKING_UP, CONNECTING, OPEN
                 destroy      DESTROYED     handle closed; 'error'?, 'close' due
    DESTROYED    closed       CLOSED        'close' emitted (exactly once, last)
    DESTROYED    reconnect    IDLE          connect() on a destroyed socket (Node's
    CLOSED       reconnect    IDLE          _undestroy): listeners and settings kept

``connecting`` is LOOKING_UP or CONNECTING; ``destroyed`` is DESTROYED or
CLOSED; ``pending`` is anything but OPEN. Only one connect attempt runs per
life (happy eyeballs tries several addresses, one handle at a time, as one
attempt): a second ``connect()`` while one is under way fails with ``EALREADY``
(``'error'`` and ``'close'``, as Node's handle does), never a second handle.

Readable side (``Socket._rstate``; flowing is Node's separate tri-state
``readable_flowing``)::

    R_OPEN       eof          R_EOF         the peer's FIN (data may be buffered)
    R_OPEN       end          R_ENDED       Socket(readable=False)
    R_EOF        end          R_ENDED       the buffer drained: 'end'

Writable side (``Socket._wstate``)::

    W_OPEN       end          W_ENDING      end(): FIN once the queue is flushed
    W_ENDING     shutdown     W_FINISHING   FIN sent; 'finish' due
    W_FINISHING  finish       W_FINISHED    'finish' emitted
    W_OPEN       finish       W_FINISHED    Socket(writable=False)

Every life begins at IDLE, R_OPEN and W_OPEN (``SocketState._setup``): on
construction, and on a reconnect after ``'reconnect'``.
"""
from __future__ import annotations

import socket as _std
from collections import deque
from typing import Any, Callable

from .encoding import Decoder
from .runtime import Handle

__all__ = [
    'StateError', 'advance', 'IDLE', 'LOOKING_UP', 'CONNECTING', 'OPEN', 'DESTROYED', 'CLOSED',
    'R_OPEN', 'R_EOF', 'R_ENDED', 'W_OPEN', 'W_ENDING', 'W_FINISHING', 'W_FINISHED',
    'CONNECTION', 'READABLE', 'WRITABLE', 'CONNECTING_STATES', 'DESTROYED_STATES', 'SocketState',
]

# Connection states.
IDLE = 'idle'
LOOKING_UP = 'lookingUp'
CONNECTING = 'connecting'
OPEN = 'open'
DESTROYED = 'destroyed'
CLOSED = 'closed'

# Readable side.
R_OPEN = 'reading'
R_EOF = 'eof'
R_ENDED = 'ended'

# Writable side.
W_OPEN = 'writing'
W_ENDING = 'ending'
W_FINISHING = 'finishing'
W_FINISHED = 'finished'

Table = dict[tuple[str, str], str]

CONNECTION: Table = {
    (IDLE, 'lookup'): LOOKING_UP,
    (IDLE, 'attach'): OPEN,
    (LOOKING_UP, 'resolved'): CONNECTING,
    (CONNECTING, 'retry'): CONNECTING,
    (CONNECTING, 'connected'): OPEN,
    (IDLE, 'destroy'): DESTROYED,
    (LOOKING_UP, 'destroy'): DESTROYED,
    (CONNECTING, 'destroy'): DESTROYED,
    (OPEN, 'destroy'): DESTROYED,
    (DESTROYED, 'closed'): CLOSED,
    (DESTROYED, 'reconnect'): IDLE,
    (CLOSED, 'reconnect'): IDLE,
}

READABLE: Table = {
    (R_OPEN, 'eof'): R_EOF,
    (R_OPEN, 'end'): R_ENDED,
    (R_EOF, 'end'): R_ENDED,
}

WRITABLE: Table = {
    (W_OPEN, 'end'): W_ENDING,
    (W_ENDING, 'shutdown'): W_FINISHING,
    (W_FINISHING, 'finish'): W_FINISHED,
    (W_OPEN, 'finish'): W_FINISHED,
}

#: Connection states in which the socket is ``connecting``.
CONNECTING_STATES = frozenset((LOOKING_UP, CONNECTING))
#: Connection states in which the socket is ``destroyed``.
DESTROYED_STATES = frozenset((DESTROYED, CLOSED))


class StateError(RuntimeError):
    """A move the state tables do not allow: a bug in greennet."""


def advance(table: Table, state: str, event: str) -> str:
    """The state ``event`` leads to from ``state``, per ``table``."""
    try:
        return table[state, event]
    except KeyError:
        raise StateError(f'no move {event!r} from state {state!r}') from None


class SocketState(Handle):
    """The slots of a ``Socket`` and the one place its states change.

    ``Socket`` is built from one class per concern, each extending the one
    before: this state, :mod:`~greennet.timers`, :mod:`~greennet.reading`,
    :mod:`~greennet.writing`, :mod:`~greennet.connecting`, and
    :mod:`~greennet.socket` (properties, destroy).
    """

    __slots__ = (
        'allow_half_open', '_conn', '_rstate', '_wstate', '_handle', '_family', '_rw', '_ww',
        '_reading', '_server', '_flowing', '_hold', '_buf', '_buf_len', '_finish_cbs', '_wq',
        '_wlen', '_need_drain', '_corked', '_bytes_read', '_bytes_written', '_decoder',
        '_timeout_ms', '_timer', '_last_active', '_errored', '_reported', '_peername',
        '_onread', '_no_delay', '_keep_alive', '_unwatch_signal', '_pipes', '_connect_target',
    )

    def _setup(self, allow_half_open: bool) -> None:
        """Every slot at its first value: a new life."""
        self.allow_half_open = allow_half_open
        self._conn = IDLE
        self._rstate = R_OPEN
        self._wstate = W_OPEN
        self._handle: _std.socket | None = None
        self._family = 0
        self._rw: Any = None
        self._ww: Any = None
        #: Whether the read watcher is started (follows the states above).
        self._reading = False
        self._server: Any = None
        #: Node's ``readableFlowing``: ``None`` (not yet), ``True``, ``False``.
        self._flowing: bool | None = None
        #: No reads until ``resume()`` (``pause_on_connect``, ``onread`` said stop).
        self._hold = False
        self._buf: deque[bytes] | None = None
        self._buf_len = 0
        self._finish_cbs: list[Callable[..., Any]] | None = None
        self._wq: deque[list] | None = None
        self._wlen = 0
        self._need_drain = False
        self._corked = 0
        self._bytes_read = 0
        self._bytes_written = 0
        self._decoder: Decoder | None = None
        self._timeout_ms: float | None = None
        self._timer: Any = None
        self._last_active = 0.0
        self._errored: BaseException | None = None
        #: The exception already reported through the log (reported once).
        self._reported: BaseException | None = None
        self._peername: Any = None
        self._onread: Any = None
        self._no_delay: bool | None = None
        self._keep_alive: tuple[bool, int] | None = None
        self._unwatch_signal: Any = None
        self._pipes: list | None = None
        self._connect_target: tuple[str, int | None] | None = None

    def _release_handle(self) -> None:
        """Stop and close the watchers, then close the handle."""
        for watcher in (self._rw, self._ww):
            if watcher is not None:
                watcher.stop()
                watcher.close()
        self._rw = self._ww = None
        self._reading = False
        handle, self._handle = self._handle, None
        if handle is not None:
            try:
                handle.close()
            except OSError:
                pass

    # -- transitions: the only assignments of _conn, _rstate and _wstate ------

    def _move(self, event: str) -> None:
        try:
            self._conn = CONNECTION[self._conn, event]
        except KeyError:
            advance(CONNECTION, self._conn, event)   # raises StateError, naming the move

    def _move_readable(self, event: str) -> None:
        try:
            self._rstate = READABLE[self._rstate, event]
        except KeyError:
            advance(READABLE, self._rstate, event)

    def _move_writable(self, event: str) -> None:
        try:
            self._wstate = WRITABLE[self._wstate, event]
        except KeyError:
            advance(WRITABLE, self._wstate, event)

    # -- what the states say ------------------------------------------------

    @property
    def connecting(self) -> bool:
        """``True`` from ``connect()`` until ``'connect'`` (or the end)."""
        return self._conn in CONNECTING_STATES

    @property
    def destroyed(self) -> bool:
        """``True`` once ``destroy()`` was called (``'close'`` may be due)."""
        return self._conn in DESTROYED_STATES

    @property
    def closed(self) -> bool:
        """``True`` once ``'close'`` was emitted."""
        return self._conn is CLOSED

    @property
    def pending(self) -> bool:
        """``True`` until the socket is connected."""
        return self._conn is not OPEN

    @property
    def readable(self) -> bool:
        return self._rstate is not R_ENDED and self._conn not in DESTROYED_STATES

    @property
    def writable(self) -> bool:
        return self._wstate is W_OPEN and self._conn not in DESTROYED_STATES

    @property
    def readable_ended(self) -> bool:
        return self._rstate is R_ENDED

    @property
    def writable_ended(self) -> bool:
        return self._wstate is not W_OPEN

    @property
    def writable_finished(self) -> bool:
        return self._wstate is W_FINISHED

    @property
    def ready_state(self) -> str:
        """``'opening'``, ``'open'``, ``'readOnly'``, ``'writeOnly'`` or ``'closed'``."""
        if self._conn in CONNECTING_STATES:
            return 'opening'
        readable, writable = self.readable, self.writable
        if readable and writable:
            return 'open'
        if readable:
            return 'readOnly'
        if writable:
            return 'writeOnly'
        return 'closed'

    # -- what the next layers provide ----------------------------------------

    def destroy(self, error: BaseException | None = None) -> Any:
        raise NotImplementedError

    def end(self, data: Any = None, encoding: Any = None, callback: Any = None) -> Any:
        raise NotImplementedError

    def _fail(self, err: OSError, syscall: str, callback: Callable[..., Any] | None = None) -> None:
        raise NotImplementedError
