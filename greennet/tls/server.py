"""``greennet.tls.Server``: Node's ``tls.Server``, a ``greennet.Server`` whose
connections are :class:`~greennet.tls.socket.TLSSocket`\\ s.

Events: ``'connection'(socket)`` at accept (before the handshake),
``'secureConnection'(tls_socket)`` once the handshake is done,
``'tlsClientError'(err, tls_socket)`` when it fails (a plain-TCP client,
garbage, a bad certificate, ``ERR_TLS_HANDSHAKE_TIMEOUT``): that connection
is destroyed and the server goes on. Both are emitted on the connection's
strand, as ``'connection'`` is.
"""
from __future__ import annotations

import re
import ssl
from collections.abc import Mapping
from typing import Any, Callable

from ..errors import ERR_INVALID_ARG_TYPE, NodeError
from ..server import _SERVER_OPTIONS
from ..server import Server as _NetServer
from ..socket import Socket
from ..validators import validate_function
from .context import CONTEXT_OPTIONS, SecureContext, alpn_list, set_attr, ssl_context_for, tls_options
from .socket import TLSSocket

__all__ = ['Server', 'create_server', 'SERVER_OPTIONS']

#: ``tls.createServer()``'s own options (beside ``net.createServer()``'s).
SERVER_OPTIONS = CONTEXT_OPTIONS + ('secure_context', 'request_cert', 'reject_unauthorized',
                                    'alpn_protocols', 'sni_callback', 'handshake_timeout',
                                    'session_timeout', 'ticket_keys')


class Server(_NetServer):
    """Node's ``tls.Server``."""

    _socket_class = TLSSocket

    def __init__(self, options: Any = None, secure_connection_listener: Callable[..., Any] | None = None,
                 **kwargs: Any) -> None:
        if callable(options) and not isinstance(options, Mapping):
            options, secure_connection_listener = None, options
        if options is not None and not isinstance(options, Mapping):
            raise ERR_INVALID_ARG_TYPE('options', 'Object', options)
        tls = tls_options(options, SERVER_OPTIONS)
        net = tls_options(options, _SERVER_OPTIONS)
        for key in list(kwargs):
            if key in SERVER_OPTIONS:
                tls[key] = kwargs.pop(key)
        super().__init__(net, None, **kwargs)
        timeout = tls.get('handshake_timeout', 120000)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise ERR_INVALID_ARG_TYPE('options.handshakeTimeout', 'number', timeout)
        sni = tls.get('sni_callback')
        if sni is not None:
            validate_function(sni, 'options.SNICallback')
        #: Connections whose handshake takes longer are dropped (ms; 0: never).
        self.handshake_timeout = timeout
        self._request_cert = bool(tls.get('request_cert'))
        self._reject_unauthorized = tls.get('reject_unauthorized', True) is not False
        self._alpn = alpn_list(tls.get('alpn_protocols'))
        self._sni_callback = sni
        self._contexts: list[tuple[re.Pattern[str], ssl.SSLContext]] = []
        self._ssl_ctx = self._server_context(tls)
        if secure_connection_listener is not None:
            validate_function(secure_connection_listener, 'secureConnectionListener')
            self.on('secureConnection', secure_connection_listener)

    # -- contexts ------------------------------------------------------------

    def _server_context(self, options: Any, with_sni: bool = True) -> ssl.SSLContext:
        if isinstance(options, (SecureContext, ssl.SSLContext)):
            options = {'secure_context': options}
        elif not isinstance(options, dict):
            options = tls_options(options, SERVER_OPTIONS)
        ctx = ssl_context_for(options, True, self._request_cert, self._reject_unauthorized, self._alpn)
        if with_sni:
            set_attr(ctx, 'sni_callback', self._on_sni)
        return ctx

    def set_secure_context(self, options: Any) -> None:
        """Use new keys and certificates for the connections accepted from now on."""
        self._ssl_ctx = self._server_context(options)

    def add_context(self, hostname: str, context: Any) -> None:
        """Serve ``context`` (options or a secure context) to clients that ask
        for ``hostname`` by SNI (``*`` matches one label); the last added wins."""
        if not hostname:
            raise NodeError('ERR_TLS_REQUIRED_SERVER_NAME',
                            '"servername" is required parameter for Server.addContext')
        pattern = re.escape(hostname).replace(r'\*', '[^.]*')
        self._contexts.append((re.compile(pattern + r'\Z'), self._server_context(context, False)))

    def _on_sni(self, tls: Any, name: str | None, ctx: ssl.SSLContext) -> int | None:
        """OpenSSL's servername callback: Node's ``SNICallback`` or the contexts
        of ``add_context()``. Python's ``ssl`` asks synchronously: a
        ``sni_callback`` must call back before it returns."""
        sock = getattr(tls, '_greennet', None)
        if sock is not None:
            sock.servername = name or False
        if not name:
            return None
        try:
            if self._sni_callback is not None:
                answer: list[tuple[Any, Any]] = []
                self._sni_callback(name, lambda err=None, context=None: answer.append((err, context)))
                if not answer:
                    raise NodeError('ERR_TLS_SNI_ASYNC',
                                    'greennet.tls: SNICallback must call back before it returns')
                err, context = answer[0]
                if err is not None:
                    raise err
                if context is not None:
                    tls.context = self._server_context(context, False)
                return None
            for pattern, context in reversed(self._contexts):
                if pattern.match(name):
                    tls.context = context
                    break
        except BaseException as exc:   # noqa: BLE001 - inside OpenSSL: reported as the handshake's error
            if sock is not None:
                sock._tls_sni_error = exc
            return ssl.ALERT_DESCRIPTION_INTERNAL_ERROR
        return None

    # -- connections ---------------------------------------------------------

    def _prepare(self, sock: Socket) -> None:
        """Before ``'connection'``: the new ``TLSSocket`` starts its handshake."""
        assert isinstance(sock, TLSSocket)
        sock._tls_opts = {'handshake_timeout': self.handshake_timeout}
        sock._tls_owner = self
        sock._tls_ctx = self._ssl_ctx
        sock._tls_host = None
        sock._tls_begin(True)

    def __repr__(self) -> str:
        return f'<greennet.tls.Server {self.address()}>'


def create_server(options: Any = None, secure_connection_listener: Callable[..., Any] | None = None,
                  **kwargs: Any) -> Server:
    """Node's ``tls.createServer([options][, secureConnectionListener])``."""
    return Server(options, secure_connection_listener, **kwargs)
