"""Shared fixtures for greennet's tests.

Everything here drives real sockets on loopback (127.0.0.1, ::1) and Unix
sockets in short temporary folders. Nothing sleeps to synchronise: a test
waits for the event it needs (an ``AsyncResult`` or ``Event`` set from a
listener) with a timeout, and then asserts.

The fixtures:

- ``hub_errors``: every error gevent's hub reported during the test (a
  listener that raised, an ``'error'`` nobody listened to). An autouse guard
  fails any test that left such errors behind without asking for them, so an
  ``assert`` inside a listener cannot fail silently.
- ``servers``: a factory for listening servers, closed at teardown.
- ``sockets``: a registry; sockets added to it are destroyed at teardown.
- ``tmp_sock_path``: a Unix socket path short enough for ``sun_path``.
- ``no_fd_leak``: fails the test if it left a socket descriptor open.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from typing import Any, Callable, List, Optional, Tuple

import gevent
import pytest
from gevent.event import AsyncResult, Event

import greennet

#: Seconds any single wait may take before the test fails.
WAIT = 5.0

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# -- waiting for events ------------------------------------------------------

def wait_event(emitter: Any, event: str, timeout: float = WAIT) -> AsyncResult:
    """An ``AsyncResult`` set with the arguments (a tuple) of ``emitter``'s
    next ``event``. Call it before the event can fire, then ``.get(timeout)``."""
    result = AsyncResult()

    def listener(*args: Any) -> None:
        if not result.ready():
            result.set(args)
    emitter.once(event, listener)
    return result


def get(result: AsyncResult, timeout: float = WAIT, what: str = 'event') -> Any:
    """``result.get(timeout)``, failing the test (not hanging) on timeout."""
    try:
        return result.get(timeout=timeout)
    except gevent.Timeout:
        pytest.fail('timed out after %ss waiting for %s' % (timeout, what))


def wait_flag(flag: Event, timeout: float = WAIT, what: str = 'event') -> None:
    if not flag.wait(timeout):
        pytest.fail('timed out after %ss waiting for %s' % (timeout, what))


class Recorder:
    """Records the events of one emitter, in order, with their arguments.

    ``rec.log`` is a list of ``(event, args)``; ``rec.wait('close')`` waits
    for the first time ``'close'`` was emitted (even if it already was) and
    returns its arguments."""

    def __init__(self, emitter: Any, *events: str) -> None:
        self.emitter = emitter
        self.log: List[Tuple[str, Tuple[Any, ...]]] = []
        self._seen = {}
        for event in events:
            self._seen[event] = AsyncResult()
            emitter.on(event, self._make(event))

    def _make(self, event: str) -> Callable[..., None]:
        def listener(*args: Any) -> None:
            self.log.append((event, args))
            seen = self._seen[event]
            if not seen.ready():
                seen.set(args)
        return listener

    def wait(self, event: str, timeout: float = WAIT) -> Tuple[Any, ...]:
        return get(self._seen[event], timeout, '%r on %r' % (event, self.emitter))

    def seen(self, event: str) -> bool:
        return self._seen[event].ready()

    def names(self) -> List[str]:
        return [name for name, _ in self.log]

    def count(self, event: str) -> int:
        return sum(1 for name, _ in self.log if name == event)

    def data(self) -> Any:
        chunks = [args[0] for name, args in self.log if name == 'data']
        if chunks and isinstance(chunks[0], str):
            return ''.join(chunks)
        return b''.join(chunks)


def listen(server: Any, *args: Any, **kwargs: Any) -> Any:
    """``server.listen(*args, **kwargs)``, wait for ``'listening'`` (raise the
    ``'error'`` if that comes instead) and return ``server.address()``."""
    done = AsyncResult()
    on_listening = lambda: done.set(None)   # noqa: E731
    on_error = lambda err: done.set(err)    # noqa: E731
    server.once('listening', on_listening)
    server.once('error', on_error)
    server.listen(*args, **kwargs)
    err = get(done, what="'listening'")
    server.remove_listener('listening', on_listening) if on_listening in server.listeners('listening') else None
    server.remove_listener('error', on_error) if on_error in server.listeners('error') else None
    if err is not None:
        raise err
    return server.address()


def close_server(server: Any, timeout: float = WAIT) -> None:
    """Close ``server`` (if it listens) and wait for its ``'close'``."""
    if not server.listening:
        return
    closed = wait_event(server, 'close')
    server.close()
    get(closed, timeout, "server 'close'")


def close_socket(sock: Any, timeout: float = WAIT) -> None:
    """Destroy ``sock`` and wait for its ``'close'`` (unless it had one)."""
    if sock.closed:
        return
    closed = wait_event(sock, 'close')
    sock.destroy()
    get(closed, timeout, "socket 'close'")


def connect_and_wait(*args: Any, **kwargs: Any) -> Any:
    """``greennet.connect(...)`` and wait for ``'connect'``."""
    sock = greennet.connect(*args, **kwargs)
    result = AsyncResult()
    on_connect = lambda: result.set(None)    # noqa: E731
    on_error = lambda err: result.set(err)   # noqa: E731
    sock.once('connect', on_connect)
    sock.once('error', on_error)
    err = get(result, what="'connect'")
    for event, listener in (('connect', on_connect), ('error', on_error)):
        if listener in sock.listeners(event):
            sock.remove_listener(event, listener)
    if err is not None:
        raise err
    return sock


# -- descriptors and memory --------------------------------------------------

def fd_count() -> int:
    """How many descriptors this process has open."""
    return len(os.listdir('/proc/self/fd'))


def socket_fds() -> set:
    """The descriptors of this process that are sockets."""
    found = set()
    for name in os.listdir('/proc/self/fd'):
        try:
            if os.readlink('/proc/self/fd/' + name).startswith('socket:'):
                found.add(int(name))
        except OSError:
            pass
    return found


def rss_kib() -> int:
    """Resident set size of this process, in KiB (``VmRSS``)."""
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise RuntimeError('no VmRSS in /proc/self/status')


# -- fixtures ------------------------------------------------------------------

class HubErrors(list):
    """Errors gevent's hub reported; set ``expected`` to keep the guard quiet."""
    expected = False

    def types(self) -> List[type]:
        return [type(value) for _context, value in self]


