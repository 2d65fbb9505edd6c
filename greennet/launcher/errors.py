"""The launcher's one error type and its exit statuses."""
from __future__ import annotations

__all__ = ['LaunchError', 'USAGE', 'RUNTIME']

#: Exit statuses: a usage problem (bad target, address, flag or config) and a runtime one.
USAGE, RUNTIME = 2, 1


class LaunchError(Exception):
    """A problem that ends the launch: a one-line message and an exit status."""

    def __init__(self, message: str, status: int = USAGE) -> None:
        super().__init__(message)
        self.status = status
