"""``check_server_identity()`` and the peer certificate as Node shows it.

The certificate is Node's object: ``subject`` and ``issuer`` (short names:
``CN``, ``O``...), ``subjectaltname`` (``'DNS:localhost, IP Address:127.0.0.1'``),
``valid_from``, ``valid_to``, ``serialNumber``, ``fingerprint``,
``fingerprint256``, ``fingerprint512`` and ``raw`` (the DER bytes).
"""
from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import ssl
import tempfile
from typing import Any

from ..address import is_ip
from .errors import ERR_TLS_CERT_ALTNAME_INVALID

__all__ = ['check_server_identity', 'peer_certificate']

#: OpenSSL's long attribute names, as Node shortens them.
_SHORT = {
    'commonName': 'CN', 'organizationName': 'O', 'organizationalUnitName': 'OU', 'countryName': 'C',
    'stateOrProvinceName': 'ST', 'localityName': 'L', 'emailAddress': 'emailAddress',
    'domainComponent': 'DC', 'serialNumber': 'serialNumber', 'givenName': 'GN', 'surname': 'SN',
    'title': 'title', 'streetAddress': 'street', 'postalCode': 'postalCode', 'userId': 'UID',
}
_BAD = re.compile(r'[^\u0021-\u007F]')


def _names(rdns: Any) -> dict[str, Any]:
    """An X.509 name as Node's object (a repeated key becomes a list)."""
    out: dict[str, Any] = {}
    for rdn in rdns or ():
        for key, value in rdn:
            key = _SHORT.get(key, key)
            if key in out:
                out[key] = (out[key] if isinstance(out[key], list) else [out[key]]) + [value]
            else:
                out[key] = value
    return out


def _colon_hex(digest: bytes) -> str:
    return ':'.join(f'{b:02X}' for b in digest)


def _decode(der: bytes) -> dict[str, Any]:
    """Python's decoding of a certificate, which ``ssl`` only does from a file."""
    fd, path = tempfile.mkstemp(suffix='.pem', dir='/dev/shm' if os.path.isdir('/dev/shm') else None)
    try:
        with os.fdopen(fd, 'w') as handle:
            handle.write(ssl.DER_cert_to_PEM_cert(der))
        return ssl._ssl._test_decode_cert(path)  # type: ignore[attr-defined]
    finally:
        os.unlink(path)


def peer_certificate(der: bytes | None, decoded: dict[str, Any] | None = None) -> dict[str, Any]:
    """Node's certificate object for a DER certificate (``{}`` without one)."""
    if not der:
        return {}
    info = decoded or _decode(der)
    alt = ', '.join(f'{kind}:{value}' for kind, value in info.get('subjectAltName', ()))
    cert: dict[str, Any] = {'subject': _names(info.get('subject')), 'issuer': _names(info.get('issuer'))}
    if alt:
        cert['subjectaltname'] = alt
    cert.update({
        'valid_from': info.get('notBefore'), 'valid_to': info.get('notAfter'),
        'fingerprint': _colon_hex(hashlib.sha1(der).digest()),
        'fingerprint256': _colon_hex(hashlib.sha256(der).digest()),
        'fingerprint512': _colon_hex(hashlib.sha512(der).digest()),
        'serialNumber': info.get('serialNumber'), 'raw': der,
    })
    return cert


def _canonical_ip(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return text


def _split_host(host: str) -> list[str]:
    return host.rstrip('.').lower().split('.') if host.endswith('.') else host.lower().split('.')


def _check(host_parts: list[str], pattern: Any) -> bool:
    """Node's ``check(hostParts, pattern, wildcards=true)`` (RFC 6125)."""
    if not pattern:
        return False
    parts = _split_host(str(pattern))
    if len(host_parts) != len(parts) or '' in parts or any(_BAD.search(p) for p in parts):
        return False
    for i in range(len(host_parts) - 1, 0, -1):
        if host_parts[i] != parts[i]:
            return False
    host_sub, pattern_sub = host_parts[0], parts[0]
    pieces = pattern_sub.split('*')
    if len(pieces) == 1 or 'xn--' in pattern_sub:
        return host_sub == pattern_sub
    if len(pieces) > 2 or len(parts) <= 2:
        return False
    prefix, suffix = pieces
    return (len(prefix) + len(suffix) <= len(host_sub) and host_sub.startswith(prefix)
            and host_sub.endswith(suffix))


def check_server_identity(hostname: str, cert: dict[str, Any]) -> Exception | None:
    """Node's ``tls.checkServerIdentity``: ``None`` when ``cert`` names
    ``hostname``, else an ``ERR_TLS_CERT_ALTNAME_INVALID`` error (returned,
    not raised)."""
    subject = cert.get('subject') or {}
    alt_names = cert.get('subjectaltname') or ''
    dns_names: list[str] = []
    ips: list[str] = []
    for name in alt_names.split(', ') if alt_names else ():
        if name.startswith('DNS:'):
            dns_names.append(name[4:])
        elif name.startswith('IP Address:'):
            ips.append(_canonical_ip(name[11:]))
    hostname = str(hostname)
    hostname = hostname[:-1] if hostname.endswith('.') else hostname
    valid = False
    reason = 'Unknown reason'
    if is_ip(hostname):
        valid = _canonical_ip(hostname) in ips
        if not valid:
            reason = f"IP: {hostname} is not in the cert's list: " + ', '.join(ips)
    elif dns_names or subject.get('CN'):
        host_parts = _split_host(hostname)
        if dns_names:
            valid = any(_check(host_parts, name) for name in dns_names)
            if not valid:
                reason = f"Host: {hostname}. is not in the cert's altnames: {alt_names}"
        else:
            cn = subject.get('CN')
            valid = any(_check(host_parts, c) for c in cn) if isinstance(cn, list) else _check(host_parts, cn)
            if not valid:
                reason = f"Host: {hostname}. is not cert's CN: {cn}"
    else:
        reason = 'Cert does not contain a DNS name'
    if not valid:
        return ERR_TLS_CERT_ALTNAME_INVALID(reason, hostname, cert)
    return None
