"""greennet.tls against clients and servers nobody here wrote (``openssl
s_client``/``s_server``, Python's ``ssl``), bad input as coded errors at the
call, a TLS proxy through ``pipe()``, and destroy during the handshake.

Certificates: the test-only PEMs of tests/certs (see its README)."""
from __future__ import annotations

import hashlib
import os
import select
import shutil
import socket
import ssl
import subprocess

import gevent
import pytest
from gevent.event import AsyncResult

import greennet
import greennet.tls as tls
from greennet.runtime import raw_socket

CERTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'certs')
WAIT = 5.0
OPENSSL = shutil.which('openssl')
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason='needs the openssl command')


def pem(name: str) -> bytes:
    with open(os.path.join(CERTS, name + '.pem'), 'rb') as fh:
        return fh.read()


def path(name: str) -> str:
    return os.path.join(CERTS, name + '.pem')


def echo_server(**options):
    server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert'), **options},
                               lambda s: s.pipe(s))
    ready = AsyncResult()
    server.listen(0, '127.0.0.1', lambda: ready.set(server.address()['port']))
    return server, ready.get(timeout=WAIT)


def run_blocking(fn, *args):
    """Run a blocking call (a subprocess, a blocking socket) in a thread of
    the hub's pool, so that the greennet side goes on meanwhile."""
    return gevent.get_hub().threadpool.apply(fn, args)


# -- openssl s_client against a greennet server ---------------------------------


@needs_openssl
@pytest.mark.timeout(20)
@pytest.mark.parametrize('version', ['-tls1_2', '-tls1_3'])
def test_s_client_sni_alpn(version):
    server, port = echo_server(ALPNProtocols=['h2', 'http/1.1'])
    seen = AsyncResult()
    server.on('secureConnection', lambda s: s.on('data', lambda d: seen.set(
        (s.servername, s.alpn_protocol, s.get_protocol(), d))))
    proc = run_blocking(lambda: subprocess.run(
        [OPENSSL, 's_client', '-connect', f'127.0.0.1:{port}', '-servername', 'localhost', '-alpn', 'h2',
         '-CAfile', path('ca-cert'), '-verify_return_error', version, '-no_ign_eof'],
        input=b'ping\n', capture_output=True, timeout=10))
    assert proc.returncode == 0, proc.stderr
    assert b'Verification: OK' in proc.stdout
    name, alpn, protocol, data = seen.get(timeout=WAIT)
    assert data == b'ping\n'
    assert (name, alpn) == ('localhost', 'h2')
    assert protocol == ('TLSv1.2' if version == '-tls1_2' else 'TLSv1.3')
    server.close()


@needs_openssl
@pytest.mark.timeout(20)
def test_s_client_resumption(tmp_path):
    server, port = echo_server(maxVersion='TLSv1.2')
    with_session = str(tmp_path / 'session.pem')
    try:
        args = [OPENSSL, 's_client', '-connect', f'127.0.0.1:{port}', '-CAfile', path('ca-cert'),
                '-servername', 'localhost']
        args.append('-no_ign_eof')
        first = run_blocking(lambda: subprocess.run(args + ['-sess_out', with_session], input=b'',
                                                    capture_output=True, timeout=10))
        second = run_blocking(lambda: subprocess.run(args + ['-sess_in', with_session], input=b'',
                                                     capture_output=True, timeout=10))
        assert b'New, TLSv1.2' in first.stdout
        assert b'Reused, TLSv1.2' in second.stdout
    finally:
        if os.path.exists(with_session):
            os.unlink(with_session)
        server.close()


# -- a greennet client against openssl s_server ---------------------------------


