"""greennet.Socket: connect forms and options, properties, the stream's
life (end, destroy, half-open, pause/resume, encodings, timeouts), errors.

Expected values marked "Node 20" were printed by Node v20.20.2 running the
same calls on the same kind of loopback connection.
"""
import errno
import os
import socket as std
import time

import gevent
import pytest
from gevent.event import AsyncResult, Event
from gevent.queue import Empty, Queue

import greennet
from greennet.errors import NodeError

from conftest import (Recorder, close_server, close_socket, connect_and_wait, dup_connection_fd,
                      get, listen, socket_fds, wait_event, wait_flag)

pytestmark = pytest.mark.timeout(30)

HWM = 16384     # Node 20's default highWaterMark for sockets


@pytest.fixture
def echo(servers):
    """An echo server on 127.0.0.1; yields its port."""
    return servers(lambda c: c.pipe(c)).address()['port']


@pytest.fixture
def peer(servers):
    """A server whose connections the test drives (they start paused):
    ``peer.port``; ``peer.next()`` is the server side of the next connection."""
    server = servers(options={'pause_on_connect': True})
    queue = Queue()
    server.on('connection', queue.put)

    class Peer:
        port = server.address()['port']

        @staticmethod
        def next():
            try:
                return queue.get(timeout=5)
            except Empty:
                pytest.fail("timed out waiting for the server's 'connection'")
    Peer.server = server
    return Peer


def pair(peer, **options):
    """A connected client and the server side of it (paused)."""
    client = connect_and_wait(peer.port, '127.0.0.1', **options)
    return client, peer.next()


def round_trip(client, conn):
    """Have ``conn`` say something to ``client`` and wait until it arrives:
    everything ``conn`` had done before is then visible to ``client``'s side.
    ``client`` must be flowing."""
    got = wait_event(client, 'data')
    conn.write(b'.')
    get(got, what='round trip')


# -- connect forms --------------------------------------------------------------

def test_connect_port_host_and_callback(echo):
    called = AsyncResult()
    client = greennet.connect(echo, '127.0.0.1', lambda *args: called.set(args))
    assert get(called) == ()
    assert client.remote_address == '127.0.0.1'
    assert client.remote_port == echo
    assert client.remote_family == 'IPv4'
    close_socket(client)


@pytest.mark.parametrize('make', [
    lambda port, cb: greennet.connect({'port': port, 'host': '127.0.0.1'}, cb),
    lambda port, cb: greennet.connect(port=port, host='127.0.0.1', connect_listener=cb),
    lambda port, cb: greennet.connect(port=port, host='127.0.0.1', callback=cb),
    lambda port, cb: greennet.connect(cb, port=port, host='127.0.0.1'),
    lambda port, cb: greennet.create_connection(port, '127.0.0.1', cb),
    lambda port, cb: greennet.create_connection({'port': str(port), 'host': '127.0.0.1'}, cb),
    lambda port, cb: greennet.Socket().connect(port, '127.0.0.1', cb),
    lambda port, cb: greennet.Socket().connect({'port': port, 'host': '127.0.0.1'}, cb),
], ids=['options', 'kw-connect_listener', 'kw-callback', 'cb-first-with-kw', 'create_connection',
        'string-port', 'Socket.connect', 'Socket.connect-options'])
def test_connect_forms(echo, make):
    called = AsyncResult()
    client = make(echo, lambda *args: called.set(args))
    assert isinstance(client, greennet.Socket)
    assert get(called) == ()
    data = wait_event(client, 'data')
    client.write(b'form')
    assert get(data) == (b'form',)
    close_socket(client)


def test_socket_connect_returns_itself(echo):
    sock = greennet.Socket()
    assert sock.connect(echo, '127.0.0.1') is sock
    close_socket(sock)


def test_connect_default_host_is_localhost(servers):
    server = servers(lambda c: c.pipe(c), 0)    # '::' (dual stack) or 0.0.0.0
    port = server.address()['port']
    rec_lookup = AsyncResult()
    client = greennet.connect(port)
    client.once('lookup', lambda *args: rec_lookup.set(args))
    err, address, family, host = get(rec_lookup)
    # Node 20: 'lookup' (null, '127.0.0.1', 4, 'localhost') with this /etc/hosts.
    assert err is None and host == 'localhost'
    assert (address, family) in (('127.0.0.1', 4), ('::1', 6))
    get(wait_event(client, 'connect')) if client.connecting else None
    assert client.remote_address == address
    close_socket(client)


def test_connect_without_port_or_path_raises():
    # Node 20: TypeError ERR_MISSING_ARGS 'The "options" or "port" or "path"
    # argument must be specified'
    with pytest.raises(TypeError) as info:
        greennet.connect({})
    assert info.value.code == 'ERR_MISSING_ARGS'


@pytest.mark.parametrize('port', [-1, 65536, 1.5, '70000', float('nan'), float('inf')])
def test_connect_bad_port_raises(port):
    # Node 20: RangeError ERR_SOCKET_BAD_PORT 'Port should be >= 0 and <
    # 65536. Received type number (-1).'
    with pytest.raises(ValueError) as info:
        greennet.connect(port, '127.0.0.1')
    assert info.value.code == 'ERR_SOCKET_BAD_PORT'
    assert str(info.value).startswith('Port should be >= 0 and < 65536. Received')


