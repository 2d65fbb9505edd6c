"""Paused mode over real sockets: ``read()``'s sizes, the high water mark
and back-pressure without a reader, ``read()`` from another greenlet, and
the flowing path left as it was."""
import contextvars

import gevent
import pytest
from conftest import close_server, get, listen
from gevent.event import AsyncResult

import greennet

pytestmark = pytest.mark.timeout(20)


def _pair(on_connection):
    server = greennet.create_server(on_connection)
    port = listen(server, 0, '127.0.0.1')['port']
    return server, port


def test_read_sizes_as_node():
    seen = AsyncResult()

    def on_connection(conn):
        def on_readable():
            if conn.readable_length < 10:
                return
            seen.set((conn.read(0), conn.read(11), conn.read(4), conn.readable_length,
                      conn.read(), conn.read(), conn.readable_length))
            conn.destroy()
        conn.on('readable', on_readable)
    server, port = _pair(on_connection)
    client = greennet.connect(port, '127.0.0.1', lambda: client.write(b'0123456789'))
    assert get(seen) == (None, None, b'0123', 6, b'456789', None, 0)
    client.destroy()
    close_server(server)


def test_read_above_the_high_water_mark_grows_it_and_waits_for_that_much():
    size = 100_000
    got = AsyncResult()

    def on_connection(conn):
        def on_readable():
            data = conn.read(size)
            if data is not None:
                got.set((len(data), conn.readable_high_water_mark))
                conn.destroy()
        conn.on('readable', on_readable)
    server, port = _pair(on_connection)
    client = greennet.connect(port, '127.0.0.1')
    client.on('connect', lambda: [client.write(b'x' * 1000) for _ in range(size // 1000)])
    assert get(got) == (size, 131072)
    client.destroy()
    close_server(server)


def test_a_reader_that_does_not_read_stops_reading_at_the_high_water_mark():
    held = AsyncResult()
    sent = {'n': 0}

    def on_connection(conn):
        conn.on('readable', lambda: None)   # paused mode, nothing read
        held.set(conn)
    server, port = _pair(on_connection)
    client = greennet.connect(port, '127.0.0.1')

    def pump_out():
        while client.write(b'y' * 65536):
            sent['n'] += 65536
    client.on('connect', pump_out)
    conn = get(held)
    # The writer is held back: its queue needs 'drain', which never comes.
    drained = AsyncResult()
    client.once('drain', drained.set)
    with pytest.raises(gevent.Timeout):
        drained.get(timeout=0.3)
    assert 16384 <= conn.readable_length <= 16384 + 65536
    assert conn.read(16) == b'y' * 16
    client.destroy()
    conn.destroy()
    close_server(server)


def test_read_from_another_greenlet_emits_data_on_the_strand_in_its_context():
    var = contextvars.ContextVar('who', default='outside')
    seen = AsyncResult()
    ready = AsyncResult()

    def on_connection(conn):
        var.set('strand')
        conn.on('data', lambda d: seen.set((d, var.get())))
        conn.on('readable', lambda: ready.set(conn) if conn.readable_length else None)
    server, port = _pair(on_connection)
    client = greennet.connect(port, '127.0.0.1', lambda: client.write(b'abc'))
    conn = get(ready)
    assert conn.read() == b'abc'           # from the test's greenlet
    assert get(seen) == (b'abc', 'strand')
    client.destroy()
    conn.destroy()
    close_server(server)


def test_pause_and_resume_emit_their_events_and_flowing_sockets_have_no_paused_state():
    events = []
    done = AsyncResult()

    def on_connection(conn):
        conn.on('pause', lambda: events.append('pause'))
        conn.on('resume', lambda: events.append('resume'))
        conn.on('data', lambda d: (events.append(d), conn.pause(), conn.resume(), conn.end()))
        conn.on('close', lambda *_: done.set(conn._rs))
    server, port = _pair(on_connection)
    client = greennet.connect(port, '127.0.0.1', lambda: client.write(b'z'))
    client.resume()
    assert get(done) is None          # a socket that only flows never builds a PausedState
    assert events == ['resume', b'z', 'pause', 'resume']
    close_server(server)


def test_onread_leaves_nothing_for_read():
    got = AsyncResult()
    buf = bytearray(16)

    def on_read(nread, b):
        got.set(bytes(b[:nread]))
    server, port = _pair(lambda c: c.end(b'hey'))
    client = greennet.connect(port, '127.0.0.1', onread={'buffer': buf, 'callback': on_read})
    assert get(got) == b'hey'
    assert client.read() is None
    client.destroy()
    close_server(server)


def test_bad_sizes():
    sock = greennet.Socket()
    with pytest.raises(TypeError) as info:
        sock.read([1])
    assert info.value.code == 'ERR_INVALID_ARG_TYPE'
    with pytest.raises(ValueError) as info:
        sock.read(2 ** 31)
    assert info.value.code == 'ERR_OUT_OF_RANGE'
