"""``create_secure_context()``: Node's ``SecureContext`` over ``ssl.SSLContext``.

A :class:`SecureContext` holds what Node's does (keys, certificates, CAs,
ciphers, protocol versions) and makes the ``ssl.SSLContext`` each use needs
(server or client side; ALPN, ``request_cert``, ``reject_unauthorized``),
once per combination. Everything is checked at the call: a key or a
certificate that does not load, a key that does not match its certificate,
an unknown version, a bad ALPN list are coded errors then.
"""
from __future__ import annotations

import os
import re
import ssl
import tempfile
from collections.abc import Mapping
from typing import Any

from gevent import monkey

from ..errors import ERR_INVALID_ARG_TYPE, NodeError
from .errors import ERR_ALPN_TOO_LONG, ERR_TLS_INVALID_PROTOCOL_VERSION, ERR_TLS_UNSUPPORTED, ossl_error

__all__ = ['SecureContext', 'create_secure_context', 'CONTEXT_OPTIONS', 'tls_options',
           'alpn_list', 'ssl_context_for', 'set_attr', 'StdSSLContext', 'session_id']

#: The standard library's ``SSLContext``, even after gevent's monkey-patching
#: (whose SNI callback expects an ``SSLSocket``, not an ``SSLObject``).
StdSSLContext: type[ssl.SSLContext] = monkey.get_original('ssl', 'SSLContext')



def set_attr(ctx: ssl.SSLContext, name: str, value: Any) -> None:
    """Set a context's attribute through ``_ssl._SSLContext`` itself: after
    gevent's monkey-patching, ``ssl.SSLContext``'s own setters recurse."""
    import _ssl
    getattr(_ssl._SSLContext, name).__set__(ctx, value)


#: ``createSecureContext()``'s options.
CONTEXT_OPTIONS = ('key', 'cert', 'ca', 'passphrase', 'ciphers', 'min_version', 'max_version',
                   'ecdh_curve')
#: Node's protocol names.
VERSIONS = {'TLSv1': ssl.TLSVersion.TLSv1, 'TLSv1.1': ssl.TLSVersion.TLSv1_1,
            'TLSv1.2': ssl.TLSVersion.TLSv1_2, 'TLSv1.3': ssl.TLSVersion.TLSv1_3}
#: Node's spellings that ``snake_case`` does not produce.
_SPECIAL = {'ALPNProtocols': 'alpn_protocols', 'SNICallback': 'sni_callback'}
_CAMEL = re.compile(r'(?<!^)([A-Z])')