@pytest.mark.parametrize('options, error, code', [
    # Node 20, thrown by net.connect(options):
    ({'host': 'myhost', 'lookup': 'x'}, TypeError, 'ERR_INVALID_ARG_TYPE'),
    ({'host': 5}, TypeError, 'ERR_INVALID_ARG_TYPE'),
    ({'host': 'myhost', 'family': 5}, TypeError, 'ERR_INVALID_ARG_VALUE'),
    ({'host': '127.0.0.1', 'localAddress': 'not-an-ip'}, TypeError, 'ERR_INVALID_IP_ADDRESS'),
    ({'host': '127.0.0.1', 'localPort': 'x'}, TypeError, 'ERR_INVALID_ARG_TYPE'),
], ids=['lookup', 'host', 'family', 'localAddress', 'localPort'])
def test_connect_bad_options_raise(options, error, code):
    with pytest.raises(error) as info:
        greennet.connect(dict(options, port=80))
    assert info.value.code == code


def test_connect_a_path(servers, tmp_sock_path):
    servers(lambda c: c.pipe(c), tmp_sock_path)
    for make in (lambda cb: greennet.connect(tmp_sock_path, cb),
                 lambda cb: greennet.connect({'path': tmp_sock_path}, cb),
                 lambda cb: greennet.connect(path=tmp_sock_path, connect_listener=cb)):
        called = AsyncResult()
        client = make(lambda: called.set(True))
        get(called)
        data = wait_event(client, 'data')
        client.write(b'unix')
        assert get(data) == (b'unix',)
        close_socket(client)


def test_local_address_and_local_port(servers):
    server = servers()
    port = server.address()['port']
    probe = std.socket()
    probe.bind(('127.0.0.1', 0))
    local_port = probe.getsockname()[1]
    probe.close()
    seen = AsyncResult()
    server.on('connection', lambda c: seen.set((c.remote_address, c.remote_port)))
    client = connect_and_wait({'port': port, 'host': '127.0.0.1', 'localAddress': '127.0.0.1',
                               'localPort': local_port})
    assert client.local_address == '127.0.0.1'
    assert client.local_port == local_port
    assert get(seen) == ('127.0.0.1', local_port)
    close_socket(client)


def test_local_address_keyword(servers):
    server = servers()
    client = connect_and_wait(port=server.address()['port'], host='127.0.0.1',
                              local_address='127.0.0.1')
    assert client.local_address == '127.0.0.1'
    close_socket(client)


def test_local_port_in_use_is_an_error_event(servers):
    server = servers()
    busy = std.socket()
    busy.bind(('127.0.0.1', 0))
    busy.listen(1)
    try:
        client = greennet.connect(port=server.address()['port'], host='127.0.0.1',
                                  local_address='127.0.0.1', local_port=busy.getsockname()[1])
        rec = Recorder(client, 'error', 'close')
        (err,) = rec.wait('error')
        assert err.code == 'EADDRINUSE'
        assert err.syscall == 'bind'
        assert rec.wait('close') == (True,)
    finally:
        busy.close()


def _recording_lookup(address, family, asynchronous=True):
    """A ``dns.lookup``-shaped function answering ``address``; it records
    the (hostname, options) it was asked with."""
    calls = []

    def lookup(hostname, options, callback):
        calls.append((hostname, dict(options)))
        if options.get('all'):
            answer = (None, [{'address': address, 'family': family}])
        else:
            answer = (None, address, family)
        if asynchronous:
            gevent.spawn(callback, *answer)
        else:
            callback(*answer)
    lookup.calls = calls
    return lookup


@pytest.mark.parametrize('asynchronous', [True, False], ids=['async-callback', 'sync-callback'])
def test_custom_lookup_and_lookup_event(echo, asynchronous):
    lookup = _recording_lookup('127.0.0.1', 4, asynchronous)
    client = greennet.Socket()
    # A lookup that calls back at once has 'lookup' emitted inside connect(),
    # as Node's emitLookup is: listen before the call.
    rec = Recorder(client, 'lookup', 'connect', 'ready', 'close')
    client.connect({'port': echo, 'host': 'myhost', 'lookup': lookup})
    assert rec.seen('lookup') is not asynchronous
    rec.wait('ready')
    # Node 20: lookup is asked ('myhost', {family: undefined, hints: 32,
    # all: true}) (32 is dns.ADDRCONFIG), and 'lookup' is emitted as
    # (null, '127.0.0.1', 4, 'myhost') before 'connect', then 'ready'.
    ((hostname, options),) = lookup.calls
    assert hostname == 'myhost'
    assert options.pop('family', None) in (None, 0)     # "any family"
    assert options == {'hints': 32, 'all': True}
    assert rec.log[:3] == [('lookup', (None, '127.0.0.1', 4, 'myhost')), ('connect', ()), ('ready', ())]
    assert client.remote_address == '127.0.0.1'
    close_socket(client)


def test_family_and_hints_reach_lookup(echo):
    lookup = _recording_lookup('127.0.0.1', 4)
    client = connect_and_wait(port=echo, host='myhost', family=4, hints=0, lookup=lookup)
    # Node 20: ('myhost', {family: 4, hints: 0})
    assert lookup.calls == [('myhost', {'family': 4, 'hints': 0})]
    close_socket(client)
    lookup = _recording_lookup('127.0.0.1', 4)
    client = connect_and_wait(port=echo, host='myhost', family=4, hints=32, lookup=lookup)
    assert lookup.calls == [('myhost', {'family': 4, 'hints': 32})]
    close_socket(client)


