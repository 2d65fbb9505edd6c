"""Listening sockets: bound, configured and listening as Node makes them
(``SO_REUSEADDR``; with no host, ``::`` dual-stack when IPv6 is there, else
``0.0.0.0``), or adopted from an inherited descriptor. Used by
:class:`~greennet.server.Server` and by the launcher's master, which binds
once for all its workers."""
from __future__ import annotations

import errno as _errno
import os
import socket as _std
from typing import Any

from .address import is_ip
from .errors import system_error
from .runtime import raw_socket

__all__ = ['ListenError', 'tcp_listener', 'bind_listener', 'adopt_fd', 'PathIdentity',
           'path_identity', 'unlink_if_same']


class ListenError(Exception):
    """Binding or listening failed; ``error`` is the Node-shaped ``OSError``."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


def tcp_listener(host: str | None, port: int, backlog: int, ipv6_only: bool = False) -> _std.socket:
    """Bind and listen on ``host:port``; with no host, ``::`` dual-stack when
    IPv6 is there, else ``0.0.0.0``."""
    if not host:
        try:
            return bind_listener(_std.AF_INET6, ('::', port), backlog, '::', port, ipv6_only)
        except ListenError as failure:
            if failure.error.errno not in (_errno.EAFNOSUPPORT, _errno.EADDRNOTAVAIL, _errno.EINVAL):
                raise
        host = '0.0.0.0'
    family = _std.AF_INET6 if is_ip(host) == 6 else _std.AF_INET
    return bind_listener(family, (host, port), backlog, host, port, ipv6_only)


def bind_listener(family: int, sockaddr: Any, backlog: int, address: str, port: int,
                  ipv6_only: bool = False) -> _std.socket:
    """A non-blocking listening socket bound to ``sockaddr``; failures raise
    :class:`ListenError` with Node's ``listen`` error."""
    try:
        listener = raw_socket(family, _std.SOCK_STREAM)
    except OSError as err:
        raise ListenError(system_error(err.errno, 'listen', address, port, detail=True))
    try:
        if family != _std.AF_UNIX:
            listener.setsockopt(_std.SOL_SOCKET, _std.SO_REUSEADDR, 1)
        if family == _std.AF_INET6:
            listener.setsockopt(_std.IPPROTO_IPV6, _std.IPV6_V6ONLY, int(ipv6_only))
        listener.bind(sockaddr)
        listener.listen(backlog)
        listener.setblocking(False)
    except OSError as err:
        listener.close()
        raise ListenError(system_error(err.errno, 'listen', address, port, detail=True))
    return listener


def adopt_fd(fd: int, backlog: int, shared: bool) -> _std.socket:
    """A listener on an inherited descriptor: taken over as Node does, or
    ``dup``ed when another greennet object owns it (``shared``)."""
    try:
        listener = raw_socket(fileno=os.dup(fd) if shared else fd)
    except OSError as err:
        raise ListenError(system_error(err.errno, 'listen', None, None))
    try:
        if listener.type != _std.SOCK_STREAM:
            raise OSError(_errno.ENOTSUP, 'not a stream socket')
        if not listener.getsockopt(_std.SOL_SOCKET, _std.SO_ACCEPTCONN):
            listener.listen(backlog)
    except OSError as err:
        if shared:
            listener.close()
        else:
            listener.detach()
        raise ListenError(system_error(err.errno, 'listen', None, None, detail=True))
    listener.setblocking(False)
    return listener


#: A Unix socket file as it was made: path, device, inode.
PathIdentity = tuple[str, int, int]


def path_identity(path: str) -> PathIdentity | None:
    """What identifies the socket file at ``path`` (``None`` for an abstract name)."""
    if path.startswith('\0'):
        return None
    info = os.stat(path)
    return path, info.st_dev, info.st_ino


def unlink_if_same(identity: PathIdentity | None) -> None:
    """Remove the socket file made here, and nothing else: not a path that
    something else has taken since."""
    if identity is None:
        return
    path, dev, ino = identity
    try:
        info = os.stat(path)
        if (info.st_dev, info.st_ino) == (dev, ino):
            os.unlink(path)
    except OSError:
        pass
