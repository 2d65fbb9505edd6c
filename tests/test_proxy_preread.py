"""The client's bytes that arrive with a PROXY header.

A PROXY server reads the header at accept with one ``recv``, which takes
whatever the client sent right behind it (HAProxy forwards the client's
first bytes as soon as they come; a client may send both in one segment).
Those bytes are the socket's first read: buffered before ``'connection'``
(as a Node proxy library's ``unshift()``), so every way of reading sees
them, in order, exactly once. For a TLS server they are ciphertext, and go
to the handshake on the socket's strand.

Each client here sends the header and its first bytes in one ``send``.
"""
from __future__ import annotations

import hashlib
import os
import socket
import ssl

import gevent
import pytest
from conftest import close_server, get, listen
from gevent.event import AsyncResult
from hypothesis import given, settings
from hypothesis import strategies as st

import greennet
import greennet.tls as tls

pytestmark = pytest.mark.timeout(60)

CERTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'certs')
V1 = b'PROXY TCP4 198.51.100.7 10.0.0.1 5151 80\r\n'
V2 = (b'\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c' + socket.inet_aton('198.51.100.7')
      + socket.inet_aton('10.0.0.1') + (5151).to_bytes(2, 'big') + (80).to_bytes(2, 'big'))


def exchange(port: int, *pieces: bytes) -> bytes:
    """Send each of ``pieces`` in its own write (the first: a header and
    payload together); half-close; return everything the server sent back."""
    with socket.create_connection(('127.0.0.1', port), timeout=10) as conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for piece in pieces:
            conn.sendall(piece)
        conn.shutdown(socket.SHUT_WR)
        return b''.join(iter(lambda: conn.recv(65536), b''))


def in_thread(fn, *args):
    return gevent.get_hub().threadpool.spawn(fn, *args)


def serve(on_connection, **options):
    server = greennet.create_server(dict(proxy_protocol=True, **options), on_connection)
    return server, listen(server, port=0, host='127.0.0.1')['port']


def _flowing(sock, seen):
    chunks = []
    sock.on('data', chunks.append)
    sock.on('end', lambda: (seen.set(b''.join(chunks)), sock.end(b''.join(chunks))))


def _paused(sock, seen):
    chunks = []

    def on_readable():
        while (chunk := sock.read()) is not None:
            chunks.append(chunk)
    sock.on('readable', on_readable)
    sock.on('end', lambda: (seen.set(b''.join(chunks)), sock.end(b''.join(chunks))))


def _encoding(sock, seen):
    sock.set_encoding('utf8')
    text = []
    sock.on('data', text.append)
    sock.on('end', lambda: (seen.set(''.join(text).encode()), sock.end(''.join(text))))


def _makefile(sock, seen):
    data = sock.makefile('rb').read()   # straight-line, blocking this connection's strand
    seen.set(data)
    sock.end(data)


def _iterate(sock, seen):
    sock.on('error', lambda err: None)   # leaving the loop destroys it (AbortError), as in Node
    seen.set(b''.join(sock))


_iterate.echoes = False   # type: ignore[attr-defined]


def _late_listener(sock, seen):
    # the 'data' listener comes a turn after 'connection': nothing is lost meanwhile
    gevent.spawn(_flowing, sock, seen)


@pytest.mark.parametrize('header', [V1, V2], ids=['v1', 'v2'])
@pytest.mark.parametrize('reader', [_flowing, _paused, _encoding, _makefile, _iterate, _late_listener])
def test_every_reader_gets_the_first_bytes_once_in_order(header, reader):
    seen = AsyncResult()
    at_connection = []

    def on_connection(sock):
        at_connection.append((sock.remote_address, sock.remote_port))
        reader(sock, seen)
    server, port = serve(on_connection, allow_half_open=True)   # each reader ends when it has read all
    try:
        answer = in_thread(exchange, port, header + b'first line\n', b'second line\n')
        assert get(seen) == b'first line\nsecond line\n'
        echoed = answer.get(timeout=10)
        if getattr(reader, 'echoes', True):
            assert echoed == b'first line\nsecond line\n'
        assert at_connection == [('198.51.100.7', 5151)]
    finally:
        close_server(server)