def test_family_6_connects_over_ipv6(servers):
    try:
        server = servers(lambda c: c.pipe(c), 0, '::1')
    except OSError:
        pytest.skip('no IPv6 loopback')
    lookup = _recording_lookup('::1', 6)
    client = connect_and_wait(port=server.address()['port'], host='myhost6', family=6, lookup=lookup)
    assert lookup.calls == [('myhost6', {'family': 6, 'hints': 0})]
    assert client.remote_family == 'IPv6'
    assert client.remote_address == '::1'
    assert client.local_family == 'IPv6'
    close_socket(client)


def test_lookup_error_is_lookup_event_then_error_then_close(no_fd_leak):
    failure = OSError(errno.ENOENT, 'custom fail')
    failure.code = 'ECUSTOM'

    def lookup(hostname, options, callback):
        gevent.spawn(callback, failure)
    client = greennet.connect({'port': 80, 'host': 'example.test', 'lookup': lookup})
    rec = Recorder(client, 'lookup', 'connect', 'error', 'close')
    rec.wait('close')
    # Node 20: 'lookup'(err, undefined, undefined, host), then the same error
    # object as 'error', then 'close'(true).
    assert rec.names() == ['lookup', 'error', 'close']
    assert rec.log[0][1] == (failure, None, None, 'example.test')
    assert rec.log[1][1][0] is failure
    assert rec.log[2][1] == (True,)
    assert client.destroyed


def test_enotfound_for_unresolvable_name(no_fd_leak):
    client = greennet.connect(80, 'nonexistent.invalid')
    rec = Recorder(client, 'lookup', 'error', 'close')
    result = AsyncResult()
    client.once('close', lambda had_error: result.set(had_error))
    try:
        result.get(timeout=5)
    except gevent.Timeout:
        close_socket(client)
        pytest.skip('DNS did not fail within 5 s here')
    (err,) = rec.wait('error')
    # Node 20: {code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo',
    # hostname: 'nonexistent.invalid', message: 'getaddrinfo ENOTFOUND
    # nonexistent.invalid'}; 'lookup' first with (err, undefined, undefined,
    # 'nonexistent.invalid'); 'close'(true).
    if err.code in ('EAI_AGAIN', 'EAI_FAIL'):
        pytest.skip('no resolver here: %s' % err.code)
    assert err.code == 'ENOTFOUND'
    assert err.syscall == 'getaddrinfo'
    assert err.hostname == 'nonexistent.invalid'
    assert 'getaddrinfo ENOTFOUND nonexistent.invalid' in str(err)
    assert rec.names() == ['lookup', 'error', 'close']
    assert rec.log[0][1][0] is err and rec.log[0][1][3] == 'nonexistent.invalid'
    assert rec.log[2][1] == (True,)


def _closed_port():
    probe = std.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_econnrefused(no_fd_leak):
    port = _closed_port()
    client = greennet.connect(port, '127.0.0.1')
    rec = Recorder(client, 'connect', 'error', 'close')
    rec.wait('close')
    (err,) = rec.log[0][1]
    # Node 20: {code: 'ECONNREFUSED', errno: -111, syscall: 'connect',
    # address: '127.0.0.1', port, message: 'connect ECONNREFUSED
    # 127.0.0.1:<port>'}, events ['error', 'close'(true)], then
    # destroyed true, readyState 'closed', pending true, connecting false.
    assert isinstance(err, OSError)
    assert err.code == 'ECONNREFUSED'
    assert err.errno == errno.ECONNREFUSED
    assert err.syscall == 'connect'
    assert err.address == '127.0.0.1'
    assert err.port == port
    assert 'connect ECONNREFUSED 127.0.0.1:%d' % port in str(err)
    assert rec.names() == ['error', 'close']
    assert rec.log[1][1] == (True,)
    assert client.destroyed is True
    assert client.ready_state == 'closed'
    assert client.pending is True
    assert client.connecting is False


def test_econnrefused_many_times_leaks_no_descriptor(no_fd_leak):
    port = _closed_port()
    before = socket_fds()
    for _ in range(20):
        client = greennet.connect(port, '127.0.0.1')
        client.on('error', lambda err: None)
        get(wait_event(client, 'close'))
    assert socket_fds() <= before


def test_enoent_for_missing_unix_path(tmp_sock_path, no_fd_leak):
    client = greennet.connect(tmp_sock_path)
    rec = Recorder(client, 'error', 'close')
    rec.wait('close')
    (err,) = rec.log[0][1]
    # Node 20: {code: 'ENOENT', errno: -2, syscall: 'connect', address:
    # <path>, message: 'connect ENOENT <path>'}, then 'close'(true).
    assert err.code == 'ENOENT'
    assert err.errno == errno.ENOENT
    assert err.syscall == 'connect'
    assert err.address == tmp_sock_path
    assert 'connect ENOENT %s' % tmp_sock_path in str(err)
    assert rec.names() == ['error', 'close']
    assert rec.log[1][1] == (True,)


# -- connect options on the descriptor ----------------------------------------------

def test_no_delay_and_keep_alive_options(echo):
    client = connect_and_wait(port=echo, host='127.0.0.1', no_delay=True, keep_alive=True,
                              keep_alive_initial_delay=4000)
    fd = dup_connection_fd(client.local_port, echo)
    try:
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_NODELAY) == 1
        # Node 20 (socket.setKeepAlive(true, 4000) under strace):
        # SO_KEEPALIVE=1, TCP_KEEPIDLE=4, TCP_KEEPINTVL=1, TCP_KEEPCNT=10.
        assert fd.getsockopt(std.SOL_SOCKET, std.SO_KEEPALIVE) == 1
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_KEEPIDLE) == 4
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_KEEPINTVL) == 1
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_KEEPCNT) == 10
    finally:
        fd.close()
        close_socket(client)


