"""systemd integration without systemd: socket activation (sockets passed
from fd 3 with LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES, set up by a tiny exec
wrapper, see ``launcher_util``) and ``NOTIFY_SOCKET`` (an ``AF_UNIX``
datagram socket of the test's: READY, STATUS, RELOADING, STOPPING,
WATCHDOG).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import textwrap
import time

import pytest
from launcher_util import (
    WAIT,
    Launcher,
    NotifySocket,
    assert_one_line_error,
    base_env,
    connect,
    exchange,
    free_port,
    poll_until,
    recv_exactly,
    run_greennet,
)

pytestmark = pytest.mark.timeout(60)

APP = '''
import json
import os


def env(sock):
    """Reply with this process's pid and its systemd variables."""
    sock.on('error', lambda err: None)
    names = ('LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES', 'NOTIFY_SOCKET', 'WATCHDOG_USEC')
    report = {name: os.environ.get(name) for name in names}
    report['pid'] = os.getpid()
    sock.end(json.dumps(report).encode())
'''


@pytest.fixture
def app(tmp_path):
    (tmp_path / 'gnsd.py').write_text(APP)
    return base_env(pythonpath=[tmp_path])


@pytest.fixture
def short_dir():
    """A folder short enough for ``sun_path``."""
    folder = tempfile.mkdtemp(prefix='gnsd', dir='/tmp')
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def tcp_listener():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    sock.listen(64)
    return sock


def unix_listener(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(64)
    return sock


def _report(address):
    return json.loads(exchange(address))


WORKERS = pytest.mark.parametrize('workers', [['--workers', '0'], [], ['--workers', '2']],
                                  ids=['workers0', 'default', 'workers2'])


# -- socket activation -------------------------------------------------------------


@WORKERS
def test_activation_tcp(app, workers):
    listener = tcp_listener()
    port = listener.getsockname()[1]
    try:
        with Launcher(['run', 'gnsd:env'] + workers, env=app, activate=[listener]) as launcher:
            listener.close()        # only the launcher holds it now
            found = launcher.listening()
            assert found == {'gnsd:env': [f'127.0.0.1:{port}']}
            report = _report(('127.0.0.1', port))
            # cleared, so that nothing started from the app takes them for its own
            assert report['LISTEN_FDS'] is None and report['LISTEN_PID'] is None
            assert report['LISTEN_FDNAMES'] is None
            if workers == ['--workers', '2']:
                pids = {report['pid']}
                poll_until(lambda: pids.add(_report(('127.0.0.1', port))['pid']) or len(pids) == 2,
                           timeout=15, what='both workers to serve the activated socket',
                           interval=0)
                assert launcher.pid not in pids
            assert launcher.stop() == 0
    finally:
        listener.close()


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_activation_unix(app, short_dir, workers):
    path = os.path.join(short_dir, 'a.sock')
    listener = unix_listener(path)
    try:
        with Launcher(['run', 'gnsd:env'] + workers, env=app, activate=[listener]) as launcher:
            listener.close()
            assert launcher.listening() == {'gnsd:env': ['unix:' + path]}
            assert _report('unix:' + path)['LISTEN_FDS'] is None
            assert launcher.stop() == 0
        # the socket file is systemd's: the launcher must not remove it
        assert os.path.exists(path)
    finally:
        listener.close()


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_fdnames_match_mounts_by_name(app, workers):
    first, second = tcp_listener(), tcp_listener()       # fd 3: 'daytime', fd 4: 'echo'
    daytime_port, echo_port = first.getsockname()[1], second.getsockname()[1]
    env = dict(app, LISTEN_FDNAMES='daytime:echo')
    try:
        with Launcher(['run', '--mount', 'echo=systemd:echo', '--mount', 'daytime=systemd:daytime']
                      + workers, env=env, activate=[first, second]) as launcher:
            found = launcher.listening(2)
            assert found == {'echo': [f'127.0.0.1:{echo_port}'],
                             'daytime': [f'127.0.0.1:{daytime_port}']}
            assert exchange(('127.0.0.1', echo_port), b'by name') == b'by name'
            assert exchange(('127.0.0.1', daytime_port)).endswith(b'\r\n')
    finally:
        first.close()
        second.close()


def test_fdnames_in_config_file(app, tmp_path):
    first, second = tcp_listener(), tcp_listener()
    echo_port, daytime_port = first.getsockname()[1], second.getsockname()[1]
    config = tmp_path / 'sd.toml'
    config.write_text(textwrap.dedent('''
        workers = 0
        [[mount]]
        target = "daytime"
        listen = "systemd:day"
        [[mount]]
        target = "echo"
        listen = ["systemd:0"]
    '''))
    env = dict(app, LISTEN_FDNAMES='web:day')
    try:
        with Launcher(['run', '--config', str(config)], env=env, activate=[first, second]) as launcher:
            found = launcher.listening(2)
            assert found['echo'] == [f'127.0.0.1:{echo_port}']         # by position
            assert found['daytime'] == [f'127.0.0.1:{daytime_port}']   # by name
            assert exchange(('127.0.0.1', echo_port), b'e') == b'e'
    finally:
        first.close()
        second.close()


def test_activation_in_order_without_names(app):
    first, second = tcp_listener(), tcp_listener()
    ports = [first.getsockname()[1], second.getsockname()[1]]
    try:
        with Launcher(['run', 'echo', '--workers', '0'], env=app,
                      activate=[first, second]) as launcher:
            found = launcher.listening(2)
            assert found == {'echo': [f'127.0.0.1:{port}' for port in ports]}
            for port in ports:
                assert exchange(('127.0.0.1', port), b'o') == b'o'
    finally:
        first.close()
        second.close()


def test_activation_unnamed_mount_beside_named_one(app):
    """``run echo --mount daytime=systemd:daytime`` with LISTEN_FDNAMES
    echo:daytime: each gets its own socket."""
    first, second = tcp_listener(), tcp_listener()
    echo_port, daytime_port = first.getsockname()[1], second.getsockname()[1]
    env = dict(app, LISTEN_FDNAMES='echo:daytime')
    try:
        with Launcher(['run', 'echo', '--mount', 'daytime=systemd:daytime', '--workers', '0'],
                      env=env, activate=[first, second]) as launcher:
            found = launcher.listening(2)
            assert found == {'echo': [f'127.0.0.1:{echo_port}'],
                             'daytime': [f'127.0.0.1:{daytime_port}']}
            assert exchange(('127.0.0.1', echo_port), b'x') == b'x'
            assert exchange(('127.0.0.1', daytime_port)).endswith(b'\r\n')
    finally:
        first.close()
        second.close()


def test_activation_ignored_for_another_pid(app):
    env = dict(app, LISTEN_FDS='1', LISTEN_PID='1')
    result = run_greennet(['run', 'echo', '--workers', '0'], env=env)
    assert result.returncode == 2
    assert_one_line_error(result.stderr, ['no address to listen on'])


def test_activation_unknown_name(app):
    listener = tcp_listener()
    env = dict(app, LISTEN_FDNAMES='web')
    try:
        with Launcher(['run', '--mount', 'echo=systemd:admin', '--workers', '0'], env=env,
                      activate=[listener]) as launcher:
            code = launcher.wait()
        assert code == 2
        assert_one_line_error(launcher.stderr, ['systemd:admin', 'web'])
    finally:
        listener.close()


@pytest.mark.skipif(shutil.which('systemd-socket-activate') is None,
                    reason='no systemd-socket-activate')
def test_with_systemd_socket_activate(app):
    port = free_port()
    command = [shutil.which('systemd-socket-activate'), '-l', f'127.0.0.1:{port}',
               '--fdname=web', '-E', 'PYTHONPATH', '-E', 'PYTHONUNBUFFERED',
               os.sys.executable, '-m', 'greennet', 'run', '--mount', 'gnsd:env=systemd:web',
               '--workers', '0']
    process = subprocess.Popen(command, env=app, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        # it listens at once, and starts greennet on the first connection
        poll_until(lambda: _connects(port), what='systemd-socket-activate to listen')
        report = json.loads(exchange(('127.0.0.1', port)))
        assert report['LISTEN_FDS'] is None and report['LISTEN_FDNAMES'] is None
        assert report['pid'] == process.pid     # exec'd in place
        assert exchange(('127.0.0.1', port))
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(WAIT) == 0
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(5)
        process.stderr.close()


def _connects(port):
    try:
        connect(('127.0.0.1', port), timeout=1).close()
        return True
    except OSError:
        return False


# -- NOTIFY_SOCKET ---------------------------------------------------------------------


@pytest.fixture
def notify(short_dir):
    sock = NotifySocket(os.path.join(short_dir, 'notify'))
    yield sock
    sock.close()


@pytest.fixture(params=['path', 'abstract'])
def any_notify(request, short_dir):
    """A NOTIFY_SOCKET at a path, and at an abstract '@name'."""
    if request.param == 'path':
        name = os.path.join(short_dir, 'notify')
    else:
        name = f'@greennet-test-notify-{os.getpid()}-{time.monotonic_ns() % 10 ** 9}'
    sock = NotifySocket(name)
    yield sock
    sock.close()


def _ready_then_connect(launcher, notify, port):
    """Connect the moment READY=1 arrives: it must succeed."""
    connected = []
    notify.wait_for('READY=1', on_arrival=lambda: connected.append(connect(('127.0.0.1', port))))
    with connected[0] as sock:
        sock.sendall(b'ready?')
        assert recv_exactly(sock, 6) == b'ready?'
    assert launcher.process.poll() is None


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_ready_only_once_listening(any_notify, workers):
    notify = any_notify
    port = free_port()
    env = base_env({'NOTIFY_SOCKET': notify.env_value})
    with Launcher(['run', 'echo', '--listen', f'127.0.0.1:{port}'] + workers,
                  env=env) as launcher:
        _ready_then_connect(launcher, notify, port)
        poll_until(lambda: any(line.startswith('STATUS=') for line in notify.lines()),
                   what='a STATUS= line')
        assert notify.lines().count('READY=1') == 1
        assert launcher.stop() == 0
        lines = notify.lines()
        assert 'STOPPING=1' in lines
        assert lines.index('READY=1') < lines.index('STOPPING=1')
        assert 'RELOADING=1' not in lines


def test_workers_do_not_inherit_notify_socket(notify, app):
    env = dict(app, NOTIFY_SOCKET=notify.env_value, WATCHDOG_USEC='30000000')
    with Launcher(['run', 'gnsd:env', '--listen', '127.0.0.1:0'], env=env) as launcher:
        address = launcher.listening()['gnsd:env'][0]
        report = _report(address)
        assert report['NOTIFY_SOCKET'] is None and report['WATCHDOG_USEC'] is None


@pytest.mark.parametrize('workers', [
    ['--workers', '0'],
    []],
    ids=['workers0', 'default'])
def test_watchdog_pings_at_half_the_interval(notify, workers):
    """WATCHDOG_USEC=400000: a ping about every 0.2 s, so several in 2 s,
    and never a gap as long as the whole 0.4 s (systemd's deadline)."""
    env = base_env({'NOTIFY_SOCKET': notify.env_value, 'WATCHDOG_USEC': '400000'})
    with Launcher(['run', 'echo', '--listen', '127.0.0.1:0'] + workers, env=env) as launcher:
        notify.wait_for('READY=1')
        started = time.monotonic()
        notify.wait_for('WATCHDOG=1', count=6, timeout=3)
        times = notify.times('WATCHDOG=1')[:6]
        # five pings are due within ~1.2 s; allow a loaded machine 2.5 s
        assert times[5] - started < 2.5, times[5] - started
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert max(gaps) < 0.4, [f'{g:.3f}' for g in gaps]
        assert launcher.stop() == 0


def test_reload_and_stop_notifications_in_order(notify):
    env = base_env({'NOTIFY_SOCKET': notify.env_value})
    port = free_port()
    with Launcher(['run', 'echo', '--listen', f'127.0.0.1:{port}'], env=env) as launcher:
        _ready_then_connect(launcher, notify, port)
        before = time.clock_gettime(time.CLOCK_MONOTONIC)
        launcher.signal(signal.SIGHUP)
        notify.wait_for('READY=1', count=2)
        after = time.clock_gettime(time.CLOCK_MONOTONIC)
        launcher.wait_for(r'reload done')
        assert exchange(('127.0.0.1', port), b'after reload') == b'after reload'
        assert launcher.stop() == 0
    lines = [line for line in notify.lines() if not line.startswith(('STATUS=', 'WATCHDOG='))]
    assert [line for line in lines if not line.startswith('MONOTONIC_USEC=')] == \
        ['READY=1', 'RELOADING=1', 'READY=1', 'STOPPING=1'], lines
    # MONOTONIC_USEC comes with RELOADING=1, in the same message
    with_reloading = [lines_ for _, lines_ in notify.messages if 'RELOADING=1' in lines_][0]
    usec = [line for line in with_reloading if line.startswith('MONOTONIC_USEC=')]
    assert len(usec) == 1, with_reloading
    value = int(usec[0].split('=', 1)[1]) / 1e6
    assert before - 0.01 <= value <= after + 0.01, (before, value, after)


def test_stopping_with_workers_0(notify):
    env = base_env({'NOTIFY_SOCKET': notify.env_value})
    port = free_port()
    with Launcher(['run', 'echo', '--listen', f'127.0.0.1:{port}', '--workers', '0'],
                  env=env) as launcher:
        _ready_then_connect(launcher, notify, port)
        launcher.signal(signal.SIGHUP)      # no reload with --workers 0
        launcher.wait_for(r'SIGHUP: reloading needs')
        assert launcher.stop() == 0
    lines = [line for line in notify.lines() if not line.startswith(('STATUS=', 'WATCHDOG='))]
    assert lines == ['READY=1', 'STOPPING=1'], lines


def test_stopping_on_sigint(notify):
    env = base_env({'NOTIFY_SOCKET': notify.env_value})
    port = free_port()
    with Launcher(['run', 'echo', '--listen', f'127.0.0.1:{port}'], env=env) as launcher:
        _ready_then_connect(launcher, notify, port)
        assert launcher.stop(signal.SIGINT) == 0
    assert notify.lines().count('STOPPING=1') == 1
