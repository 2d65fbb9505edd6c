"""Warnings an operator can alert on without being flooded: the first of a
kind is logged at once, the next ones at most once per interval, as a count."""
from __future__ import annotations

import logging
import time
from typing import Any

import gevent

__all__ = ['Alert']


class Alert:
    """One kind of warning (EMFILE episodes of a server, refused connections)."""

    #: Seconds between two lines of the same kind.
    interval = 10.0

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self.logger = logger
        #: What a summary line counts: ``'echo: connections refused'``.
        self.what = what
        self.count = 0
        self._quiet_until = 0.0
        self._since = 0.0
        self._timer: Any = None

    def report(self, message: str, *args: Any) -> None:
        """Log ``message`` now, or count it for the next summary."""
        now = time.monotonic()
        if now >= self._quiet_until and not self.count:
            self.logger.warning(message, *args)
            self._quiet_until = now + self.interval
            self._since = now
            return
        self.count += 1
        if self._timer is None:
            self._timer = gevent.spawn_later(max(0.0, self._quiet_until - now), self._summary)

    def _summary(self) -> None:
        self._timer = None
        self.flush()
        self._quiet_until = time.monotonic() + self.interval

    def flush(self) -> None:
        """Log the count of what was held back, if anything was."""
        if self._timer is not None:
            self._timer.kill(block=False)
            self._timer = None
        if self.count:
            now = time.monotonic()
            self.logger.warning('%s: %d more in the last %.1fs', self.what, self.count, now - self._since)
            self.count = 0
            self._since = now
