"""greennet.Server: listen forms, address(), close(), connections, options.

Expected values marked "Node 20" were printed by Node v20.20.2 running the
same calls (``net.createServer()...``).
"""
import errno
import os
import shutil
import socket as std
import subprocess

import gevent
import pytest
from gevent.event import AsyncResult, Event

import greennet
from greennet.errors import NodeError

from conftest import (Recorder, close_server, close_socket, connect_and_wait, dup_connection_fd,
                      get, listen, socket_fds, wait_event, wait_flag)

pytestmark = pytest.mark.timeout(30)


def has_ipv6() -> bool:
    try:
        probe = std.socket(std.AF_INET6, std.SOCK_STREAM)
        probe.bind(('::1', 0))
        probe.close()
        return True
    except OSError:
        return False


needs_ipv6 = pytest.mark.skipif(not has_ipv6(), reason='no IPv6 loopback')


def echo_once(port, host='127.0.0.1', payload=b'ping'):
    """Connect with a plain Python socket (in a gevent-friendly way), send
    ``payload``, return what came back before EOF."""
    from gevent import socket as gsocket
    family = std.AF_INET6 if ':' in host else std.AF_INET
    with gsocket.socket(family, std.SOCK_STREAM) as client:
        client.settimeout(5)
        client.connect((host, port))
        client.sendall(payload)
        client.shutdown(std.SHUT_WR)
        chunks = []
        while True:
            data = client.recv(65536)
            if not data:
                return b''.join(chunks)
            chunks.append(data)


def echo_server(**options):
    return greennet.create_server(options or None, lambda c: c.pipe(c))


def backlog_of(port):
    """The backlog of the listener on ``port``, as ``ss`` reports it (Send-Q)."""
    if shutil.which('ss') is None:
        pytest.skip('ss not installed')
    out = subprocess.run(['ss', '-ltnH', 'sport = :%d' % port], capture_output=True, text=True,
                         timeout=10).stdout.split()
    if len(out) < 3:
        pytest.skip('ss gave no listener row')
    return int(out[2])


# -- listen forms --------------------------------------------------------------

def test_listen_port_host_backlog_callback_positional():
    server = echo_server()
    called = AsyncResult()
    assert server.listen(0, '127.0.0.1', 7, lambda *args: called.set(args)) is server
    assert get(called) == ()
    try:
        address = server.address()
        assert address['address'] == '127.0.0.1'
        assert address['family'] == 'IPv4'
        assert 0 < address['port'] < 65536
        assert backlog_of(address['port']) == 7
        assert echo_once(address['port']) == b'ping'
    finally:
        close_server(server)


def test_default_backlog_is_511():
    # Node: "The default value of this parameter is 511 (not 512)". The kernel
    # caps it at somaxconn.
    server = echo_server()
    port = listen(server, 0, '127.0.0.1')['port']
    try:
        with open('/proc/sys/net/core/somaxconn') as f:
            somaxconn = int(f.read())
        assert backlog_of(port) == min(511, somaxconn)
    finally:
        close_server(server)


@needs_ipv6
def test_listen_without_arguments_is_dual_stack_any():
    # Node 20: net.createServer().listen(cb) -> address() is
    # {address: '::', family: 'IPv6', port: <random>}
    server = echo_server()
    listening = AsyncResult()
    server.listen(lambda: listening.set(True))
    assert get(listening) is True
    try:
        address = server.address()
        assert address['address'] == '::'
        assert address['family'] == 'IPv6'
        assert address['port'] > 0
        assert echo_once(address['port'], '127.0.0.1', b'v4') == b'v4'
        assert echo_once(address['port'], '::1', b'v6') == b'v6'
    finally:
        close_server(server)


@needs_ipv6
def test_listen_no_args_at_all():
    server = echo_server()
    listening = wait_event(server, 'listening')
    server.listen()
    get(listening)
    try:
        address = server.address()
        assert (address['address'], address['family']) == ('::', 'IPv6')
        assert echo_once(address['port'], '127.0.0.1') == b'ping'
    finally:
        close_server(server)


