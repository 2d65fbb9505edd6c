"""block_list at the door: a server refuses blocked peers (only 'drop', never
'connection'), and a client refuses to connect to a blocked address
('error' ERR_IP_BLOCKED after the call, then 'close' with had_error True).

Real loopback sockets; every wait is on an event with a timeout.
"""
import socket

import gevent
import pytest
from gevent.event import AsyncResult, Event

import greennet

pytestmark = pytest.mark.timeout(30)

WAIT = 5


def _has_ipv6_loopback():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        return False
    try:
        s.bind(('::1', 0))
        return True
    except OSError:
        return False
    finally:
        s.close()


def _can_bind_127_0_0_2():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(('127.0.0.2', 0))
        return True
    except OSError:
        return False
    finally:
        s.close()


needs_ipv6 = pytest.mark.skipif(not _has_ipv6_loopback(), reason='no ::1')
needs_127_2 = pytest.mark.skipif(not _can_bind_127_0_0_2(), reason='cannot bind 127.0.0.2')


class Door:
    """A server with a block list that records what it saw."""

    def __init__(self, bl, host='127.0.0.1'):
        self.connections = []
        self.drops = []
        self.dropped = Event()
        self.server = greennet.create_server(self._on_connection, block_list=bl)
        self.server.on('drop', self._on_drop)
        listening = Event()
        self.server.listen(0, host, listening.set)
        assert listening.wait(WAIT), 'server did not listen'
        self.port = self.server.address()['port']

    def _on_connection(self, sock):
        self.connections.append(sock.remote_address)
        sock.on('error', lambda e: None)
        sock.end('welcome')

    def _on_drop(self, data=None):
        self.drops.append(data)
        self.dropped.set()

    def close(self):
        done = Event()
        self.server.close(lambda *e: done.set())
        assert done.wait(WAIT), 'server did not close'


def _client(port, host, **options):
    """Connect and record data / end / error / close; returns (sock, record)."""
    rec = {'data': [], 'end': False, 'error': None, 'connect': False,
           'closed': AsyncResult()}
    sock = greennet.connect(port=port, host=host, **options)
    sock.on('connect', lambda: rec.__setitem__('connect', True))
    sock.on('data', rec['data'].append)
    sock.on('end', lambda: rec.__setitem__('end', True))
    sock.on('error', lambda e: rec.__setitem__('error', e))
    sock.on('close', lambda had_error=None: rec['closed'].set(had_error))
    return sock, rec


def _served(door, host, **options):
    sock, rec = _client(door.port, host, **options)
    rec['closed'].get(timeout=WAIT)
    return rec


def _refused(door, host, **options):
    before = len(door.connections)
    door.dropped.clear()
    sock, rec = _client(door.port, host, **options)
    assert door.dropped.wait(WAIT), "server emitted no 'drop'"
    rec['closed'].get(timeout=WAIT)
    assert rec['data'] == [], 'a refused client got data'
    err = rec['error']
    assert err is None or getattr(err, 'code', None) in ('ECONNRESET', 'EPIPE')
    assert len(door.connections) == before, "server emitted 'connection' for a blocked peer"
    return rec


@needs_127_2
def test_server_refuses_blocked_address_and_serves_others():
    bl = greennet.BlockList()
    bl.add_address('127.0.0.2')
    door = Door(bl, host='0.0.0.0')
    try:
        _refused(door, '127.0.0.1', local_address='127.0.0.2')
        assert len(door.drops) == 1
        ok = _served(door, '127.0.0.1')
        assert b''.join(ok['data']) == b'welcome'
        assert ok['error'] is None
        assert door.connections == ['127.0.0.1']
        assert len(door.drops) == 1
    finally:
        door.close()


@needs_127_2
def test_server_drop_carries_addresses():
    bl = greennet.BlockList()
    bl.add_address('127.0.0.2')
    door = Door(bl)
    try:
        _refused(door, '127.0.0.1', local_address='127.0.0.2')
        data = door.drops[0]
        assert data is not None
        assert data['remote_address'] == '127.0.0.2'
        assert data['remote_family'] == 'IPv4'
        assert data['local_address'] == '127.0.0.1'
        assert data['local_port'] == door.port
    finally:
        door.close()


@needs_127_2
def test_server_subnet_rule():
    bl = greennet.BlockList()
    bl.add_subnet('127.0.0.0', 30)  # 127.0.0.0 - 127.0.0.3
    door = Door(bl)
    try:
        _refused(door, '127.0.0.1')
        _refused(door, '127.0.0.1', local_address='127.0.0.2')
        # 127.0.0.5 lies outside the /30.
        try:
            ok = _served(door, '127.0.0.1', local_address='127.0.0.5')
        except OSError:  # pragma: no cover - loopback without 127.0.0.5
            pytest.skip('cannot bind 127.0.0.5')
        assert b''.join(ok['data']) == b'welcome'
        assert door.connections == ['127.0.0.5']
    finally:
        door.close()


@needs_ipv6
def test_server_ipv6_rule():
    bl = greennet.BlockList()
    bl.add_address('::1', 'ipv6')
    door = Door(bl, host='::1')
    try:
        _refused(door, '::1')
        assert door.connections == []
        assert len(door.drops) == 1
    finally:
        door.close()


@needs_ipv6
def test_server_ipv6_rule_does_not_block_ipv4():
    bl = greennet.BlockList()
    bl.add_address('::1', 'ipv6')
    door = Door(bl, host='127.0.0.1')
    try:
        ok = _served(door, '127.0.0.1')
        assert b''.join(ok['data']) == b'welcome'
        assert door.drops == []
    finally:
        door.close()