def test_pause_on_connect_keeps_them_until_resume():
    seen = AsyncResult()

    def on_connection(sock):
        assert sock.is_paused() and sock.bytes_read == len(b'held')
        sock.on('data', lambda data: (seen.set(data), sock.end(data)))   # no flow while paused
        gevent.spawn(sock.resume)
    server, port = serve(on_connection, pause_on_connect=True)
    try:
        answer = in_thread(exchange, port, V1 + b'held')
        assert get(seen) == b'held'
        assert answer.get(timeout=10) == b'held'
    finally:
        close_server(server)


@pytest.mark.parametrize('size', [100_000, 3_000_000])
def test_a_large_first_read_loses_nothing(size):
    """More than a read's worth with the header, and more behind: an echo
    gives it all back, in order."""
    payload = os.urandom(size)
    done = AsyncResult()

    def on_connection(sock):
        sock.on('error', done.set_exception)
        sock.on('close', lambda *_: done.set(sock.bytes_read))
        sock.pipe(sock)
    server, port = serve(on_connection)
    try:
        answer = in_thread(exchange, port, V2 + payload[:70_000], payload[70_000:])
        echoed = answer.get(timeout=30)
        assert hashlib.sha256(echoed).digest() == hashlib.sha256(payload).digest()
        assert get(done, timeout=10) == size    # the header is not the client's: not counted
    finally:
        close_server(server)


def _pem(name: str) -> bytes:
    with open(os.path.join(CERTS, name + '.pem'), 'rb') as fh:
        return fh.read()


def test_tls_client_hello_in_the_headers_segment():
    """The ClientHello rides in the header's segment (``MSG_MORE`` holds
    the header until the hello is written): the handshake still completes."""
    secured = AsyncResult()
    server = tls.create_server({'key': _pem('server-key'), 'cert': _pem('server-cert'),
                                'proxy_protocol': True},
                               lambda s: (s.on('error', lambda err: None),
                                          s.on('data', lambda d: s.end(d.upper())),
                                          secured.set(s.remote_address)))
    port = listen(server, port=0, host='127.0.0.1')['port']

    def client():
        ctx = ssl.create_default_context(cafile=os.path.join(CERTS, 'ca-cert.pem'))
        with socket.create_connection(('127.0.0.1', port), timeout=10) as raw:
            raw.send(V1, socket.MSG_MORE)
            with ctx.wrap_socket(raw, server_hostname='localhost') as conn:
                conn.sendall(b'hello')
                return conn.recv(100)
    try:
        answer = in_thread(client)
        assert get(secured) == '198.51.100.7'
        assert answer.get(timeout=10) == b'HELLO'
    finally:
        close_server(server)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([V1, V2, b'PROXY UNKNOWN\r\n', V2[:12] + b'\x20\x00\x00\x00']),
       st.binary(min_size=1, max_size=3000), st.lists(st.integers(1, 3100), max_size=5))
def test_any_split_of_header_and_payload(header, payload, cuts):
    """However the header and the client's bytes are cut into writes (so
    the header may come whole, in pieces, or with some of the payload), the
    connection sees exactly the payload."""
    stream = header + payload
    edges = sorted({c for c in cuts if c < len(stream)})
    pieces = [stream[a:b] for a, b in zip([0] + edges, edges + [len(stream)])]
    seen = AsyncResult()

    def on_connection(sock):
        _flowing(sock, seen)
    server, port = serve(on_connection, allow_half_open=True)
    try:
        answer = in_thread(exchange, port, *pieces)
        assert get(seen) == payload
        assert answer.get(timeout=10) == payload
    finally:
        close_server(server)