@needs_ipv6
def test_listen_port_only_reachable_on_both_loopbacks():
    # Take a free port first, then listen(port) on it.
    probe = std.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    server = echo_server()
    try:
        address = listen(server, port)
    except OSError as err:   # somebody took it meanwhile
        pytest.skip('port %d taken: %s' % (port, err))
    try:
        assert address == {'address': '::', 'family': 'IPv6', 'port': port}
        assert echo_once(port, '127.0.0.1') == b'ping'
        assert echo_once(port, '::1') == b'ping'
    finally:
        close_server(server)


def test_listen_numeric_string_port():
    server = echo_server()
    address = listen(server, '0', '127.0.0.1')
    try:
        assert address['port'] > 0 and address['address'] == '127.0.0.1'
    finally:
        close_server(server)


def test_listen_options_dict_with_callback():
    server = echo_server()
    called = AsyncResult()
    server.listen({'port': 0, 'host': '127.0.0.1', 'backlog': 9}, lambda: called.set(True))
    get(called)
    try:
        port = server.address()['port']
        assert backlog_of(port) == 9
        assert echo_once(port) == b'ping'
    finally:
        close_server(server)


@needs_ipv6
def test_listen_options_dict_camel_case_ipv6only():
    server = echo_server()
    address = listen(server, {'port': 0, 'host': '::', 'ipv6Only': True})
    try:
        assert address['address'] == '::'
        assert echo_once(address['port'], '::1') == b'ping'
        refused = greennet.connect(address['port'], '127.0.0.1')
        rec = Recorder(refused, 'error', 'close')
        err, = rec.wait('error')
        assert err.code == 'ECONNREFUSED'
    finally:
        close_server(server)


def test_listen_keyword_options():
    server = echo_server()
    address = listen(server, port=0, host='127.0.0.1', backlog=4)
    try:
        assert address['address'] == '127.0.0.1'
        assert backlog_of(address['port']) == 4
    finally:
        close_server(server)


@needs_ipv6
def test_listen_callback_positional_with_keyword_options():
    server = echo_server()
    called = AsyncResult()
    server.listen(lambda: called.set(server.address()), port=0, host='::1')
    address = get(called)
    try:
        assert address['address'] == '::1' and address['family'] == 'IPv6'
        assert echo_once(address['port'], '::1') == b'ping'
    finally:
        close_server(server)


def test_listen_callback_keyword():
    server = echo_server()
    called = AsyncResult()
    server.listen(0, '127.0.0.1', callback=lambda: called.set(True))
    get(called)
    close_server(server)


def test_listen_hostname_is_resolved():
    # Node 20: listen(0, 'localhost') -> {address: '127.0.0.1', family: 'IPv4', ...}
    # here (localhost resolves to 127.0.0.1 first).
    server = echo_server()
    address = listen(server, 0, 'localhost')
    try:
        assert address['address'] in ('127.0.0.1', '::1')
        assert echo_once(address['port'], address['address']) == b'ping'
    finally:
        close_server(server)


@needs_ipv6
def test_ipv6_only_frees_the_ipv4_port():
    # Without ipv6_only, '::' also takes 0.0.0.0's port; with it, another
    # server can bind 127.0.0.1 on the same port.
    dual = echo_server()
    port = listen(dual, port=0, host='::')['port']
    clash = echo_server()
    errors = Recorder(clash, 'error')
    clash.listen(port, '127.0.0.1')
    assert errors.wait('error')[0].code == 'EADDRINUSE'
    close_server(dual)

    only6 = echo_server()
    v4 = echo_server()
    try:
        port = listen(only6, port=0, host='::', ipv6_only=True)['port']
        assert listen(v4, port, '127.0.0.1')['port'] == port
        assert echo_once(port, '::1', b'six') == b'six'
        assert echo_once(port, '127.0.0.1', b'four') == b'four'
    finally:
        close_server(only6)
        close_server(v4)


