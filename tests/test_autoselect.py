"""Node 20's autoSelectFamily (happy eyeballs) over real loopback sockets.

The traces themselves are pinned against Node by tests/scenarios/autoselect_*;
these tests check what a trace cannot show: one handle at a time, timers
that do not outlive the socket, the error's Python shape, block_list,
signal, and the defaults' setters. An address that never answers is a full
listen queue on 127.0.0.2 (tests/scenarios/autoselect_hole.py): Linux drops
every further SYN, so only the attempt timeout ends such an attempt.
"""
from __future__ import annotations

import errno
import os
import socket
import sys
from typing import Any

import gevent
import pytest
from gevent.event import AsyncResult

import greennet
from greennet.autoselect import AggregateError, order_addresses
from greennet.errors import NodeError
from greennet.runtime import active_handles
from tests.conftest import Recorder, close_server, get, listen

sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'scenarios'))
from autoselect_hole import hole  # noqa: E402

EVENTS = ('lookup', 'connectionAttempt', 'connectionAttemptFailed', 'connectionAttemptTimeout',
          'connect', 'error', 'close')


def answering(*addresses: str, seen: list | None = None) -> Any:
    """A lookup answering ``addresses`` on a later turn of the loop."""
    def lookup(hostname: str, options: Any, callback: Any) -> None:
        if seen is not None:
            seen.append(dict(options))
        answer = [{'address': a, 'family': 6 if ':' in a else 4} for a in addresses]
        if options.get('all'):
            gevent.spawn(callback, None, answer)
        else:
            gevent.spawn(callback, None, answer[0]['address'], answer[0]['family'])
    return lookup


@pytest.fixture
def server() -> Any:
    srv = greennet.create_server(lambda sock: sock.end())
    listen(srv, 0, '127.0.0.1')
    yield srv
    close_server(srv)


@pytest.fixture
def black_hole(server: Any) -> Any:
    """The hole, on 127.0.0.2 at ``server``'s port. That port is free on
    127.0.0.1 but may be taken on 127.0.0.2 (an earlier attempt's source
    port): then ``server`` moves to a port free on both."""
    held = None
    for _ in range(20):
        port = server.address()['port']
        try:
            held = hole(port)
            break
        except OSError:
            close_server(server)
            probe = socket.socket()
            probe.bind(('127.0.0.2', 0))
            free = probe.getsockname()[1]
            probe.close()
            try:
                listen(server, free, '127.0.0.1')
            except OSError:
                listen(server, 0, '127.0.0.1')
    if held is None:
        pytest.skip('no port free on both 127.0.0.1 and 127.0.0.2')
    yield held
    for sock in held:
        sock.close()


@pytest.fixture
def defaults() -> Any:
    family = greennet.get_default_auto_select_family()
    timeout = greennet.get_default_auto_select_family_attempt_timeout()
    yield
    greennet.set_default_auto_select_family(family)
    greennet.set_default_auto_select_family_attempt_timeout(timeout)


def attempts(rec: Recorder, event: str = 'connectionAttempt') -> list:
    return [args[0] for name, args in rec.log if name == event]


# -- the defaults --------------------------------------------------------------

def test_node_20_defaults_and_setters(defaults: Any) -> None:
    assert greennet.get_default_auto_select_family() is True
    assert greennet.get_default_auto_select_family_attempt_timeout() == 250
    greennet.set_default_auto_select_family(False)
    assert greennet.get_default_auto_select_family() is False
    greennet.set_default_auto_select_family_attempt_timeout(1)
    assert greennet.get_default_auto_select_family_attempt_timeout() == 10
    greennet.set_default_auto_select_family_attempt_timeout(1000)
    assert greennet.get_default_auto_select_family_attempt_timeout() == 1000
    for bad, code in ((0, 'ERR_OUT_OF_RANGE'), (2.5, 'ERR_OUT_OF_RANGE'), ('20', 'ERR_INVALID_ARG_TYPE'),
                      (True, 'ERR_INVALID_ARG_TYPE'), (2 ** 31, 'ERR_OUT_OF_RANGE')):
        with pytest.raises((TypeError, ValueError)) as info:
            greennet.set_default_auto_select_family_attempt_timeout(bad)
        assert info.value.code == code
    with pytest.raises(TypeError) as info:
        greennet.set_default_auto_select_family(1)
    assert info.value.code == 'ERR_INVALID_ARG_TYPE'
    assert greennet.get_default_auto_select_family() is False
    assert greennet.get_default_auto_select_family_attempt_timeout() == 1000


