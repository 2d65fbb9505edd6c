"""A listener may block cooperatively: that holds back only its own socket
(greennet-api.md, "Running"), and events already due are still delivered."""
import pytest
from gevent.event import Event

import greennet

from conftest import close_server, listen

pytestmark = pytest.mark.timeout(30)


def test_a_blocked_listener_holds_back_only_its_own_socket():
    release = Event()
    order = []

    def on_connection(conn):
        def on_data(data):
            if data.startswith(b'slow'):
                release.wait(10)      # blocks this socket's strand, cooperatively
            conn.write(data)
        conn.on('data', on_data)
    server = greennet.create_server(on_connection)
    port = listen(server, 0, '127.0.0.1')['port']
    answered = {name: Event() for name in ('slow', 'fast')}

    def client(name):
        sock = greennet.connect(port, '127.0.0.1', lambda: sock.write(name.encode()))
        sock.on('data', lambda data: (order.append(data.decode()), answered[name].set(),
                                      sock.destroy()))
        return sock
    client('slow')
    client('fast')
    assert answered['fast'].wait(5), 'the fast socket was held back by the slow one'
    assert order == ['fast']
    release.set()
    assert answered['slow'].wait(5)
    assert order == ['fast', 'slow']
    close_server(server)


def test_many_sockets_ready_in_one_turn_are_all_served():
    got = []
    all_in = Event()
    count = 50

    def on_connection(conn):
        conn.set_encoding('utf8')

        def on_data(text):
            got.append(text)
            if len(got) == count:
                all_in.set()
            conn.end()
        conn.on('data', on_data)
    server = greennet.create_server(on_connection)
    port = listen(server, 0, '127.0.0.1')['port']
    closed = Event()
    closes = []

    def on_close(had_error):
        closes.append(had_error)
        if len(closes) == count:
            closed.set()
    for i in range(count):
        sock = greennet.connect(port, '127.0.0.1')
        sock.end('m%d' % i)
        sock.resume()
        sock.on('close', on_close)
    assert all_in.wait(10)
    assert sorted(got) == sorted('m%d' % i for i in range(count))
    assert closed.wait(10)
    assert closes == [False] * count
    close_server(server)
