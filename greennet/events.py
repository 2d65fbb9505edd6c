"""``greennet.once()``: Node's ``events.once``, blocking the calling greenlet.

It waits as the straight-line readers of :mod:`greennet.straight` do, so it
works from any greenlet, and from a socket's own strand too (a listener of
the socket waiting for that socket's next event), where it does the
strand's work while it waits.
"""
from __future__ import annotations

import errno as _errno
from typing import Any

from .abort import on_abort
from .errors import ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, abort_error
from .straight import Wakeup, wait
from .validators import validate_abort_signal

__all__ = ['once', 'once_timeout_error']


def once_timeout_error(event: str, timeout: float) -> TimeoutError:
    """The ``TimeoutError`` (``code == 'ETIMEDOUT'``) of a ``once`` that
    waited ``timeout`` ms for ``event`` in vain."""
    err = TimeoutError(_errno.ETIMEDOUT, f"timed out after {timeout:g} ms waiting for '{event}'")
    err.code = 'ETIMEDOUT'  # type: ignore[attr-defined]
    return err


def once(emitter: Any, event: str, *, signal: Any = None, timeout: float | None = None) -> list[Any]:
    """Wait for ``emitter``'s next ``event`` and return its arguments as a
    list; raise the error if ``'error'`` comes first, ``AbortError`` if
    ``signal`` aborts, ``TimeoutError`` (``ETIMEDOUT``) after ``timeout`` ms."""
    if not callable(getattr(emitter, 'on', None)):
        raise ERR_INVALID_ARG_TYPE('emitter', 'EventEmitter', emitter)
    signal = validate_abort_signal(signal, 'options.signal')
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise ERR_INVALID_ARG_TYPE('timeout', 'number', timeout)
        if not timeout >= 0 or timeout == float('inf'):
            raise ERR_OUT_OF_RANGE('timeout', 'a finite number >= 0', timeout)
    if signal is not None and signal.aborted:
        raise abort_error(getattr(signal, 'reason', None))
    wakeup = Wakeup()
    outcome: list[tuple[bool, Any]] = []

    def settle(ok: bool, value: Any) -> None:
        if not outcome:
            outcome.append((ok, value))
            wakeup.wake()

    def on_event(*args: Any) -> None:
        settle(True, list(args))

    def on_error(err: Any = None) -> None:
        settle(False, err)

    emitter.on(event, on_event)
    if event != 'error':
        emitter.on('error', on_error)
    unwatch = on_abort(signal, lambda: settle(False, abort_error(getattr(signal, 'reason', None))))
    timer = None
    if timeout is not None:
        timer = wakeup.hub.loop.timer(timeout / 1000.0)
        timer.start(lambda: settle(False, once_timeout_error(event, timeout)))
    try:
        while not outcome:
            wait(emitter, wakeup)
            wakeup.woken = False
    finally:
        if timer is not None:
            timer.stop()
            timer.close()
        if unwatch is not None:
            unwatch()
        _forget(emitter, event, on_event)
        if event != 'error':
            _forget(emitter, 'error', on_error)
    ok, value = outcome[0]
    if ok:
        return value
    raise value


def _forget(emitter: Any, event: str, listener: Any) -> None:
    try:
        emitter.remove_listener(event, listener)
    except KeyError:
        pass
