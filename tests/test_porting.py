"""The porting guide's programs (docs/porting.md, examples/porting/) as real
subprocesses: each Node program, its line-by-line greennet port and its
straight-line port go through the same test body, driven by real clients
(Python sockets, and ``nc``/``socat`` where installed).

Nothing sleeps to synchronise: a test waits for the ``listening on PORT``
line a program prints, for bytes, or for the process to exit, each with a
deadline. Every program listens on 127.0.0.1, on a port it picks (port 0),
and is killed at teardown.
"""
from __future__ import annotations

import hashlib
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest
from conftest import PYTHON, ROOT, python_env

pytestmark = pytest.mark.timeout(30)

HERE = os.path.join(ROOT, 'examples', 'porting')
NODE = shutil.which('node')
NC = shutil.which('nc')
SOCAT = shutil.which('socat')
#: Seconds any one wait may take.
WAIT = 10.0


def _is_openbsd_nc(path):
    if path is None:
        return False
    out = subprocess.run([path, '-h'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=5).stdout
    return b'OpenBSD' in out


NC = NC if _is_openbsd_nc(NC) else None
needs_nc = pytest.mark.skipif(NC is None, reason='nc (netcat-openbsd) is not installed')
needs_socat = pytest.mark.skipif(SOCAT is None, reason='socat is not installed')


def flavours(name):
    """The Node program and its two greennet ports, as pytest params."""
    return pytest.mark.parametrize('program', [
        pytest.param(['node', f'{name}.js'], id='node',
                     marks=pytest.mark.skipif(NODE is None, reason='node is not installed')),
        pytest.param([PYTHON, f'{name}.py'], id='events'),
        pytest.param([PYTHON, f'{name}_straight.py'], id='straight'),
    ])


# -- reading with deadlines ----------------------------------------------------------

class Lines:
    """Lines (and bytes) read from a file descriptor with a deadline: a
    program's stdout, a socket, a client subprocess's stdout."""

    def __init__(self, fd, what):
        self.fd = fd
        self.what = what
        self.buf = b''
        self.eof = False
        self.seen = []

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f'timed out waiting for {self.what}; had {self.buf!r}, saw {self.seen!r}')
        ready, _, _ = select.select([self.fd], [], [], left)
        if ready:
            data = os.read(self.fd, 1 << 20)
            if data:
                self.buf += data
            else:
                self.eof = True

    def line(self, timeout=WAIT):
        """The next line without its newline, or ``None`` at the end."""
        deadline = time.monotonic() + timeout
        while b'\n' not in self.buf:
            if self.eof:
                return None
            self._fill(deadline)
        line, _, self.buf = self.buf.partition(b'\n')
        text = line.decode()
        self.seen.append(text)
        return text

    def until(self, wanted, timeout=WAIT):
        """Read lines until one equal to ``wanted`` (or starting with it, if
        ``wanted`` ends with '*'); return it."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.line(max(0.0, deadline - time.monotonic()))
            if line is None:
                pytest.fail(f'{self.what} ended before {wanted!r}; saw {self.seen!r}')
            if line == wanted or (wanted.endswith('*') and line.startswith(wanted[:-1])):
                return line

    def rest(self, timeout=WAIT):
        """Everything up to the end."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            self._fill(deadline)
        data, self.buf = self.buf, b''
        return data


class Program:
    """One of examples/porting/ running as a subprocess; ``port`` once it
    printed ``listening on PORT``."""

    def __init__(self, argv, *args, tmp_path):
        self.err_path = tmp_path / f'{os.path.basename(argv[-1])}.stderr'
        self.err_file = open(self.err_path, 'wb')
        self.proc = subprocess.Popen(argv[:-1] + [os.path.join(HERE, argv[-1])] + [str(a) for a in args],
                                     env=python_env(), stdout=subprocess.PIPE, stderr=self.err_file,
                                     stdin=subprocess.DEVNULL)
        self.out = Lines(self.proc.stdout.fileno(), f'the output of {argv[-1]}')
        self.port = None

    def listening(self):
        line = self.out.line()
        if line is None or not line.startswith('listening on '):
            pytest.fail(f'expected "listening on PORT", got {line!r}; stderr: {self.stderr()}')
        self.port = int(line.split()[-1])
        return self

    def stderr(self):
        self.err_file.flush()
        return self.err_path.read_text()

    def wait(self, timeout=WAIT):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f'the program did not exit within {timeout}s; stderr: {self.stderr()}')

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.err_file.close()


@pytest.fixture
def run(tmp_path):
    """Start a program (``run(program, *args)``), killed at teardown."""
    started = []

    def start(argv, *args):
        prog = Program(argv, *args, tmp_path=tmp_path)
        started.append(prog)
        return prog
    yield start
    for prog in started:
        prog.stop()


