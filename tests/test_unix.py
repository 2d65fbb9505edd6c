"""Unix socket (IPC) servers and clients.

Expected values marked "Node 20" were printed by Node v20.20.2 doing the
same on the same machine.
"""
import errno
import os
import socket as std
import stat

import pytest
from gevent import socket as gsocket
from gevent.event import AsyncResult

import greennet

from conftest import (Recorder, close_server, close_socket, connect_and_wait, get, listen,
                      socket_fds, wait_event)

pytestmark = pytest.mark.timeout(30)


def echo_server(**options):
    return greennet.create_server(options or None, lambda c: c.pipe(c))


def talk(path, payload=b'ping'):
    """What a plain AF_UNIX client (as ``nc -U`` would) gets back for ``payload``."""
    with gsocket.socket(std.AF_UNIX, std.SOCK_STREAM) as client:
        client.settimeout(5)
        client.connect(path)
        client.sendall(payload)
        client.shutdown(std.SHUT_WR)
        chunks = []
        while True:
            data = client.recv(65536)
            if not data:
                return b''.join(chunks)
            chunks.append(data)


def test_unix_server_and_client(tmp_sock_path):
    server = echo_server()
    called = AsyncResult()
    server.listen(tmp_sock_path, lambda: called.set(True))
    get(called)
    try:
        # Node 20: address() of an IPC server is the path string.
        assert server.address() == tmp_sock_path
        assert stat.S_ISSOCK(os.stat(tmp_sock_path).st_mode)
        client = connect_and_wait(tmp_sock_path)
        # Node 20, a client on a Unix socket: localAddress, remoteAddress,
        # remotePort undefined; address() {}.
        assert client.address() == {}
        assert client.remote_address is None
        assert client.remote_port is None
        rec = Recorder(client, 'data', 'end', 'close')
        client.end(b'over unix')
        rec.wait('close')
        assert rec.data() == b'over unix'
        assert rec.log[-1] == ('close', (False,))
        assert talk(tmp_sock_path) == b'ping'
    finally:
        close_server(server)


@pytest.mark.parametrize('form', ['path-positional', 'path-backlog-cb', 'options', 'keyword'])
def test_listen_path_forms(tmp_sock_path, form):
    server = echo_server()
    if form == 'path-positional':
        address = listen(server, tmp_sock_path)
    elif form == 'path-backlog-cb':
        called = AsyncResult()
        server.listen(tmp_sock_path, 5, lambda: called.set(True))
        get(called)
        address = server.address()
    elif form == 'options':
        address = listen(server, {'path': tmp_sock_path, 'backlog': 5})
    else:
        address = listen(server, path=tmp_sock_path)
    try:
        assert address == tmp_sock_path
        assert talk(tmp_sock_path, b'form') == b'form'
    finally:
        close_server(server)


def test_path_is_unlinked_on_close(tmp_sock_path):
    server = echo_server()
    listen(server, tmp_sock_path)
    assert os.path.exists(tmp_sock_path)
    close_server(server)
    # Node 20: the socket file is gone after close().
    assert not os.path.exists(tmp_sock_path)
    # Node 20: an IPC server's address() is still the path after close().
    assert server.address() == tmp_sock_path


def test_path_is_unlinked_on_close_with_a_connection_open(tmp_sock_path):
    server = echo_server()
    listen(server, tmp_sock_path)
    client = connect_and_wait(tmp_sock_path)
    closed = AsyncResult()
    server.close(lambda *args: closed.set(args))
    # Not listening any more: the path no longer takes connections.
    refused = Recorder(greennet.connect(tmp_sock_path), 'error', 'close')
    (err,) = refused.wait('error')
    assert err.code in ('ENOENT', 'ECONNREFUSED')
    client.end()
    assert get(closed) == ()
    assert not os.path.exists(tmp_sock_path)
    close_socket(client)


def test_existing_socket_path_gives_eaddrinuse_and_is_kept(tmp_sock_path, no_fd_leak):
    first = echo_server()
    listen(first, tmp_sock_path)
    try:
        second = greennet.create_server()
        rec = Recorder(second, 'error', 'listening')
        before = socket_fds()
        second.listen(tmp_sock_path)
        (err,) = rec.wait('error')
        # Node 20: {code: 'EADDRINUSE', errno: -98, syscall: 'listen',
        # address: <path>, port: -1, message: 'listen EADDRINUSE: address
        # already in use <path>'}; the path still exists.
        assert err.code == 'EADDRINUSE'
        assert err.errno == errno.EADDRINUSE
        assert err.syscall == 'listen'
        assert err.address == tmp_sock_path
        assert err.port == -1
        assert 'listen EADDRINUSE: address already in use %s' % tmp_sock_path in str(err)
        assert second.listening is False
        assert socket_fds() <= before
        assert os.path.exists(tmp_sock_path)
        # Closing the failed server must not unlink the first one's path.
        closed = AsyncResult()
        second.close(lambda *args: closed.set(args))
        (not_running,) = get(closed)
        assert not_running.code == 'ERR_SERVER_NOT_RUNNING'
        assert os.path.exists(tmp_sock_path)
        assert talk(tmp_sock_path, b'first still serves') == b'first still serves'
    finally:
        close_server(first)
    assert not os.path.exists(tmp_sock_path)


