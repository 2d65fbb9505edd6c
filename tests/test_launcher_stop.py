"""Issue 11: stop, reload and restart that an operator can trust. The
launcher runs as a real subprocess; every wait has a deadline.

- the graceful timeout is honoured (exit 0 within timeout + 1 s) when the
  app holds sockets the worker does not track: an outbound connection, a
  listener blocked in gevent, a listener that raised;
- reloads leave no retired worker behind;
- the app's drain listeners hear 'stop' and 'reload';
- workers die within 1 s of their master's SIGKILL and release the port;
- a master with 1,100 inherited descriptors serves.
"""
from __future__ import annotations

import os
import resource
import signal
import socket
import time

import pytest
from launcher_util import (
    Launcher,
    alive,
    base_env,
    children,
    connect,
    exchange,
    poll_until,
    recv_all,
    recv_exactly,
    wait_accepting,
)

pytestmark = pytest.mark.timeout(60)

LOOPBACK = '127.0.0.1:0'
WORKERS = pytest.mark.parametrize('workers', ['0', '1'], ids=['workers0', 'workers1'])

APP = '''
import os

import gevent
import greennet
try:
    from greennet.launcher import on_drain
except ImportError:     # a launcher without the drain hook: the other tests still run
    def on_drain(listener):
        return listener

UPSTREAM = int(os.environ.get('GN_UPSTREAM') or 0)
held = []
sessions = set()


def _quiet(sock):
    sock.on('error', lambda err: None)


def outbound(sock):
    """Keeps the client's connection and an outbound one the worker does not track."""
    _quiet(sock)
    up = greennet.create_connection(UPSTREAM, '127.0.0.1')
    _quiet(up)
    held.append(up)
    up.on('connect', lambda: sock.write(b'ok\\n'))


def blocked(sock):
    """Blocks (cooperatively) for an hour in its 'data' listener."""
    _quiet(sock)
    sock.on('data', lambda data: gevent.sleep(3600))
    sock.write(b'ok\\n')


def raising(sock):
    _quiet(sock)
    sock.write(b'ok\\n')
    raise RuntimeError('listener raised on purpose')


def session(sock):
    """A persistent session: says hello with the pid, echoes, and says bye when a drain begins."""
    _quiet(sock)
    sessions.add(sock)
    sock.on('close', lambda *_: sessions.discard(sock))
    sock.on('data', sock.write)
    sock.write(b'hello %d\\n' % os.getpid())


@on_drain
def bye(drain):
    for sock in list(sessions):
        sock.end(('bye %s %.0f\\n' % (drain.reason, drain.remaining())).encode())


def pid(sock):
    _quiet(sock)
    sock.end(str(os.getpid()).encode())
'''


@pytest.fixture
def upstream():
    """A loopback port that accepts (in the kernel) and never answers."""
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(64)
    yield listener.getsockname()[1]
    listener.close()


@pytest.fixture
def app(tmp_path, upstream):
    (tmp_path / 'gnstop.py').write_text(APP)
    return base_env({'GN_UPSTREAM': str(upstream)}, pythonpath=[tmp_path])


def _address(launcher: Launcher) -> str:
    return launcher.listening()[next(iter(launcher.listening()))][0]


def _line(sock: socket.socket) -> bytes:
    data = b''
    while not data.endswith(b'\n'):
        chunk = sock.recv(100)
        if not chunk:
            break
        data += chunk
    return data


# -- the graceful timeout, whoever holds the sockets ------------------------------------


@WORKERS
@pytest.mark.parametrize('target', ['outbound', 'blocked', 'raising'])
def test_graceful_timeout_honoured_with_untracked_sockets(app, target, workers):
    graceful = 0.5
    with Launcher(['run', 'gnstop:' + target, '-l', LOOPBACK, '--workers', workers,
                   '--graceful-timeout', str(graceful)], env=app) as launcher:
        with connect(_address(launcher)) as client:
            assert recv_exactly(client, 3) == b'ok\n'
            client.sendall(b'x')            # 'blocked' blocks on it
            started = time.monotonic()
            launcher.signal(signal.SIGTERM)
            assert recv_all(client) == b''   # kept open during the drain, then cut
            cut = time.monotonic() - started
            assert launcher.wait(timeout=graceful + 5) == 0
            took = time.monotonic() - started
        print(f'[measured] {target} --workers {workers}: connection cut after {cut:.2f}s, '
              f'exit 0 after {took:.2f}s')
        if target != 'raising':     # the core destroys a socket whose listener raised
            assert cut >= graceful - 0.05, cut
        assert took < graceful + 1.0, took
        assert 'Traceback' not in launcher.stderr or target == 'raising'


# -- reload -----------------------------------------------------------------------------------


