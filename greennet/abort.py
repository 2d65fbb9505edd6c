"""``AbortController`` and ``AbortSignal``, the shape Node's ``signal``
options take, and the one place that listens to a signal."""
from __future__ import annotations

from typing import Any, Callable

from .errors import abort_error

__all__ = ['AbortController', 'AbortSignal', 'on_abort']


class AbortSignal:
    """Node's ``AbortSignal``: ``aborted``, ``reason``, and ``'abort'`` listeners."""

    def __init__(self) -> None:
        self.aborted = False
        self.reason: Any = None
        self._listeners: list[Callable[..., Any]] = []

    def add_event_listener(self, event: str, listener: Callable[..., Any], options: Any = None) -> None:
        if event == 'abort' and listener not in self._listeners:
            self._listeners.append(listener)

    def remove_event_listener(self, event: str, listener: Callable[..., Any], options: Any = None) -> None:
        if event == 'abort' and listener in self._listeners:
            self._listeners.remove(listener)

    addEventListener = add_event_listener
    removeEventListener = remove_event_listener

    def throw_if_aborted(self) -> None:
        if self.aborted:
            raise self.reason

    def _abort(self, reason: Any) -> None:
        if self.aborted:
            return
        self.aborted = True
        self.reason = abort_error() if reason is None else reason
        listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener()

    @classmethod
    def abort(cls, reason: Any = None) -> AbortSignal:
        """A signal that is already aborted."""
        signal = cls()
        signal._abort(reason)
        return signal


class AbortController:
    """Node's ``AbortController``: ``signal`` and ``abort(reason)``."""

    def __init__(self) -> None:
        self.signal = AbortSignal()

    def abort(self, reason: Any = None) -> None:
        self.signal._abort(reason)


def on_abort(signal: Any, callback: Callable[[], Any]) -> Callable[[], None] | None:
    """Call ``callback`` once ``signal`` aborts (at once if it has); return
    a function that stops listening."""
    if signal is None:
        return None
    add = getattr(signal, 'add_event_listener', None) or signal.addEventListener
    remove = getattr(signal, 'remove_event_listener', None) or signal.removeEventListener
    add('abort', callback)
    return lambda: remove('abort', callback)
