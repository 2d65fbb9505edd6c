"""cork() / uncork() / writable_corked over real loopback sockets.

Node's semantics (its scenarios are tests/scenarios/cork_*): writes made
while corked are held back and go out together at the last ``uncork()`` (or
at ``end()``, which uncorks fully), in one ``sendmsg``: the peer reads them
in one chunk; their callbacks run on the tick after, in order.
"""
import pytest
from conftest import Recorder, close_server, close_socket, connect_and_wait, get, listen
from gevent.event import AsyncResult, Event

import greennet

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
def peer():
    """A server whose one connection records its chunks; yields (port, chunks, ended)."""
    chunks = []
    ended = AsyncResult()
    first = Event()

    def on_connection(conn):
        def on_data(data):
            chunks.append(data)
            first.set()
        conn.on('data', on_data)
        conn.on('end', lambda: ended.set(b''.join(chunks)))
        conn.on('error', lambda err: None)

    server = greennet.create_server(on_connection)
    port = listen(server, 0, '127.0.0.1')['port']
    yield port, chunks, ended, first
    close_server(server)


def test_writes_while_corked_reach_the_peer_in_one_read(peer):
    port, chunks, ended, _ = peer
    client = connect_and_wait(port, '127.0.0.1')
    calls = []
    client.cork()
    for i in range(200):
        assert client.write(b'%03d,' % i, lambda i=i: calls.append(i)) is True
    assert client.writable_corked == 1
    assert client.writable_length == 800
    assert calls == []
    client.uncork()
    assert client.writable_corked == 0
    assert client.writable_length == 0   # handed to the kernel in the call
    assert calls == []                   # the callbacks come on the next tick
    client.end()
    data = get(ended, what="peer 'end'")
    assert data == b''.join(b'%03d,' % i for i in range(200))
    assert chunks[0] == data             # one sendmsg: one read
    assert calls == list(range(200))
    close_socket(client)


def test_nested_corks_need_as_many_uncorks(peer):
    port, chunks, _, first = peer
    client = connect_and_wait(port, '127.0.0.1')
    client.cork()
    client.cork()
    client.write(b'a')
    client.uncork()
    assert client.writable_corked == 1 and client.writable_length == 1
    client.uncork()
    client.uncork()   # one too many: nothing to undo
    assert client.writable_corked == 0 and client.writable_length == 0
    first.wait(5)
    assert chunks[0] == b'a'
    close_socket(client)


def test_end_uncorks_fully_and_sends_the_fin_after_the_data(peer):
    port, _, ended, _ = peer
    client = connect_and_wait(port, '127.0.0.1')
    rec = Recorder(client, 'finish', 'close')
    order = []
    client.cork()
    client.cork()
    client.write(b'x' * 10, lambda: order.append('x'))
    client.end(b'yz', lambda: order.append('end'))
    assert client.writable_corked == 0
    assert get(ended) == b'x' * 10 + b'yz'
    rec.wait('finish')
    assert order == ['x', 'end']
    close_socket(client)


def test_corked_past_the_high_water_mark_drains_after_uncork(peer):
    port, _, ended, _ = peer
    client = connect_and_wait(port, '127.0.0.1')
    drained = AsyncResult()
    client.on('drain', lambda: drained.set(client.writable_length))
    client.cork()
    results = [client.write(b'z' * 1024) for _ in range(20)]
    assert results[:15] == [True] * 15 and results[-1] is False
    assert client.writable_need_drain is True
    client.uncork()
    assert get(drained, what="'drain'") == 0
    client.end()
    assert get(ended) == b'z' * 20 * 1024


def test_many_corked_chunks_of_a_big_batch_arrive_in_order(peer):
    # More chunks than one sendmsg takes (MAX_IOV), more bytes than the kernel
    # takes at once: the batch is in flight, its tail follows on writability.
    port, _, ended, _ = peer
    client = connect_and_wait(port, '127.0.0.1')
    calls = []
    client.cork()
    payload = [bytes([i % 251]) * 4096 for i in range(2000)]
    for i, chunk in enumerate(payload):
        client.write(chunk, lambda i=i: calls.append(i))
    client.uncork()
    client.end()
    assert get(ended, timeout=15) == b''.join(payload)
    assert calls == list(range(2000))
    close_socket(client)


def test_write_after_uncork_goes_straight_out_again(peer):
    port, chunks, ended, first = peer
    client = connect_and_wait(port, '127.0.0.1')
    client.cork()
    client.uncork()
    assert client._wq is None        # the per-chunk path is back: one send, nothing queued
    client.write(b'now')
    assert client.writable_length == 0
    first.wait(5)
    client.end()
    assert get(ended) == b'now'