@pytest.fixture
def tools():
    """Client subprocesses (nc, socat), killed at teardown."""
    started = []

    def start(*argv, **kwargs):
        proc = subprocess.Popen(list(argv), **kwargs)
        started.append(proc)
        return proc
    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def conns():
    """A factory of client sockets to 127.0.0.1, closed at teardown."""
    opened = []

    def connect(port):
        conn = socket.create_connection(('127.0.0.1', port), timeout=WAIT)
        opened.append(conn)
        return conn
    yield connect
    for conn in opened:
        conn.close()


class Worker(threading.Thread):
    """A thread whose exception is re-raised by :meth:`result`."""

    def __init__(self, fn, *args):
        super().__init__(daemon=True)
        self.fn, self.args, self.error, self.value = fn, args, None, None
        self.start()

    def run(self):
        try:
            self.value = self.fn(*self.args)
        except BaseException as exc:   # handed to the test
            self.error = exc

    def result(self, timeout=WAIT):
        self.join(timeout)
        if self.is_alive():
            pytest.fail(f'a client thread did not finish within {timeout}s')
        if self.error is not None:
            raise self.error
        return self.value


def recv_all(conn):
    """Everything ``conn`` receives up to the peer's end."""
    chunks = []
    while True:
        chunk = conn.recv(1 << 20)
        if not chunk:
            return b''.join(chunks)
        chunks.append(chunk)


