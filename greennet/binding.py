"""Listening sockets: bound, configured and listening as Node makes them
(``SO_REUSEADDR``; with no host, ``::`` dual-stack when IPv6 is there, else
``0.0.0.0``), or adopted from an inherited descriptor. Used by
:class:`~greennet.server.Server` and by the launcher's master, which binds
once for all its workers."""
from __future__ import annotations

import errno as _errno
import os
import socket as _std
import stat
import sys
from typing import Any

from .address import is_ip
from .errors import system_error
from .runtime import raw_socket
from .validators import js_number, to_int32

__all__ = ['ListenError', 'tcp_listener', 'bind_listener', 'adopt_fd', 'PathIdentity',
           'path_identity', 'unlink_if_same', 'SUN_PATH_MAX', 'unix_address', 'pipe_path_error',
           'pipe_listener', 'bind_local', 'reuse_port_option']

#: ``sizeof(sockaddr_un.sun_path)`` on Linux: the longest Unix socket address.
SUN_PATH_MAX = 108
#: The largest descriptor number there can be (``validateInt32``'s bound).
_FD_MAX = 2 ** 31 - 1


def unix_address(path: str | bytes) -> bytes:
    """A Unix socket path as the bytes the kernel gets: the file system's
    encoding (UTF-8, with Python's escapes for undecodable bytes); a lone
    surrogate becomes U+FFFD, as Node's UTF-8 makes it."""
    if isinstance(path, bytes):
        return path
    try:
        return os.fsencode(path)
    except UnicodeEncodeError:
        return path.encode('utf-8', 'surrogatepass').decode('utf-8', 'replace').encode('utf-8')


def pipe_path_error(path: str | bytes, syscall: str = 'connect') -> OSError | None:
    """The error Node (22 and later, libuv's ``UV_PIPE_NO_TRUNCATE``) reports
    for a Unix path longer than ``sun_path`` (108 bytes): ``EINVAL`` with
    ``syscall`` (``'connect'`` or ``'listen'``) and ``address`` the path,
    emitted as ``'error'`` then ``'close'`` after the call; ``None`` for a
    path that fits. Node 20 instead truncates the path silently, connects
    to or creates another file, and leaves that file behind: not copied.

    A NUL byte inside a path is no error (as in Node: the kernel takes the
    path up to it); a leading NUL is Linux's abstract namespace."""
    if len(unix_address(path)) <= SUN_PATH_MAX:
        return None
    text = path if isinstance(path, str) else os.fsdecode(path)
    if syscall == 'listen':
        return system_error(_errno.EINVAL, 'listen', text, -1, detail=True)
    return system_error(_errno.EINVAL, syscall, text)


