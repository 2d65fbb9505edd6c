"""``greennet.once()``: Node's ``events.once``, blocking the calling greenlet."""
from __future__ import annotations

from typing import Any

__all__ = ['once']


def once(emitter: Any, event: str, *, signal: Any = None, timeout: float | None = None) -> list[Any]:
    """Wait for ``emitter``'s next ``event`` and return its arguments as a list."""
    raise NotImplementedError('greennet.once: under construction')