def reset(conn):
    """Close ``conn`` with a RST rather than a FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
    conn.close()


# -- echo ----------------------------------------------------------------------------

@flavours('echo')
def test_echo_round_trip_with_several_clients(program, run, conns):
    prog = run(program, 0).listening()
    payloads = [os.urandom(256 * 1024 + i) for i in range(5)]

    def client(payload):
        conn = conns(prog.port)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def send():
            step = 1
            view = memoryview(payload)
            while view:               # pieces of 1 byte up to 64 KiB
                conn.sendall(view[:step])
                view = view[step:]
                step = min(step * 4, 65536)
            conn.shutdown(socket.SHUT_WR)   # half-close: the echo still comes back, then the end
        sender = Worker(send)
        echoed = recv_all(conn)
        sender.result()
        return echoed

    workers = [Worker(client, p) for p in payloads]
    for worker, payload in zip(workers, payloads):
        echoed = worker.result()
        assert len(echoed) == len(payload)
        assert echoed == payload
    lines = [prog.out.until('- *') for _ in payloads]   # every connection closed, and logged
    assert len(lines) == 5


@flavours('echo')
@needs_nc
@needs_socat
def test_echo_with_nc_and_socat(program, run, tools):
    prog = run(program, 0).listening()
    nc = tools(NC, '-N', '127.0.0.1', str(prog.port), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    socat = tools(SOCAT, '-t', '10', '-', f'TCP:127.0.0.1:{prog.port}',
                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    for tool in (nc, socat):
        out = Lines(tool.stdout.fileno(), 'the echo')
        tool.stdin.write(b'hello\n')
        tool.stdin.flush()
        assert out.line() == 'hello'
        tool.stdin.write('caf\u00e9 \u2603\n'.encode())
        tool.stdin.close()             # nc -N and socat pass the end on: the server ends too
        assert out.line() == 'caf\u00e9 \u2603'
        assert out.rest() == b''
        assert tool.wait(WAIT) == 0


@flavours('echo')
def test_echo_lets_an_idle_client_go(program, run, conns):
    prog = run(program, 0, 200).listening()      # idle_ms = 200
    conn = conns(prog.port)
    conn.sendall(b'ping\n')
    started = time.monotonic()
    assert recv_all(conn) == b'ping\nidle, bye\n'
    assert time.monotonic() - started >= 0.15
    prog.out.until('- *')


@flavours('echo')
def test_echo_stops_on_sigterm(program, run, conns):
    prog = run(program, 0).listening()
    conn = conns(prog.port)
    conn.sendall(b'x')
    assert conn.recv(1) == b'x'
    prog.out.until('+ *')
    prog.proc.send_signal(signal.SIGTERM)
    prog.out.until('stopping')
    assert recv_all(conn) == b''         # ended by the server
    conn.close()
    assert prog.wait() == 0
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(('127.0.0.1', prog.port), timeout=WAIT).close()


@flavours('echo')
def test_echo_exits_1_when_the_port_is_taken(program, run):
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        prog = run(program, taken.getsockname()[1])
        assert prog.wait() == 1
        assert 'cannot listen: EADDRINUSE' in prog.stderr()


# -- chat ----------------------------------------------------------------------------

class SockClient:
    """A chat client over a Python socket."""

    def __init__(self, conn):
        self.conn = conn
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.lines = Lines(conn.fileno(), 'a chat line')

    def send(self, data):
        self.conn.sendall(data)


class ToolClient:
    """A chat client through nc or socat: we write its stdin, read its stdout."""

    def __init__(self, proc):
        self.proc = proc
        self.lines = Lines(proc.stdout.fileno(), 'a chat line (through a tool)')

    def send(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()


@flavours('chat')
def test_chat_among_five_clients(program, run, conns, tools):
    prog = run(program, 0).listening()
    port = prog.port
    clients = []

    def join(client):
        n = len(clients) + 1
        assert client.lines.line() == f'* welcome guest{n}'
        for other in clients:
            assert other.lines.line() == f'* guest{n} joined'
        clients.append(client)
        return client

    a = join(SockClient(conns(port)))
    b = join(SockClient(conns(port)))
    c = join(SockClient(conns(port)))
    if NC:
        d = join(ToolClient(tools(NC, '-N', '127.0.0.1', str(port),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)))
    else:
        d = join(SockClient(conns(port)))
    if SOCAT:
        e = join(ToolClient(tools(SOCAT, '-t', '10', '-', f'TCP:127.0.0.1:{port}',
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)))
    else:
        e = join(SockClient(conns(port)))

    def everyone_but(sender, line, among=None):
        for other in among or clients:
            if other is not sender:
                assert other.lines.line() == line

    a.send(b'/nick ann\n')
    everyone_but(None, '* guest1 is now ann')          # told to all, ann too

    # A line split across writes, a UTF-8 character split in two, a \r\n
    # ending; b's whole line, sent in between, arrives first and alone.
    a.send(b'hel')
    b.send(b'hi all\n')
    everyone_but(b, 'guest2: hi all')
    a.send(b'lo w')
    a.send(b'orld caf\xc3')
    d.send(b'from nc\n')
    everyone_but(d, 'guest4: from nc')
    a.send(b'\xa9\r\n')
    everyone_but(a, 'ann: hello world caf\u00e9')
    e.send(b'from socat\n')
    everyone_but(e, 'guest5: from socat')

    c.send(b'/who\n')
    assert c.lines.line() == '* here: ann guest2 guest3 guest4 guest5'

    # c leaves (a plain close), b says /quit: each is gone for the others.
    c.conn.close()
    clients.remove(c)
    everyone_but(None, '* guest3 left')
    b.send(b'/quit\n')
    assert b.lines.line() == '* bye'
    assert b.lines.line() is None        # the server ended its side; the socket closes once b does
    b.conn.close()
    clients.remove(b)
    everyone_but(None, '* guest2 left')

    e.send(b'still here\n')
    everyone_but(e, 'guest5: still here')

    # a vanishes with a RST: the server logs the error code, the others hear it left.
    reset(a.conn)
    clients.remove(a)
    everyone_but(None, '* ann left')
    prog.out.until('! ann ECONNRESET')

    d.send(b'/who\n')
    assert d.lines.line() == '* here: guest4 guest5'


# -- proxy ---------------------------------------------------------------------------

MIB4 = 4 * 1024 * 1024


class Upstream:
    """A one-connection upstream server: it sends ``payload`` at once while
    it reads everything the client sends; once it has both sent all and seen
    the client's end, it sends ``trailer`` and closes."""

    trailer = b'-- your end came through --\n'

    def __init__(self, payload):
        self.payload = payload
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen()
        self.listener.settimeout(WAIT)
        self.port = self.listener.getsockname()[1]
        self.worker = Worker(self._serve)

    def _serve(self):
        conn, _ = self.listener.accept()
        with conn:
            conn.settimeout(WAIT)
            sender = Worker(conn.sendall, self.payload)
            received = hashlib.sha256()
            size = 0
            while True:
                chunk = conn.recv(1 << 20)
                if not chunk:
                    break
                received.update(chunk)
                size += len(chunk)
            sender.result()
            conn.sendall(self.trailer)
        return size, received.hexdigest()

    def result(self):
        try:
            return self.worker.result()
        finally:
            self.listener.close()


@flavours('proxy')
def test_proxy_carries_4_mib_both_ways_with_half_close(program, run, conns):
    up_payload = os.urandom(MIB4)
    down_payload = os.urandom(MIB4)
    upstream = Upstream(up_payload)
    prog = run(program, 0, upstream.port).listening()
    conn = conns(prog.port)

    def send():
        conn.sendall(down_payload)
        conn.shutdown(socket.SHUT_WR)
    sender = Worker(send)
    received = recv_all(conn)
    sender.result()
    size, digest = upstream.result()
    assert (size, digest) == (MIB4, hashlib.sha256(down_payload).hexdigest())
    assert len(received) == MIB4 + len(Upstream.trailer)
    # The trailer went out only after the upstream saw the client's end, so
    # the proxy carried bytes back after the client had half-closed.
    assert hashlib.sha256(received).hexdigest() == hashlib.sha256(up_payload + Upstream.trailer).hexdigest()
    prog.out.until(f'{conn.getsockname()[1]} -> *')