def tls_options(options: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    """The keys of a Node option object (camelCase too) that ``allowed`` names."""
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise ERR_INVALID_ARG_TYPE('options', 'Object', options)
    out = {}
    for key, value in options.items():
        if isinstance(key, str):
            key = _SPECIAL.get(key) or _CAMEL.sub(r'_\1', key).lower()
            if key in allowed:
                out[key] = value
    return out


def _pem_list(value: Any, name: str) -> list[bytes]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for item in items:
        if isinstance(item, Mapping):   # Node's {pem, passphrase} form
            item = item.get('pem')
        if isinstance(item, str):
            item = item.encode('latin-1')
        if not isinstance(item, (bytes, bytearray, memoryview)):
            raise ERR_INVALID_ARG_TYPE(f'options.{name}', ['string', 'Buffer', 'TypedArray', 'DataView'],
                                       item)
        out.append(bytes(item))
    return out


def _version(value: Any, which: str) -> ssl.TLSVersion | None:
    if value is None:
        return None
    if value not in VERSIONS:
        raise ERR_TLS_INVALID_PROTOCOL_VERSION(value, which)
    return VERSIONS[value]


def alpn_list(value: Any) -> list[str] | None:
    """``alpn_protocols`` as a list of names: a list of ``str``/``bytes``, or
    the wire format (length-prefixed names) as ``bytes``."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        data, names = bytes(value), []
        while data:
            size = data[0]
            if not size or size + 1 > len(data):
                raise NodeError('ERR_INVALID_ARG_VALUE', 'The argument \'options.ALPNProtocols\' is invalid')
            names.append(data[1:size + 1].decode('latin-1'))
            data = data[size + 1:]
        return names
    if not isinstance(value, (list, tuple)):
        raise ERR_INVALID_ARG_TYPE('options.ALPNProtocols', ['Array', 'Buffer', 'TypedArray', 'DataView'],
                                   value)
    names = []
    for i, item in enumerate(value):
        if isinstance(item, (bytes, bytearray)):
            item = bytes(item).decode('latin-1')
        if not isinstance(item, str):
            raise ERR_INVALID_ARG_TYPE(f'options.ALPNProtocols[{i}]', ['string', 'Buffer'], item)
        size = len(item.encode('latin-1', 'replace'))
        if size > 255:
            raise ERR_ALPN_TOO_LONG(i, size)
        if not size:
            raise NodeError('ERR_INVALID_ARG_VALUE', f"The argument 'options.ALPNProtocols[{i}]' is empty")
        names.append(item)
    return names


def _temp_file(data: bytes) -> str:
    fd, path = tempfile.mkstemp(suffix='.pem', dir='/dev/shm' if os.path.isdir('/dev/shm') else None)
    with os.fdopen(fd, 'wb') as handle:
        handle.write(data)
    return path


class SecureContext:
    """Node's ``SecureContext`` (what ``tls.createSecureContext()`` returns).

    ``context`` is the server-side ``ssl.SSLContext``; :meth:`ssl_context`
    makes the one a given use needs.
    """

    def __init__(self, options: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        opts = tls_options(options, CONTEXT_OPTIONS)
        opts.update(kwargs)
        self.options = opts
        self._keys = _pem_list(opts.get('key'), 'key')
        self._certs = _pem_list(opts.get('cert'), 'cert')
        self._ca = _pem_list(opts.get('ca'), 'ca')
        passphrase = opts.get('passphrase')
        if passphrase is not None and not isinstance(passphrase, (str, bytes)):
            raise ERR_INVALID_ARG_TYPE('options.passphrase', 'string', passphrase)
        self._passphrase = passphrase
        self._min = _version(opts.get('min_version'), 'minimum')
        self._max = _version(opts.get('max_version'), 'maximum')
        ciphers = opts.get('ciphers')
        if ciphers is not None and not isinstance(ciphers, str):
            raise ERR_INVALID_ARG_TYPE('options.ciphers', 'string', ciphers)
        self._built: dict[tuple[Any, ...], ssl.SSLContext] = {}
        self.context = self.ssl_context(True)   # everything is checked here, at the call

    def ssl_context(self, server_side: bool, request_cert: bool = False,
                    reject_unauthorized: bool = True, alpn: list[str] | None = None) -> ssl.SSLContext:
        """The ``ssl.SSLContext`` for one side and these per-use options (made once)."""
        key = (server_side, request_cert, reject_unauthorized, tuple(alpn or ()))
        ctx = self._built.get(key)
        if ctx is None:
            ctx = self._built[key] = self._build(server_side, request_cert, reject_unauthorized, alpn)
        return ctx

    def _build(self, server_side: bool, request_cert: bool, reject_unauthorized: bool,
               alpn: list[str] | None) -> ssl.SSLContext:
        ctx = StdSSLContext(ssl.PROTOCOL_TLS_SERVER if server_side else ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False   # Node checks the name after the handshake (check_server_identity)
        set_attr(ctx, 'options', ctx.options | getattr(ssl, 'OP_NO_RENEGOTIATION', 0))
        if self._min is not None:
            set_attr(ctx, 'minimum_version', self._min)
        if self._max is not None:
            set_attr(ctx, 'maximum_version', self._max)
        ciphers = self.options.get('ciphers')
        if ciphers:
            try:
                ctx.set_ciphers(ciphers)
            except ssl.SSLError:
                raise NodeError('ERR_SSL_NO_CIPHER_MATCH',
                                'error:0A0000B9:SSL routines::no cipher match') from None
        curve = self.options.get('ecdh_curve')
        if curve and curve != 'auto':
            try:
                ctx.set_ecdh_curve(curve)
            except (ValueError, ssl.SSLError):
                raise NodeError('ERR_CRYPTO_OPERATION_FAILED', 'Failed to set ECDH curve') from None
        self._load_chains(ctx)
        if self._ca:
            try:
                ctx.load_verify_locations(cadata=b'\n'.join(self._ca).decode('latin-1'))
            except ssl.SSLError as err:
                raise ossl_error(err, 'NO_CERTIFICATE_OR_CRL_FOUND') from None
        elif request_cert or not server_side:
            ctx.load_default_certs(ssl.Purpose.CLIENT_AUTH if server_side else ssl.Purpose.SERVER_AUTH)
        if server_side:
            if request_cert and not reject_unauthorized:
                raise ERR_TLS_UNSUPPORTED('accept an unverified client certificate (request_cert=True '
                                          'with reject_unauthorized=False)')
            set_attr(ctx, 'verify_mode', ssl.CERT_REQUIRED if request_cert else ssl.CERT_NONE)
        else:
            set_attr(ctx, 'verify_mode', ssl.CERT_REQUIRED if reject_unauthorized else ssl.CERT_NONE)
        if alpn:
            ctx.set_alpn_protocols(alpn)
        return ctx

    def _load_chains(self, ctx: ssl.SSLContext) -> None:
        keys, certs = self._keys, self._certs
        if not certs:
            return
        for i, cert in enumerate(certs):
            key = keys[i] if i < len(keys) else (keys[0] if keys else None)
            if b'-----BEGIN' not in cert or b'CERTIFICATE-----' not in cert:
                raise NodeError('ERR_OSSL_PEM_NO_START_LINE', 'error:0480006C:PEM routines::no start line')
            if key is not None and (b'-----BEGIN' not in key or b'PRIVATE KEY-----' not in key):
                raise NodeError('ERR_OSSL_UNSUPPORTED', 'error:1E08010C:DECODER routines::unsupported')
            passphrase = self._passphrase
            paths = [_temp_file(cert)] + ([_temp_file(key)] if key is not None else [])
            try:
                ctx.load_cert_chain(paths[0], paths[1] if key is not None else None,
                                    password=_password(passphrase))
            except ssl.SSLError as err:
                reason = getattr(err, 'reason', None) or ''
                if reason in ('BAD_DECRYPT', 'BAD_PASSWORD_READ') or (key and b'ENCRYPTED' in key):
                    raise NodeError('ERR_OSSL_BAD_DECRYPT',
                                    'error:1C800064:Provider routines::bad decrypt') from None
                raise ossl_error(err) from None
            finally:
                for path in paths:
                    os.unlink(path)


def _password(passphrase: Any) -> Any:
    """A password callback that never prompts: a key that needs one and has
    none fails (Node's ``ERR_OSSL_BAD_DECRYPT``)."""
    return lambda: passphrase or b''


def create_secure_context(options: Mapping[str, Any] | None = None, **kwargs: Any) -> SecureContext:
    """Node's ``tls.createSecureContext(options)``."""
    return SecureContext(options, **kwargs)


_CLIENT_CACHE: dict[tuple[Any, ...], SecureContext] = {}


def ssl_context_for(opts: Mapping[str, Any], server_side: bool, request_cert: bool,
                    reject_unauthorized: bool, alpn: list[str] | None) -> ssl.SSLContext:
    """The ``ssl.SSLContext`` of a connection: from ``secure_context`` (a
    ``SecureContext`` or an ``ssl.SSLContext``, used as given), else from the
    context options (the same options give the same context, so that a
    client's sessions can be resumed)."""
    given = opts.get('secure_context')
    if isinstance(given, ssl.SSLContext):
        if alpn:
            given.set_alpn_protocols(alpn)
        return given
    if given is not None and not isinstance(given, SecureContext):
        raise ERR_INVALID_ARG_TYPE('options.secureContext', 'SecureContext', given)
    if given is None:
        key = tuple(_freeze(opts.get(name)) for name in CONTEXT_OPTIONS)
        given = _CLIENT_CACHE.get(key)
        if given is None:
            given = SecureContext({}, **{k: opts[k] for k in CONTEXT_OPTIONS if opts.get(k) is not None})
            if len(_CLIENT_CACHE) >= 64:
                _CLIENT_CACHE.clear()
            _CLIENT_CACHE[key] = given
    return given.ssl_context(server_side, request_cert, reject_unauthorized, alpn)


def _freeze(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value


def session_id(tls: ssl.SSLObject) -> bytes | None:
    """What tells one session (or ticket) of a connection from another:
    ``None`` before there is one."""
    session = tls.session
    if session is None or not session.has_ticket and not session.id:
        return None
    return bytes(session.id) + session.ticket_lifetime_hint.to_bytes(8, 'big') + \
        int(session.time).to_bytes(8, 'big')