# -- listening on handles ---------------------------------------------------------

def test_listen_on_another_server(servers):
    first = servers()
    port = first.address()['port']
    second = greennet.create_server()
    got = AsyncResult()
    second.on('connection', lambda c: (got.set(c.local_port), c.destroy()))
    try:
        # Node 20: both servers report the same address.
        assert listen(second, first) == first.address()
        close_server(first)
        client = greennet.connect(port, '127.0.0.1')
        client.on('error', lambda err: None)
        assert get(got) == port
        close_socket(client)
    finally:
        close_server(second)


def test_listen_on_object_with_fd():
    raw = std.socket()
    raw.bind(('127.0.0.1', 0))
    raw.listen(5)
    port = raw.getsockname()[1]

    class Handle:
        fd = raw.fileno()

    server = echo_server()
    try:
        address = listen(server, Handle())
        assert address == {'address': '127.0.0.1', 'family': 'IPv4', 'port': port}
        assert echo_once(port) == b'ping'
    finally:
        close_server(server)
        raw.close()


def test_listen_fd_keyword_on_bound_socket_listens_and_owns_it():
    raw = std.socket()
    raw.bind(('127.0.0.1', 0))          # bound, not yet listening
    port = raw.getsockname()[1]
    fd = raw.detach()
    server = echo_server()
    address = listen(server, fd=fd)
    assert address['port'] == port
    assert echo_once(port) == b'ping'
    close_server(server)
    # Node closes a descriptor it was given as {fd}.
    with pytest.raises(OSError) as info:
        os.fstat(fd)
    assert info.value.errno == errno.EBADF


def test_listen_fd_in_options_dict():
    raw = std.socket()
    raw.bind(('127.0.0.1', 0))
    raw.listen(5)
    port = raw.getsockname()[1]
    server = echo_server()
    try:
        assert listen(server, {'fd': raw.detach()})['port'] == port
        assert echo_once(port) == b'ping'
    finally:
        close_server(server)


# -- address() and listening --------------------------------------------------------

def test_address_and_listening_through_the_life_of_a_server():
    server = echo_server()
    # Node 20: a server that never listened: listening false, address() null.
    assert server.listening is False
    assert server.address() is None
    listen(server, 0, '127.0.0.1')
    assert server.listening is True
    assert set(server.address()) == {'address', 'family', 'port'}
    closed = wait_event(server, 'close')
    server.close()
    # Node: address() returns null after calling close().
    assert server.listening is False
    assert server.address() is None
    get(closed)


def test_listening_is_false_until_listen_with_host_has_resolved():
    # Node 20: s.listen(0, '127.0.0.1'); s.listening -> false (the host goes
    # through dns.lookup first); true by the 'listening' event.
    server = echo_server()
    seen = AsyncResult()
    server.once('listening', lambda: seen.set(server.listening))
    server.listen(0, '127.0.0.1')
    synchronously = server.listening
    assert get(seen) is True
    close_server(server)
    assert synchronously is False  # Node 20: the host is looked up first


# -- close ------------------------------------------------------------------------

def test_close_callback_gets_no_argument_on_success():
    server = echo_server()
    listen(server, 0, '127.0.0.1')
    result = AsyncResult()
    order = []
    server.on('close', lambda: order.append('close event'))
    assert server.close(lambda *args: (order.append('callback'), result.set(args))) is server
    assert get(result) == ()
    assert order == ['close event', 'callback']


def test_close_when_not_running_calls_back_with_error():
    # Node 20: err.code 'ERR_SERVER_NOT_RUNNING', message 'Server is not
    # running.', and the 'close' event is emitted as well.
    server = greennet.create_server()
    result = AsyncResult()
    close_event = wait_event(server, 'close')
    server.close(lambda *args: result.set(args))
    (err,) = get(result)
    assert isinstance(err, NodeError)
    assert err.code == 'ERR_SERVER_NOT_RUNNING'
    assert str(err) == 'Server is not running.'
    get(close_event)


