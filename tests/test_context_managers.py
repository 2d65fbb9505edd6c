"""``with server:`` and ``with socket:`` (Node's async dispose)."""
import pytest
from gevent.event import AsyncResult

import greennet

from conftest import get, listen, wait_event

pytestmark = pytest.mark.timeout(20)


def test_with_server_closes_it_and_waits_for_its_connections_to_end():
    order = []
    conns = []

    def on_connection(conn):
        conns.append(conn)
        conn.end('bye')
    with greennet.create_server(on_connection) as server:
        port = listen(server, 0, '127.0.0.1')['port']
        accepted = wait_event(server, 'connection')
        client = greennet.connect(port, '127.0.0.1')
        client.resume()
        server.on('close', lambda: order.append('server closed'))
        get(accepted)
    # Leaving the block waited for 'close', which waits for the connection
    # (whose own 'close' comes a turn later, as in Node).
    assert not server.listening
    assert order == ['server closed']
    assert conns[0].destroyed


def test_with_server_that_never_listened_does_nothing():
    with greennet.create_server() as server:
        pass
    assert not server.listening


def test_with_server_closes_it_when_the_block_raises():
    with pytest.raises(ZeroDivisionError):
        with greennet.create_server() as server:
            listen(server, 0, '127.0.0.1')
            raise ZeroDivisionError
    assert not server.listening


def test_with_server_refuses_new_connections_after_the_block():
    with greennet.create_server() as server:
        port = listen(server, 0, '127.0.0.1')['port']
    refused = AsyncResult()
    sock = greennet.connect(port, '127.0.0.1')
    sock.on('error', refused.set)
    closed = wait_event(sock, 'close')
    assert get(refused).code == 'ECONNREFUSED'
    get(closed)


def test_with_socket_destroys_it_on_exit():
    with greennet.create_server(lambda conn: conn.resume()) as server:
        port = listen(server, 0, '127.0.0.1')['port']
        with greennet.connect(port, '127.0.0.1') as sock:
            get(wait_event(sock, 'connect'))
            closed = wait_event(sock, 'close')
        assert sock.destroyed
        assert get(closed) == (False,)


def test_with_socket_destroys_it_when_the_block_raises():
    sock = greennet.Socket()
    with pytest.raises(KeyError):
        with sock:
            raise KeyError('bug')
    assert sock.destroyed