def test_default_off_asks_lookup_for_one_address(server: Any, defaults: Any) -> None:
    port = server.address()['port']
    seen: list = []
    greennet.set_default_auto_select_family(False)
    sock = greennet.connect(port=port, host='one.test', lookup=answering('127.0.0.1', seen=seen))
    rec = Recorder(sock, *EVENTS)
    sock.resume()
    rec.wait('close')
    assert 'all' not in seen[0]
    assert rec.names()[:3] == ['lookup', 'connectionAttempt', 'connect']
    assert sock.auto_select_family_attempted_addresses is None


# -- the order of attempts -----------------------------------------------------

def test_order_alternates_families_from_the_first() -> None:
    answers = [('::1', 6), ('127.0.0.2', 4), ('::1', 6), ('bad', 4), ('127.0.0.3', 4),
               ('127.0.0.4', 'IPv4'), ('::2', 6), ('127.0.0.5', 4)]
    assert order_addresses(answers) == [('::1', 6), ('127.0.0.2', 4), ('::2', 6), ('127.0.0.3', 4),
                                        ('127.0.0.5', 4)]
    assert order_addresses([('x', 4), ('127.0.0.1', 5)]) == []


# -- a sequence ----------------------------------------------------------------

def test_one_handle_at_a_time_and_the_socket_stays_connecting(server: Any) -> None:
    port = server.address()['port']
    handles: list = []
    sock = greennet.Socket()
    rec = Recorder(sock, *EVENTS)

    def on_attempt(ip: str, p: int, family: int) -> None:
        assert sock.connecting and sock.pending and sock.ready_state == 'opening'
        # every earlier attempt's handle is closed before this one's is opened
        assert all(h.fileno() == -1 for h in handles)
        handles.append(sock._handle)
    sock.on('connectionAttempt', on_attempt)
    sock.connect(port=port, host='multi.test', lookup=answering('127.0.0.3', '::1', '127.0.0.4', '127.0.0.1'))
    sock.resume()
    rec.wait('close')
    assert attempts(rec) == ['127.0.0.3', '::1', '127.0.0.4', '127.0.0.1']
    assert attempts(rec, 'connectionAttemptFailed') == ['127.0.0.3', '::1', '127.0.0.4']
    assert rec.count('connect') == 1 and not rec.seen('error')
    assert len({id(h) for h in handles}) == 4
    assert sock.auto_select_family_attempted_addresses == [
        f'127.0.0.3:{port}', f'::1:{port}', f'127.0.0.4:{port}', f'127.0.0.1:{port}']


def test_every_attempt_refused_is_an_aggregate_error(server: Any) -> None:
    port = server.address()['port']
    sock = greennet.connect(port=port, host='dead.test', lookup=answering('127.0.0.3', '::1', '127.0.0.4'))
    rec = Recorder(sock, *EVENTS)
    (err,) = rec.wait('error')
    assert rec.wait('close') == (True,)
    assert isinstance(err, AggregateError) and isinstance(err, NodeError)
    assert err.code == 'ECONNREFUSED' and str(err) == '' and err.name == 'AggregateError'
    assert [(e.code, e.syscall, e.address, e.port) for e in err.errors] == [
        ('ECONNREFUSED', 'connect', a, port) for a in ('127.0.0.3', '::1', '127.0.0.4')]
    assert all(isinstance(e, OSError) and e.errno == errno.ECONNREFUSED for e in err.errors)
    assert sock.errored is err
    assert sock not in active_handles()   # nothing is held open


