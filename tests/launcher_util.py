"""Helpers for the launcher's tests: start ``python -m greennet ...`` as a
real subprocess (in its own process group), follow its stderr line by line,
wait for its ``listening on`` lines (or any pattern), talk to it over real
sockets, stop it and collect what it said.

Nothing here sleeps to synchronise: every wait polls for an event (a log
line, a port that accepts, a process that exited) with a bounded deadline
and fails the test when the deadline passes.
"""
from __future__ import annotations

import os
import re
import signal as _signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any, Callable

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable

#: Seconds a single wait may take before the test fails.
WAIT = 10.0

#: ``INFO greennet.worker: listening on 127.0.0.1:7000 (echo)``
LISTENING = re.compile(r'listening on (\S+) \((\S+)\)')
#: The one-line error the launcher ends with on bad input.
ERROR_LINE = re.compile(r'^greennet: error: \S.*$')


def free_port(host: str = '127.0.0.1') -> int:
    """A port nothing listens on right now (bind port 0, read it, close)."""
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def has_ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(('::1', 0))
        return True
    except OSError:
        return False


def base_env(extra: dict[str, str] | None = None, pythonpath: Sequence[str] = ()) -> dict[str, str]:
    """The environment for a launcher: this checkout first on PYTHONPATH,
    unbuffered output, no systemd variables inherited from the test run."""
    env = dict(os.environ)
    for name in ('LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES', 'NOTIFY_SOCKET', 'WATCHDOG_USEC',
                 'WATCHDOG_PID', 'GREENNET_WORKER_SPEC'):
        env.pop(name, None)
    paths = [str(p) for p in pythonpath] + [ROOT]
    if env.get('PYTHONPATH'):
        paths.append(env['PYTHONPATH'])
    env['PYTHONPATH'] = os.pathsep.join(paths)
    env['PYTHONUNBUFFERED'] = '1'
    if extra:
        env.update(extra)
    return env


# A tiny exec wrapper for socket activation without systemd: it moves the
# descriptors it was given to 3, 4, ... (as systemd does), sets LISTEN_PID to
# its own pid (which exec keeps) and execs the launcher.
_ACTIVATE = r'''
import fcntl, os, sys
sources = [int(fd) for fd in sys.argv[1].split(',')]
high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in sources]
for fd in sources:
    os.close(fd)
for i, fd in enumerate(high):
    os.dup2(fd, 3 + i, inheritable=True)
    os.close(fd)
os.environ['LISTEN_PID'] = str(os.getpid())
os.environ['LISTEN_FDS'] = str(len(sources))
os.execv(sys.executable, [sys.executable] + sys.argv[2:])
'''


# Exec the rest of the command line with a soft RLIMIT_NOFILE of argv[1].
_NOFILE = r'''
import os, resource, sys
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv[1]), hard))
os.execv(sys.argv[2], sys.argv[2:])
'''


# Exec the rest of the command line with descriptors 3 to argv[1] + 2 open
# (inherited), so that whatever it opens next is numbered above them.
_FILL = r'''
import os, sys
for _ in range(int(sys.argv[1])):
    os.set_inheritable(os.open(os.devnull, os.O_RDONLY), True)
os.execv(sys.argv[2], sys.argv[2:])
'''


def children(pid: int) -> list[int]:
    """The live (not zombie) processes whose parent is ``pid``."""
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as stat:
                fields = stat.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if fields[0] != 'Z' and int(fields[1]) == pid:
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        with open(f'/proc/{pid}/stat') as stat:
            return stat.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