def test_camel_case_no_delay_keep_alive_in_dict(echo):
    client = connect_and_wait({'port': echo, 'host': '127.0.0.1', 'noDelay': True,
                               'keepAlive': True, 'keepAliveInitialDelay': 2000})
    fd = dup_connection_fd(client.local_port, echo)
    try:
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_NODELAY) == 1
        assert fd.getsockopt(std.SOL_SOCKET, std.SO_KEEPALIVE) == 1
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_KEEPIDLE) == 2
    finally:
        fd.close()
        close_socket(client)


def test_set_no_delay_and_set_keep_alive_on_the_descriptor(echo):
    client = connect_and_wait(echo, '127.0.0.1')
    fd = dup_connection_fd(client.local_port, echo)
    try:
        # Node: a TCP connection starts with Nagle on.
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_NODELAY) == 0
        assert client.set_no_delay() is client          # default true
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_NODELAY) == 1
        client.set_no_delay(False)
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_NODELAY) == 0
        assert client.set_keep_alive(True, 7000) is client
        assert fd.getsockopt(std.SOL_SOCKET, std.SO_KEEPALIVE) == 1
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_KEEPIDLE) == 7
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_KEEPINTVL) == 1
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_KEEPCNT) == 10
        # initialDelay 0 leaves the previous value.
        client.set_keep_alive(True)
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_KEEPIDLE) == 7
        client.set_keep_alive(False)
        assert fd.getsockopt(std.SOL_SOCKET, std.SO_KEEPALIVE) == 0
    finally:
        fd.close()
        close_socket(client)


def test_set_no_delay_before_connect_applies_once_connected(echo):
    client = greennet.connect(echo, '127.0.0.1')
    client.set_no_delay(True)
    client.set_keep_alive(True, 3000)
    get(wait_event(client, 'connect'))
    fd = dup_connection_fd(client.local_port, echo)
    try:
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_NODELAY) == 1
        assert fd.getsockopt(std.SOL_SOCKET, std.SO_KEEPALIVE) == 1
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_KEEPIDLE) == 3
    finally:
        fd.close()
        close_socket(client)


# -- onread -----------------------------------------------------------------------

def test_onread_with_a_bytearray(peer):
    buf = bytearray(4)
    received = []
    got_all = Event()

    def on_chunk(nread, b):
        received.append((nread, bytes(b[:nread]), b is buf))
        if sum(n for n, _, _ in received) >= 10:
            got_all.set()
    client, conn = pair(peer, onread={'buffer': buf, 'callback': on_chunk})
    data = Recorder(client, 'data')
    conn.write(b'0123456789')
    wait_flag(got_all, what='onread callbacks')
    # Reads fill at most the 4-byte buffer; every call gets the same buffer.
    assert b''.join(chunk for _, chunk, _ in received) == b'0123456789'
    assert all(0 < n <= 4 and same for n, _, same in received)
    assert client.bytes_read == 10
    # onread replaces 'data'.
    assert data.count('data') == 0
    close_socket(client)


def test_onread_with_a_buffer_function(peer):
    made = []

    def supply():
        made.append(bytearray(64))
        return made[-1]
    got = AsyncResult()
    client, conn = pair(peer, onread={'buffer': supply,
                                      'callback': lambda n, b: got.set((n, bytes(b[:n]), b))})
    conn.write(b'hello')
    nread, chunk, buf = get(got)
    assert (nread, chunk) == (5, b'hello')
    assert any(buf is m for m in made)
    close_socket(client)


def test_onread_callback_returning_false_pauses(peer):
    calls = []
    arrived = [Event(), Event()]

    def on_chunk(nread, buf):
        calls.append(bytes(buf[:nread]))
        arrived[min(len(calls), 2) - 1].set()
        return False
    client, conn = pair(peer, onread={'buffer': bytearray(1024), 'callback': on_chunk})
    conn.write(b'one')
    wait_flag(arrived[0])
    # Node 20: returning false stops reading without pausing the stream:
    # isPaused() false, readableFlowing null; resume() reads again.
    assert client.is_paused() is False
    conn.write(b'two')
    # A round trip from the client to the server shows time passed.
    conn.resume()
    seen = wait_event(conn, 'data')
    client.write(b'ping')
    get(seen)
    assert calls == [b'one']
    client.resume()
    wait_flag(arrived[1], what='onread after resume()')
    assert calls == [b'one', b'two']
    close_socket(client)


# -- properties through a socket's life ------------------------------------------------

def test_fresh_socket_properties():
    sock = greennet.Socket()
    # Node 20: new net.Socket(): pending true, connecting false, destroyed
    # false, readyState 'open', bufferSize undefined, writableLength 0,
    # bytesRead 0, bytesWritten 0, address() {}, timeout undefined.
    assert sock.pending is True
    assert sock.connecting is False
    assert sock.destroyed is False
    assert sock.ready_state == 'open'
    assert sock.buffer_size is None
    assert sock.writable_length == 0
    assert sock.bytes_read == 0
    assert sock.bytes_written == 0
    assert sock.address() == {}
    assert sock.timeout is None
    assert sock.remote_address is None and sock.local_address is None


def test_properties_while_connecting(peer):
    client = greennet.connect(peer.port, '127.0.0.1')
    # Node 20: readyState 'opening', pending true, connecting true,
    # bufferSize 0, writableLength 0.
    assert client.ready_state == 'opening'
    assert client.pending is True
    assert client.connecting is True
    assert client.writable_length == 0
    # Node 20: write('hello') while connecting returns true, and then
    # writableLength 5, bufferSize 5, bytesWritten 5.
    assert client.write('hello') is True
    assert client.writable_length == 5
    assert client.bytes_written == 5
    buffer_size = client.buffer_size
    get(wait_event(client, 'connect'))
    close_socket(client)
    assert buffer_size == 5  # Node 20: writableLength once connect() was called


