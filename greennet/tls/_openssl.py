"""Two answers of OpenSSL that Python's ``ssl`` does not give, read through
``ctypes`` from the ``SSL *`` of an ``SSLObject``; each is checked (the
pointer must report the same protocol version as the object) and falls back
to "unknown" rather than guess.

- :func:`verify_result`: ``SSL_get_verify_result()``, the verdict on the
  peer's chain when ``verify_mode`` is ``CERT_NONE`` (Node's
  ``authorizationError`` with ``reject_unauthorized=False``);
- :func:`chain_length`: how many certificates the peer sent, so that a
  lone leaf of an unknown issuer is ``UNABLE_TO_VERIFY_LEAF_SIGNATURE`` as
  in Node (whose verification goes on past the first error).
"""
from __future__ import annotations

import ctypes
import ssl
from typing import Any

__all__ = ['verify_result', 'chain_length', 'UNKNOWN']

#: ``X509_V_ERR_APPLICATION_VERIFICATION``: the verdict could not be read.
UNKNOWN = 50

_lib: Any = None


def _ssl_pointer(tls: ssl.SSLObject) -> int | None:
    global _lib
    try:
        if _lib is None:
            import _ssl
            lib = ctypes.CDLL(_ssl.__file__)
            lib.SSL_get_verify_result.restype = ctypes.c_long
            lib.SSL_get_verify_result.argtypes = [ctypes.c_void_p]
            lib.SSL_get_version.restype = ctypes.c_char_p
            lib.SSL_get_version.argtypes = [ctypes.c_void_p]
            lib.SSL_get_peer_cert_chain.restype = ctypes.c_void_p
            lib.SSL_get_peer_cert_chain.argtypes = [ctypes.c_void_p]
            lib.OPENSSL_sk_num.restype = ctypes.c_int
            lib.OPENSSL_sk_num.argtypes = [ctypes.c_void_p]
            _lib = lib
        inner = tls._sslobj  # type: ignore[attr-defined]
        # CPython's PySSLSocket: the object header, a weak reference, then SSL *.
        ptr = ctypes.c_void_p.from_address(id(inner) + 3 * ctypes.sizeof(ctypes.c_void_p)).value
        if not ptr or (_lib.SSL_get_version(ptr) or b'').decode() != (tls.version() or 'TLSv1.3'):
            return None
        return int(ptr)
    except (OSError, AttributeError, ImportError):
        return None


def verify_result(tls: ssl.SSLObject) -> int:
    """``SSL_get_verify_result()`` (0: verified), or :data:`UNKNOWN`."""
    ptr = _ssl_pointer(tls)
    return UNKNOWN if ptr is None else int(_lib.SSL_get_verify_result(ptr))


def chain_length(tls: ssl.SSLObject) -> int:
    """How many certificates the peer sent (0 when unknown)."""
    ptr = _ssl_pointer(tls)
    if ptr is None:
        return 0
    chain = _lib.SSL_get_peer_cert_chain(ptr)
    return int(_lib.OPENSSL_sk_num(chain)) if chain else 0