class Launcher:
    """A running ``python -m greennet ARGS``; its stderr is read by a thread
    into :attr:`lines`."""

    def __init__(self, args: Sequence[str], env: dict[str, str] | None = None,
                 cwd: str | None = None, activate: Sequence[socket.socket] = (),
                 pass_fds: Sequence[int] = (), nofile: int | None = None,
                 command: Sequence[str] | None = None, fill_fds: int = 0) -> None:
        self.args = [str(a) for a in args]
        command = list(command or [PYTHON, '-m', 'greennet']) + self.args
        fds = list(pass_fds)
        if activate:
            sources = [s.fileno() for s in activate]
            command = [PYTHON, '-c', _ACTIVATE, ','.join(map(str, sources))] + command[1:]
            fds += sources
        if nofile is not None:
            command = [PYTHON, '-c', _NOFILE, str(nofile)] + command
        if fill_fds:
            command = [PYTHON, '-c', _FILL, str(fill_fds)] + command
        self.lines: list[str] = []
        self.stdout = b''
        self._cond = threading.Condition()
        self._eof = False
        self.process = subprocess.Popen(
            command, env=env if env is not None else base_env(), cwd=cwd,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, pass_fds=fds)
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        self._out_reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._out_reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    # -- output ------------------------------------------------------------

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            with self._cond:
                self.lines.append(raw.decode('utf-8', 'replace').rstrip('\r\n'))
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        self.stdout = self.process.stdout.read()

    @property
    def stderr(self) -> str:
        with self._cond:
            return '\n'.join(self.lines)

    def wait_for(self, pattern: str, count: int = 1, timeout: float = WAIT,
                 start: int = 0) -> list[re.Match]:
        """Wait until ``count`` stderr lines (from line ``start`` on) match
        ``pattern``; their matches. Fails the test on timeout or exit."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in (regex.search(line) for line in self.lines[start:]) if m]
                if len(found) >= count:
                    return found[:count]
                left = deadline - time.monotonic()
                if self._eof or left <= 0:
                    why = f'exited with {self.process.poll()}' if self._eof else \
                        f'timed out after {timeout}s'
                    command, stderr = ' '.join(self.args), '\n'.join(self.lines)
                    pytest.fail(f'greennet {command} {why} before {count} line(s) matching '
                                f'{pattern!r}; stderr:\n{stderr}')
                self._cond.wait(min(left, 0.2))

    def mark(self) -> int:
        """The number of stderr lines so far (for ``wait_for(start=...)``)."""
        with self._cond:
            return len(self.lines)

    def listening(self, count: int = 1, timeout: float = WAIT) -> dict[str, list[str]]:
        """Wait for ``count`` 'listening on' lines; ``{mount: [address, ...]}``."""
        found: dict[str, list[str]] = {}
        for match in self.wait_for(LISTENING.pattern, count, timeout):
            found.setdefault(match.group(2), []).append(match.group(1))
        return found

    def address(self, timeout: float = WAIT) -> tuple[Any, ...]:
        """The address of the first listener, as ``(family, sockaddr)``."""
        first = self.wait_for(LISTENING.pattern, 1, timeout)[0].group(1)
        return parse_address(first)

    # -- life ----------------------------------------------------------------

    def signal(self, signum: int) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signum)

    def wait(self, timeout: float = WAIT) -> int:
        """Wait for the launcher to exit; its status (fails on timeout)."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            command = ' '.join(self.args)
            pytest.fail(f'greennet {command} did not exit within {timeout}s; stderr:\n{self.stderr}')
        self._reader.join(timeout)
        self._out_reader.join(timeout)
        return code

    def stop(self, signum: int = _signal.SIGTERM, timeout: float = WAIT) -> int:
        self.signal(signum)
        return self.wait(timeout)

    def kill(self) -> None:
        """SIGKILL the launcher's whole process group (it and its workers)."""
        try:
            os.killpg(self.process.pid, _signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.process.stdout, self.process.stderr):
            try:
                if stream is not None:
                    stream.close()
            except Exception:
                pass

    def __enter__(self) -> Launcher:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.kill()


def run_greennet(args: Sequence[str], env: dict[str, str] | None = None,
                 timeout: float = WAIT, cwd: str | None = None,
                 activate: Sequence[socket.socket] = (),
                 command: Sequence[str] | None = None) -> subprocess.CompletedProcess:
    """Run a launcher command that ends by itself (``check``, ``handlers``,
    bad input); its CompletedProcess with text output. ``activate``: sockets
    passed as systemd would; ``command``: what runs the launcher instead of
    ``python -m greennet``."""
    argv = list(command or [PYTHON, '-m', 'greennet']) + [str(a) for a in args]
    fds = [s.fileno() for s in activate]
    if activate:
        argv = [PYTHON, '-c', _ACTIVATE, ','.join(map(str, fds))] + argv[1:]
    try:
        return subprocess.run(argv, env=env if env is not None else base_env(), cwd=cwd,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout, start_new_session=True, pass_fds=fds)
    except subprocess.TimeoutExpired as err:
        command = ' '.join(map(str, args))
        pytest.fail(f'greennet {command} did not exit within {timeout}s; stderr: {err.stderr!r}')


def assert_one_line_error(stderr: str, contains: Iterable[str] = ()) -> str:
    """The launcher failed properly: no traceback, exactly one
    ``greennet: error: ...`` line and it is the last one; that line."""
    assert 'Traceback' not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, 'nothing on stderr'
    errors = [line for line in lines if line.startswith('greennet: error:')]
    assert len(errors) == 1, stderr
    assert ERROR_LINE.match(lines[-1]), stderr
    for text in contains:
        assert text in lines[-1], (text, lines[-1])
    return lines[-1]


# -- talking to it -----------------------------------------------------------

def parse_address(text: str) -> tuple[int, Any]:
    """``127.0.0.1:7000``, ``[::1]:7000`` or ``unix:/path`` (``unix:@name``)
    as ``(family, sockaddr)``."""
    if text.startswith('unix:'):
        path = text[5:]
        return socket.AF_UNIX, '\0' + path[1:] if path.startswith('@') else path
    if text.startswith('['):
        host, _, port = text[1:].partition(']:')
        return socket.AF_INET6, (host, int(port))
    host, _, port = text.rpartition(':')
    if host in ('0.0.0.0', ''):
        host = '127.0.0.1'
    elif host == '::':
        return socket.AF_INET6, ('::1', int(port))
    return socket.AF_INET, (host, int(port))


