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
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .address import is_ip

__all__ = ['Endpoint', 'parse_endpoint', 'EndpointError']


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

    def listen_options(self) -> dict[str, Any]:
        if self.path is not None:
            return {'path': self.path}
        if self.fd is not None:
            return {'fd': self.fd}
        options: dict[str, Any] = {'port': self.port}
        if self.host:
            options['host'] = self.host
        return options

    def __str__(self) -> str:
        return self.text


def _port(text: str, whole: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise EndpointError(f'bad port {text!r} in address {whole!r} (0 to 65535)')
    return int(text)


def parse_endpoint(text: str) -> Endpoint:
    """Parse a listen address (see the module's table)."""
    if not isinstance(text, str) or not text.strip():
        raise EndpointError('empty listen address')
    text = text.strip()
    scheme, sep, rest = text.partition(':')
    if sep and scheme == 'unix':
        if not rest:
            raise EndpointError('unix: needs a path, as in unix:/run/app.sock')
        return Endpoint(text, path='\0' + rest[1:] if rest.startswith('@') else rest)
    if sep and scheme == 'fd':
        if not rest.isdigit():
            raise EndpointError(f'fd: needs a descriptor number, as in fd:3, got {text!r}')
        return Endpoint(text, fd=int(rest))
    if sep and scheme == 'systemd':
        if not rest:
            raise EndpointError('systemd: needs a socket name or index, as in systemd:web')
        return Endpoint(text, systemd=rest)
    if text.isdigit():
        return Endpoint(text, port=_port(text, text))
    if text.startswith('['):
        host, bracket, port = text[1:].partition(']')
        if not bracket or not port.startswith(':') or is_ip(host) != 6:
            raise EndpointError(f'bad IPv6 address {text!r}: write it as [::1]:7000')
        return Endpoint(text, host=host, port=_port(port[1:], text))
    host, sep, port = text.rpartition(':')
    if not sep or not host:
        raise EndpointError(f'bad listen address {text!r}: expected PORT, HOST:PORT, [IPv6]:PORT, '
                            'unix:/path or fd:N')
    if ':' in host:
        raise EndpointError(f'bad listen address {text!r}: put an IPv6 host in brackets, [::1]:7000')
    return Endpoint(text, host=host, port=_port(port, text))