def test_attempt_timeout_then_the_next_address(server: Any, black_hole: Any) -> None:
    port = server.address()['port']
    sock = greennet.connect(port=port, host='slow.test', auto_select_family_attempt_timeout=10,
                            lookup=answering('127.0.0.2', '127.0.0.1'))
    rec = Recorder(sock, *EVENTS)
    sock.resume()
    rec.wait('connect')
    assert attempts(rec, 'connectionAttemptTimeout') == ['127.0.0.2']
    assert attempts(rec) == ['127.0.0.2', '127.0.0.1']
    assert sock.remote_address == '127.0.0.1'
    rec.wait('close')


def test_timed_out_then_refused_gives_etimedout_first(server: Any, black_hole: Any) -> None:
    port = server.address()['port']
    sock = greennet.connect(port=port, host='dead.test', auto_select_family_attempt_timeout=10,
                            lookup=answering('127.0.0.2', '127.0.0.3'))
    rec = Recorder(sock, *EVENTS)
    (err,) = rec.wait('error')
    assert err.code == 'ETIMEDOUT'
    assert [(e.code, e.address) for e in err.errors] == [('ETIMEDOUT', '127.0.0.2'),
                                                         ('ECONNREFUSED', '127.0.0.3')]
    rec.wait('close')


def test_destroy_cancels_the_attempt_and_its_timer(server: Any, black_hole: Any) -> None:
    port = server.address()['port']
    sock = greennet.connect(port=port, host='slow.test', auto_select_family_attempt_timeout=60000,
                            lookup=answering('127.0.0.2', '127.0.0.1'))
    rec = Recorder(sock, *EVENTS)
    contexts: list = []
    sock.on('connectionAttempt', lambda *a: contexts.append(sock._attempts))
    rec.wait('connectionAttempt')
    ctx = contexts[0]
    assert ctx.timer is not None and ctx.timer.active
    sock.destroy()
    assert ctx.timer is None and sock._attempts is None
    assert rec.wait('close') == (False,)
    failed = [args for name, args in rec.log if name == 'connectionAttemptFailed']
    assert len(failed) == 1 and failed[0][3].code == 'ECANCELED'
    assert rec.names().index('connectionAttemptFailed') < rec.names().index('close')
    assert attempts(rec) == ['127.0.0.2']


def test_abort_signal_during_a_sequence(server: Any, black_hole: Any) -> None:
    port = server.address()['port']
    controller = greennet.AbortController()
    sock = greennet.connect(port=port, host='slow.test', auto_select_family_attempt_timeout=60000,
                            signal=controller.signal, lookup=answering('127.0.0.2', '127.0.0.1'))
    rec = Recorder(sock, *EVENTS)
    rec.wait('connectionAttempt')
    controller.abort()
    (err,) = rec.wait('error')
    assert err.code == 'ABORT_ERR'
    assert rec.wait('close') == (True,)
    assert rec.names()[-3:] == ['error', 'connectionAttemptFailed', 'close']


def test_a_listener_destroying_on_timeout_stops_the_sequence(server: Any, black_hole: Any) -> None:
    port = server.address()['port']
    sock = greennet.connect(port=port, host='slow.test', auto_select_family_attempt_timeout=10,
                            lookup=answering('127.0.0.2', '127.0.0.1'))
    rec = Recorder(sock, *EVENTS)
    sock.on('connectionAttemptTimeout', lambda *a: sock.destroy())
    assert rec.wait('close') == (False,)
    assert attempts(rec) == ['127.0.0.2']
    assert not rec.seen('connectionAttemptFailed')   # as Node: the request was dropped first


def test_block_list_skips_blocked_addresses(server: Any) -> None:
    # Node 22's blockList (as greennet's block_list): a blocked address is a
    # failed attempt (ERR_IP_BLOCKED), the next one is tried.
    port = server.address()['port']
    blocked = greennet.BlockList()
    blocked.add_address('127.0.0.3')
    blocked.add_address('::1', 'ipv6')
    sock = greennet.connect(port=port, host='multi.test', block_list=blocked,
                            lookup=answering('127.0.0.3', '::1', '127.0.0.1'))
    rec = Recorder(sock, *EVENTS)
    sock.resume()
    rec.wait('connect')
    failed = [(args[0], args[3].code) for name, args in rec.log if name == 'connectionAttemptFailed']
    assert failed == [('127.0.0.3', 'ERR_IP_BLOCKED'), ('::1', 'ERR_IP_BLOCKED')]
    assert attempts(rec) == ['127.0.0.1']
    rec.wait('close')