def test_close_twice_second_callback_gets_error():
    server = echo_server()
    listen(server, 0, '127.0.0.1')
    first, second = AsyncResult(), AsyncResult()
    server.close(lambda *args: first.set(args))
    server.close(lambda *args: second.set(args))
    assert get(first) == ()
    (err,) = get(second)
    assert err.code == 'ERR_SERVER_NOT_RUNNING'


def test_close_waits_for_connections_to_end(servers):
    server = greennet.create_server(lambda c: c.pipe(c))
    port = listen(server, 0, '127.0.0.1')['port']
    server_side = AsyncResult()
    server.on('connection', server_side.set)
    client = connect_and_wait(port, '127.0.0.1')
    client_rec = Recorder(client, 'data', 'close')
    conn = get(server_side)
    conn_closed = wait_event(conn, 'close')

    closed = AsyncResult()
    server.close(lambda *args: closed.set(args))
    assert server.listening is False
    # New connections are refused at once...
    refused = Recorder(greennet.connect(port, '127.0.0.1'), 'error', 'close')
    assert refused.wait('error')[0].code == 'ECONNREFUSED'
    # ...while the open one is still served...
    client.write(b'still here')
    client_rec.wait('data')
    assert client_rec.data() == b'still here'
    # ...and the server has not closed.
    assert not closed.ready()
    client.end()
    get(conn_closed)
    assert get(closed) == ()
    client_rec.wait('close')


def test_get_connections_counts_open_connections(servers):
    server = servers()
    port = server.address()['port']
    accepted = []
    two = Event()
    server.on('connection', lambda c: (accepted.append(c), len(accepted) == 2 and two.set()))
    clients = [connect_and_wait(port, '127.0.0.1') for _ in range(2)]
    wait_flag(two)
    count = AsyncResult()
    assert server.get_connections(lambda *args: count.set(args)) is server
    assert get(count) == (None, 2)

    gone = wait_event(accepted[0], 'close')
    clients[0].end()
    get(gone)
    count = AsyncResult()
    server.get_connections(lambda *args: count.set(args))
    assert get(count) == (None, 1)
    for client in clients:
        close_socket(client)


def test_max_connections_drops_extra_connection(servers):
    server = servers(lambda c: c.pipe(c))
    server.max_connections = 1
    port = server.address()['port']
    drops = Recorder(server, 'drop')
    connections = Recorder(server, 'connection')
    first = connect_and_wait(port, '127.0.0.1')
    connections.wait('connection')

    second = greennet.connect(port, '127.0.0.1')
    rec = Recorder(second, 'connect', 'end', 'error', 'close')
    local_port = AsyncResult()
    second.once('connect', lambda: local_port.set(second.local_port))
    second.resume()
    (data,) = drops.wait('drop')
    # Node 20's 'drop' data: {localAddress, localPort, localFamily,
    # remoteAddress, remotePort, remoteFamily}, here in snake_case.
    assert data['local_address'] == '127.0.0.1'
    assert data['local_port'] == port
    assert data['local_family'] == 'IPv4'
    assert data['remote_address'] == '127.0.0.1'
    assert data['remote_family'] == 'IPv4'
    # The dropped connection is closed at once: the client sees it end.
    # Node 20: the dropped client sees 'connect', 'end', 'close'(false).
    (had_error,) = rec.wait('close')
    assert data['remote_port'] == get(local_port)
    assert rec.names() == ['connect', 'end', 'close']
    assert had_error is False
    assert connections.count('connection') == 1
    # The first connection is unaffected.
    echoed = wait_event(first, 'data')
    first.write(b'still served')
    assert get(echoed) == (b'still served',)
    close_socket(first)


