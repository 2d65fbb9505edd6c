"""The listening sockets of every mount: bound (or inherited from systemd
or a parent) once, by the master or by ``--workers 0``'s single process.
``greennet check`` resolves them the same way without binding.

With ``reuse_port`` each TCP address gets one socket per worker slot, all
bound with ``SO_REUSEPORT`` to the same port (the kernel spreads new
connections across them); the master owns them for its whole life and
hands slot *i*'s to every worker that serves slot *i*, so that a worker's
death or retirement never closes a queue (closing a reuse-port socket would
reset the connections waiting on it). Unix, ``fd:`` and ``systemd:``
addresses stay one socket that every worker shares."""
from __future__ import annotations

import socket as _std
from typing import Optional

from .. import binding
from ..address import is_ip
from ..binding import (
    ListenError,
    PathIdentity,
    adopt_fd,
    bind_listener,
    path_identity,
    tcp_listener,
    unlink_if_same,
)
from . import systemd
from .endpoints import Endpoint
from .errors import RUNTIME, LaunchError
from .settings import Config, Mount

__all__ = ['Listeners', 'Bound', 'check_reuse_port']

Bound = tuple[Mount, Endpoint, _std.socket]
Inherited = list[tuple[int, Optional[str]]]


class Listeners:
    """The listening sockets of every mount."""

    def __init__(self, config: Config, slots: int = 1) -> None:
        self.config = config
        #: Worker slots: the number of sockets a reuse-port address gets.
        self.slots = max(1, slots)
        #: Every address's first (or only) socket, in the order of the mounts.
        self.bound: list[Bound] = []
        #: Per entry of :attr:`bound`, its sockets: one, or one per slot.
        self.per_slot: list[list[_std.socket]] = []
        self._unlink: list[PathIdentity | None] = []
        self._inherited: Inherited | None = None

    def plan(self) -> list[tuple[Mount, Endpoint]]:
        """Every mount's addresses, socket activation resolved; a
        :class:`LaunchError` for an address that cannot be had."""
        if self._inherited is None:
            self._inherited = systemd.listen_fds()
        inherited = self._inherited
        claimed = self._named(inherited)
        planned = []
        for mount in self.config.mounts:
            endpoints = mount.endpoints or self._activated_for(mount, inherited, claimed)
            if not endpoints:
                raise LaunchError(f'{mount.target}: no address to listen on: give --listen ADDR (or run it '
                                  'under systemd socket activation)')
            for endpoint in endpoints:
                if endpoint.systemd is not None:
                    claimed.add(_pick(endpoint, inherited))
                planned.append((mount, endpoint))
        return planned

    def bind(self) -> list[Bound]:
        for mount, endpoint in self.plan():
            sock = self._socket(endpoint)
            self.bound.append((mount, endpoint, sock))
            sockets = [sock]
            self.per_slot.append(sockets)
            if self.reuses(endpoint):
                # the address the first got (port 0: a port the kernel chose)
                host, port = sock.getsockname()[:2]
                sockets += [self._socket(endpoint, host, port) for _ in range(1, self.slots)]
        return self.bound

    def reuses(self, endpoint: Endpoint) -> bool:
        """Whether ``endpoint`` is bound with ``SO_REUSEPORT``, a socket per slot."""
        return bool(self.config.values.get('reuse_port')) and endpoint.path is None and \
            endpoint.fd is None and endpoint.systemd is None

    def for_slot(self, slot: int) -> list[Bound]:
        """The sockets the worker of ``slot`` serves: the slot's own for a
        reuse-port address, the shared one for the others."""
        return [(mount, endpoint, sockets[slot % len(sockets)])
                for (mount, endpoint, _), sockets in zip(self.bound, self.per_slot)]

    def _activated_for(self, mount: Mount, inherited: Inherited, claimed: set[int]) -> list[Endpoint]:
        """The passed sockets a mount with no address takes: those named for
        its target, else (alone) all that no mount names, else the next one."""
        unclaimed = [(fd, name) for fd, name in inherited if fd not in claimed]
        addressless = [m for m in self.config.mounts if not m.endpoints]
        chosen: Inherited = [(fd, name) for fd, name in unclaimed if name == mount.target]
        if not chosen:
            others = {m.target for m in addressless if m is not mount}
            chosen = [(fd, name) for fd, name in unclaimed if name not in others]
            if len(addressless) > 1:
                chosen = chosen[:1]
        return [Endpoint('systemd:%s' % (name or fd - systemd.SD_LISTEN_FDS_START),
                         systemd=name or str(fd - systemd.SD_LISTEN_FDS_START))
                for fd, name in chosen]

    def _named(self, inherited: Inherited) -> set[int]:
        """The passed sockets that some mount's ``systemd:`` address names."""
        named = set()
        for mount in self.config.mounts:
            for endpoint in mount.endpoints:
                if endpoint.systemd is not None:
                    try:
                        named.add(_pick(endpoint, inherited))
                    except LaunchError:
                        pass
        return named

    def _socket(self, endpoint: Endpoint, host: str | None = None,
                port: int | None = None) -> _std.socket:
        backlog = self.config.backlog
        try:
            if endpoint.systemd is not None:
                return adopt_fd(_pick(endpoint, self._inherited or []), backlog, shared=False)
            if endpoint.fd is not None:
                return adopt_fd(endpoint.fd, backlog, shared=False)
            if endpoint.path is not None:
                return self._unix(endpoint.path, backlog)
            if port is None:
                host, port = _resolve(endpoint), endpoint.port or 0
            return tcp_listener(host, port, backlog, reuse_port=self.reuses(endpoint))
        except ListenError as failure:
            raise LaunchError(str(getattr(failure.error, 'message', failure.error)), RUNTIME) from None

    def _unix(self, path: str, backlog: int) -> _std.socket:
        sock = bind_listener(_std.AF_UNIX, path, backlog, path, -1)
        self._unlink.append(path_identity(path))
        return sock

    def close(self) -> None:
        """Close the sockets and remove the Unix socket files made here (again: no-op)."""
        for sock in [s for sockets in self.per_slot for s in sockets] + [s for _, _, s in self.bound]:
            try:
                sock.close()
            except OSError:
                pass
        for identity in self._unlink:
            unlink_if_same(identity)
        self._unlink = []


def check_reuse_port(config: Config) -> None:
    """``reuse_port`` where the system cannot balance a port's connections
    across sockets: a usage error (rather than a silently shared socket)."""
    if config.values.get('reuse_port') and binding.reuse_port_option() is None:
        raise LaunchError('--reuse-port: this system has no balancing SO_REUSEPORT (Linux, FreeBSD '
                          '12+, DragonFly, Solaris, AIX have one); run without it')


def _pick(endpoint: Endpoint, inherited: Inherited) -> int:
    key = endpoint.systemd
    for fd, name in inherited:
        if name == key:
            return fd
    if key is not None and key.isascii() and key.isdigit() and int(key) < len(inherited):
        return inherited[int(key)][0]
    raise LaunchError('{}: systemd passed no such socket (got {})'.format(
        endpoint, ', '.join(name or str(fd) for fd, name in inherited) or 'none: not socket-activated'))


def _resolve(endpoint: Endpoint) -> str | None:
    host = endpoint.host
    if not host or is_ip(host):
        return host
    try:
        return str(_std.getaddrinfo(host, endpoint.port, 0, _std.SOCK_STREAM)[0][4][0])
    except (OSError, UnicodeError) as err:
        raise LaunchError(f'{endpoint}: cannot resolve {host!r}: {err}', RUNTIME) from None