def connect(address: Any, timeout: float = WAIT) -> socket.socket:
    """A blocking client socket connected to ``address`` (a launcher address
    string, ``(family, sockaddr)``, ``(host, port)`` or a port)."""
    if isinstance(address, str):
        family, sockaddr = parse_address(address)
    elif isinstance(address, int):
        family, sockaddr = socket.AF_INET, ('127.0.0.1', address)
    elif isinstance(address[0], int) and not isinstance(address[1], int):
        family, sockaddr = address
    else:
        family, sockaddr = socket.AF_INET, tuple(address)
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


def wait_accepting(address: Any, timeout: float = WAIT,
                   alive: Callable[[], bool] | None = None) -> None:
    """Poll until a connection to ``address`` succeeds (then close it)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connect(address, timeout=1.0).close()
            return
        except OSError as err:
            if time.monotonic() > deadline or (alive is not None and not alive()):
                pytest.fail(f'nothing accepts on {address!r}: {err}')
        time.sleep(0.02)  # poll interval, not synchronisation


def recv_all(sock: socket.socket, limit: int = 1 << 26, timeout: float = WAIT) -> bytes:
    """Everything ``sock`` receives until EOF (or ``limit`` bytes)."""
    sock.settimeout(timeout)
    chunks, size = [], 0
    while size < limit:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            break
        if not data:
            break
        chunks.append(data)
        size += len(data)
    return b''.join(chunks)


def recv_exactly(sock: socket.socket, size: int, timeout: float = WAIT) -> bytes:
    sock.settimeout(timeout)
    chunks, got = [], 0
    while got < size:
        data = sock.recv(min(65536, size - got))
        if not data:
            break
        chunks.append(data)
        got += len(data)
    return b''.join(chunks)


def exchange(address: Any, payload: bytes = b'', timeout: float = WAIT) -> bytes:
    """Connect, send ``payload`` (if any) and end our side, read until EOF."""
    with connect(address, timeout) as sock:
        if payload:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
        return recv_all(sock, timeout=timeout)


def poll_until(condition: Callable[[], Any], timeout: float = WAIT, what: str = 'condition',
               interval: float = 0.02) -> Any:
    """Call ``condition`` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f'timed out after {timeout}s waiting for {what}')
        time.sleep(interval)  # poll interval, not synchronisation


class NotifySocket:
    """A stand-in for systemd's ``NOTIFY_SOCKET``: an ``AF_UNIX`` datagram
    socket (a path, or an abstract ``@name``) whose messages a thread
    collects as ``(monotonic time, [lines])``."""

    def __init__(self, path: str) -> None:
        self.env_value = path
        address = '\0' + path[1:] if path.startswith('@') else path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.2)
        self.messages: list[tuple[float, list[str]]] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._closed:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            with self._cond:
                self.messages.append((time.monotonic(), data.decode('utf-8', 'replace').split('\n')))
                self._cond.notify_all()

    def lines(self) -> list[str]:
        """Every line received so far, in order."""
        with self._cond:
            return [line for _, lines in self.messages for line in lines]

    def times(self, line: str) -> list[float]:
        with self._cond:
            return [t for t, lines in self.messages if line in lines]

    def wait_for(self, line: str, count: int = 1, timeout: float = WAIT,
                 on_arrival: Callable[[], Any] | None = None) -> list[str]:
        """Wait until ``line`` (e.g. ``READY=1``) arrived ``count`` times;
        ``on_arrival`` is called at once, with the lock held, when it does."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [item for _, lines in self.messages for item in lines]
                if got.count(line) >= count:
                    if on_arrival is not None:
                        on_arrival()
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f'timed out after {timeout}s waiting for {count} x {line!r} on '
                                f'NOTIFY_SOCKET; got {got!r}')
                self._cond.wait(min(left, 0.2))

    def close(self) -> None:
        self._closed = True
        self._thread.join(2)
        self.sock.close()
        if not self.env_value.startswith('@'):
            try:
                os.unlink(self.env_value)
            except OSError:
                pass


# -- looking into a process ----------------------------------------------------

def fd_count(pid: int) -> int:
    """How many descriptors ``pid`` has open."""
    return len(os.listdir(f'/proc/{pid}/fd'))


#: /proc/net/tcp's state of a listening socket.
TCP_LISTEN = 0x0A


def tcp_sockets(pid: int) -> list[tuple[int, int]]:
    """``(state, rx_queue)`` of every TCP socket ``pid`` holds (from
    /proc/net/tcp{,6}); a listening socket's ``rx_queue`` is the number of
    connections the kernel completed that wait in its accept queue."""
    inodes = set()
    for fd in os.listdir(f'/proc/{pid}/fd'):
        try:
            target = os.readlink(f'/proc/{pid}/fd/{fd}')
        except OSError:
            continue
        if target.startswith('socket:['):
            inodes.add(target[8:-1])
    found = []
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            with open(table) as rows:
                next(rows)
                for row in rows:
                    fields = row.split()
                    if fields[9] in inodes:
                        found.append((int(fields[3], 16), int(fields[4].split(':')[1], 16)))
        except OSError:
            continue
    return found
