"""The systemd protocols, with no dependency: socket activation
(``LISTEN_FDS``) and ``sd_notify`` (``NOTIFY_SOCKET``: readiness, status,
reloading, stopping, watchdog)."""
from __future__ import annotations

import os
import socket as _std
import time

__all__ = ['SD_LISTEN_FDS_START', 'listen_fds', 'notify', 'watchdog_interval', 'monotonic_usec']

#: The first descriptor systemd passes.
SD_LISTEN_FDS_START = 3

_ACTIVATION = ('LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES')


def listen_fds(unset_environment: bool = True) -> list[tuple[int, str | None]]:
    """The sockets systemd passed to this process, with their names
    (``LISTEN_FDNAMES``); the variables are cleared so that children do not
    take them for theirs."""
    env = os.environ
    try:
        pid = int(env.get('LISTEN_PID', ''))
        count = int(env.get('LISTEN_FDS', ''))
    except ValueError:
        pid, count = -1, 0
    names = env.get('LISTEN_FDNAMES', '').split(':') if env.get('LISTEN_FDNAMES') else []
    if unset_environment:
        for name in _ACTIVATION:
            env.pop(name, None)
    if pid != os.getpid() or count <= 0:
        return []
    fds = range(SD_LISTEN_FDS_START, SD_LISTEN_FDS_START + count)
    result = []
    for i, fd in enumerate(fds):
        os.set_inheritable(fd, False)
        result.append((fd, names[i] if i < len(names) and names[i] else None))
    return result


def notify(message: str) -> bool:
    """Send ``message`` (``READY=1``, ``STATUS=...``) to ``NOTIFY_SOCKET``;
    ``False`` when not running under systemd (or the send failed)."""
    address = os.environ.get('NOTIFY_SOCKET')
    if not address:
        return False
    if address.startswith('@'):
        address = '\0' + address[1:]
    try:
        with _std.socket(_std.AF_UNIX, _std.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(message.encode())
    except OSError:
        return False
    return True


def watchdog_interval() -> float | None:
    """Seconds between the watchdog's deadlines (``WATCHDOG_USEC``), or
    ``None`` when systemd watches no watchdog for this process."""
    try:
        usec = int(os.environ.get('WATCHDOG_USEC', ''))
    except ValueError:
        return None
    pid = os.environ.get('WATCHDOG_PID')
    if usec <= 0 or (pid and pid != str(os.getpid())):
        return None
    return usec / 1e6


def monotonic_usec() -> int:
    """``CLOCK_MONOTONIC`` in microseconds, as ``RELOADING=1`` wants it."""
    return int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1e6)
