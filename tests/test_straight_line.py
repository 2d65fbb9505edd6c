"""Straight-line reading over real sockets: the KV example served by a loop
per connection (``for line in conn.makefile('rb')`` in the connection
listener, on the connection's own strand), ``for chunk in socket`` and
``makefile()`` from other greenlets, writes that wait for ``'drain'``, and
the socket's events still coming while a listener waits on its socket."""
import os
import socket as std
import sys

import gevent
import pytest
from conftest import ROOT, close_server, get, listen, wait_flag
from gevent.event import AsyncResult, Event

import greennet

sys.path.insert(0, os.path.join(ROOT, 'examples'))
import kv_server  # noqa: E402

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def kv():
    kv_server.store.clear()
    server = greennet.create_server(kv_server.serve)
    port = listen(server, 0, '127.0.0.1')['port']
    yield port
    close_server(server)


def _talk(port, *parts, half_close=True):
    """Send ``parts`` one write each (waiting for nothing between them),
    half-close, and return everything the server said until its end."""
    s = gevent.socket.create_connection(('127.0.0.1', port))
    try:
        for part in parts:
            s.sendall(part)
        if half_close:
            s.shutdown(std.SHUT_WR)
        data = b''
        while True:
            got = s.recv(65536)
            if not got:
                return data
            data += got
    finally:
        s.close()


def test_kv_pipelined_requests_in_one_write(kv):
    assert _talk(kv, b'SET a 1\nSET b 2\nGET a\nGET b\nDEL a\nGET a\nDEL a\nNOPE\n') == \
        b'OK\nOK\n1\n2\n1\nNIL\n0\nERR\n'


def test_kv_line_split_across_writes(kv):
    s = gevent.socket.create_connection(('127.0.0.1', kv))
    s.sendall(b'SE')
    s.sendall(b'T key val')   # nothing answered before the newline
    s.sendall(b'ue\nGET k')
    assert s.recv(100) == b'OK\n'
    s.sendall(b'ey\n')
    assert s.recv(100) == b'value\n'
    s.close()


def test_kv_half_close_gets_every_answer_then_the_end(kv):
    # The client ends its side right after its requests: every answer still
    # comes, then the server's FIN (allow_half_open=False ends it after 'end').
    many = b''.join(b'SET k%d %d\n' % (i, i) for i in range(2000)) + b'GET k1999'
    answer = _talk(kv, many)
    assert answer == b'OK\n' * 2000 + b'1999\n'


def test_kv_twenty_clients_are_served_concurrently(kv):
    # Every client must get its first answer before any sends its second
    # request: a server that served one connection to its end before the
    # next could never get past the barrier.
    n = 20
    first = [Event() for _ in range(n)]
    everyone = Event()
    results = {}

    def client(i):
        if i % 2:
            s = gevent.socket.create_connection(('127.0.0.1', kv))
            f = s.makefile('rwb')
        else:   # half of them greennet clients read straight-line from a spawned greenlet
            s = greennet.connect(kv, '127.0.0.1')
            f = s.makefile('rwb')
        f.write(b'SET c%d v%d\n' % (i, i))
        f.flush()
        assert f.readline() == b'OK\n'
        first[i].set()
        everyone.wait()
        f.write(b'GET c%d\nGET c%d\n' % (i, (i + 1) % n))
        f.flush()
        results[i] = (f.readline(), f.readline())
        f.close()
        if i % 2:
            s.close()
        else:
            s.destroy()

    greenlets = [gevent.spawn(client, i) for i in range(n)]
    for flag in first:
        wait_flag(flag, what='a first answer')
    everyone.set()
    gevent.joinall(greenlets, timeout=10, raise_error=True)
    assert results == {i: (b'v%d\n' % i, b'v%d\n' % ((i + 1) % n)) for i in range(n)}


def test_kv_example_runs_as_a_script():
    import subprocess

    from conftest import PYTHON, python_env
    s = std.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    proc = subprocess.Popen([PYTHON, os.path.join(ROOT, 'examples', 'kv_server.py'), str(port)],
                            env=python_env(), stdout=subprocess.PIPE, text=True)
    try:
        pool = gevent.get_hub().threadpool
        line = pool.apply_async(proc.stdout.readline).get(timeout=15)
        assert line.strip() == f'listening on {port}'
        assert _talk(port, b'SET x 42\nGET x\n') == b'OK\n42\n'
    finally:
        proc.terminate()
        proc.wait(10)


# -- for chunk in socket -----------------------------------------------------------


def test_iterating_a_client_from_the_main_greenlet():
    server = greennet.create_server(lambda c: (c.write('one'), c.end('two')))
    port = listen(server, 0, '127.0.0.1')['port']
    client = greennet.connect(port, '127.0.0.1')
    closed = AsyncResult()
    client.on('close', closed.set)
    got = b''.join(chunk for chunk in client)
    assert got == b'onetwo'
    assert client.destroyed and get(closed) is False
    close_server(server)


def test_breaking_out_destroys_with_abort_error():
    errors = AsyncResult()
    server = greennet.create_server(lambda c: c.write('x' * 10))
    port = listen(server, 0, '127.0.0.1')['port']
    client = greennet.connect(port, '127.0.0.1')
    for chunk in client:
        assert chunk
        break
    client.on('error', errors.set)   # the iterator's own listener handles it too
    assert client.destroyed
    assert get(errors).code == 'ABORT_ERR'
    close_server(server)