def test_existing_regular_file_gives_eaddrinuse_and_is_kept(tmp_sock_path):
    with open(tmp_sock_path, 'w') as f:
        f.write('not a socket')
    server = greennet.create_server()
    rec = Recorder(server, 'error')
    server.listen(tmp_sock_path)
    (err,) = rec.wait('error')
    # Node 20: EADDRINUSE, syscall 'listen'; the file is left alone.
    assert err.code == 'EADDRINUSE'
    assert err.syscall == 'listen'
    with open(tmp_sock_path) as f:
        assert f.read() == 'not a socket'


def test_path_replaced_by_another_is_not_unlinked(tmp_sock_path):
    # The server unlinks the socket it created, and nothing else.
    server = echo_server()
    listen(server, tmp_sock_path)
    os.unlink(tmp_sock_path)
    with open(tmp_sock_path, 'w') as f:
        f.write('someone else')
    close_server(server)
    with open(tmp_sock_path) as f:
        assert f.read() == 'someone else'


@pytest.fixture
def umask_077():
    old = os.umask(0o077)
    yield
    os.umask(old)


@pytest.mark.parametrize('options, mode', [
    # Node 20 under umask 077: plain 700, readableAll 744, writableAll 722,
    # both 766 (libuv's uv_pipe_chmod adds the bits to the mode).
    ({}, 0o700),
    ({'readable_all': True}, 0o744),
    ({'writable_all': True}, 0o722),
    ({'readable_all': True, 'writable_all': True}, 0o766),
    ({'readableAll': True, 'writableAll': True}, 0o766),
])
def test_readable_all_and_writable_all_modes(tmp_sock_path, umask_077, options, mode):
    server = echo_server()
    listen(server, dict(options, path=tmp_sock_path))
    try:
        assert stat.S_IMODE(os.stat(tmp_sock_path).st_mode) == mode
    finally:
        close_server(server)


def test_readable_all_with_keyword_options(tmp_sock_path, umask_077):
    server = echo_server()
    listen(server, path=tmp_sock_path, readable_all=True, writable_all=True)
    try:
        assert stat.S_IMODE(os.stat(tmp_sock_path).st_mode) == 0o766
    finally:
        close_server(server)


def _abstract_supported():
    probe = std.socket(std.AF_UNIX, std.SOCK_STREAM)
    try:
        probe.bind('\0greennet-probe-%d' % os.getpid())
        return True
    except OSError:
        return False
    finally:
        probe.close()


@pytest.mark.skipif(not _abstract_supported(), reason='no abstract Unix socket namespace')
def test_abstract_namespace(tmp_sock_path):
    name = '\0greennet-test-%d' % os.getpid()
    server = echo_server()
    # Node 20: address() is the name, leading NUL included.
    assert listen(server, name) == name
    try:
        client = connect_and_wait(name)
        rec = Recorder(client, 'data', 'close')
        client.end(b'abstract')
        rec.wait('close')
        assert rec.data() == b'abstract'
        assert talk(name, b'raw') == b'raw'
    finally:
        close_server(server)
    # Nothing to unlink, and the name is free again.
    again = echo_server()
    assert listen(again, name) == name
    close_server(again)


def test_unix_connections_counted_and_closed(tmp_sock_path, no_fd_leak):
    server = echo_server()
    listen(server, tmp_sock_path)
    try:
        for i in range(10):
            client = connect_and_wait(tmp_sock_path)
            rec = Recorder(client, 'data', 'close')
            client.end(b'%d' % i)
            rec.wait('close')
            assert rec.data() == b'%d' % i
        count = AsyncResult()
        server.get_connections(lambda *args: count.set(args))
        err, n = get(count)
        assert err is None and n in (0, 1)
    finally:
        close_server(server)


def test_unix_set_no_delay_and_keep_alive_are_harmless(tmp_sock_path):
    server = echo_server()
    listen(server, tmp_sock_path)
    try:
        client = connect_and_wait(tmp_sock_path)
        assert client.set_no_delay(True) is client
        assert client.set_keep_alive(True, 1000) is client
        got = wait_event(client, 'data')
        client.write(b'ok')
        assert get(got) == (b'ok',)
        close_socket(client)
    finally:
        close_server(server)
