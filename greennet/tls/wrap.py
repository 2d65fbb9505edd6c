"""TLS over an existing ``greennet.Socket``: Node's ``tls.connect({socket})``
and ``new tls.TLSSocket(socket, options)``.

As Node's ``TLSSocket`` takes over the handle of the ``net.Socket`` it wraps,
the ``TLSSocket`` takes the plain socket's OS socket and its read watcher
(:func:`lend`, through ``Socket._lend_handle``), once the plain socket is
connected (at its ``'connect'`` if it is still connecting, when the TLS
socket emits ``'connect'`` too) and what it had queued is sent. What Node
leaves observable on the plain socket is kept: it stays open (not
destroyed, ``readable``, ``writable``, its addresses known) but reads
nothing any more (its read watcher is replaced by a stand-in that never
starts); whatever it had buffered and not read goes to the TLS engine, as
Node's ``TLSSocket`` reads it off. The two close together, the plain
socket's ``'close'`` first, then the TLS socket's, whichever is destroyed:
the TLS socket destroys the plain one, and the plain one's ``destroy()``
(its handle closing, which the stand-in sees) destroys the TLS socket at
once, so that no watcher outlives the file descriptor. An ``'error'`` of
the plain socket destroys the TLS socket with it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..errors import ERR_INVALID_ARG_TYPE, NodeError
from ..socket import Socket
from ..state import DESTROYED_STATES, IDLE, OPEN

if TYPE_CHECKING:
    from .socket import TLSSocket

__all__ = ['lend', 'record_servername']


def lend(sock: TLSSocket, raw: Any, server_side: bool) -> None:
    """Make ``sock`` the TLS layer of ``raw`` (Node's ``TLSSocket._wrapHandle``
    and ``_init`` for a ``net.Socket``): now if ``raw`` is connected, else at
    its ``'connect'``."""
    from .socket import TLSSocket
    if not isinstance(raw, Socket):
        raise ERR_INVALID_ARG_TYPE('options.socket', 'greennet.Socket', raw)
    if isinstance(raw, TLSSocket):
        raise NodeError('ERR_FEATURE_UNAVAILABLE_ON_PLATFORM',
                        'greennet.tls: TLS over a TLSSocket is not supported')
    sock._tls_parent = raw
    raw.on('error', sock._on_parent_error)     # Node: wrap.on('error', ...)
    raw.on('close', sock._on_parent_close)     # Node: wrap.on('close', () => this.destroy())
    if raw._conn is OPEN:
        _take_over(sock, raw, server_side, False)
    elif raw._conn in DESTROYED_STATES:
        sock._defer(sock.destroy)
    else:
        # Node: connecting until the plain socket's 'connect'.
        sock._move('lookup')
        sock._activate()
        raw.once('connect', lambda: _take_over(sock, raw, server_side, True))


def _take_over(sock: TLSSocket, raw: Socket, server_side: bool, emit_connect: bool) -> None:
    if sock._conn in DESTROYED_STATES or raw._conn is not OPEN or raw._handle is None:
        return
    rw, buffered = raw._lend_handle(sock._parent_closing)
    sock._handle = raw._handle
    sock._family = raw._family
    sock._rw = rw
    sock._peername = raw._peername
    if sock._conn is IDLE:
        sock._move('attach')
    else:
        sock._move('resolved')
        sock._move('connected')
    sock._activate()
    start: Callable[..., Any] = lambda *_: sock._tls_start(server_side, buffered)  # noqa: E731
    if raw._wq is None:
        start()
    else:
        raw.write(b'', start)     # what the plain socket wrote goes first
    if emit_connect:
        sock.emit('connect')


def record_servername(tls: Any, name: str | None, ctx: Any) -> None:
    """The servername callback of a server-side ``TLSSocket`` without a server."""
    sock = getattr(tls, '_greennet', None)
    if sock is not None:
        sock.servername = name or False
