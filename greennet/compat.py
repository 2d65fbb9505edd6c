"""What greennet assumes of its dependencies' private names, in one place.

greennet extends pyee's ``EventEmitter`` and gevent's ``StreamServer``
through a few names that are not their public API, for speed on the
per-chunk path. Each assumption is checked here, once, at import, so that
an upgrade that breaks one fails at ``import greennet`` (and in
tests/test_compat.py) with a message naming it, never later in a server:

- pyee: ``EventEmitter.__init__`` sets only ``_events`` (a dict) and
  ``_lock`` (a lock its methods enter), which greennet's emitters set
  themselves, in slots, with one shared no-op lock; ``_events`` maps an event name to a ``dict`` of
  listeners (key: what was added, value: what is called, in order);
  ``_add_event_handler(event, k, v)`` is what ``on``/``once``/
  ``add_listener`` call to store one; ``_remove_listener(event, f)``
  removes one; ``_emit_handle_potential_error(event, error)`` raises an
  ``'error'`` nobody listens for (pyee's documented override point).
- gevent: ``StreamServer`` calls ``do_read()`` when the listening socket is
  readable (``None`` means nothing to accept) and hands what it returned to
  ``do_handle(client, address)`` (which greennet overrides: no greenlet, no
  ``do_close``), and has ``stop_accepting()``, ``start_accepting()``,
  ``loop`` and ``max_accept``.
- the standard library: a socket's ``_accept()`` returns ``(fd, address)``;
  greennet calls it rather than ``accept()``, which makes the new socket
  with the module's ``socket`` class, gevent's once monkey-patched.
"""
from __future__ import annotations

import socket as _std
from typing import Any

from gevent import monkey
from gevent.server import StreamServer
from pyee import EventEmitter

__all__ = ['NO_LOCK', 'EventEmitter', 'StreamServer', 'accept', 'check_pyee', 'check_gevent', 'check_socket']


class DependencyChanged(ImportError):
    """A dependency no longer has what greennet relies on."""


class _NoLock:
    """What greennet's emitters have for pyee's per-emitter lock: a hub's
    greenlets share one thread, and pyee's critical sections never switch."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: Any) -> None:
        return None


NO_LOCK: Any = _NoLock()


def check_pyee() -> None:
    """Raise :class:`DependencyChanged` unless pyee stores listeners as assumed."""
    calls: list = []

    class Probe(EventEmitter):
        def _add_event_handler(self, event: str, k: Any, v: Any) -> None:
            calls.append(event)
            super()._add_event_handler(event, k, v)

    probe = Probe()

    def listener() -> None:
        pass
    probe.on('x', listener)
    probe.add_listener('x', listener)
    probe.once('y', listener)
    events = getattr(probe, '_events', None)
    if calls != ['x', 'x', 'y'] or not isinstance(events, dict) or not isinstance(events.get('x'), dict):
        raise DependencyChanged('greennet needs pyee.EventEmitter to store listeners through '
                                '_add_event_handler in _events (a dict of dicts); this pyee does not')
    if events['x'].get(listener) is not listener:
        raise DependencyChanged('greennet needs pyee to key _events[event] by the listener added')
    probe._remove_listener('x', listener)
    if 'x' in events and events['x']:
        raise DependencyChanged('greennet needs pyee.EventEmitter._remove_listener(event, f)')
    if set(vars(EventEmitter())) != {'_events', '_lock'}:
        raise DependencyChanged('greennet needs pyee.EventEmitter.__init__ to set only _events and '
                                '_lock (greennet sets them itself, in slots)')
    if not callable(getattr(probe, '_emit_handle_potential_error', None)):
        raise DependencyChanged('greennet needs pyee.EventEmitter._emit_handle_potential_error')


def check_gevent() -> None:
    """Raise :class:`DependencyChanged` unless gevent's StreamServer has the
    override points and knobs greennet uses."""
    for name in ('do_read', 'do_handle', 'do_close', 'stop_accepting', 'start_accepting', 'max_accept',
                 'min_delay', 'max_delay'):
        if not hasattr(StreamServer, name):
            raise DependencyChanged(f'greennet needs gevent.server.StreamServer.{name}')


def accept(listener: _std.socket) -> tuple[int, Any]:
    """``(fd, address)`` of a connection accepted on ``listener`` (non-blocking)."""
    return listener._accept()  # type: ignore[attr-defined]


def check_socket() -> None:
    """Raise :class:`DependencyChanged` unless the standard library's socket
    has ``_accept``."""
    if not callable(getattr(monkey.get_original('socket', 'socket'), '_accept', None)):
        raise DependencyChanged("greennet needs the standard library's socket._accept()")


check_pyee()
check_gevent()
check_socket()