def test_no_retired_worker_left_after_three_reloads(app):
    graceful = 0.5
    with Launcher(['run', 'gnstop:blocked', '-l', LOOPBACK, '--graceful-timeout', str(graceful),
                   '--workers', '1'], env=app) as launcher:
        address = _address(launcher)
        launcher.wait_for(r'worker\(s\) ready')
        clients = []
        for reloads in range(1, 4):
            client = connect(address)
            clients.append(client)
            assert recv_exactly(client, 3) == b'ok\n'
            client.sendall(b'x')        # its worker is blocked in a listener now
            launcher.signal(signal.SIGHUP)
            launcher.wait_for(r'reload done', count=reloads)
        started = time.monotonic()
        poll_until(lambda: len(children(launcher.pid)) == 1, timeout=graceful + 2,
                   what='the retired workers to exit')
        print(f'[measured] processes after 3 reloads: master + {len(children(launcher.pid))} '
              f'worker(s), settled in {time.monotonic() - started:.2f}s')
        for client in clients:
            assert recv_all(client) == b''
            client.close()
        with connect(address) as client:
            assert recv_exactly(client, 3) == b'ok\n'     # the last worker serves
        assert launcher.stop() == 0
        assert 'killing it' not in launcher.stderr      # they left on their own


# -- the drain hook ----------------------------------------------------------------------------


def test_drain_listeners_hear_reload_then_stop(app):
    with Launcher(['run', 'gnstop:session', '-l', LOOPBACK, '--workers', '1'], env=app) as launcher:
        address = _address(launcher)
        launcher.wait_for(r'worker\(s\) ready')
        with connect(address) as old:
            hello = _line(old)
            assert hello.startswith(b'hello ')
            old.sendall(b'ping\n')
            assert _line(old) == b'ping\n'
            launcher.signal(signal.SIGHUP)
            started = time.monotonic()
            bye = recv_all(old)
            # told at once, not cut at the 30 s graceful timeout
            assert bye.startswith(b'bye reload '), bye
            assert time.monotonic() - started < 5
            assert 25 <= int(bye.split()[2]) <= 30
        with connect(address) as new:
            assert _line(new) != hello       # a new worker
            launcher.signal(signal.SIGTERM)
            assert recv_all(new).startswith(b'bye stop ')
        assert launcher.wait() == 0


def test_drain_listeners_with_workers_0(app):
    with Launcher(['run', 'gnstop:session', '-l', LOOPBACK, '--workers', '0'], env=app) as launcher:
        with connect(_address(launcher)) as sock:
            assert _line(sock).startswith(b'hello ')
            launcher.signal(signal.SIGTERM)
            assert recv_all(sock).startswith(b'bye stop ')
        assert launcher.wait() == 0


# -- workers die with their master ---------------------------------------------------------------


def test_workers_die_within_a_second_of_the_master(app):
    launcher = Launcher(['run', 'gnstop:pid', '-l', LOOPBACK, '--workers', '2'], env=app)
    try:
        address = _address(launcher)
        ready = launcher.wait_for(r'2 worker\(s\) ready: (\d+), (\d+)')[0]
        workers = [int(ready.group(1)), int(ready.group(2))]
        os.kill(launcher.pid, signal.SIGKILL)
        started = time.monotonic()
        poll_until(lambda: not any(alive(pid) for pid in workers), timeout=5,
                   what='the workers to die with their master')
        gone = time.monotonic() - started
        print(f'[measured] workers gone {gone:.3f}s after the master was killed')
        assert gone < 1.0, gone
        # the port is free: a new launcher binds it
        port = address.rsplit(':', 1)[1]
        with Launcher(['run', 'gnstop:pid', '-l', '127.0.0.1:' + port, '--workers', '1'],
                      env=app) as second:
            wait_accepting(int(port), alive=lambda: second.process.poll() is None)
            assert second.stop() == 0
    finally:
        launcher.kill()


# -- many descriptors -------------------------------------------------------------------------------


def test_master_with_1100_inherited_descriptors_serves():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 1400:
        if hard != resource.RLIM_INFINITY and hard < 1400:
            pytest.skip(f'the hard RLIMIT_NOFILE ({hard}) is below 1,400')
        resource.setrlimit(resource.RLIMIT_NOFILE, (1400, hard))
    try:
        # descriptors 3 to 1102 are taken: the master's own pipes are above 1,024
        with Launcher(['run', 'echo', '-l', LOOPBACK, '--workers', '1', '--log-level', 'debug'],
                      fill_fds=1100) as launcher:
            address = _address(launcher)
            launcher.wait_for(r'worker\(s\) ready')
            assert exchange(address, b'many fds') == b'many fds'
            master_fds = [int(fd) for fd in os.listdir(f'/proc/{launcher.pid}/fd')]
            assert len(master_fds) > 1100 and max(master_fds) > 1102
            launcher.signal(signal.SIGHUP)
            launcher.wait_for(r'reload done')
            assert exchange(address, b'again') == b'again'
            assert launcher.stop() == 0
        assert 'Traceback' not in launcher.stderr
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