def test_max_connections_frees_slot_when_connection_closes(servers):
    server = servers(lambda c: c.pipe(c))
    server.max_connections = 1
    port = server.address()['port']
    conns = []
    server.on('connection', conns.append)
    first = connect_and_wait(port, '127.0.0.1')
    first.resume()
    # Round-trip so the server has counted it.
    got = wait_event(first, 'data')
    first.write(b'a')
    get(got)
    closed = wait_event(conns[0], 'close')
    first.end()
    get(closed)
    second = connect_and_wait(port, '127.0.0.1')
    got = wait_event(second, 'data')
    second.write(b'b')
    assert get(got) == (b'b',)
    close_socket(second)


# -- errors ----------------------------------------------------------------------

def test_eaddrinuse_is_an_error_event_and_leaks_nothing(no_fd_leak, servers):
    taken = servers()
    port = taken.address()['port']
    server = greennet.create_server()
    rec = Recorder(server, 'error', 'listening', 'close')
    before = socket_fds()
    assert server.listen(port, '127.0.0.1') is server      # not raised at the call
    (err,) = rec.wait('error')
    # Node 20: {code: 'EADDRINUSE', errno: -98, syscall: 'listen',
    # address: '127.0.0.1', port, message: 'listen EADDRINUSE: address
    # already in use 127.0.0.1:<port>'}; errno is Python's (positive) here.
    assert isinstance(err, OSError)
    assert err.code == 'EADDRINUSE'
    assert err.errno == errno.EADDRINUSE
    assert err.syscall == 'listen'
    assert err.address == '127.0.0.1'
    assert err.port == port
    assert 'listen EADDRINUSE: address already in use 127.0.0.1:%d' % port in str(err)
    assert server.listening is False
    assert server.address() is None
    assert not rec.seen('listening')
    assert socket_fds() <= before
    # Node: listen() may be called again after an error.
    address = listen(server, 0, '127.0.0.1')
    assert address['port'] != port
    close_server(server)
    # Unlike a socket, a server does not emit 'close' after 'error' by itself.
    assert rec.count('close') == 1


def test_listen_twice_raises_already_listen(servers):
    server = servers()
    with pytest.raises(NodeError) as info:
        server.listen(0, '127.0.0.1')
    # Node 20 message.
    assert info.value.code == 'ERR_SERVER_ALREADY_LISTEN'
    assert str(info.value) == 'Listen method has been called more than once without closing.'
    assert server.listening


def test_listen_again_after_close():
    server = echo_server()
    listen(server, 0, '127.0.0.1')
    close_server(server)
    address = listen(server, 0, '127.0.0.1')
    try:
        assert echo_once(address['port']) == b'ping'
    finally:
        close_server(server)


@pytest.mark.parametrize('port, shown', [
    (-1, 'type number (-1)'),
    (65536, 'type number (65536)'),
    (1.5, 'type number (1.5)'),
    ('70000', "type string ('70000')"),
    (float('nan'), 'type number (NaN)'),
    (float('inf'), 'type number (Infinity)'),
])
@pytest.mark.parametrize('form', ['positional', 'options'])
def test_bad_port_raises_at_the_call(port, shown, form):
    # Node 20: RangeError ERR_SOCKET_BAD_PORT, 'options.port should be >= 0
    # and < 65536. Received type number (-1).'
    server = greennet.create_server()
    with pytest.raises(ValueError) as info:
        if form == 'positional':
            server.listen(port)
        else:
            server.listen({'port': port})
    assert info.value.code == 'ERR_SOCKET_BAD_PORT'
    # (the "Received ..." tail names Python's types here, Node's there)
    assert str(info.value).startswith('options.port should be >= 0 and < 65536. Received')
    assert server.listening is False


@pytest.mark.parametrize('options, shown', [
    ({}, '{}'),
    ({'host': 'localhost'}, "{ host: 'localhost' }"),
])
def test_listen_options_without_port_or_path(options, shown):
    # Node 20: TypeError ERR_INVALID_ARG_VALUE, "The argument 'options' must
    # have the property "port" or "path". Received {}"
    server = greennet.create_server()
    with pytest.raises(TypeError) as info:
        server.listen(options)
    assert info.value.code == 'ERR_INVALID_ARG_VALUE'
    assert "The argument 'options' must have the property \"port\" or \"path\"" in str(info.value)