def _plain_server(host='127.0.0.1'):
    accepted = []
    server = greennet.create_server(lambda sock: (accepted.append(sock), sock.end('hi')))
    listening = Event()
    server.listen(0, host, listening.set)
    assert listening.wait(WAIT)
    return server, accepted


def _close(server):
    done = Event()
    server.close(lambda *e: done.set())
    assert done.wait(WAIT)


def _blocked_connect(port, host, bl, **options):
    events = []
    closed = AsyncResult()
    err = AsyncResult()
    sock = greennet.connect(port=port, host=host, block_list=bl, **options)
    # Registered after the call returned: the error must not have happened yet.
    events.append('returned')
    sock.on('connect', lambda: events.append('connect'))
    sock.on('error', lambda e: (events.append('error'), err.set(e)))
    sock.on('close', lambda had_error=None: (events.append('close'), closed.set(had_error)))
    had_error = closed.get(timeout=WAIT)
    e = err.get(timeout=0)
    return sock, events, e, had_error


def test_client_refuses_blocked_address():
    server, accepted = _plain_server()
    try:
        bl = greennet.BlockList()
        bl.add_address('127.0.0.1')
        sock, events, e, had_error = _blocked_connect(server.address()['port'], '127.0.0.1', bl)
        assert events == ['returned', 'error', 'close']
        assert e.code == 'ERR_IP_BLOCKED'
        assert had_error is True
        assert sock.destroyed
        # A wrongly made connection would sit ahead of this one in the accept
        # queue, so once this one is served the server has seen everything.
        served = AsyncResult()
        ok = greennet.connect(port=server.address()['port'], host='127.0.0.1')
        ok_port = AsyncResult()
        ok.on('connect', lambda: ok_port.set(ok.local_port))
        ok.resume()
        ok.on('close', lambda had_error=None: served.set(had_error))
        assert served.get(timeout=WAIT) is False
        assert [s.remote_port for s in accepted] == [ok_port.get(timeout=0)]
    finally:
        _close(server)


def test_client_blocked_error_is_not_raised():
    bl = greennet.BlockList()
    bl.add_address('127.0.0.2')
    try:
        sock = greennet.connect(port=9, host='127.0.0.2', block_list=bl)
    except Exception as exc:  # pragma: no cover - the failure we look for
        pytest.fail('connect() raised %r' % (exc,))
    got = AsyncResult()
    sock.on('error', got.set)
    closed = AsyncResult()
    sock.on('close', lambda had_error=None: closed.set(had_error))
    assert got.get(timeout=WAIT).code == 'ERR_IP_BLOCKED'
    assert closed.get(timeout=WAIT) is True


def test_client_unblocked_address_connects():
    server, accepted = _plain_server()
    try:
        bl = greennet.BlockList()
        bl.add_address('127.0.0.2')
        bl.add_subnet('10.0.0.0', 8)
        connected = Event()
        closed = AsyncResult()
        data = []
        sock = greennet.connect(port=server.address()['port'], host='127.0.0.1', block_list=bl)
        sock.on('connect', connected.set)
        sock.on('data', data.append)
        sock.on('close', lambda had_error=None: closed.set(had_error))
        assert connected.wait(WAIT)
        assert closed.get(timeout=WAIT) is False
        assert b''.join(data) == b'hi'
        assert len(accepted) == 1
    finally:
        _close(server)


@needs_ipv6
def test_client_ipv6_rule():
    server, accepted = _plain_server('::1')
    try:
        bl = greennet.BlockList()
        bl.add_address('::1', 'ipv6')
        _, events, e, had_error = _blocked_connect(server.address()['port'], '::1', bl)
        assert events == ['returned', 'error', 'close']
        assert e.code == 'ERR_IP_BLOCKED'
        assert had_error is True
    finally:
        _close(server)


def test_client_name_resolved_to_blocked_address():
    server, accepted = _plain_server()
    try:
        bl = greennet.BlockList()
        bl.add_address('127.0.0.1')

        def lookup(hostname, options, cb):
            if options.get('all'):
                gevent.spawn(cb, None, [{'address': '127.0.0.1', 'family': 4}])
            else:
                gevent.spawn(cb, None, '127.0.0.1', 4)
        looked = []
        sock_events = []
        closed = AsyncResult()
        err = AsyncResult()
        sock = greennet.connect(port=server.address()['port'], host='localhost', lookup=lookup,
                                block_list=bl)
        sock.on('lookup', lambda e, address=None, *a: looked.append(address))
        sock.on('connect', lambda: sock_events.append('connect'))
        sock.on('error', err.set)
        sock.on('close', lambda had_error=None: closed.set(had_error))
        assert err.get(timeout=WAIT).code == 'ERR_IP_BLOCKED'
        assert closed.get(timeout=WAIT) is True
        assert 'connect' not in sock_events
        assert accepted == []
    finally:
        _close(server)


def test_client_localhost_system_lookup_blocked():
    server, accepted = _plain_server()
    try:
        bl = greennet.BlockList()
        bl.add_address('127.0.0.1')
        _, events, e, had_error = _blocked_connect(server.address()['port'], 'localhost', bl,
                                                   family=4)
        assert events == ['returned', 'error', 'close']
        assert e.code == 'ERR_IP_BLOCKED'
        assert had_error is True
        assert accepted == []
    finally:
        _close(server)