def test_iterator_raises_the_sockets_error():
    def on_connection(conn):
        conn.write('hi', lambda *_: conn.reset_and_destroy())
    server = greennet.create_server(on_connection)
    port = listen(server, 0, '127.0.0.1')['port']
    client = greennet.connect(port, '127.0.0.1')
    got = []
    with pytest.raises(OSError) as info:
        for chunk in client:
            got.append(chunk)
    assert info.value.code == 'ECONNRESET'
    assert got == [b'hi']
    close_server(server)


# -- makefile ----------------------------------------------------------------------


def test_makefile_text_mode_readline_read_and_iteration():
    def on_connection(conn):
        conn.write('first line\nsecond ')
        conn.write('line\n\u00e9t\u00e9\n')
        conn.end('rest')
    server = greennet.create_server(on_connection)
    port = listen(server, 0, '127.0.0.1')['port']
    client = greennet.connect(port, '127.0.0.1')
    f = client.makefile('r', encoding='utf-8')
    assert f.readline() == 'first line\n'
    assert f.read(5) == 'secon'
    assert list(f) == ['d line\n', '\u00e9t\u00e9\n', 'rest']
    assert f.read() == ''
    f.close()
    assert not client.destroyed   # closing the file leaves the socket alone
    client.destroy()
    close_server(server)


def test_makefile_write_waits_for_drain_from_the_listener_strand():
    # The connection listener writes 8 MiB through an unbuffered file: each
    # write returns only once the socket drained, so its queue stays bounded
    # while a slow peer reads, and every byte arrives in order.
    total, chunk = 8 * 1024 * 1024, 256 * 1024
    peaks = []

    def on_connection(conn):
        f = conn.makefile('wb', buffering=0)
        for i in range(total // chunk):
            f.write(bytes([i % 251]) * chunk)
            peaks.append(conn.writable_length)
        conn.end()
    server = greennet.create_server(on_connection)
    port = listen(server, 0, '127.0.0.1')['port']
    s = gevent.socket.create_connection(('127.0.0.1', port))
    s.setsockopt(std.SOL_SOCKET, std.SO_RCVBUF, 64 * 1024)
    received = bytearray()
    while True:
        got = s.recv(65536)
        if not got:
            break
        received += got
        if len(received) % (1024 * 1024) < 65536:
            gevent.sleep(0)   # a slow reader: let the writer fill up
    s.close()
    assert len(received) == total
    assert all(received[i * chunk] == i % 251 for i in range(total // chunk))
    assert max(peaks) < greennet.Socket().writable_high_water_mark
    close_server(server)


def test_idle_timeout_fires_while_the_listener_waits_in_readline():
    # 'timeout' is deferred to the strand from the hub while the listener
    # holds it in readline(): the waiting listener runs it (and the destroy
    # it calls), so readline() sees the end instead of hanging.
    outcome = AsyncResult()

    def on_connection(conn):
        conn.set_timeout(50)
        conn.on('timeout', conn.destroy)
        f = conn.makefile('rb')
        first = f.readline()
        outcome.set((first, f.readline(), conn.destroyed))
    server = greennet.create_server(on_connection)
    port = listen(server, 0, '127.0.0.1')['port']
    s = gevent.socket.create_connection(('127.0.0.1', port))
    s.sendall(b'hello\n')
    assert get(outcome) == (b'hello\n', b'', True)
    s.close()
    close_server(server)


def test_a_raising_listener_run_by_the_waiting_strand_destroys_the_socket(hub_errors):
    boom = RuntimeError('boom')
    outcome = AsyncResult()

    def on_connection(conn):
        def on_data(_):
            raise boom
        conn.on('data', on_data)    # read() emits 'data' too: the pump runs this listener
        f = conn.makefile('rb')
        try:
            assert f.readline() == b'a\n'
            assert f.readline() == b'b\n'   # already in the file's buffer
            f.readline()                     # the socket's error
            outcome.set('no error')
        except Exception as exc:
            outcome.set(exc)
    server = greennet.create_server(on_connection)
    port = listen(server, 0, '127.0.0.1')['port']
    s = gevent.socket.create_connection(('127.0.0.1', port))
    s.sendall(b'a\nb\n')
    assert get(outcome) is boom
    s.close()
    close_server(server)
    hub_errors.expected = True
    assert boom in hub_errors.types() or any(v is boom for _c, v in hub_errors)


def test_a_file_left_open_does_not_hold_the_peers_end_once_the_socket_ended():
    # A file that read once and is kept, neither read nor closed: once the
    # socket has ended its side, the peer's end is not held for the file.
    import greennet
    from gevent.event import AsyncResult
    kept = []
    closed = AsyncResult()

    def on_connection(conn):
        conn.on('close', closed.set)
        f = conn.makefile('rb')
        kept.append(f)
        for line in f:
            if line == b'quit\n':
                conn.end(b'bye\n')
                break
    server = greennet.create_server(on_connection)
    ready = AsyncResult()
    server.listen(0, '127.0.0.1', lambda: ready.set(server.address()['port']))
    client = greennet.connect(ready.get(timeout=5), '127.0.0.1')
    got = bytearray()
    client.on('data', got.extend)
    client.on('end', client.end)
    client.write(b'hello\nquit\n')
    assert closed.get(timeout=5) is False
    assert bytes(got) == b'bye\n'
    server.close()