class _Reported(logging.Handler):
    """Exceptions greennet reported through its logger (a listener that
    raised, an 'error' nobody listened for) count as the hub's errors did."""

    def __init__(self, errors: HubErrors) -> None:
        super().__init__(logging.ERROR)
        self.errors = errors

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.errors.append((record.name, record.exc_info[1]))


@pytest.fixture(autouse=True)
def _hub_error_guard(request: Any) -> Any:
    hub = gevent.get_hub()
    errors = HubErrors()
    original = hub.handle_error

    def handle_error(context: Any, type_: Any, value: Any, tb: Any) -> Any:
        # What gevent itself does not count as an error (for example the
        # resolver's gaierror, which greennet turns into an event) is skipped.
        if not (isinstance(type_, type) and issubclass(type_, hub.NOT_ERROR)):
            errors.append((context, value))
        return original(context, type_, value, tb)
    hub.handle_error = handle_error
    reported = _Reported(errors)
    logging.getLogger('greennet').addHandler(reported)
    request.node._hub_errors = errors
    try:
        yield errors
        # Let what is already due run, so the test's own late errors count.
        for _ in range(3):
            gevent.sleep(0)
        found = list(errors)
    finally:
        try:
            _close_leftovers()
        finally:
            logging.getLogger('greennet').removeHandler(reported)
            try:
                del hub.handle_error
            except AttributeError:
                pass
    if found and not errors.expected:
        pytest.fail('errors raised in listeners were reported: %r' % [v for _c, v in found])


def _close_leftovers(timeout: float = 2.0) -> None:
    """Destroy the sockets and close the servers a test left open, so they
    cannot disturb the next test (a late ECONNRESET, a run() kept waiting).
    Their errors from now on are expected, and swallowed."""
    import gc
    sockets, listening = [], []
    for obj in gc.get_objects():
        if isinstance(obj, greennet.Socket):
            if not obj.closed:
                sockets.append(obj)
        elif isinstance(obj, greennet.Server) and obj.listening:
            listening.append(obj)
    if not sockets and not listening:
        return
    pending = []
    for sock in sockets:
        sock.on('error', lambda err: None)
        pending.append(wait_event(sock, 'close'))
        sock.destroy()
    for server in listening:
        pending.append(wait_event(server, 'close'))
        server.close()
    with gevent.Timeout(timeout, False):
        for result in pending:
            result.get()


