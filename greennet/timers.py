"""``socket.set_timeout()``: Node's idle timeout.

One libev timer per socket, and only while a timeout is set: activity just
notes the time (``_touch``), and the timer, when it fires early, re-arms
itself for what is left, so the per-chunk path never restarts a timer.
"""
from __future__ import annotations

from typing import Any, Callable

from .arguments import validate_timeout
from .state import DESTROYED_STATES, SocketState
from .validators import validate_function

__all__ = ['Timers', 'TIMEOUT_MAX']

#: Node's largest timer duration; longer timeouts are cut to it.
TIMEOUT_MAX = 2 ** 31 - 1


class Timers(SocketState):
    """The idle timeout of a ``Socket``."""

    __slots__ = ()

    @property
    def timeout(self) -> float | None:
        """The idle timeout set by ``set_timeout()``, ``None`` if never set."""
        return self._timeout_ms

    def set_timeout(self, timeout: float, callback: Callable[..., Any] | None = None) -> Any:
        """Emit ``'timeout'`` after ``timeout`` ms of inactivity (0 disables);
        ``callback``, unless ``None`` (Node's ``undefined``), must be a function."""
        timeout = validate_timeout(timeout)
        if callback is not None:
            validate_function(callback, 'callback')
        self._timeout_ms = timeout
        if timeout == 0:
            self._stop_timer()
            if callback is not None and callback in self.listeners('timeout'):
                self.remove_listener('timeout', callback)
            return self
        if callback is not None:
            self.once('timeout', callback)
        self._stop_timer()
        self._touch()
        return self

    def _timeout_seconds(self) -> float:
        return min(self._timeout_ms or 0, TIMEOUT_MAX) / 1000.0

    def _touch(self) -> None:
        """Activity: the idle timeout starts again."""
        self._last_active = self._rt.loop.now()
        if self._timer is None and self._conn not in DESTROYED_STATES:
            self._arm_timer(self._timeout_seconds())

    def _arm_timer(self, seconds: float) -> None:
        self._stop_timer()
        self._timer = self._rt.loop.timer(seconds, 0, ref=False)
        self._timer.start(self._on_timer)

    def _on_timer(self) -> None:
        # In the hub.
        if self._conn in DESTROYED_STATES or not self._timeout_ms:
            return
        remaining = self._last_active + self._timeout_seconds() - self._rt.loop.now()
        if remaining > 0.0005:
            self._arm_timer(remaining)
            return
        self._stop_timer()
        self._defer(self._emit_timeout)

    def _emit_timeout(self) -> None:
        if self._conn not in DESTROYED_STATES:
            self.emit('timeout')

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer.close()
            self._timer = None
