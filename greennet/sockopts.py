"""``socket.set_no_delay()`` and ``socket.set_keep_alive()``: TCP options,
remembered until there is a connection to apply them to."""
from __future__ import annotations

import socket as _std
from typing import Any

from .state import OPEN
from .timers import Timers
from .validators import js_truthy

__all__ = ['SocketOptions', 'keep_idle_seconds']

_TCP_FAMILIES = (_std.AF_INET, _std.AF_INET6)


class SocketOptions(Timers):
    """Nagle's algorithm and TCP keep-alive."""

    __slots__ = ()

    def set_no_delay(self, no_delay: bool = True) -> Any:
        """Disable (or with ``False`` re-enable) Nagle's algorithm."""
        self._no_delay = bool(no_delay)
        self._apply_no_delay()
        return self

    def _apply_no_delay(self) -> None:
        if self._no_delay is None or self._conn is not OPEN or self._family not in _TCP_FAMILIES:
            return
        try:
            self._handle.setsockopt(_std.IPPROTO_TCP, _std.TCP_NODELAY, int(self._no_delay))  # type: ignore[union-attr]
        except OSError:
            pass

    def set_keep_alive(self, enable: bool = False, initial_delay: float = 0) -> Any:
        """Enable TCP keep-alive: ``SO_KEEPALIVE``, ``TCP_KEEPIDLE`` =
        ``initial_delay`` (ms, 0 keeps the current value), ``TCP_KEEPCNT=10``,
        ``TCP_KEEPINTVL=1``."""
        self._keep_alive = (js_truthy(enable), keep_idle_seconds(initial_delay))
        self._apply_keep_alive()
        return self

    def _apply_keep_alive(self) -> None:
        if self._keep_alive is None or self._conn is not OPEN or self._family not in _TCP_FAMILIES:
            return
        enable, delay = self._keep_alive
        handle = self._handle
        assert handle is not None
        try:
            handle.setsockopt(_std.SOL_SOCKET, _std.SO_KEEPALIVE, int(enable))
            if enable:
                if delay > 0:
                    handle.setsockopt(_std.IPPROTO_TCP, _std.TCP_KEEPIDLE, delay)
                handle.setsockopt(_std.IPPROTO_TCP, _std.TCP_KEEPINTVL, 1)
                handle.setsockopt(_std.IPPROTO_TCP, _std.TCP_KEEPCNT, 10)
        except OSError:
            pass


def keep_idle_seconds(delay_ms: Any) -> int:
    """Node's ``~~(initialDelay / 1000)``: whole seconds as an int32, where
    anything that is not a finite number counts as 0."""
    try:
        number = float(delay_ms) if not isinstance(delay_ms, (list, dict, tuple)) else float('nan')
    except (TypeError, ValueError, OverflowError):
        return 0
    if number != number or number in (float('inf'), float('-inf')):
        return 0
    seconds = int(number / 1000)
    return (seconds + 2 ** 31) % 2 ** 32 - 2 ** 31
