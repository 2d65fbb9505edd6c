"""The examples run as their own processes, and answer as the reference's do."""
import os
import select
import shutil
import signal
import socket as std
import struct
import subprocess
import time

import gevent
import pytest
from conftest import PYTHON, ROOT, close_server, get, listen, python_env
from gevent.event import AsyncResult

import greennet

pytestmark = pytest.mark.timeout(60)

EXAMPLES = os.path.join(ROOT, 'examples')
#: Seconds an example may take to start, answer, or stop.
WAIT = 15


class Example:
    """An example script running as a subprocess, its stdout read line by line."""

    def __init__(self, name, *args):
        self.proc = subprocess.Popen([PYTHON, os.path.join(EXAMPLES, name)] + [str(a) for a in args],
                                     env=python_env(), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)

    def line(self, timeout=WAIT):
        pool = gevent.get_hub().threadpool
        try:
            text = pool.apply_async(self.proc.stdout.readline).get(timeout=timeout)
        except gevent.Timeout:
            self.stop()
            pytest.fail(f'no output from the example within {timeout}s; stderr: {self.proc.stderr.read()}')
        return text.rstrip('\n')

    def wait(self, timeout=WAIT):
        return self.proc.wait(timeout=timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


def exchange(family, address, payload, expect_len):
    """Send ``payload`` and read ``expect_len`` bytes back, then close."""
    with std.socket(family, std.SOCK_STREAM) as client:
        client.settimeout(WAIT)
        client.connect(address)
        client.sendall(payload)
        data = b''
        while len(data) < expect_len:
            chunk = client.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


def has_ipv6():
    try:
        with std.socket(std.AF_INET6) as probe:
            probe.bind(('::1', 0))
        return True
    except OSError:
        return False


# -- echo_server.py ------------------------------------------------------------

def _wait_accepting(port, proc, deadline=10.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        assert proc.poll() is None, proc.stderr.read()
        try:
            std.create_connection(('127.0.0.1', port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)  # polling a subprocess's port, bounded by the deadline
    raise AssertionError(f'the example never listened on {port}')


def test_echo_server_example():
    """The README's demo, exactly as written: port 7000."""
    probe = std.socket()
    try:
        probe.bind(('127.0.0.1', 7000))
    except OSError:
        pytest.skip('port 7000 is in use on this machine')
    finally:
        probe.close()
    proc = subprocess.Popen([PYTHON, os.path.join(EXAMPLES, 'echo_server.py')], env=python_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_accepting(7000, proc)
        assert exchange(std.AF_INET, ('127.0.0.1', 7000), b'hello echo', 10) == b'hello echo'
        # listen(7000) with no host: '::' dual stack, so ::1 works too.
        if has_ipv6():
            assert exchange(std.AF_INET6, ('::1', 7000), b'over six', 8) == b'over six'
        big = os.urandom(1 << 20)
        assert exchange(std.AF_INET, ('127.0.0.1', 7000), big, len(big)) == big
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.communicate(timeout=10)


def test_echo_server_source_is_the_one_liner():
    with open(os.path.join(EXAMPLES, 'echo_server.py')) as f:
        source = f.read()
    assert 'greennet.create_server(lambda c: c.pipe(c)).listen(7000)\ngreennet.run()' in source


# -- client.py -----------------------------------------------------------------

def test_client_example_against_a_greennet_server():
    # The reference's server: greet, then echo.
    ended = AsyncResult()

    def on_connection(c):
        c.on('end', lambda: ended.set(True))
        c.write('hello\r\n')
        c.pipe(c)
    server = greennet.create_server(on_connection)
    port = listen(server, 0, '127.0.0.1')['port']
    example = Example('client.py', port)
    try:
        assert example.line() == 'connected to server!'
        # The first 'data' (the greeting, maybe with the echo) is printed,
        # then the client ends.
        data = example.line()
        assert data.startswith('hello')
        lines = []
        while True:
            line = example.line()
            if line == 'disconnected from server':
                break
            lines.append(line)
        assert example.wait() == 0
        get(ended)
    finally:
        example.stop()
        close_server(server)


def test_client_example_against_an_echo_server():
    echo = greennet.create_server(lambda c: c.pipe(c))
    try:
        port = listen(echo, 0, '127.0.0.1')['port']
        client = Example('client.py', port)
        try:
            assert client.line() == 'connected to server!'
            assert client.line() == 'world!'         # text mode turns \r\n into \n
            assert client.line() == ''          # print() of 'world!\r\n' ends with a blank line
            assert client.line() == 'disconnected from server'
            assert client.wait() == 0
        finally:
            client.stop()
    finally:
        echo.close()


def test_client_example_with_no_server_exits():
    probe = std.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    example = Example('client.py', port)
    try:
        code = example.wait()
        stderr = example.proc.stderr.read()
        # The unhandled 'error' is reported; nothing keeps the process alive.
        assert 'ECONNREFUSED' in stderr
        assert code == 0
    finally:
        example.stop()


# -- unix_server.py ---------------------------------------------------------------

@pytest.fixture
def unix_example(tmp_sock_path):
    example = Example('unix_server.py', tmp_sock_path)
    try:
        assert example.line() == 'server bound'
        yield example, tmp_sock_path
    finally:
        example.stop()


def test_unix_server_example_with_a_python_client(unix_example):
    example, path = unix_example
    # What `nc -U path` does: connect, send, read, half-close.
    with std.socket(std.AF_UNIX, std.SOCK_STREAM) as client:
        client.settimeout(WAIT)
        client.connect(path)
        greeting = b''
        while len(greeting) < 7:
            greeting += client.recv(100)
        assert greeting == b'hello\r\n'
        client.sendall(b'echo me\n')
        echoed = b''
        while len(echoed) < 8:
            echoed += client.recv(100)
        assert echoed == b'echo me\n'
        client.shutdown(std.SHUT_WR)
        assert client.recv(100) == b''      # the server ends too
    assert example.line() == 'client connected'
    assert example.line() == 'client disconnected'
    # SIGTERM closes the server, which unlinks its socket file and exits.
    example.proc.send_signal(signal.SIGTERM)
    assert example.wait() == 0
    assert not os.path.exists(path)


def _nc_supports_unix():
    nc = shutil.which('nc')
    if nc is None:
        return False
    out = subprocess.run([nc, '-h'], capture_output=True, text=True, timeout=10)
    return '-U' in (out.stdout + out.stderr)


@pytest.mark.skipif(not _nc_supports_unix(), reason='no nc with -U here')
def test_unix_server_example_with_nc(unix_example):
    example, path = unix_example
    # Whether an nc closes the connection at the end of its input differs
    # (netcat-openbsd needs -N): read the echo, then end nc ourselves.
    nc = subprocess.Popen(['nc', '-U', path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL)
    try:
        nc.stdin.write(b'from nc\n')
        nc.stdin.flush()
        out = b''
        deadline = time.monotonic() + WAIT
        while b'from nc\n' not in out and time.monotonic() < deadline:
            ready, _, _ = select.select([nc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(nc.stdout.fileno(), 4096) if ready else b''
            if not chunk:
                break
            out += chunk
    finally:
        nc.kill()
        nc.wait(WAIT)
        nc.stdin.close()
        nc.stdout.close()
    assert out.startswith(b'hello\r\n'), out
    assert b'from nc\n' in out, out
    example.proc.send_signal(signal.SIGINT)
    assert example.wait() == 0
    assert not os.path.exists(path)


def test_unix_server_example_path_in_use(tmp_sock_path):
    first = Example('unix_server.py', tmp_sock_path)
    try:
        assert first.line() == 'server bound'
        second = Example('unix_server.py', tmp_sock_path)
        try:
            assert second.wait() == 1
            assert 'EADDRINUSE' in second.proc.stderr.read()
        finally:
            second.stop()
        # The failed one left the first one's socket alone.
        assert os.path.exists(tmp_sock_path)
        assert exchange(std.AF_UNIX, tmp_sock_path, b'', 7) == b'hello\r\n'
    finally:
        first.stop()


# -- behind_haproxy.py ---------------------------------------------------------------

def test_behind_haproxy_example():
    """A LOCAL health check that ends with a reset (as HAProxy's do) is
    quiet; a client's address comes from its PROXY header; a source outside
    trusted_proxies is dropped, saying why."""
    example = Example('behind_haproxy.py', '--port', 0)
    try:
        port = int(example.line().rsplit(':', 1)[1])
        local = b'\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00'
        with std.create_connection(('127.0.0.1', port), timeout=WAIT) as check:
            check.sendall(local)
            assert check.recv(10) == b''   # served: the app ended it
            check.setsockopt(std.SOL_SOCKET, std.SO_LINGER, struct.pack('ii', 1, 0))
        # closed with a reset; the next exchange takes the example's loop past it
        header = b'PROXY TCP4 203.0.113.7 127.0.0.1 5555 %d\r\n' % port
        assert exchange(std.AF_INET, ('127.0.0.1', port), header + b'hi\n', 26) == \
            b'hello 203.0.113.7:5555\nhi\n'
        assert example.line() == 'client 203.0.113.7:5555 (PROXY v1)'
        with std.socket() as spoof:
            spoof.settimeout(WAIT)
            spoof.bind(('127.0.0.2', 0))
            spoof.connect(('127.0.0.1', port))
            spoof.sendall(header)
            try:
                assert spoof.recv(100) == b''   # closed unread: a FIN, or a reset
            except ConnectionResetError:
                pass
        assert example.line() == 'dropped 127.0.0.2: untrusted'
        assert example.proc.poll() is None
    finally:
        example.proc.kill()
        errors = example.proc.stderr.read()
        example.stop()
    assert 'Traceback' not in errors, errors   # resets are the peers' business, not errors
