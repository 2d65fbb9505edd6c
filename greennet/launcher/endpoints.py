"""Where to listen, as one string, parsed in one place for the command line,
config files and code alike:

=====================  ==============================================
``7000``               port 7000 on every address (``::`` dual-stack)
``127.0.0.1:7000``     a host and a port
``[::1]:7000``         an IPv6 host and a port
``unix:/run/app.sock`` a Unix socket (``unix:@name``: abstract name)
``fd:3``               an inherited listening descriptor
``systemd:web``        a socket systemd passed, by ``FileDescriptorName``
``systemd:0``          ... or by position
=====================  ==============================================

Numbers are ASCII digits only; a Unix path must fit ``sun_path`` (107
bytes) and hold no NUL; a host name must be a valid DNS name.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..address import is_ip

__all__ = ['Endpoint', 'parse_endpoint', 'EndpointError', 'MAX_UNIX_PATH']

#: Bytes of a Unix socket path, ``sun_path`` less its terminating NUL.
MAX_UNIX_PATH = 107
#: The largest descriptor number ``fd:N`` takes.
MAX_FD = 2 ** 31 - 1

_DIGITS = re.compile(r'[0-9]+')
_HOST = re.compile(r'[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?')


class EndpointError(ValueError):
    """A listen address that does not parse; the message says why."""


@dataclass(frozen=True)
class Endpoint:
    """A parsed listen address: the keyword arguments of ``Server.listen``."""

    text: str
    port: int | None = None
    host: str | None = None
    path: str | None = None
    fd: int | None = None
    systemd: str | None = None

    def __str__(self) -> str:
        return self.text


def _number(text: str, whole: str, what: str, highest: int) -> int:
    if not _DIGITS.fullmatch(text) or len(text) > 10 or int(text) > highest:
        raise EndpointError(f'bad {what} {text!r} in address {whole!r} (0 to {highest})')
    return int(text)


def _unix_path(rest: str, whole: str) -> str:
    path = '\0' + rest[1:] if rest.startswith('@') else rest
    if '\0' in path[1:]:
        raise EndpointError(f'bad Unix socket path in {whole!r}: it holds a NUL character')
    try:
        size = len(os.fsencode(path))
    except UnicodeError:
        raise EndpointError(f'bad Unix socket path in {whole!r}: not encodable') from None
    if size > MAX_UNIX_PATH:
        raise EndpointError(f'Unix socket path too long in {whole!r}: {size} bytes '
                            f'(at most {MAX_UNIX_PATH})')
    return path


def _host(host: str, whole: str) -> str:
    if is_ip(host):
        return host
    try:
        name = host.encode('idna').decode('ascii')
    except UnicodeError:
        name = ''
    if len(name) > 253 or not _HOST.fullmatch(name):
        raise EndpointError(f'bad host {host!r} in address {whole!r}')
    return host


def parse_endpoint(text: str) -> Endpoint:
    """Parse a listen address (see the module's table)."""
    if not isinstance(text, str) or not text.strip():
        raise EndpointError('empty listen address')
    text = text.strip()
    scheme, sep, rest = text.partition(':')
    if sep and scheme == 'unix':
        if not rest or rest == '@':
            raise EndpointError('unix: needs a path, as in unix:/run/app.sock')
        return Endpoint(text, path=_unix_path(rest, text))
    if sep and scheme == 'fd':
        if not _DIGITS.fullmatch(rest):
            raise EndpointError(f'fd: needs a descriptor number, as in fd:3, got {text!r}')
        return Endpoint(text, fd=_number(rest, text, 'descriptor', MAX_FD))
    if sep and scheme == 'systemd':
        if not rest or '\0' in rest:
            raise EndpointError('systemd: needs a socket name or index, as in systemd:web')
        return Endpoint(text, systemd=rest)
    if _DIGITS.fullmatch(text):
        return Endpoint(text, port=_number(text, text, 'port', 65535))
    if text.startswith('['):
        host, bracket, port = text[1:].partition(']')
        if not bracket or not port.startswith(':') or is_ip(host) != 6:
            raise EndpointError(f'bad IPv6 address {text!r}: write it as [::1]:7000')
        return Endpoint(text, host=host, port=_number(port[1:], text, 'port', 65535))
    host, sep, port = text.rpartition(':')
    if not sep or not host:
        raise EndpointError(f'bad listen address {text!r}: expected PORT, HOST:PORT, [IPv6]:PORT, '
                            'unix:/path or fd:N')
    if ':' in host:
        raise EndpointError(f'bad listen address {text!r}: put an IPv6 host in brackets, [::1]:7000')
    return Endpoint(text, host=_host(host, text), port=_number(port, text, 'port', 65535))
