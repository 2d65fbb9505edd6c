"""``greennet.once()``: Node's ``events.once`` blocking the calling greenlet,
from the main greenlet, a spawned one, and a socket's own strand."""
import gevent
import pytest
from conftest import close_server, get, listen
from gevent.event import AsyncResult

import greennet
from greennet.errors import AbortError

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
def echo():
    server = greennet.create_server(lambda c: c.pipe(c))
    port = listen(server, 0, '127.0.0.1')['port']
    yield port
    close_server(server)


def test_returns_the_events_arguments_as_a_list(echo):
    client = greennet.connect(echo, '127.0.0.1')
    assert greennet.once(client, 'connect') == []
    client.write('ping')
    assert greennet.once(client, 'data') == [b'ping']
    client.end()
    assert greennet.once(client, 'close') == [False]
    assert client.listeners('error') == [] and client.listeners('close') == []


def test_from_a_spawned_greenlet(echo):
    client = greennet.connect(echo, '127.0.0.1')
    waiter = gevent.spawn(greennet.once, client, 'data')
    client.write('hi')
    assert waiter.get(timeout=5) == [b'hi']
    client.destroy()


def test_raises_the_error_that_comes_first():
    server = greennet.create_server()
    port = listen(server, 0, '127.0.0.1')['port']
    close_server(server)
    client = greennet.connect(port, '127.0.0.1')
    with pytest.raises(OSError) as info:
        greennet.once(client, 'connect')
    assert info.value.code == 'ECONNREFUSED'
    assert client.listeners('connect') == []


def test_waiting_for_error_returns_it():
    server = greennet.create_server()
    port = listen(server, 0, '127.0.0.1')['port']
    close_server(server)
    client = greennet.connect(port, '127.0.0.1')
    [err] = greennet.once(client, 'error')
    assert err.code == 'ECONNREFUSED'


def test_signal_aborts_the_wait(echo):
    client = greennet.connect(echo, '127.0.0.1')
    controller = greennet.AbortController()
    gevent.spawn(controller.abort)
    with pytest.raises(AbortError) as info:
        greennet.once(client, 'data', signal=controller.signal)
    assert info.value.code == 'ABORT_ERR'
    assert client.listeners('data') == []
    client.destroy()


def test_an_aborted_signal_raises_at_once(echo):
    client = greennet.connect(echo, '127.0.0.1')
    controller = greennet.AbortController()
    controller.abort('because')
    with pytest.raises(AbortError) as info:
        greennet.once(client, 'connect', signal=controller.signal)
    assert info.value.cause == 'because'
    assert client.listeners('connect') == []
    client.destroy()


def test_timeout_raises_etimedout(echo):
    client = greennet.connect(echo, '127.0.0.1')
    with pytest.raises(TimeoutError) as info:
        greennet.once(client, 'data', timeout=30)
    assert info.value.code == 'ETIMEDOUT'
    assert client.listeners('data') == [] and client.listeners('error') == []
    client.destroy()


def test_bad_arguments_raise_at_the_call():
    client = greennet.Socket()
    with pytest.raises(TypeError) as info:
        greennet.once(client, 'x', signal='nope')
    assert info.value.code == 'ERR_INVALID_ARG_TYPE'
    with pytest.raises(ValueError) as info:
        greennet.once(client, 'x', timeout=-1)
    assert info.value.code == 'ERR_OUT_OF_RANGE'


def test_on_the_sockets_own_strand():
    # A connection listener waits for its own socket's events: its strand is
    # busy with that very listener, so once() does the strand's reading.
    got = AsyncResult()

    def on_connection(conn):
        first = greennet.once(conn, 'data')
        conn.write('more')
        second = greennet.once(conn, 'data', timeout=5000)
        end = greennet.once(conn, 'end', timeout=5000)
        got.set((first, second, end))
    server = greennet.create_server(on_connection)
    port = listen(server, 0, '127.0.0.1')['port']
    client = greennet.connect(port, '127.0.0.1', lambda: client.write('one'))
    client.on('data', lambda d: client.end('two'))
    assert get(got) == ([b'one'], [b'two'], [])
    client.destroy()
    close_server(server)


def test_on_the_own_strand_a_timeout_still_fires():
    got = AsyncResult()

    def on_connection(conn):
        try:
            greennet.once(conn, 'data', timeout=20)
        except TimeoutError as err:
            got.set(err.code)
        conn.destroy()
    server = greennet.create_server(on_connection)
    port = listen(server, 0, '127.0.0.1')['port']
    client = greennet.connect(port, '127.0.0.1')
    assert get(got) == 'ETIMEDOUT'
    client.destroy()
    close_server(server)
