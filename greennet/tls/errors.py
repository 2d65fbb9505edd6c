"""TLS errors with Node's codes, each built in one place.

Certificate verification failures carry OpenSSL's ``X509_V_ERR_*`` name
without its prefix (``DEPTH_ZERO_SELF_SIGNED_CERT``), as Node's do; protocol
failures are ``ERR_SSL_<reason>`` (``ERR_SSL_WRONG_VERSION_NUMBER``), and
failures loading keys and certificates ``ERR_OSSL_<reason>``.
"""
from __future__ import annotations

import ssl
from typing import Any

from ..errors import NodeError, NodeRangeError, NodeTypeError
from ._openssl import chain_length

__all__ = ['VERIFY_CODES', 'verify_error', 'ssl_error', 'ossl_error', 'ERR_TLS_HANDSHAKE_TIMEOUT',
           'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_TLS_INVALID_PROTOCOL_VERSION', 'ERR_TLS_UNSUPPORTED',
           'ERR_ALPN_TOO_LONG', 'disconnected_before_secure']

#: OpenSSL's verification results (``X509_V_ERR_*``) as Node names them.
VERIFY_CODES = {
    2: 'UNABLE_TO_GET_ISSUER_CERT', 3: 'UNABLE_TO_GET_CRL', 4: 'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
    5: 'UNABLE_TO_DECRYPT_CRL_SIGNATURE', 6: 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
    7: 'CERT_SIGNATURE_FAILURE', 8: 'CRL_SIGNATURE_FAILURE', 9: 'CERT_NOT_YET_VALID',
    10: 'CERT_HAS_EXPIRED', 11: 'CRL_NOT_YET_VALID', 12: 'CRL_HAS_EXPIRED',
    13: 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 14: 'ERROR_IN_CERT_NOT_AFTER_FIELD',
    15: 'ERROR_IN_CRL_LAST_UPDATE_FIELD', 16: 'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
    17: 'OUT_OF_MEM', 18: 'DEPTH_ZERO_SELF_SIGNED_CERT', 19: 'SELF_SIGNED_CERT_IN_CHAIN',
    20: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 21: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    22: 'CERT_CHAIN_TOO_LONG', 23: 'CERT_REVOKED', 24: 'INVALID_CA', 25: 'PATH_LENGTH_EXCEEDED',
    26: 'INVALID_PURPOSE', 27: 'CERT_UNTRUSTED', 28: 'CERT_REJECTED', 62: 'HOSTNAME_MISMATCH',
}


#: OpenSSL's ``X509_verify_cert_error_string()`` for the common ones.
VERIFY_MESSAGES = {
    2: 'unable to get issuer certificate', 9: 'certificate is not yet valid',
    10: 'certificate has expired', 18: 'self-signed certificate',
    19: 'self-signed certificate in certificate chain', 20: 'unable to get local issuer certificate',
    21: 'unable to verify the first certificate', 50: 'application verification failure',
}


def verify_error(code: int, message: str | None = None) -> NodeError:
    """The error of a certificate that did not verify (OpenSSL's ``code``)."""
    name = VERIFY_CODES.get(code, 'UNSPECIFIED')
    return NodeError(name, message or VERIFY_MESSAGES.get(code) or name.lower().replace('_', ' '))


def ssl_error(err: ssl.SSLError) -> NodeError:
    """A protocol failure as Node reports it: ``ERR_SSL_<REASON>``."""
    if isinstance(err, ssl.SSLCertVerificationError) and err.verify_code:
        return verify_error(err.verify_code, err.verify_message)
    reason = (getattr(err, 'reason', None) or 'UNKNOWN').upper()
    library = getattr(err, 'library', None) or 'SSL'
    text = reason.lower().replace('_', ' ')
    error = NodeError('ERR_SSL_' + reason, f'error:0A000000:{library} routines::{text}')
    error.library = 'SSL routines'  # type: ignore[attr-defined]
    error.reason = reason.lower().replace('_', ' ')  # type: ignore[attr-defined]
    return error


def ossl_error(err: Exception, fallback: str = 'UNSUPPORTED') -> NodeError:
    """A key or certificate OpenSSL would not load: ``ERR_OSSL_<REASON>``."""
    reason = (getattr(err, 'reason', None) or fallback).upper()
    if reason in ('KEY_VALUES_MISMATCH',):
        return NodeError('ERR_OSSL_X509_KEY_VALUES_MISMATCH',
                         'error:05800074:x509 certificate routines::key values mismatch')
    return NodeError('ERR_OSSL_' + reason, reason.lower().replace('_', ' '))


def ERR_TLS_HANDSHAKE_TIMEOUT() -> NodeError:
    return NodeError('ERR_TLS_HANDSHAKE_TIMEOUT', 'TLS handshake timeout')


def ERR_TLS_CERT_ALTNAME_INVALID(reason: str, host: str, cert: Any) -> NodeError:
    error = NodeError('ERR_TLS_CERT_ALTNAME_INVALID',
                      f"Hostname/IP does not match certificate's altnames: {reason}")
    error.reason = reason  # type: ignore[attr-defined]
    error.host = host  # type: ignore[attr-defined]
    error.cert = cert  # type: ignore[attr-defined]
    return error


def ERR_TLS_INVALID_PROTOCOL_VERSION(version: Any, which: str) -> NodeTypeError:
    return NodeTypeError('ERR_TLS_INVALID_PROTOCOL_VERSION',
                         f'"{version}" is not a valid {which} TLS protocol version')


def ERR_TLS_UNSUPPORTED(what: str) -> NodeError:
    """What Python's ``ssl`` cannot do as Node does: refused, never done otherwise."""
    return NodeError('ERR_FEATURE_UNAVAILABLE_ON_PLATFORM',
                     f'greennet.tls cannot {what}: Python\'s ssl module has no way to do it')


def ERR_ALPN_TOO_LONG(index: int, size: int) -> NodeRangeError:
    return NodeRangeError('ERR_OUT_OF_RANGE',
                          f'The byte length of the protocol at index {index} exceeds the maximum '
                          f'length. It must be <= 255. Received {size}')


def disconnected_before_secure(host: str | None, port: int | None) -> OSError:
    """Node's ``ECONNRESET`` for a peer that left before the handshake ended."""
    error = OSError(104, 'Client network socket disconnected before secure TLS connection was '
                         'established')
    error.code = 'ECONNRESET'  # type: ignore[attr-defined]
    error.host = host  # type: ignore[attr-defined]
    error.port = port  # type: ignore[attr-defined]
    return error


def socket_hang_up() -> OSError:
    """Node's ``connResetException('socket hang up')``: a server's connection
    destroyed before its handshake ended (``'tlsClientError'``)."""
    error = OSError(104, 'socket hang up')
    error.code = 'ECONNRESET'  # type: ignore[attr-defined]
    return error


def node_verify_code(tls: Any, code: int) -> int:
    """Node's verification goes on past the first error: a lone leaf whose
    issuer is unknown ends as ``UNABLE_TO_VERIFY_LEAF_SIGNATURE``."""
    if code == 20 and chain_length(tls) == 1:
        return 21
    return code
