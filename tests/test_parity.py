"""Node parity of the writable side and of ``greennet.connect()``.

- ``greennet.connect()`` and ``create_connection()`` build a ``Socket`` and
  call its ``connect()``, as Node's ``net.connect`` does
  (``new Socket(options)``, then ``socket.connect(normalized)``): a patched
  ``Socket.connect`` and a subclass's ``connect`` apply.
- Callbacks pending when a socket dies are each called once, before
  ``'close'``, through one path (Node's ``onwrite``/``errorBuffer``); the
  exact traces against Node are the tests/scenarios/parity_* pairs.
"""
import pytest
from conftest import Recorder, close_server, close_socket, connect_and_wait, get, listen
from gevent.event import AsyncResult

import greennet
import greennet.socket as gsocket

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
def port():
    server = greennet.create_server(lambda conn: (conn.on('error', lambda e: None), conn.resume()))
    yield listen(server, 0, '127.0.0.1')['port']
    close_server(server)


@pytest.mark.parametrize('make', [greennet.connect, greennet.create_connection])
def test_connect_goes_through_a_patched_socket_connect(monkeypatch, port, make):
    seen = []
    original = greennet.Socket.connect

    def patched(self, *args, **kwargs):
        seen.append((type(self), args, kwargs))
        return original(self, *args, **kwargs)
    monkeypatch.setattr(greennet.Socket, 'connect', patched)
    connected = AsyncResult()
    sock = make(port, '127.0.0.1', lambda: connected.set(True))
    assert get(connected, what="'connect'") is True
    assert len(seen) == 1
    cls, args, kwargs = seen[0]
    assert cls is greennet.Socket
    options = args[0]
    assert options['port'] == port and options['host'] == '127.0.0.1'
    assert callable(args[1]) and kwargs == {}
    close_socket(sock)


def test_connect_returns_what_socket_connect_returns(monkeypatch, port):
    marker = object()
    monkeypatch.setattr(greennet.Socket, 'connect', lambda self, *a, **k: marker)
    assert greennet.connect(port, '127.0.0.1') is marker


def test_a_subclass_connect_applies_to_its_sockets_and_to_greennet_connect(monkeypatch, port):
    calls = []

    class Traced(greennet.Socket):
        __slots__ = ()

        def connect(self, *args, **kwargs):
            calls.append(args[0] if args else kwargs)
            return super().connect(*args, **kwargs)

    sock = Traced()
    rec = Recorder(sock, 'connect', 'close')
    assert sock.connect(port, '127.0.0.1') is sock
    rec.wait('connect')
    assert calls == [port]
    close_socket(sock)

    # A module whose Socket is the subclass (as a patched net.Socket would be
    # for code that calls `new net.Socket()` itself), through connect().
    monkeypatch.setattr(gsocket, 'Socket', Traced)
    sock = connect_and_wait({'port': port, 'host': '127.0.0.1'})
    assert isinstance(sock, Traced)
    assert calls[-1]['port'] == port
    close_socket(sock)


def test_connect_options_still_apply_through_socket_connect(port):
    sock = connect_and_wait(port=port, host='127.0.0.1', timeout=60000, no_delay=True,
                            allow_half_open=True)
    assert sock.allow_half_open is True
    assert sock.timeout == 60000
    close_socket(sock)


def test_pending_callbacks_are_called_once_before_close_when_the_peer_resets():
    # The peer resets while a big write is in flight: whichever side notices
    # first (the failed send, or the read of the RST), each callback is
    # called exactly once, before 'close'; the buffered write and end() get
    # the error, the one in flight the error or (cut short by destroy) None.
    accepted = AsyncResult()
    server = greennet.create_server(lambda conn: (conn.pause(), accepted.set(conn)))
    port = listen(server, 0, '127.0.0.1')['port']
    client = connect_and_wait(port, '127.0.0.1')
    rec = Recorder(client, 'error', 'close', 'finish', 'drain')
    calls = []

    def cb(label):
        return lambda *err: calls.append((label, err[0] if err else None, rec.seen('close')))
    assert client.write(bytes(32 * 1024 * 1024), cb('big')) is False
    assert client.write(b'tail', cb('tail')) is False
    client.end(cb('end'))
    assert client.writable_need_drain is False   # end() was called
    get(accepted).reset_and_destroy()
    rec.wait('close')
    assert [label for label, _, _ in calls] == ['big', 'tail', 'end']
    assert not any(after_close for _, _, after_close in calls)
    error = client.errored
    assert getattr(error, 'code', None) in ('ECONNRESET', 'EPIPE')
    assert calls[0][1] in (None, error)
    assert calls[1][1] is error and calls[2][1] is error
    assert rec.count('error') == 1 and rec.count('finish') == 0 and rec.count('drain') == 0
    assert client.writable_length == 0
    close_server(server)


def test_write_then_destroy_on_an_open_socket_keeps_writable_length_until_close(port):
    client = connect_and_wait(port, '127.0.0.1')
    rec = Recorder(client, 'close')
    client.cork()
    client.write(b'abc')
    client.destroy()
    assert client.writable_length == 3   # as Node: the buffer's bytes until errorBuffer
    rec.wait('close')
    assert client.writable_length == 0
