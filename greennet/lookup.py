"""Node's ``dns.lookup`` shape on gevent's resolver: the default ``lookup``
option of ``connect()``, and the host resolution of ``listen()``."""
from __future__ import annotations

import errno
import socket as _std
from collections.abc import Mapping
from typing import Any, Callable

import gevent
from gevent import socket as _gsocket

from .errors import ERR_INVALID_ARG_TYPE, lookup_error, system_error
from .validators import js_truthy

__all__ = ['lookup', 'ADDRCONFIG', 'V4MAPPED', 'ALL', 'family_name']

#: ``dns.ADDRCONFIG``, ``dns.V4MAPPED`` and ``dns.ALL``: getaddrinfo hints.
ADDRCONFIG = getattr(_std, 'AI_ADDRCONFIG', 0x20)
V4MAPPED = getattr(_std, 'AI_V4MAPPED', 0x08)
ALL = getattr(_std, 'AI_ALL', 0x10)

_FAMILIES = {0: _std.AF_UNSPEC, 4: _std.AF_INET, 6: _std.AF_INET6}


def family_name(family: int) -> str:
    """``'IPv4'`` or ``'IPv6'`` for an address family."""
    return 'IPv6' if family == _std.AF_INET6 else 'IPv4'


def _resolve(hostname: str, family: int, hints: int) -> list:
    hostname = hostname.split('\0', 1)[0]  # as Node's C string: the name up to a NUL
    hostname.encode('idna')  # a name the resolver cannot encode fails here, not in its thread
    infos = _gsocket.getaddrinfo(hostname, None, _FAMILIES.get(family, _std.AF_UNSPEC),
                                 _std.SOCK_STREAM, 0, hints)
    seen = []
    for fam, _type, _proto, _canon, sockaddr in infos:
        entry = {'address': sockaddr[0], 'family': 6 if fam == _std.AF_INET6 else 4}
        if entry not in seen:
            seen.append(entry)
    return seen


def lookup(hostname: Any, options: Mapping[str, Any] | None = None,
           callback: Callable[..., Any] | None = None) -> None:
    """``dns.lookup(hostname, options, callback)``: resolve on a greenlet and
    call ``callback(err, address, family)``, or ``callback(err, addresses)``
    with ``all``."""
    if callback is None and callable(options):
        options, callback = None, options
    if isinstance(options, int) and not isinstance(options, bool):
        opts: dict[str, Any] = {'family': options}
    else:
        opts = dict(options) if isinstance(options, Mapping) else {}
    if not js_truthy(hostname):
        # Node: no name, no lookup; the callback gets no address (family 4 unless 6 was asked)
        kind = 6 if opts.get('family') == 6 else 4
        gevent.spawn(callback, None, *(([],) if opts.get('all') else (None, kind)))
        return
    if not isinstance(hostname, str):
        raise ERR_INVALID_ARG_TYPE('hostname', 'string', hostname)
    gevent.spawn(_lookup, hostname, opts, callback)


def _lookup(hostname: str, opts: dict[str, Any], callback: Callable[..., Any]) -> None:
    try:
        found = _resolve(hostname, opts.get('family') or 0, opts.get('hints') or 0)
    except OSError as err:
        error: OSError | None = lookup_error(hostname, err)
    except (UnicodeError, ValueError, TypeError):  # a name the resolver cannot even encode
        error = system_error(errno.EINVAL, 'getaddrinfo', hostname)
        setattr(error, 'hostname', hostname)  # noqa: B010 - Node's field on an OSError
    else:
        error = None
    if error is not None:
        if opts.get('all'):
            callback(error, None)
        else:
            callback(error, None, None)
        return
    if not found:
        callback(lookup_error(hostname, _std.gaierror(_std.EAI_NONAME, 'no address')), None, None)
    elif opts.get('all'):
        callback(None, found)
    else:
        callback(None, found[0]['address'], found[0]['family'])