@flavours('proxy')
@needs_socat
def test_proxy_with_socat(program, run, tools, tmp_path):
    up_payload = os.urandom(MIB4)
    down_payload = os.urandom(MIB4)
    upstream = Upstream(up_payload)
    prog = run(program, 0, upstream.port).listening()
    source = tmp_path / 'down.bin'
    source.write_bytes(down_payload)
    with open(source, 'rb') as stdin:
        socat = tools(SOCAT, '-t', '10', '-', f'TCP:127.0.0.1:{prog.port}',
                      stdin=stdin, stdout=subprocess.PIPE)
    received = Lines(socat.stdout.fileno(), 'the proxied bytes').rest()
    assert socat.wait(WAIT) == 0
    assert upstream.result() == (MIB4, hashlib.sha256(down_payload).hexdigest())
    assert hashlib.sha256(received).hexdigest() == hashlib.sha256(up_payload + Upstream.trailer).hexdigest()


@flavours('proxy')
def test_proxy_upstream_refused(program, run, conns):
    with socket.socket() as closed:      # bound, not listening: a connection to it is refused
        closed.bind(('127.0.0.1', 0))
        prog = run(program, 0, closed.getsockname()[1]).listening()
        conn = conns(prog.port)
        conn.sendall(b'anyone there?\n')
        try:
            assert recv_all(conn) == b''
        except ConnectionResetError:
            pass
        prog.out.until('! upstream ECONNREFUSED')
        # The proxy goes on serving.
        conn2 = conns(prog.port)
        try:
            assert recv_all(conn2) == b''
        except ConnectionResetError:
            pass
        prog.out.until('! upstream ECONNREFUSED')


# -- the exception policy: greennet's difference from Node -----------------------------

#: Runs a chat port with a bug planted in its ``handle()``: the line ``/boom``
#: raises. (``runpy`` puts the script in ``sys.modules['__main__']`` while it
#: runs, so the patched ``greennet.run`` finds ``handle`` there.)
BUGGY = '''
import runpy, sys
import greennet
real_run = greennet.run
def run():
    main = sys.modules['__main__']
    handle = main.handle
    def buggy(socket, line):
        if line == '/boom':
            raise RuntimeError('a bug in handle()')
        return handle(socket, line)
    main.handle = buggy
    real_run()
greennet.run = run
path = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(path, run_name='__main__')
'''


@pytest.mark.parametrize('script', ['chat.py', 'chat_straight.py'], ids=['events', 'straight'])
def test_a_raising_listener_drops_only_its_client(script, run, conns):
    prog = run([PYTHON, '-c', BUGGY, script], 0).listening()
    a = SockClient(conns(prog.port))
    assert a.lines.line() == '* welcome guest1'
    b = SockClient(conns(prog.port))
    assert b.lines.line() == '* welcome guest2'
    assert a.lines.line() == '* guest2 joined'
    b.send(b'/boom\n')
    assert b.lines.line() is None                    # b's socket is destroyed...
    assert a.lines.line() == '* guest2 left'         # ...its 'close' listener ran...
    prog.out.until('! guest2 a bug in handle()')     # ...after its 'error' listener got the exception
    a.send(b'/who\n')
    assert a.lines.line() == '* here: guest1'        # the server goes on (Node's would have exited)
    assert 'RuntimeError: a bug in handle()' in prog.stderr()


# -- the guide shows the programs as they are ----------------------------------------

def test_the_guide_shows_the_programs_as_they_are():
    """Each ``<!-- file: PATH -->`` block of docs/porting.md is that file, verbatim."""
    with open(os.path.join(ROOT, 'docs', 'porting.md'), encoding='utf-8') as doc:
        text = doc.read()
    blocks = re.findall(r'<!-- file: (\S+) -->\n```\w+\n(.*?)\n```\n', text, re.S)
    assert sorted(path for path, _ in blocks) == sorted(
        f'examples/porting/{name}' for name in os.listdir(HERE) if name.endswith(('.js', '.py')))
    for path, shown in blocks:
        with open(os.path.join(ROOT, path), encoding='utf-8') as source:
            assert shown == source.read().rstrip('\n'), f'docs/porting.md shows an old {path}'