def test_every_address_blocked(server: Any) -> None:
    blocked = greennet.BlockList()
    blocked.add_subnet('127.0.0.0', 8)
    sock = greennet.connect(port=server.address()['port'], host='multi.test', block_list=blocked,
                            lookup=answering('127.0.0.1', '127.0.0.2'))
    rec = Recorder(sock, *EVENTS)
    (err,) = rec.wait('error')
    assert isinstance(err, AggregateError) and err.code == 'ERR_IP_BLOCKED'
    assert not rec.seen('connectionAttempt')
    rec.wait('close')


def test_a_second_answer_of_the_same_life_fails_with_ealready(server: Any) -> None:
    port = server.address()['port']
    answer = [{'address': '127.0.0.3', 'family': 4}, {'address': '127.0.0.1', 'family': 4}]

    def lookup(hostname: str, options: Any, callback: Any) -> None:
        def twice() -> None:
            callback(None, answer)
            callback(None, answer)
        gevent.spawn(twice)
    sock = greennet.connect(port=port, host='twice.test', lookup=lookup)
    rec = Recorder(sock, *EVENTS)
    (err,) = rec.wait('error')
    assert err.code == 'EALREADY'
    rec.wait('close')
    assert not rec.seen('connect')


def test_local_address_or_family_means_one_address(server: Any) -> None:
    port = server.address()['port']
    for options in ({'family': 4}, {'local_address': '127.0.0.1'}, {'auto_select_family': False}):
        seen: list = []
        sock = greennet.connect(port=port, host='one.test', lookup=answering('127.0.0.1', seen=seen),
                                **options)
        rec = Recorder(sock, *EVENTS)
        sock.resume()
        rec.wait('close')
        assert not seen[0].get('all'), options
        assert rec.count('connect') == 1
        assert sock.auto_select_family_attempted_addresses is None


def test_reconnect_after_a_sequence(server: Any) -> None:
    port = server.address()['port']
    sock = greennet.connect(port=port, host='dead.test', lookup=answering('127.0.0.3', '127.0.0.4'))
    rec = Recorder(sock, *EVENTS)
    rec.wait('close')
    assert len(sock.auto_select_family_attempted_addresses) == 2
    done = AsyncResult()
    sock.once('connect', lambda: done.set(True))
    sock.connect(port=port, host='multi.test', lookup=answering('127.0.0.5', '127.0.0.1'))
    sock.resume()
    assert get(done)
    assert sock.auto_select_family_attempted_addresses == [f'127.0.0.5:{port}', f'127.0.0.1:{port}']
    closed = AsyncResult()
    sock.once('close', closed.set)
    sock.end()
    get(closed)


def test_tcp_attempt_to_a_listening_ipv6_address() -> None:
    srv = greennet.create_server(lambda sock: sock.end())
    try:
        listen(srv, 0, '::1')
    except OSError:
        pytest.skip('no IPv6 loopback')
    port = srv.address()['port']
    try:
        sock = greennet.connect(port=port, host='dual.test', lookup=answering('127.0.0.1', '::1'))
        rec = Recorder(sock, *EVENTS)
        sock.resume()
        rec.wait('connect')
        assert sock.remote_family == 'IPv6' and sock.remote_address == '::1'
        assert attempts(rec) == ['127.0.0.1', '::1']
        rec.wait('close')
    finally:
        close_server(srv)


def test_hole_never_answers(black_hole: Any) -> None:
    # The premise of the timeout tests: a connect to the hole stays pending.
    listener, _ = black_hole
    probe = socket.socket()
    probe.setblocking(False)
    try:
        assert probe.connect_ex(listener.getsockname()) == errno.EINPROGRESS
        assert probe.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
        with pytest.raises(OSError):
            probe.getpeername()
    finally:
        probe.close()