@needs_openssl
@pytest.mark.timeout(20)
def test_client_against_s_server():
    probe = raw_socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    proc = subprocess.Popen([OPENSSL, 's_server', '-accept', f'127.0.0.1:{port}',
                             '-cert', path('server-cert'), '-key', path('server-key'), '-alpn', 'x-test',
                             '-rev', '-naccept', '1'],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        while b'ACCEPT' not in run_blocking(proc.stdout.readline):
            pass
        got = AsyncResult()
        data = []

        def on_secure():
            c.write('hello\n')
        c = tls.connect(port, '127.0.0.1', {'ca': pem('ca-cert'), 'ALPNProtocols': ['x-test']}, on_secure)
        c.on('data', lambda d: (data.append(d), b'olleh' in b''.join(data) and got.set(c.alpn_protocol)))
        c.on('error', got.set_exception)
        assert got.get(timeout=WAIT) == 'x-test'
        assert c.authorized
        c.destroy()
    finally:
        proc.kill()
        proc.wait()


# -- Python's ssl client, and a big transfer both ways ---------------------------


@pytest.mark.timeout(20)
def test_python_ssl_client_8mib_both_ways():
    server, port = echo_server()
    payload = os.urandom(8 << 20)

    def client():
        # One thread: an SSL object must not be read and written from two at once.
        ctx = ssl.create_default_context(cafile=path('ca-cert'))
        with socket.create_connection(('127.0.0.1', port)) as raw, \
                ctx.wrap_socket(raw, server_hostname='localhost') as conn:
            conn.setblocking(False)
            received = bytearray()
            sent = 0
            while len(received) < len(payload):
                want_write = [conn] if sent < len(payload) else []
                readable, writable, _ = select.select([conn], want_write, [], 15)
                if not readable and not writable:
                    break
                if writable:
                    try:
                        sent += conn.send(payload[sent:sent + (1 << 16)])
                    except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
                        pass
                while True:
                    try:
                        chunk = conn.recv(1 << 20)
                    except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                        break
                    if not chunk:
                        return hashlib.sha256(received).hexdigest()
                    received.extend(chunk)
            return hashlib.sha256(received).hexdigest()
    assert run_blocking(client) == hashlib.sha256(payload).hexdigest()
    server.close()


# -- bad input: coded errors at the call --------------------------------------------


@pytest.mark.parametrize('options, code', [
    ({'key': 'garbage', 'cert': pem('server-cert')}, 'ERR_OSSL_UNSUPPORTED'),
    ({'key': pem('server-key'), 'cert': 'garbage'}, 'ERR_OSSL_PEM_NO_START_LINE'),
    ({'key': pem('other-key'), 'cert': pem('server-cert')}, 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'),
    ({'key': pem('server-enc-key'), 'cert': pem('server-cert'), 'passphrase': 'wrong'},
     'ERR_OSSL_BAD_DECRYPT'),
    ({'key': pem('server-enc-key'), 'cert': pem('server-cert')}, 'ERR_OSSL_BAD_DECRYPT'),
    ({'minVersion': 'TLSv1.9'}, 'ERR_TLS_INVALID_PROTOCOL_VERSION'),
    ({'max_version': 'bogus'}, 'ERR_TLS_INVALID_PROTOCOL_VERSION'),
    ({'ciphers': 'NOPE'}, 'ERR_SSL_NO_CIPHER_MATCH'),
])
def test_secure_context_errors(options, code):
    with pytest.raises(Exception) as info:
        tls.create_secure_context(options)
    assert info.value.code == code


def test_passphrase_key_loads():
    tls.create_secure_context({'key': pem('server-enc-key'), 'cert': pem('server-cert'),
                               'passphrase': 'secret'})


@pytest.mark.parametrize('options, code', [
    ({'ALPNProtocols': 5}, 'ERR_INVALID_ARG_TYPE'),
    ({'ALPNProtocols': ['x' * 300]}, 'ERR_OUT_OF_RANGE'),
    ({'SNICallback': 5}, 'ERR_INVALID_ARG_TYPE'),
    ({'handshakeTimeout': 'x'}, 'ERR_INVALID_ARG_TYPE'),
    ({'requestCert': True, 'rejectUnauthorized': False}, 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM'),
])
def test_server_option_errors(options, code):
    with pytest.raises(Exception) as info:
        tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert'), **options})
    assert info.value.code == code


def test_check_server_identity():
    cert = {'subject': {'CN': 'x'}, 'subjectaltname': 'DNS:*.example.com, IP Address:127.0.0.1'}
    assert tls.check_server_identity('a.example.com', cert) is None
    assert tls.check_server_identity('127.0.0.1', cert) is None
    assert tls.check_server_identity('a.b.example.com', cert).code == 'ERR_TLS_CERT_ALTNAME_INVALID'
    assert tls.check_server_identity('example.com', cert).code == 'ERR_TLS_CERT_ALTNAME_INVALID'
    assert tls.check_server_identity('localhost', {'subject': {'CN': 'localhost'}}) is None


# -- a TLS proxy through pipe(), destroy during the handshake, rotation ----------


@pytest.mark.timeout(20)
def test_pipe_through_tls_proxy():
    """client --TLS--> proxy (tls server) --TLS--> echo (tls server)."""
    echo, echo_port = echo_server()

    def on_proxy(s):
        upstream = tls.connect(echo_port, '127.0.0.1', {'ca': pem('ca-cert'), 'servername': 'localhost'})
        s.pipe(upstream).pipe(s)
    proxy = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert')}, on_proxy)
    ready = AsyncResult()
    proxy.listen(0, '127.0.0.1', lambda: ready.set(proxy.address()['port']))
    port = ready.get(timeout=WAIT)
    payload = os.urandom(3 << 20)
    got = bytearray()
    done = AsyncResult()
    c = tls.connect(port, '127.0.0.1', {'ca': pem('ca-cert'), 'servername': 'localhost'})
    c.write(payload)

    def on_data(d):
        got.extend(d)
        if len(got) >= len(payload):
            done.set(bytes(got))
    c.on('data', on_data)
    assert hashlib.sha256(done.get(timeout=10)).digest() == hashlib.sha256(payload).digest()
    c.destroy()
    proxy.close()
    echo.close()


@pytest.mark.timeout(10)
def test_destroy_during_handshake_and_write_callbacks():
    server, port = echo_server()
    errors = []
    closed = AsyncResult()
    c = tls.connect(port, '127.0.0.1', {'ca': pem('ca-cert')})
    c.write('held for the handshake', lambda err=None: errors.append(err))
    c.on('connect', lambda: c.destroy())
    c.on('secureConnect', lambda: errors.append('secureConnect'))
    c.on('close', closed.set)
    closed.get(timeout=WAIT)
    assert errors == [None]   # as Node: the write reached the TLS layer, which completes it
    server.close()


@pytest.mark.timeout(10)
def test_set_secure_context_rotates():
    server, port = echo_server()
    server.set_secure_context({'key': pem('other-key'), 'cert': pem('other-cert')})
    got = AsyncResult()
    c = tls.connect(port, '127.0.0.1', {'ca': pem('ca-cert'), 'servername': 'x.other.example'},
                    lambda: got.set(c.get_peer_certificate()['subject']['CN']))
    c.on('error', got.set_exception)
    assert got.get(timeout=WAIT) == 'other.example'
    c.destroy()
    server.close()


@pytest.mark.timeout(10)
def test_max_connections_and_timeout_apply():
    server, port = echo_server()
    server.max_connections = 1
    drops = AsyncResult()
    server.on('drop', lambda data: drops.set(True))
    first = AsyncResult()
    a = tls.connect(port, '127.0.0.1', {'ca': pem('ca-cert')}, lambda: first.set(True))
    first.get(timeout=WAIT)
    b = tls.connect(port, '127.0.0.1', {'ca': pem('ca-cert')})
    b.on('error', lambda e: None)
    assert drops.get(timeout=WAIT)
    timed_out = AsyncResult()
    a.set_timeout(50, lambda: timed_out.set(True))
    assert timed_out.get(timeout=WAIT)
    a.destroy()
    b.destroy()
    server.close()


def test_exports():
    assert issubclass(tls.TLSSocket, greennet.Socket)
    assert issubclass(tls.Server, greennet.Server)


@pytest.mark.timeout(15)
def test_straight_line_server_over_tls():
    """A 'secureConnection' listener reading lines with makefile(), on its own strand."""
    def on_secure(s):
        with s.makefile('rwb') as f:
            for line in f:
                f.write(line.upper())
                f.flush()
        s.end()
    server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert')})
    server.on('secureConnection', on_secure)
    ready = AsyncResult()
    server.listen(0, '127.0.0.1', lambda: ready.set(server.address()['port']))
    port = ready.get(timeout=WAIT)
    got = bytearray()
    done = AsyncResult()
    c = tls.connect(port, '127.0.0.1', {'ca': pem('ca-cert'), 'servername': 'localhost'})
    c.on('data', got.extend)
    c.on('end', lambda: done.set(bytes(got)))
    c.write(b'one\ntw')
    c.write(b'o\nthree\n')
    c.end()
    assert done.get(timeout=WAIT) == b'ONE\nTWO\nTHREE\n'
    server.close()


@pytest.mark.timeout(15)
@pytest.mark.parametrize('version', ['TLSv1.2', 'TLSv1.3'])
def test_a_secure_connection_listener_that_blocks_does_not_stall_the_handshake(version):
    """The server's last handshake flight is not held back by a listener that blocks."""
    def on_secure(s):
        with s.makefile('rwb') as f:          # blocks this connection's strand until a line comes
            line = f.readline()
            f.write(line.upper())
            f.flush()
        s.end()
    server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert'),
                                'max_version': version})
    server.on('secureConnection', on_secure)
    ready = AsyncResult()
    server.listen(0, '127.0.0.1', lambda: ready.set(server.address()['port']))
    port = ready.get(timeout=WAIT)
    got = AsyncResult()
    c = tls.connect(port, '127.0.0.1', {'ca': pem('ca-cert'), 'servername': 'localhost'})
    c.on('secureConnect', lambda: c.write(b'ping\n'))   # only once the handshake is done
    c.on('data', got.set)
    assert got.get(timeout=WAIT) == b'PING\n'
    c.destroy()
    server.close()