def test_properties_when_connected(peer):
    client, conn = pair(peer)
    # Node 20: readyState 'open', pending false, connecting false.
    for sock in (client, conn):
        assert sock.ready_state == 'open'
        assert sock.pending is False
        assert sock.connecting is False
        assert sock.destroyed is False
        assert sock.buffer_size == 0
    assert client.local_address == conn.remote_address == '127.0.0.1'
    assert client.local_port == conn.remote_port
    assert client.remote_port == conn.local_port == peer.port
    assert client.local_family == client.remote_family == 'IPv4'
    assert conn.remote_family == 'IPv4'
    assert client.address() == {'address': '127.0.0.1', 'family': 'IPv4', 'port': client.local_port}
    close_socket(client)


def test_bytes_read_and_written(echo):
    client = connect_and_wait(echo, '127.0.0.1')
    rec = Recorder(client, 'data', 'close')
    client.write(b'abc')
    client.write('\u20ac')           # 3 bytes in utf8
    client.end(b'xyz')
    rec.wait('close')
    assert rec.data() == b'abc\xe2\x82\xacxyz'
    # Node 20 counts bytes: 9 written, 9 read.
    assert client.bytes_written == 9
    assert client.bytes_read == 9


def test_ready_state_through_end_and_close(peer):
    client, conn = pair(peer)
    conn.resume()
    states = {}
    client.on('finish', lambda: states.setdefault('finish', client.ready_state))
    client.on('close', lambda h: states.setdefault('close', client.ready_state))
    client.resume()
    client.end()
    # Node 20: readyState 'readOnly' right after end().
    assert client.ready_state == 'readOnly'
    assert client.writable is False
    assert client.writable_ended is True
    get(wait_event(client, 'close'))
    assert states['close'] == 'closed'
    assert client.destroyed is True


# -- destroy, end, write after end -------------------------------------------------------

def test_destroy_with_error_emits_error_then_close_true(peer):
    client, conn = pair(peer)
    boom = RuntimeError('boom')
    assert client.destroy(boom) is client
    # Synchronously destroyed; Node 20: destroyed true, readyState 'closed'.
    assert client.destroyed is True
    assert client.ready_state == 'closed'
    # Listeners added after the call still see the events.
    rec = Recorder(client, 'error', 'close', 'end', 'finish')
    rec.wait('close')
    # Node 20: ['error' boom, 'close' true].
    assert rec.log == [('error', (boom,)), ('close', (True,))]


def test_destroy_without_error_emits_close_false(peer):
    client, conn = pair(peer)
    client.destroy()
    rec = Recorder(client, 'error', 'close')
    rec.wait('close')
    assert rec.log == [('close', (False,))]


def test_write_after_destroy_calls_back_with_destroyed(peer):
    client, conn = pair(peer)
    client.destroy(RuntimeError('boom'))
    rec = Recorder(client, 'error', 'close')
    write_cb = AsyncResult()
    assert client.write(b'x', lambda *args: write_cb.set(args)) is False
    # Node 20: the callback gets ERR_STREAM_DESTROYED; no second 'error'.
    (err,) = get(write_cb)
    assert err.code == 'ERR_STREAM_DESTROYED'
    rec.wait('close')
    assert rec.count('error') == 1


def test_end_after_destroy_calls_back_with_destroyed(peer):
    client, conn = pair(peer)
    client.destroy(RuntimeError('boom'))
    rec = Recorder(client, 'error', 'close')
    end_cb = AsyncResult()
    client.end(lambda *args: end_cb.set(args))
    rec.wait('close')
    # Node 20: cb(ERR_STREAM_DESTROYED); no second 'error'.
    (err,) = get(end_cb, timeout=1)
    assert err.code == 'ERR_STREAM_DESTROYED'
    assert rec.count('error') == 1


def test_end_callback_gets_error_when_destroyed_before_finish(peer):
    # Node 20: c.end(cb); c.destroy() -> cb(ERR_STREAM_DESTROYED), 'close'(false).
    client = greennet.connect(peer.port, '127.0.0.1')
    end_cb = AsyncResult()
    client.end(lambda *args: end_cb.set(args))
    client.destroy()
    rec = Recorder(client, 'close', 'error')
    rec.wait('close')
    assert rec.log == [('close', (False,))]
    args = get(end_cb, timeout=1)
    assert len(args) == 1 and args[0].code == 'ERR_STREAM_DESTROYED'


def test_end_with_data_encoding_and_callback(peer):
    client, conn = pair(peer)
    received = Recorder(conn, 'data', 'end')
    conn.resume()
    done = AsyncResult()
    order = []
    client.on('finish', lambda: order.append('finish'))
    assert client.end('68656c6c6f', 'hex', lambda *args: (order.append('callback'), done.set(args))) is client
    # Python contract: the end callback is called with no argument on success.
    assert get(done) == ()
    received.wait('end')
    assert received.data() == b'hello'
    assert order == ['callback', 'finish']


def test_end_with_callback_only(peer):
    client, conn = pair(peer)
    done = AsyncResult()
    client.end(lambda *args: done.set(args))
    assert get(done) == ()