# -- abort signal -------------------------------------------------------------------

def test_abort_signal_closes_the_server():
    controller = greennet.AbortController()
    server = echo_server()
    address = listen(server, port=0, host='127.0.0.1', signal=controller.signal)
    closed = wait_event(server, 'close')
    controller.abort()
    # Node 20: listening is false right after abort().
    assert server.listening is False
    get(closed)
    refused = Recorder(greennet.connect(address['port'], '127.0.0.1'), 'error', 'close')
    assert refused.wait('error')[0].code == 'ECONNREFUSED'


def test_already_aborted_signal_never_listens():
    # Node 20: no 'listening'; 'close' is emitted; listening stays false.
    controller = greennet.AbortController()
    controller.abort()
    server = echo_server()
    rec = Recorder(server, 'listening', 'close', 'error')
    server.listen({'port': 0, 'host': '127.0.0.1', 'signal': controller.signal})
    rec.wait('close')
    assert server.listening is False
    assert 'listening' not in rec.names()


def test_signal_of_wrong_type_raises():
    server = greennet.create_server()
    with pytest.raises(TypeError) as info:
        server.listen(port=0, host='127.0.0.1', signal='nope')
    assert info.value.code == 'ERR_INVALID_ARG_TYPE'


# -- ref / unref ----------------------------------------------------------------------

def test_ref_and_unref_return_the_server(servers):
    server = servers()
    assert server.unref() is server
    assert server.unref() is server
    assert server.ref() is server
    assert server.ref() is server


# -- create_server options -----------------------------------------------------------

def _accept_one(server, port, **connect_options):
    conn = AsyncResult()
    server.once('connection', conn.set)
    client = connect_and_wait(port, '127.0.0.1', **connect_options)
    return client, get(conn)


def test_allow_half_open_server_can_write_after_client_end(servers):
    server = servers(options={'allow_half_open': True})
    conn_rec = {}

    def on_connection(c):
        conn_rec['rec'] = Recorder(c, 'end', 'finish', 'close')
        c.on('end', lambda: (conn_rec.setdefault('state', c.ready_state), c.end(b'late reply')))
        c.resume()
    server.on('connection', on_connection)
    client = greennet.connect(server.address()['port'], '127.0.0.1')
    rec = Recorder(client, 'data', 'end', 'close')
    client.end(b'bye')
    rec.wait('close')
    assert rec.data() == b'late reply'
    rec_server = conn_rec['rec']
    rec_server.wait('close')
    # Node 20: after 'end' with allowHalfOpen, readyState is 'writeOnly'.
    assert conn_rec['state'] == 'writeOnly'
    assert rec_server.names() == ['end', 'finish', 'close']


def test_allow_half_open_camel_case_dict(servers):
    server = servers(options={'allowHalfOpen': True})
    assert server.allow_half_open is True


def test_without_allow_half_open_server_ends_automatically(servers):
    server = servers()
    ended = AsyncResult()
    server.on('connection', lambda c: c.on('end', lambda: ended.set(c.ready_state)))
    client = greennet.connect(server.address()['port'], '127.0.0.1')
    rec = Recorder(client, 'end', 'close')
    client.resume()
    client.end()
    rec.wait('close')
    assert rec.names() == ['end', 'close']


def test_pause_on_connect(servers):
    server = servers(options={'pause_on_connect': True})
    port = server.address()['port']
    client, conn = _accept_one(server, port)
    data = Recorder(conn, 'data')
    assert conn.is_paused()
    client.write(b'held back')
    # A round-trip the other way proves time passed with the data in flight.
    echo = wait_event(client, 'data')
    conn.write(b'pong')
    get(echo)
    assert data.count('data') == 0
    conn.resume()
    data.wait('data')
    assert data.data() == b'held back'
    close_socket(client)


