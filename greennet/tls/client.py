"""``greennet.tls.connect()``: Node's ``tls.connect()``, over a new
connection or, with ``socket=``, over an existing ``greennet.Socket``
(:mod:`greennet.tls.wrap`)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..address import is_ip
from ..arguments import CONNECT_OPTIONS, SOCKET_OPTIONS, normalize_connect_args
from ..errors import ERR_INVALID_ARG_TYPE
from ..validators import validate_function
from .context import alpn_list, ssl_context_for, tls_options
from .socket import CLIENT_OPTIONS, TLSSocket
from .wrap import lend

__all__ = ['connect']


def _split_args(args: tuple[Any, ...], kwargs: dict[str, Any],
                ) -> tuple[tuple[Any, ...], dict[str, Any], dict[str, Any]]:
    """Node's ``normalizeConnectArgs`` for ``tls``: the TLS options out of the
    option objects (first, second or third argument) and keywords."""
    tls: dict[str, Any] = {}
    rest = list(args)
    for i, arg in enumerate(rest[:3]):
        if isinstance(arg, Mapping):
            tls.update(tls_options(arg, CLIENT_OPTIONS))
            if i:
                rest[i] = None
                kwargs.update({k: v for k, v in tls_options(arg, CONNECT_OPTIONS + SOCKET_OPTIONS).items()
                               if k not in kwargs})
    rest = [a for a in rest if a is not None]
    for key in list(kwargs):
        if key in CLIENT_OPTIONS:
            tls[key] = kwargs.pop(key)
    return tuple(rest), kwargs, tls


def connect(*args: Any, **kwargs: Any) -> TLSSocket:
    """Node's ``tls.connect()``: ``connect(port[, host][, options][, cb])``,
    ``connect(options[, cb])``; ``cb`` listens for ``'secureConnect'``.
    With ``socket=`` (a ``greennet.Socket``, connected or connecting), TLS
    runs over that socket instead of a new connection."""
    args, kwargs, tls = _split_args(args, kwargs)
    if 'check_server_identity' in tls and not callable(tls['check_server_identity']):
        raise ERR_INVALID_ARG_TYPE('options.checkServerIdentity', 'function', tls['check_server_identity'])
    reject = tls.get('reject_unauthorized', True) is not False
    alpn = alpn_list(tls.get('alpn_protocols'))
    servername = tls.get('servername')
    if servername is not None and not isinstance(servername, str):
        raise ERR_INVALID_ARG_TYPE('options.servername', 'string', servername)
    ctx = ssl_context_for(tls, False, False, reject, alpn)
    raw = tls.get('socket')
    if raw is not None:
        return _connect_over(raw, tls, reject, ctx, args, kwargs)
    options, callback = normalize_connect_args(args, kwargs)
    socket_options = {key: options[key] for key in SOCKET_OPTIONS if key in options and key != 'onread'}
    sock = TLSSocket(**socket_options)
    _configure(sock, tls, reject, ctx, None if options.get('path') else options.get('host') or 'localhost')
    if callback is not None:
        sock.once('secureConnect', callback)
    sock._connect(options, None)
    return sock


def _configure(sock: TLSSocket, tls: dict[str, Any], reject: bool, ctx: Any, host: str | None) -> None:
    sock._tls_opts = tls
    sock._tls_opts['reject_unauthorized'] = reject
    sock._tls_ctx = ctx
    sock._tls_host = host
    servername = tls.get('servername')
    if servername:
        sock.servername = servername
    elif host and not is_ip(host):
        sock.servername = host


def _connect_over(raw: Any, tls: dict[str, Any], reject: bool, ctx: Any, args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> TLSSocket:
    """``tls.connect({socket})``: no connection of its own; ``host`` names
    the server (for SNI and the identity check) if given."""
    rest = list(args)
    callback = kwargs.pop('callback', None)
    if rest and callable(rest[-1]) and not isinstance(rest[-1], Mapping):
        callback = rest.pop()
    if callback is not None:
        validate_function(callback, 'callback')
    host = kwargs.get('host')
    for arg in rest:
        if isinstance(arg, Mapping) and host is None:
            host = tls_options(arg, ('host',)).get('host')
    sock = TLSSocket()
    _configure(sock, tls, reject, ctx, host if isinstance(host, str) else None)
    if callback is not None:
        sock.once('secureConnect', callback)
    lend(sock, raw, False)
    return sock