def test_write_callback_gets_no_argument_on_success(peer):
    client, conn = pair(peer)
    done = AsyncResult()
    client.write(b'x', lambda *args: done.set(args))
    assert get(done) == ()
    done = AsyncResult()
    client.write('78', 'hex', lambda *args: done.set(args))
    assert get(done) == ()


def test_write_after_end(peer):
    client, conn = pair(peer)
    conn.resume()
    rec = Recorder(client, 'error', 'close', 'finish')
    end_cb, write_cb = AsyncResult(), AsyncResult()
    client.end(b'world', lambda *args: end_cb.set(args))
    ret = client.write(b'x', lambda *args: write_cb.set(args))
    # Node 20: write() returns false, its callback and 'error' get
    # ERR_STREAM_WRITE_AFTER_END ('write after end'), 'close'(true).
    assert ret is False
    (err,) = get(write_cb)
    assert isinstance(err, NodeError)
    assert err.code == 'ERR_STREAM_WRITE_AFTER_END'
    assert str(err) == 'write after end'
    rec.wait('close')
    assert rec.log[0] == ('error', (err,)) or rec.log[0][1][0].code == 'ERR_STREAM_WRITE_AFTER_END'
    assert rec.log[-1] == ('close', (True,))
    assert rec.count('error') == 1


def test_write_of_wrong_type_raises(peer):
    client, conn = pair(peer)
    with pytest.raises(TypeError) as info:
        client.write(12345)
    assert info.value.code == 'ERR_INVALID_ARG_TYPE'
    with pytest.raises(TypeError) as info:
        client.write(None)
    assert info.value.code == 'ERR_STREAM_NULL_VALUES'
    close_socket(client)


def test_writes_made_while_connecting_are_delivered_in_order(peer):
    client = greennet.connect(peer.port, '127.0.0.1')
    for i in range(50):
        client.write(b'%03d,' % i)
    client.write('tail', 'utf8')
    client.end(b'!')
    conn = peer.next()
    rec = Recorder(conn, 'data', 'end')
    conn.resume()
    rec.wait('end')
    assert rec.data() == b''.join(b'%03d,' % i for i in range(50)) + b'tail!'


# -- half-open -------------------------------------------------------------------------

def test_client_allow_half_open_keeps_writing_after_end(peer):
    client, conn = pair(peer, allow_half_open=True)
    rec = Recorder(client, 'end', 'finish', 'close')
    state = AsyncResult()
    client.on('end', lambda: state.set(client.ready_state))
    client.resume()
    server_rec = Recorder(conn, 'data', 'end')
    conn.resume()
    conn.end()
    # Node 20: after 'end' with allowHalfOpen the socket is 'writeOnly'.
    assert get(state) == 'writeOnly'
    assert not client.destroyed
    client.write(b'after end')
    client.end(b' and more')
    server_rec.wait('end')
    assert server_rec.data() == b'after end and more'
    rec.wait('close')
    assert rec.names() == ['end', 'finish', 'close']


def test_without_allow_half_open_client_ends_after_peer_ends(peer):
    client, conn = pair(peer)
    rec = Recorder(client, 'end', 'finish', 'close')
    client.resume()
    conn.resume()
    conn.end()
    rec.wait('close')
    assert rec.names() == ['end', 'finish', 'close']
    assert rec.log[-1] == ('close', (False,))


# -- pause / resume -------------------------------------------------------------------

def test_pause_and_resume(peer):
    client, conn = pair(peer)
    rec = Recorder(client, 'data')
    assert client.pause() is client
    assert client.is_paused()
    conn.write(b'while paused')
    # The other direction proves the connection moved on meanwhile.
    conn.resume()
    seen = wait_event(conn, 'data')
    client.write(b'x')
    get(seen)
    assert rec.count('data') == 0
    assert client.resume() is client
    rec.wait('data')
    assert rec.data() == b'while paused'


def test_data_listener_starts_the_flow_unless_paused(peer):
    client, conn = pair(peer)
    client.pause()
    rec = Recorder(client, 'data')
    conn.write(b'a')
    conn.resume()
    seen = wait_event(conn, 'data')
    client.write(b'x')
    get(seen)
    assert rec.count('data') == 0
    client.resume()
    rec.wait('data')
    assert rec.data() == b'a'


def test_removing_data_listeners_does_not_pause(peer):
    client, conn = pair(peer)
    first = AsyncResult()
    listener = first.set
    client.on('data', listener)
    conn.write(b'1')
    get(first)
    client.remove_listener('data', listener)
    assert not client.is_paused()


# -- encodings ------------------------------------------------------------------------

def test_set_encoding_utf8_never_splits_a_character(peer):
    client, conn = pair(peer)
    conn.resume()
    assert client.set_encoding('utf8') is client
    chunks = []
    first = AsyncResult()
    done = AsyncResult()

    def on_data(chunk):
        chunks.append(chunk)
        if len(chunks) == 1:
            first.set(chunk)
        if ''.join(chunks).endswith('\u20ac'):
            done.set(True)
    client.on('data', on_data)
    conn.write(b'a\xe2')            # 'a' and the first byte of the euro sign
    assert get(first) == 'a'
    # Only now send the rest: the character is split across two reads.
    conn.write(b'\x82\xac')
    get(done)
    assert chunks == ['a', '\u20ac']


