"""The drain hook: how an app run by the launcher learns that a stop or a
reload began, so that it can end its keep-alive connections at a request
boundary instead of having them cut when the graceful timeout runs out.

::

    from greennet.launcher import draining, on_drain

    open_sessions = set()

    @on_drain
    def finish(drain):
        # drain.reason: 'stop' or 'reload'; drain.remaining(): seconds left
        for sock in list(open_sessions):
            sock.end()              # or: let the next response say "Connection: close"

    def on_response_sent(sock):
        if draining():              # None until a drain begins
            sock.end()

Each listener runs in its own greenlet once the listeners are closed; one
that raises is logged and does not hold back the others. A listener added
after the drain began is called at once. Outside the launcher nothing
calls them.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

import gevent

__all__ = ['Drain', 'on_drain', 'remove_drain_listener', 'draining']

log = logging.getLogger('greennet.launcher')


@dataclass(frozen=True)
class Drain:
    """A drain under way."""

    #: ``'stop'`` (SIGTERM, SIGINT) or ``'reload'`` (this worker is retired by SIGHUP).
    reason: str
    #: ``time.monotonic()`` at which every socket still open is destroyed.
    deadline: float

    def remaining(self) -> float:
        """Seconds left before the open connections are destroyed."""
        return max(0.0, self.deadline - time.monotonic())


DrainListener = Callable[[Drain], object]

_listeners: list[DrainListener] = []
_current: Drain | None = None


def on_drain(listener: DrainListener) -> DrainListener:
    """Call ``listener(drain)`` when this process begins to drain (usable as
    a decorator); at once if it already has."""
    _listeners.append(listener)
    if _current is not None:
        gevent.spawn(_call, listener, _current)
    return listener


def remove_drain_listener(listener: DrainListener) -> None:
    """Forget a listener added by :func:`on_drain`."""
    if listener in _listeners:
        _listeners.remove(listener)


def draining() -> Drain | None:
    """The drain under way, or ``None``."""
    return _current


def begin(reason: str, timeout: float) -> Drain:
    """Start the drain (the launcher's worker calls it once); the listeners
    run each in a greenlet."""
    global _current
    if _current is None:
        _current = Drain(reason, time.monotonic() + timeout)
        for listener in list(_listeners):
            gevent.spawn(_call, listener, _current)
    return _current


def _call(listener: DrainListener, drain: Drain) -> None:
    try:
        listener(drain)
    except Exception:
        log.exception('drain listener %r failed', listener)