def test_pause_on_connect_camel_case(servers):
    server = servers(options={'pauseOnConnect': True})
    client, conn = _accept_one(server, server.address()['port'])
    assert conn.is_paused()
    close_socket(client)


@pytest.mark.parametrize('no_delay, expected', [(True, 1), (False, 0)])
def test_no_delay_option_sets_tcp_nodelay(servers, no_delay, expected):
    server = servers(options={'no_delay': no_delay})
    port = server.address()['port']
    client, conn = _accept_one(server, port)
    fd = dup_connection_fd(port, client.local_port)
    try:
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_NODELAY) == expected
    finally:
        fd.close()
        close_socket(client)


def test_keep_alive_option_sets_keepalive_parameters(servers):
    # Node 20 (strace of createServer({keepAlive: true,
    # keepAliveInitialDelay: 3000})): SO_KEEPALIVE=1, TCP_KEEPIDLE=3,
    # TCP_KEEPINTVL=1, TCP_KEEPCNT=10 on the accepted socket.
    server = servers(options={'keepAlive': True, 'keepAliveInitialDelay': 3000})
    port = server.address()['port']
    client, conn = _accept_one(server, port)
    fd = dup_connection_fd(port, client.local_port)
    try:
        assert fd.getsockopt(std.SOL_SOCKET, std.SO_KEEPALIVE) == 1
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_KEEPIDLE) == 3
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_KEEPINTVL) == 1
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_KEEPCNT) == 10
    finally:
        fd.close()
        close_socket(client)


def test_keep_alive_without_delay_keeps_system_keepidle(servers):
    with open('/proc/sys/net/ipv4/tcp_keepalive_time') as f:
        system_idle = int(f.read())
    server = servers(options={'keep_alive': True})
    port = server.address()['port']
    client, conn = _accept_one(server, port)
    fd = dup_connection_fd(port, client.local_port)
    try:
        assert fd.getsockopt(std.SOL_SOCKET, std.SO_KEEPALIVE) == 1
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_KEEPIDLE) == system_idle
    finally:
        fd.close()
        close_socket(client)


def test_default_server_socket_has_no_keepalive(servers):
    server = servers()
    port = server.address()['port']
    client, conn = _accept_one(server, port)
    fd = dup_connection_fd(port, client.local_port)
    try:
        assert fd.getsockopt(std.SOL_SOCKET, std.SO_KEEPALIVE) == 0
        assert fd.getsockopt(std.IPPROTO_TCP, std.TCP_NODELAY) == 0
    finally:
        fd.close()
        close_socket(client)


def test_unknown_create_server_option_is_rejected():
    with pytest.raises(TypeError):
        greennet.create_server(no_such_option=True)


def test_create_server_connection_listener_forms(servers):
    seen = []
    a = greennet.create_server(lambda c: (seen.append('positional'), c.destroy()))
    b = greennet.create_server({'allow_half_open': False}, lambda c: (seen.append('after options'), c.destroy()))
    c_ = greennet.Server(lambda c: (seen.append('Server class'), c.destroy()))
    for server in (a, b, c_):
        port = listen(server, 0, '127.0.0.1')['port']
        conn = greennet.connect(port, '127.0.0.1')
        get(wait_event(conn, 'close'))
        close_server(server)
    assert seen == ['positional', 'after options', 'Server class']


def test_connection_listener_not_callable_raises():
    with pytest.raises(TypeError) as info:
        greennet.create_server({}, 42)
    assert info.value.code == 'ERR_INVALID_ARG_TYPE'


def test_server_events_come_after_the_call(servers):
    # A 'listening' listener added right after listen() still sees it.
    server = echo_server()
    server.listen(0, '127.0.0.1')
    listening = wait_event(server, 'listening')
    get(listening)
    closed = AsyncResult()
    server.close()
    server.on('close', lambda: closed.set(True))
    assert get(closed) is True