@pytest.mark.parametrize('encoding, payload, expected', [
    ('hex', b'\x01\xff\x10', '01ff10'),
    ('base64', b'hello', 'aGVsbG8='),
    ('latin1', b'\xe9t\xe9', '\xe9t\xe9'),
    ('utf-8', '\u00e9t\u00e9 \U0001f600'.encode(), '\u00e9t\u00e9 \U0001f600'),
    ('ucs2', 'hi'.encode('utf-16-le'), 'hi'),
])
def test_set_encoding_kinds(peer, encoding, payload, expected):
    client, conn = pair(peer)
    client.set_encoding(encoding)
    rec = Recorder(client, 'data', 'end')
    client.resume()
    conn.end(payload)
    rec.wait('end')
    assert all(isinstance(chunk, str) for (_name, (chunk,)) in
               [entry for entry in rec.log if entry[0] == 'data'])
    assert rec.data() == expected


def test_set_encoding_unknown_raises(peer):
    client, conn = pair(peer)
    with pytest.raises(TypeError) as info:
        client.set_encoding('klingon')
    assert info.value.code == 'ERR_UNKNOWN_ENCODING'


# -- timeouts -----------------------------------------------------------------------

def test_set_timeout_fires_after_at_least_the_timeout(peer):
    client, conn = pair(peer)
    fired = AsyncResult()
    start = time.monotonic()
    assert client.set_timeout(300, lambda *args: fired.set(time.monotonic())) is client
    assert client.timeout == 300
    elapsed = get(fired) - start
    assert elapsed >= 0.300
    assert elapsed < 1.5
    # Node: the connection is not severed by a timeout.
    assert not client.destroyed


def test_activity_resets_the_timeout(peer):
    client, conn = pair(peer)
    arrivals = []
    client.on('data', lambda chunk: arrivals.append(time.monotonic()))
    fired = AsyncResult()
    client.on('timeout', lambda: fired.set(time.monotonic()) if not fired.ready() else None)
    sent = Event()

    def trickle():
        # Data every 100 ms for 600 ms, each gap well under the 300 ms timeout.
        for _ in range(6):
            conn.write(b'.')
            gevent.sleep(0.1)   # a load generator's pace, not synchronisation
        sent.set()
    client.set_timeout(300)
    start = time.monotonic()
    writer = gevent.spawn(trickle)
    try:
        when = get(fired)
    finally:
        writer.kill()
    assert sent.is_set()
    assert arrivals
    assert when - start >= 0.6
    assert when - arrivals[-1] >= 0.300 - 0.005


def test_timeout_option_and_zero_disables(peer):
    client, conn = pair(peer, timeout=150)
    assert client.timeout == 150
    first = AsyncResult()
    client.once('timeout', lambda: first.set(True))
    get(first)
    client.set_timeout(0)
    again = Event()
    client.on('timeout', again.set)
    # Bounded negative check: no timeout within 3 periods.
    assert not again.wait(0.45)


def test_set_timeout_bad_value_raises(peer):
    client, conn = pair(peer)
    with pytest.raises((TypeError, ValueError)) as info:
        client.set_timeout(-1)
    assert info.value.code in ('ERR_OUT_OF_RANGE', 'ERR_INVALID_ARG_TYPE')
    with pytest.raises(TypeError) as info:
        client.set_timeout('soon')
    assert info.value.code == 'ERR_INVALID_ARG_TYPE'


# -- write() return value and 'drain' ----------------------------------------------------

def test_write_returns_false_at_the_high_water_mark_and_drain_follows(peer):
    client, conn = pair(peer)         # conn is paused: nothing is read
    chunk = b'x' * 65536
    writes = 0
    # Write until write() says stop while something is queued (the kernel's
    # buffers take the first megabytes on loopback).
    while client.write(chunk) or client.writable_length == 0:
        writes += 1
        assert writes < 10000, 'write() never returned False'
    assert client.writable_length > 0
    assert client.writable_need_drain is True
    drained = wait_event(client, 'drain')
    conn.resume()
    get(drained, timeout=10)
    assert client.writable_length == 0
    assert client.writable_need_drain is False


@pytest.mark.parametrize('sizes', [[1], [HWM - 1], [HWM - 1, 1], [HWM], [65536], [1 << 20]])
def test_write_return_value_follows_writable_length(peer, sizes):
    # Node 20's rule (writable.js): write() returns writableLength < highWaterMark
    # after the chunk is queued; a chunk the kernel takes at once is not
    # queued. Node 20, to a paused peer on loopback: 1 B, 16383 B, 16384 B,
    # 64 KiB, 1 MiB -> true with writableLength 0.
    client, conn = pair(peer)
    for size in sizes:
        ret = client.write(b'y' * size)
        assert ret == (client.writable_length < HWM), (size, ret, client.writable_length)
    close_socket(client)


def test_write_return_value_while_connecting(peer):
    # Node 20: while connecting, 16383 bytes -> true, one more byte -> false.
    client = greennet.connect(peer.port, '127.0.0.1')
    assert client.write(b'z' * (HWM - 1)) is True
    assert client.write(b'z') is False
    close_socket(client)


# -- pipe ----------------------------------------------------------------------------------

def test_pipe_through_a_proxy(servers, echo):
    # allow_half_open: the client's end must not end the proxy's reply side
    # before the echo has come back (Node 20 with allowHalfOpen false loses
    # the tail of the reply here, with EPIPE).
    def proxy(conn):
        upstream = greennet.connect(echo, '127.0.0.1')
        assert conn.pipe(upstream) is upstream
        upstream.pipe(conn)
    front = servers(proxy, options={'allow_half_open': True})
    client = connect_and_wait(front.address()['port'], '127.0.0.1')
    rec = Recorder(client, 'data', 'end', 'close')
    payload = os.urandom(1 << 20)
    client.write(payload)
    client.end()
    rec.wait('close', timeout=15)
    assert rec.data() == payload
    assert 'end' in rec.names()