class ListenError(Exception):
    """Binding or listening failed; ``error`` is the Node-shaped ``OSError``."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


def reuse_port_option() -> tuple[int, int] | None:
    """``(level, option)`` that makes the kernel spread a port's connections
    across several listening sockets, or ``None`` where there is none.
    libuv's list (``UV_TCP_REUSEPORT``): Linux's ``SO_REUSEPORT``, FreeBSD's
    ``SO_REUSEPORT_LB``, DragonFly, Solaris and AIX; elsewhere (macOS, the
    other BSDs, Windows) ``SO_REUSEPORT`` lets sockets share a port but
    hands every connection to one of them, which is not what was asked."""
    platform = sys.platform
    if platform.startswith('freebsd'):
        return _std.SOL_SOCKET, getattr(_std, 'SO_REUSEPORT_LB', 0x10000)
    if platform.startswith(('linux', 'dragonfly', 'sunos', 'aix')) and hasattr(_std, 'SO_REUSEPORT'):
        return _std.SOL_SOCKET, _std.SO_REUSEPORT
    return None


def tcp_listener(host: str | None, port: int, backlog: int, ipv6_only: bool = False,
                 reuse_port: bool = False) -> _std.socket:
    """Bind and listen on ``host:port``; with no host, ``::`` dual-stack when
    IPv6 is there, else ``0.0.0.0``. ``reuse_port``: see :func:`bind_listener`."""
    if not host:
        try:
            return bind_listener(_std.AF_INET6, ('::', port), backlog, '::', port, ipv6_only,
                                 reuse_port)
        except ListenError as failure:
            if failure.error.errno not in (_errno.EAFNOSUPPORT, _errno.EADDRNOTAVAIL, _errno.EINVAL):
                raise
        host = '0.0.0.0'
    family = _std.AF_INET6 if is_ip(host) == 6 else _std.AF_INET
    return bind_listener(family, (host, port), backlog, host, port, ipv6_only, reuse_port)


def bind_listener(family: int, sockaddr: Any, backlog: int, address: str, port: int,
                  ipv6_only: bool = False, reuse_port: bool = False) -> _std.socket:
    """A non-blocking listening socket bound to ``sockaddr``; failures raise
    :class:`ListenError` with Node's ``listen`` error, and nothing else (a
    Unix path too long for ``sun_path`` is ``EINVAL``, before any file is
    made).

    ``reuse_port`` (Node 22's ``reusePort``, TCP only) sets the option of
    :func:`reuse_port_option` before ``bind``, so that each process (or
    server) binding the port gets its own queue and the kernel spreads new
    connections across them; where the system has no such option, Node's
    ``ENOTSUP`` from ``listen``, never a silently shared socket."""
    if reuse_port and family != _std.AF_UNIX and reuse_port_option() is None:
        raise ListenError(system_error(_errno.ENOTSUP, 'listen', address, port, detail=True))
    if family == _std.AF_UNIX:
        too_long = pipe_path_error(sockaddr, 'listen')
        if too_long is not None:
            raise ListenError(too_long)
        sockaddr = unix_address(sockaddr)
    try:
        listener = raw_socket(family, _std.SOCK_STREAM)
    except OSError as err:
        raise ListenError(system_error(err.errno, 'listen', address, port, detail=True)) from None
    try:
        if family != _std.AF_UNIX:
            listener.setsockopt(_std.SOL_SOCKET, _std.SO_REUSEADDR, 1)
            if reuse_port:
                _set_reuse_port(listener)
        if family == _std.AF_INET6:
            listener.setsockopt(_std.IPPROTO_IPV6, _std.IPV6_V6ONLY, int(ipv6_only))
        listener.bind(sockaddr)
        listener.listen(backlog)
        listener.setblocking(False)
    except OSError as err:
        listener.close()
        errnum = err.errno if isinstance(err.errno, int) and err.errno > 0 else _errno.EINVAL
        raise ListenError(system_error(errnum, 'listen', address, port, detail=True)) from None
    except (ValueError, OverflowError, TypeError):   # an address Python cannot even pass
        listener.close()
        raise ListenError(system_error(_errno.EINVAL, 'listen', address, port, detail=True)) from None
    return listener


def _set_reuse_port(listener: _std.socket) -> None:
    level, option = reuse_port_option() or (_std.SOL_SOCKET, -1)
    try:
        listener.setsockopt(level, option, 1)
    except OSError as err:
        if err.errno in (_errno.ENOPROTOOPT, _errno.EINVAL, _errno.EOPNOTSUPP):
            raise OSError(_errno.ENOTSUP, os.strerror(_errno.ENOTSUP)) from None
        raise


def pipe_listener(path: str, backlog: int, readable_all: bool = False,
                  writable_all: bool = False) -> tuple[_std.socket, PathIdentity | None]:
    """A listening Unix socket at ``path`` and what identifies the file it
    made (for :func:`unlink_if_same` at close; ``None`` for an abstract
    name). ``readable_all``/``writable_all`` (Node's options, when ``True``)
    open the file to everyone. A path longer than ``sun_path`` is Node 22's
    ``EINVAL``, and no file is made; a path with a NUL byte listens on the
    file named by the part before it, as Node does, and that file is the one
    removed at close. Failures raise :class:`ListenError` only; a listener
    that failed leaves no file and no descriptor."""
    listener = bind_listener(_std.AF_UNIX, path, backlog, path, -1)
    identity = path_identity(path)
    if identity is not None and (readable_all or writable_all):
        mode = 0
        if readable_all:
            mode |= stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
        if writable_all:
            mode |= stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
        try:
            info = os.stat(identity[0])
            if (info.st_mode & mode) != mode:
                os.chmod(identity[0], stat.S_IMODE(info.st_mode) | mode)
        except OSError as err:
            listener.close()
            unlink_if_same(identity)
            raise ListenError(system_error(err.errno or _errno.EINVAL, 'listen', path, -1,
                                           detail=True)) from None
    return listener, identity


def bind_local(handle: _std.socket, family: int, local_address: str | None,
               local_port: Any) -> OSError | None:
    """Node's bind before a connect with ``localAddress``/``localPort``
    (``internalConnect`` and ``checkBindError``): bind ``handle`` to
    ``local_address`` (default ``0.0.0.0`` or ``::`` by the target's
    family) and ``ToInt32(local_port)`` in 16 bits; then, for a positive
    ``local_port``, the port bound must be the one asked, else Node's
    ``EADDRINUSE`` (so ``2**63``, ``Infinity``, ``1.5`` or ``70000`` fail,
    and ``-1`` binds 65535, as in Node). Returns the error to destroy the
    socket with (``syscall 'bind'``, ``address``, ``port`` as given), or
    ``None``. Never raises."""
    host = local_address or ('::' if family == _std.AF_INET6 else '0.0.0.0')
    port = to_int32(local_port) & 0xFFFF if local_port else 0
    try:
        handle.bind((host, port))
        if local_port and js_number(local_port) > 0 and handle.getsockname()[1] != js_number(local_port):
            return system_error(_errno.EADDRINUSE, 'bind', host, local_port)
    except _std.gaierror:       # an address of the other family: Node's EINVAL
        return system_error(_errno.EINVAL, 'bind', host, local_port)
    except OSError as err:
        errnum = err.errno if isinstance(err.errno, int) and err.errno > 0 else _errno.EINVAL
        return system_error(errnum, 'bind', host, local_port)
    except (ValueError, OverflowError, TypeError, UnicodeError):
        return system_error(_errno.EINVAL, 'bind', host, local_port)
    return None


def adopt_fd(fd: Any, backlog: int, shared: bool) -> _std.socket:
    """A listener on an inherited descriptor: taken over as Node does, or
    ``dup``ed when another greennet object owns it (``shared``). A number
    that cannot be a descriptor (a fraction, an infinity, past 2**31-1: what
    Node's ``listen({fd})`` takes and then fails) is Node's ``EINVAL`` from
    ``listen``; failures raise :class:`ListenError` only."""
    number = js_number(fd) if not isinstance(fd, bool) else float('nan')
    if not (0 <= number <= _FD_MAX and number == int(number)):
        raise ListenError(system_error(_errno.EINVAL, 'listen', None, None, detail=True))
    fd = int(number)
    try:
        listener = raw_socket(fileno=os.dup(fd) if shared else fd)
    except OSError as err:
        # Node's createServerHandle: a descriptor that is not a TCP or Unix
        # stream socket is EINVAL
        errnum = _errno.EINVAL if err.errno == _errno.ENOTSOCK else err.errno
        raise ListenError(system_error(errnum, 'listen', None, None, detail=True)) from None
    try:
        if listener.type != _std.SOCK_STREAM:
            raise OSError(_errno.EINVAL, 'not a stream socket')
        if not listener.getsockopt(_std.SOL_SOCKET, _std.SO_ACCEPTCONN):
            listener.listen(backlog)
    except OSError as err:
        if shared:
            listener.close()
        else:
            listener.detach()
        raise ListenError(system_error(err.errno, 'listen', None, None, detail=True)) from None
    listener.setblocking(False)
    return listener


#: A Unix socket file as it was made: path, device, inode.
PathIdentity = tuple[str, int, int]


def path_identity(path: str | bytes) -> PathIdentity | None:
    """What identifies the socket file at ``path`` (``None`` for an abstract
    name, or when there is no such file). The kernel names the file by the
    path up to a NUL byte, and so is it found here. Never raises."""
    raw = unix_address(path)
    if not raw or raw.startswith(b'\0'):
        return None
    name = os.fsdecode(raw.split(b'\0', 1)[0])
    try:
        info = os.stat(name)
    except (OSError, ValueError):
        return None
    return name, info.st_dev, info.st_ino


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