@pytest.fixture
def hub_errors(request: Any) -> HubErrors:
    """The errors the hub reported during this test; the test checks them."""
    errors = request.node._hub_errors
    errors.expected = True
    return errors


@pytest.fixture
def sockets() -> Any:
    """A list; every socket appended is destroyed at teardown."""
    registry: List[Any] = []
    yield registry
    for sock in registry:
        try:
            close_socket(sock)
        except BaseException:   # teardown must go on; the test already failed
            pass


@pytest.fixture
def servers() -> Any:
    """``make(connection_listener=None, *listen_args, options=None,
    catch_errors=True, **listen_kwargs)``: a server listening (127.0.0.1,
    port 0 unless told), closed at teardown. Connections it accepted are
    destroyed at teardown too; their 'error's go to ``make.errors`` unless
    ``catch_errors=False``."""
    made: List[Any] = []
    accepted: List[Any] = []

    def make(connection_listener: Optional[Callable[..., Any]] = None, *listen_args: Any,
             options: Optional[dict] = None, catch_errors: bool = True, **listen_kwargs: Any) -> Any:
        server = greennet.create_server(options or {})
        server.on('connection', accepted.append)
        if catch_errors:
            # A client destroyed with data unread resets the connection; the
            # server side's 'error' (ECONNRESET) is collected, not reported.
            server.on('connection', lambda conn: conn.on('error', make.errors.append))
        if connection_listener is not None:
            server.on('connection', connection_listener)
        if not listen_args and not listen_kwargs:
            listen_args = (0, '127.0.0.1')
        listen(server, *listen_args, **listen_kwargs)
        made.append(server)
        return server
    make.accepted = accepted
    make.errors = []
    yield make
    for sock in accepted:
        try:
            close_socket(sock)
        except BaseException:
            pass
    for server in made:
        try:
            close_server(server)
        except BaseException:
            pass


@pytest.fixture
def tmp_sock_path() -> Any:
    """A fresh path for a Unix socket, in a folder under /tmp short enough
    for ``sun_path`` (108 bytes on Linux); the folder is removed after."""
    folder = tempfile.mkdtemp(prefix='gn', dir='/tmp')
    yield os.path.join(folder, 's.sock')
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def no_fd_leak() -> Any:
    """Fails the test if a socket descriptor it opened is still open once
    it (and the fixtures requested after this one) have torn down. Request
    it first so it tears down last."""
    gevent.sleep(0)
    before = socket_fds()
    yield
    # Due 'close' events may still be queued; let them run.
    for _ in range(3):
        gevent.sleep(0)
    leaked = socket_fds() - before
    assert not leaked, 'socket descriptors leaked: %s' % sorted(
        (fd, os.readlink('/proc/self/fd/%d' % fd)) for fd in leaked if os.path.exists('/proc/self/fd/%d' % fd))


def python_env() -> dict:
    """Environment for a subprocess that imports greennet from this checkout."""
    env = dict(os.environ)
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    env['PYTHONUNBUFFERED'] = '1'
    return env


PYTHON = sys.executable


def _proc_net_inodes(local_port: int, remote_port: int) -> set:
    """Inodes of TCP sockets with this local and remote port (any address),
    read from /proc/net/tcp and /proc/net/tcp6."""
    inodes = set()
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            with open(table) as rows:
                next(rows)
                for row in rows:
                    fields = row.split()
                    local, remote, inode = fields[1], fields[2], fields[9]
                    if (int(local.rsplit(':', 1)[1], 16) == local_port
                            and int(remote.rsplit(':', 1)[1], 16) == remote_port):
                        inodes.add(inode)
        except FileNotFoundError:
            pass
    return inodes


def dup_connection_fd(local_port: int, remote_port: int) -> Any:
    """A Python socket on a duplicate of this process's descriptor for the
    TCP connection ``local_port`` -> ``remote_port``, found through /proc (so
    a test can ``getsockopt`` on a greennet socket without its internals).
    The caller closes it."""
    import socket as std
    inodes = _proc_net_inodes(local_port, remote_port)
    for name in os.listdir('/proc/self/fd'):
        try:
            link = os.readlink('/proc/self/fd/' + name)
        except OSError:
            continue
        if link.startswith('socket:[') and link[8:-1] in inodes:
            return std.socket(fileno=os.dup(int(name)))
    pytest.fail('no descriptor found for connection %d -> %d' % (local_port, remote_port))
