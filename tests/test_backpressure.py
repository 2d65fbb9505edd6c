"""Back-pressure: 100 MiB through a socket to a peer that reads slowly.

The writer follows Node's protocol (write until write() returns False, then
wait for 'drain'); the reader pauses after every MiB and resumes a few
milliseconds later from a timer. Every byte must arrive, in order, and
neither the writer's queue nor the process's memory may grow with the
amount sent.
"""
import hashlib
import os
import time

import gevent
import pytest
from gevent.event import AsyncResult, Event

import greennet

from conftest import Recorder, close_server, connect_and_wait, get, listen, rss_kib

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

TOTAL = 100 * 1024 * 1024
CHUNK = 64 * 1024
#: The reader pauses after this many bytes...
PAUSE_EVERY = 1024 * 1024
#: ...for this many seconds (a timer's trickle, not synchronisation).
PAUSE_FOR = 0.02
#: The writer's queue may never hold more than this.
MAX_QUEUED = 1024 * 1024
#: The process may not grow by more than this (KiB) while sending.
MAX_RSS_GROWTH_KIB = 64 * 1024


def test_100_mib_to_a_slow_reader_arrive_intact_with_bounded_memory():
    received = {'bytes': 0, 'pauses': 0, 'since_pause': 0}
    digest_in = hashlib.sha256()
    done = AsyncResult()

    def on_connection(conn):
        def on_data(data):
            digest_in.update(data)
            received['bytes'] += len(data)
            received['since_pause'] += len(data)
            if received['since_pause'] >= PAUSE_EVERY:
                received['since_pause'] = 0
                received['pauses'] += 1
                conn.pause()
                gevent.spawn_later(PAUSE_FOR, conn.resume)
        conn.on('data', on_data)
        conn.on('end', lambda: done.set(received['bytes']))
        conn.on('error', lambda err: done.set_exception(err))

    server = greennet.create_server(on_connection)
    port = listen(server, 0, '127.0.0.1')['port']
    client = connect_and_wait(port, '127.0.0.1')
    client_errors = Recorder(client, 'error')
    drained = Event()
    client.on('drain', drained.set)

    base = os.urandom(CHUNK)
    digest_out = hashlib.sha256()
    stats = {'max_queued': 0, 'waits': 0, 'false_returns': 0}
    rss_before = rss_kib()
    start = time.monotonic()

    def writer():
        for i in range(TOTAL // CHUNK):
            chunk = i.to_bytes(8, 'big') + base[8:]
            digest_out.update(chunk)
            if not client.write(chunk):
                stats['false_returns'] += 1
                # Node's rule: stop on False and write again after 'drain'.
                stats['max_queued'] = max(stats['max_queued'], client.writable_length)
                if client.writable_need_drain:
                    stats['waits'] += 1
                    drained.clear()
                    if not drained.wait(10):
                        raise AssertionError("no 'drain' within 10 s (queued %d)"
                                             % client.writable_length)
            stats['max_queued'] = max(stats['max_queued'], client.writable_length)
        client.end()

    try:
        job = gevent.spawn(writer)
        total = get(done, timeout=40, what="the reader's 'end'")
        job.get(timeout=5)
        elapsed = time.monotonic() - start
        rss_growth = rss_kib() - rss_before
    finally:
        client.destroy()
        close_server(server)

    assert not client_errors.log
    assert total == TOTAL
    assert digest_in.hexdigest() == digest_out.hexdigest()
    # The writer met back-pressure and respected it.
    assert stats['waits'] > 0
    assert stats['max_queued'] <= MAX_QUEUED
    # The reader really was slow: it paused once per MiB.
    assert received['pauses'] >= TOTAL // PAUSE_EVERY - 1
    assert rss_growth <= MAX_RSS_GROWTH_KIB, 'RSS grew by %d KiB' % rss_growth
    assert elapsed < 30, 'took %.1f s' % elapsed


def test_pipe_to_a_slow_destination_respects_back_pressure():
    """source.pipe(destination): the source is paused while the destination
    is full, so its queue stays small, and all 16 MiB arrive."""
    total = 16 * 1024 * 1024
    digest_in = hashlib.sha256()
    state = {'bytes': 0, 'since_pause': 0}
    done = AsyncResult()
    queued = {'max': 0}

    # Sink: reads slowly.
    def on_sink(conn):
        def on_data(data):
            digest_in.update(data)
            state['bytes'] += len(data)
            state['since_pause'] += len(data)
            if state['since_pause'] >= PAUSE_EVERY:
                state['since_pause'] = 0
                conn.pause()
                gevent.spawn_later(PAUSE_FOR, conn.resume)
        conn.on('data', on_data)
        conn.on('end', lambda: done.set(state['bytes']))
    sink = greennet.create_server(on_sink)
    sink_port = listen(sink, 0, '127.0.0.1')['port']

    # Relay: pipes what it receives to the sink.
    def on_relay(conn):
        upstream = greennet.connect(sink_port, '127.0.0.1')
        conn.pipe(upstream)
        conn.on('data', lambda data: queued.__setitem__(
            'max', max(queued['max'], upstream.writable_length)))
    relay = greennet.create_server(on_relay)
    relay_port = listen(relay, 0, '127.0.0.1')['port']

    client = connect_and_wait(relay_port, '127.0.0.1')
    drained = Event()
    client.on('drain', drained.set)
    digest_out = hashlib.sha256()
    base = os.urandom(CHUNK)

    def writer():
        for i in range(total // CHUNK):
            chunk = i.to_bytes(8, 'big') + base[8:]
            digest_out.update(chunk)
            if not client.write(chunk) and client.writable_need_drain:
                drained.clear()
                assert drained.wait(10)
        client.end()
    try:
        job = gevent.spawn(writer)
        assert get(done, timeout=40, what="the sink's 'end'") == total
        job.get(timeout=5)
    finally:
        client.destroy()
        close_server(relay)
        close_server(sink)
    assert digest_in.hexdigest() == digest_out.hexdigest()
    # pipe() pauses the source while the destination is over its mark, so
    # the relay's queue stays around one read (64 KiB) above the mark.
    assert queued['max'] <= MAX_QUEUED