# -- events after the call; close once and last ----------------------------------------------

def test_listener_added_after_connect_sees_connect(echo):
    client = greennet.connect(echo, '127.0.0.1')
    rec = Recorder(client, 'connect', 'ready')
    rec.wait('ready')
    assert rec.names() == ['connect', 'ready']
    close_socket(client)


def test_listener_added_after_refused_connect_sees_error():
    client = greennet.connect(_closed_port(), '127.0.0.1')
    rec = Recorder(client, 'error', 'close')
    rec.wait('close')
    assert rec.names() == ['error', 'close']


def test_close_is_emitted_once_and_last(echo):
    client = connect_and_wait(echo, '127.0.0.1')
    events = []
    for name in ('data', 'end', 'finish', 'close', 'error', 'timeout', 'drain'):
        client.on(name, lambda *args, name=name: events.append(name))
    closed = wait_event(client, 'close')
    client.write(b'abc')
    client.end()
    client.destroy()
    client.destroy()
    client.destroy(RuntimeError('late'))
    get(closed)
    # Let anything else that might still be due run.
    follow = AsyncResult()
    gevent.spawn(lambda: follow.set(True))
    get(follow)
    assert events.count('close') == 1
    assert events[-1] == 'close'
    assert events.count('error') == 0


@pytest.mark.parametrize('where', ['data', 'end', 'connect'])
def test_destroy_inside_a_listener_closes_once(echo, where):
    client = greennet.connect(echo, '127.0.0.1')
    closes = []
    client.on('close', closes.append)
    client.on(where, lambda *args: client.destroy())
    client.on('data', lambda chunk: None)
    closed = wait_event(client, 'close')
    client.write(b'abc')
    if where == 'end':
        client.end()
    get(closed)
    follow = AsyncResult()
    gevent.spawn(lambda: follow.set(True))
    get(follow)
    assert closes == [False]


# -- descriptors -------------------------------------------------------------------------

def test_no_descriptor_leaked_after_many_connections(no_fd_leak, servers):
    server = servers(lambda c: c.pipe(c))
    port = server.address()['port']
    for i in range(20):
        client = connect_and_wait(port, '127.0.0.1')
        rec = Recorder(client, 'data', 'close')
        client.end(b'%d' % i)
        rec.wait('close')
        assert rec.data() == b'%d' % i


# -- ref / unref -------------------------------------------------------------------------

def test_ref_unref_return_the_socket(echo):
    client = connect_and_wait(echo, '127.0.0.1')
    assert client.unref() is client
    assert client.ref() is client
    close_socket(client)


# -- errors raised by listeners ------------------------------------------------------------

def test_a_raising_connection_listener_does_not_stop_the_server(servers, hub_errors):
    count = []

    def flaky(conn):
        count.append(conn)
        if len(count) == 1:
            raise ZeroDivisionError('listener bug')
        conn.pipe(conn)
    server = servers(flaky)
    port = server.address()['port']
    first = greennet.connect(port, '127.0.0.1')
    first.on('error', lambda err: None)
    second = connect_and_wait(port, '127.0.0.1')
    got = wait_event(second, 'data')
    second.write(b'served')
    assert get(got) == (b'served',)
    assert ZeroDivisionError in hub_errors.types()
    close_socket(first)
    close_socket(second)


def test_a_raising_data_listener_destroys_its_socket_reported_once(peer, hub_errors):
    client, conn = pair(peer)
    seen = []
    bug = ValueError('data listener bug')
    errors = []

    def on_data(chunk):
        seen.append(chunk)
        raise bug
    client.on('data', on_data)
    client.on('error', errors.append)
    closed = wait_event(client, 'close')
    peer_closed = wait_event(conn, 'close')
    conn.write(b'1')
    conn.resume()
    assert get(closed) == (True,)
    assert errors == [bug] and client.errored is bug
    get(peer_closed)        # the peer is not left waiting
    assert seen == [b'1']   # no later chunk runs the failing listener again
    assert [v for _c, v in hub_errors] == [bug]


def test_error_without_listener_is_reported_and_server_keeps_serving(servers, hub_errors, caplog):
    server = servers(lambda c: c.resume(), catch_errors=False)
    port = server.address()['port']
    closed = AsyncResult()
    accepted = AsyncResult()
    server.once('connection', lambda c: (accepted.set(c),
                                         c.on('close', lambda had_error: closed.set(had_error))))
    raw = std.create_connection(('127.0.0.1', port))
    # Wait for the server side to exist, then reset the connection.
    conn = get(accepted)
    raw.setsockopt(std.SOL_SOCKET, std.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
    raw.close()
    assert get(closed) is True
    assert conn.destroyed
    reported = [value for _ctx, value in hub_errors]
    assert reported and getattr(reported[0], 'code', None) == 'ECONNRESET'
    assert "unhandled 'error' event" in caplog.text and 'ECONNRESET' in caplog.text
    # The server still serves.
    server.on('connection', lambda c: c.pipe(c))
    client = connect_and_wait(port, '127.0.0.1')
    got = wait_event(client, 'data')
    client.write(b'still serving')
    assert get(got) == (b'still serving',)
    close_socket(client)


def test_destroy_with_error_and_no_listener_is_reported(peer, hub_errors, caplog):
    client, conn = pair(peer)
    closed = wait_event(client, 'close')
    client.destroy(RuntimeError('nobody listens'))
    assert get(closed) == (True,)
    assert RuntimeError in hub_errors.types()
    assert 'nobody listens' in caplog.text
