"""The ``greennet`` launcher (issues 5 and 6), driven as a real subprocess
over real loopback and Unix sockets: the built-in handlers against their
RFCs, ``module:attribute`` apps, mounts, pre-fork workers, graceful stop,
reload, config files, ``handlers``/``check``, the access log, the idle
timeout, and one-line errors on bad input.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import textwrap
import time

import pytest
from launcher_util import (
    WAIT,
    Launcher,
    assert_one_line_error,
    base_env,
    connect,
    exchange,
    free_port,
    has_ipv6,
    poll_until,
    recv_all,
    recv_exactly,
    run_greennet,
    wait_accepting,
)

pytestmark = pytest.mark.timeout(60)

LOOPBACK = '127.0.0.1:0'

APP = '''
import os
import socket as _socket_module

import gevent
import gevent.monkey
import greennet

#: Whether the launcher monkey-patched the standard library before this import.
PATCHED = gevent.monkey.is_module_patched('socket')


def _quiet(sock):
    sock.on('error', lambda err: None)


def listener(sock):
    _quiet(sock)
    sock.end(b'listener\\n')


server = greennet.create_server(lambda sock: (_quiet(sock), sock.end(b'server\\n')))


def factory():
    return lambda sock: (_quiet(sock), sock.end(b'factory\\n'))


def server_factory():
    return greennet.create_server(lambda sock: (_quiet(sock), sock.end(b'server-factory\\n')))


def pid(sock):
    """Reply with this worker's pid."""
    _quiet(sock)
    sock.end(str(os.getpid()).encode())


def patched(sock):
    _quiet(sock)
    sock.end(b'patched' if PATCHED else b'unpatched')


CHUNK = b'x' * 65536
CHUNKS = 24


def slow(sock):
    """Send CHUNKS chunks, one every 40 ms, then end."""
    _quiet(sock)

    def send():
        for _ in range(CHUNKS):
            if sock.destroyed:
                return
            sock.write(CHUNK)
            gevent.sleep(0.04)
        sock.end()
    gevent.spawn(send)


def crash(sock):
    """Kill this worker."""
    os._exit(3)


not_callable = 42
'''


@pytest.fixture
def app(tmp_path):
    """An app module ``gnapp`` in tmp_path; the env putting it on PYTHONPATH."""
    (tmp_path / 'gnapp.py').write_text(APP)
    return base_env(pythonpath=[tmp_path])


def _one(launcher: Launcher, name: str = None) -> str:
    found = launcher.listening()
    return found[name][0] if name else next(iter(found.values()))[0]


# -- the built-in handlers ---------------------------------------------------------


@pytest.fixture(scope='module')
def builtins():
    """One launcher (one worker) serving the four built-in handlers."""
    launcher = Launcher(['run', '--mount', 'echo=' + LOOPBACK, '--mount', 'discard=' + LOOPBACK,
                         '--mount', 'daytime=' + LOOPBACK, '--mount', 'chargen=' + LOOPBACK])
    try:
        found = launcher.listening(4)
        yield {name: addresses[0] for name, addresses in found.items()}
    finally:
        launcher.kill()


def test_echo_rfc862(builtins):
    with connect(builtins['echo']) as sock:
        for payload in (b'hello\r\n', bytes(range(256)), b'x' * 200000):
            sock.sendall(payload)
            assert recv_exactly(sock, len(payload)) == payload
        sock.shutdown(socket.SHUT_WR)
        assert recv_all(sock) == b''


def test_discard_rfc863(builtins):
    with connect(builtins['discard']) as sock:
        sock.sendall(b'a' * 100000)
        sock.settimeout(0.3)
        with pytest.raises(socket.timeout):
            sock.recv(1)        # nothing comes back, and the connection stays
        sock.sendall(b'b' * 1000)
        sock.shutdown(socket.SHUT_WR)
        assert recv_all(sock) == b''    # closed only once we ended


def test_daytime_rfc867(builtins):
    data = exchange(builtins['daytime'])
    assert data.endswith(b'\r\n') and data.count(b'\n') == 1, data
    text = data.decode('ascii')
    assert str(time.localtime().tm_year) in text or str(time.gmtime().tm_year) in text, text
    assert all(32 <= ord(c) < 127 for c in text[:-2]), text


def test_chargen_rfc864(builtins):
    printable = bytes(range(32, 127))
    ring = printable * 2
    with connect(builtins['chargen']) as sock:
        data = recv_exactly(sock, 100 * 1024)
        assert len(data) == 100 * 1024
        lines = data.split(b'\r\n')[:-1]        # the last one may be partial
        assert len(lines) > 1000
        for i, line in enumerate(lines):
            assert line == ring[i % 95:i % 95 + 72], (i, line)
        more = recv_exactly(sock, 10000)        # it keeps sending as we read
        assert len(more) == 10000


# -- apps: module:attribute ------------------------------------------------------------


def test_module_attribute_targets(app):
    mounts = {'gnapp:listener': b'listener\n', 'gnapp:server': b'server\n',
              'gnapp:factory': b'factory\n', 'gnapp:server_factory': b'server-factory\n'}
    args = ['run', '--workers', '0']
    for target in mounts:
        args += ['--mount', f'{target}={LOOPBACK}']
    with Launcher(args, env=app) as launcher:
        found = launcher.listening(len(mounts))
        assert set(found) == set(mounts)
        for target, reply in mounts.items():
            assert exchange(found[target][0]) == reply, target


def test_factory_serves_several_addresses(app):
    with Launcher(['run', 'gnapp:factory', '--listen', LOOPBACK, '--listen', LOOPBACK],
                  env=app) as launcher:
        addresses = launcher.listening(2)['gnapp:factory']
        assert len(set(addresses)) == 2
        for address in addresses:
            assert exchange(address) == b'factory\n'


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_monkey_patching_before_app_import(app, workers):
    with Launcher(['run', 'gnapp:patched', '--listen', LOOPBACK] + workers, env=app) as launcher:
        assert exchange(_one(launcher)) == b'patched'
    with Launcher(['run', 'gnapp:patched', '--listen', LOOPBACK, '--no-monkey-patch'] + workers,
                  env=app) as launcher:
        assert exchange(_one(launcher)) == b'unpatched'


# -- addresses ------------------------------------------------------------------------


def test_listen_on_port_only():
    port = free_port()
    with Launcher(['run', 'echo', '--listen', str(port), '--workers', '0']) as launcher:
        address = _one(launcher)
        assert address.endswith(f':{port}'), address
        assert exchange(('127.0.0.1', port), b'ping') == b'ping'


def test_listen_on_unix_socket(tmp_path):
    path = f'/tmp/gn-{os.getpid()}-{time.monotonic_ns() % 10 ** 9}.sock'
    try:
        with Launcher(['run', 'echo', '--listen', 'unix:' + path]) as launcher:
            assert _one(launcher) == 'unix:' + path
            assert exchange('unix:' + path, b'over unix') == b'over unix'
            assert launcher.stop() == 0
        assert not os.path.exists(path), 'the socket file is left behind'
    finally:
        if os.path.exists(path):
            os.unlink(path)


def test_listen_on_abstract_unix_socket():
    name = f'@greennet-test-{os.getpid()}-{time.monotonic_ns() % 10 ** 9}'
    with Launcher(['run', 'echo', '--listen', 'unix:' + name, '--workers', '0']) as launcher:
        assert _one(launcher) == 'unix:' + name
        assert exchange('unix:' + name, b'abstract') == b'abstract'


@pytest.mark.skipif(not has_ipv6(), reason='no IPv6 loopback')
def test_listen_on_ipv6():
    with Launcher(['run', 'echo', '--listen', '[::1]:0', '--workers', '0']) as launcher:
        address = _one(launcher)
        assert address.startswith('[::1]:'), address
        assert exchange(address, b'six') == b'six'


def test_listen_on_inherited_fd():
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    try:
        with Launcher(['run', 'echo', '--listen', f'fd:{listener.fileno()}'],
                      pass_fds=[listener.fileno()]) as launcher:
            assert _one(launcher) == f'127.0.0.1:{port}'
            listener.close()            # only the launcher holds it now
            assert exchange(('127.0.0.1', port), b'fd') == b'fd'
    finally:
        listener.close()


# -- several mounts, workers ------------------------------------------------------------


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_several_mounts_in_one_process(workers):
    with Launcher(['run', '--mount', 'echo=' + LOOPBACK, '--mount', 'daytime=' + LOOPBACK,
                   '--mount', 'echo=' + LOOPBACK] + workers) as launcher:
        found = launcher.listening(3)
        assert len(found['echo']) == 2 and len(found['daytime']) == 1
        for address in found['echo']:
            assert exchange(address, b'e') == b'e'
        assert exchange(found['daytime'][0]).endswith(b'\r\n')
        if not workers:
            # all the listeners are in one worker process
            pids = {m.group(1) for m in launcher.wait_for(r'\[(\d+)\].*listening on', 3)}
            assert len(pids) == 1


def _refused(address) -> bool:
    try:
        connect(address, timeout=2).close()
    except OSError:
        return True
    return False


def _served(launcher: Launcher) -> str:
    """Wait for the listener, and make sure the launcher serves (past its
    start-up: an echo round trip); its address."""
    address = _one(launcher)
    with connect(address) as sock:
        sock.sendall(b'up?')
        assert recv_exactly(sock, 3) == b'up?'
    return address


def _pid_of(address) -> int:
    return int(exchange(address))


def test_workers_share_sockets_and_are_restarted(app):
    with Launcher(['run', 'gnapp:pid', '--listen', LOOPBACK, '--workers', '2'],
                  env=app) as launcher:
        address = _one(launcher)
        ready = launcher.wait_for(r'2 worker\(s\) ready: (\d+), (\d+)')[0]
        workers = {int(ready.group(1)), int(ready.group(2))}
        assert launcher.pid not in workers
        seen = set()

        def both_served():
            seen.add(_pid_of(address))
            return seen == workers
        poll_until(both_served, timeout=15, what='both workers to serve', interval=0)

        victim = sorted(workers)[0]
        os.kill(victim, signal.SIGKILL)
        launcher.wait_for(rf'worker {victim} died')
        seen_after = set()

        def replaced():
            seen_after.add(_pid_of(address))       # served all along
            return seen_after - workers
        new = poll_until(replaced, timeout=15, what='a new worker', interval=0)
        assert victim not in seen_after and new
        assert launcher.stop() == 0


def test_worker_restarts_back_off_within_a_bound(app):
    """A worker that keeps dying is restarted at once, then after a delay
    that doubles from 0.1 s up to 1 s, and never given up on; every death
    line says when the restart comes."""
    with Launcher(['run', 'gnapp:crash', '--listen', LOOPBACK, '--log-level', 'debug'],
                  env=app) as launcher:
        address = _one(launcher)
        delays = []
        for deaths in range(1, 8):
            launcher.wait_for(r'listening on', count=deaths)
            with connect(address) as sock:
                assert recv_all(sock) == b''
            death = launcher.wait_for(r'worker \d+ died \(status 3\); restarting it (now|in (\S+)s)',
                                      count=deaths)[-1]
            delays.append(float(death.group(2) or 0))
        assert delays == [0, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0], delays
        launcher.wait_for(r'listening on', count=8)        # still restarting
        assert launcher.stop() == 0


# -- stopping ---------------------------------------------------------------------------


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_sigterm_lets_a_transfer_finish(app, workers):
    total = 24 * 65536
    with Launcher(['run', 'gnapp:slow', '--listen', LOOPBACK] + workers, env=app) as launcher:
        address = _one(launcher)
        with connect(address) as sock:
            first = recv_exactly(sock, 65536)
            signalled = time.monotonic()
            launcher.signal(signal.SIGTERM)
            launcher.wait_for(r'SIGTERM: closing listeners; 1 connection\(s\) open')
            # the door closes at once, with or without workers, while the
            # transfer (about 1 s) goes on
            poll_until(lambda: _refused(address), timeout=1, what='new connects to be refused')
            refused = time.monotonic() - signalled
            rest = recv_all(sock)
            finished = time.monotonic() - signalled
        print(f"[measured] {workers or 'workers 1'}: new connects refused {refused:.3f}s after SIGTERM; "
              f'the transfer ended at {finished:.2f}s')
        assert refused < 0.5 < finished
        assert len(first) + len(rest) == total
        assert launcher.wait() == 0
        assert 'Traceback' not in launcher.stderr


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_graceful_timeout_destroys_the_rest(workers):
    with Launcher(['run', 'echo', '--listen', LOOPBACK, '--graceful-timeout', '0.5']
                  + workers) as launcher:
        with connect(_one(launcher)) as sock:
            sock.sendall(b'still here')
            assert recv_exactly(sock, 10) == b'still here'     # accepted, and open
            started = time.monotonic()
            launcher.signal(signal.SIGTERM)
            assert recv_all(sock) == b''        # destroyed by the launcher
            assert launcher.wait() == 0
            assert time.monotonic() - started < WAIT
        launcher.wait_for(r'graceful timeout: destroying 1 connection')


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_sigint_then_second_sigint_exits_at_once(workers):
    with Launcher(['run', 'echo', '--listen', LOOPBACK, '--graceful-timeout', '60']
                  + workers) as launcher:
        with connect(_one(launcher)) as sock:
            sock.sendall(b'x')
            assert recv_exactly(sock, 1) == b'x'
            mark = launcher.mark()
            launcher.signal(signal.SIGINT)
            launcher.wait_for(r'SIGINT', start=mark)
            launcher.signal(signal.SIGINT)
            launcher.wait(timeout=5)    # not the 60 s graceful timeout
        assert 'Traceback' not in launcher.stderr


@pytest.mark.parametrize('signum, expected', [(signal.SIGTERM, 0), (signal.SIGHUP, None)],
                         ids=['SIGTERM', 'SIGHUP'])
def test_signal_right_after_listening_line_workers0(signum, expected):
    for _ in range(8):
        with Launcher(['run', 'echo', '--listen', LOOPBACK, '--workers', '0']) as launcher:
            _one(launcher)
            launcher.signal(signum)
            if expected is None:        # SIGHUP: ignored, still serving
                launcher.wait_for(r'SIGHUP: reloading needs')
                assert launcher.process.poll() is None
            else:
                assert launcher.wait() == expected


def test_sigint_graceful_exit_zero():
    with Launcher(['run', 'echo', '--listen', LOOPBACK]) as launcher:
        assert exchange(_one(launcher), b'a') == b'a'
        assert launcher.stop(signal.SIGINT) == 0
        assert 'Traceback' not in launcher.stderr


# -- reload -------------------------------------------------------------------------------


def test_sighup_reloads_fresh_code(tmp_path):
    module = tmp_path / 'gnreload.py'
    module.write_text('def serve(sock):\n    sock.end(b"v1")\n')
    env = base_env(pythonpath=[tmp_path])
    with Launcher(['run', 'gnreload:serve', '--listen', LOOPBACK, '--workers', '2'],
                  env=env) as launcher:
        address = _one(launcher)
        launcher.wait_for(r'worker\(s\) ready')
        assert exchange(address) == b'v1'
        # Another size and a later mtime, so a cached .pyc cannot pass for it.
        module.write_text('def serve(sock):\n    sock.end(b"v2-reloaded")\n')
        later = time.time() + 5
        os.utime(module, (later, later))
        launcher.signal(signal.SIGHUP)
        poll_until(lambda: exchange(address) == b'v2-reloaded', timeout=15,
                   what="'v2' after SIGHUP")
        launcher.wait_for(r'reload done')
        # once the reload is done, every connection gets the new code
        for _ in range(20):
            assert exchange(address) == b'v2-reloaded'
        assert launcher.stop() == 0


def test_sighup_with_workers_0_is_ignored():
    with Launcher(['run', 'echo', '--listen', LOOPBACK, '--workers', '0']) as launcher:
        address = _served(launcher)
        launcher.signal(signal.SIGHUP)
        launcher.wait_for(r'SIGHUP: reloading needs --workers')
        assert exchange(address, b'still') == b'still'
        assert launcher.stop() == 0


def test_failed_reload_keeps_old_workers(tmp_path):
    module = tmp_path / 'gnbroken.py'
    module.write_text('def serve(sock):\n    sock.end(b"v1")\n')
    env = base_env(pythonpath=[tmp_path])
    with Launcher(['run', 'gnbroken:serve', '--listen', LOOPBACK], env=env) as launcher:
        address = _one(launcher)
        launcher.wait_for(r'worker\(s\) ready')
        module.write_text('raise RuntimeError("broken on purpose")\n')
        later = time.time() + 5
        os.utime(module, (later, later))
        launcher.signal(signal.SIGHUP)
        launcher.wait_for(r'reload failed: .*broken on purpose')
        assert exchange(address) == b'v1'
        assert launcher.stop() == 0


# -- config file ------------------------------------------------------------------------------


def test_config_file_settings_and_mounts(tmp_path):
    config = tmp_path / 'greennet.toml'
    config.write_text(textwrap.dedent('''
        workers = 2
        log_level = "warning"
        access_log = true
        graceful_timeout = 3

        [[mount]]
        target = "echo"
        listen = ["127.0.0.1:0"]

        [[mount]]
        target = "daytime"
        listen = "127.0.0.1:0"
    '''))
    # flags override the file: --log-level info (the 'listening' lines show)
    # and --workers 0 (no master)
    with Launcher(['run', '--config', str(config), '--log-level', 'info', '--workers', '0']) as launcher:
        found = launcher.listening(2)
        assert set(found) == {'echo', 'daytime'}
        with connect(found['echo'][0]) as sock:
            sock.sendall(b'abc')
            assert recv_exactly(sock, 3) == b'abc'
        launcher.wait_for(r'greennet.access: echo 127\.0\.0\.1:\d+ in=3 out=3 ')   # from the file
        assert launcher.stop() == 0
    assert 'worker(s) ready' not in launcher.stderr
    assert 'waiting up to 3s' in launcher.stderr        # graceful_timeout from the file


def test_config_file_value_used_without_flag(tmp_path):
    config = tmp_path / 'greennet.toml'
    config.write_text('log_level = "warning"\nworkers = 0\n[[mount]]\ntarget = "echo"\n'
                      f'listen = ["127.0.0.1:{free_port()}"]\n')
    port = int(config.read_text().rsplit(':', 1)[1].split('"')[0])
    with Launcher(['run', '--config', str(config)]) as launcher:
        wait_accepting(port, alive=lambda: launcher.process.poll() is None)
        assert exchange(port, b'quiet') == b'quiet'
        assert launcher.stop() == 0
    assert ' INFO ' not in launcher.stderr, launcher.stderr


def test_cli_mounts_replace_config_mounts(tmp_path):
    config = tmp_path / 'greennet.toml'
    config.write_text('workers = 0\n[[mount]]\ntarget = "daytime"\nlisten = ["127.0.0.1:0"]\n')
    with Launcher(['run', '--config', str(config), 'echo', '--listen', LOOPBACK]) as launcher:
        found = launcher.listening()
        assert list(found) == ['echo']
        assert exchange(found['echo'][0], b'x') == b'x'


# -- handlers and check ---------------------------------------------------------------------------


def test_handlers_lists_builtins():
    result = run_greennet(['handlers'])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for name, rfc in (('echo', 'RFC 862'), ('discard', 'RFC 863'), ('daytime', 'RFC 867'),
                      ('chargen', 'RFC 864')):
        line = next(line for line in out.splitlines() if line.split()[:1] == [name])
        assert rfc in line, line
    assert out.count('from greennet (built-in)') >= 4
    assert 'Traceback' not in result.stderr


def test_check_ok(app, tmp_path):
    result = run_greennet(['check', 'echo', '--listen', LOOPBACK], env=app)
    assert result.returncode == 0, result.stderr
    assert 'ok: echo (listener) on 127.0.0.1:0' in result.stdout
    result = run_greennet(['check', '--mount', 'gnapp:factory=' + LOOPBACK, '--mount',
                           'gnapp:server=unix:/tmp/x.sock'], env=app)
    assert result.returncode == 0, result.stderr
    assert 'gnapp:factory (factory)' in result.stdout
    assert 'gnapp:server (server)' in result.stdout
    config = tmp_path / 'c.toml'
    config.write_text('[[mount]]\ntarget = "gnapp:listener"\nlisten = [7000, "[::1]:7001"]\n')
    result = run_greennet(['check', '--config', str(config)], env=app)
    assert result.returncode == 0, result.stderr
    assert 'gnapp:listener (listener) on 7000, [::1]:7001' in result.stdout


def test_check_does_not_serve():
    port = free_port()
    result = run_greennet(['check', 'echo', '--listen', f'127.0.0.1:{port}'])
    assert result.returncode == 0
    with pytest.raises(OSError):
        connect(port, timeout=1).close()


@pytest.mark.parametrize('args, reason', [
    (['check', 'nosuchhandler', '--listen', LOOPBACK], 'unknown handler'),
    (['check', 'gnapp:missing', '--listen', LOOPBACK], 'missing'),
    (['check', 'gnapp:not_callable', '--listen', LOOPBACK], 'not_callable'),
    (['check', 'no_such_module_xyz:app', '--listen', LOOPBACK], 'no_such_module_xyz'),
    (['check', 'echo', '--listen', '127.0.0.1:99999'], '99999'),
])
def test_check_failing(app, args, reason):
    result = run_greennet(args, env=app)
    assert result.returncode != 0
    assert_one_line_error(result.stderr, [reason])


# -- access log and idle timeout ------------------------------------------------------------------


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_access_log(workers):
    with Launcher(['run', 'echo', '--listen', LOOPBACK, '--access-log'] + workers) as launcher:
        address = _one(launcher)
        with connect(address) as sock:
            port = sock.getsockname()[1]
            sock.sendall(b'hello')
            assert recv_exactly(sock, 5) == b'hello'
            sock.shutdown(socket.SHUT_WR)
            assert recv_all(sock) == b''
        line = launcher.wait_for(r'greennet\.access: (.*)')[0].group(1)
        assert re.match(rf'echo 127\.0\.0\.1:{port} in=5 out=5 \d+\.\d+s end$', line), line
        # a connection reset by the peer
        sock = connect(address)
        port = sock.getsockname()[1]
        sock.sendall(b'abc')
        assert recv_exactly(sock, 3) == b'abc'
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\1\0\0\0\0\0\0\0')
        sock.close()
        line = launcher.wait_for(rf'greennet\.access: (echo 127\.0\.0\.1:{port} .*)')[0].group(1)
        assert re.match(rf'echo 127\.0\.0\.1:{port} in=3 out=3 \S+s (error ECONNRESET|destroyed|end)$',
                        line), line


def test_no_access_log_by_default():
    with Launcher(['run', 'echo', '--listen', LOOPBACK, '--workers', '0']) as launcher:
        assert exchange(_one(launcher), b'hi') == b'hi'
        assert launcher.stop() == 0
    assert 'greennet.access' not in launcher.stderr


def test_idle_timeout_closes_idle_connection():
    with Launcher(['run', 'echo', '--listen', LOOPBACK, '--idle-timeout', '0.4',
                   '--access-log']) as launcher:
        address = _one(launcher)
        with connect(address) as sock:
            port = sock.getsockname()[1]
            sock.sendall(b'one')
            assert recv_exactly(sock, 3) == b'one'
            started = time.monotonic()
            assert recv_all(sock) == b''        # closed by the launcher
            waited = time.monotonic() - started
        assert 0.3 <= waited < WAIT, waited
        line = launcher.wait_for(rf'greennet\.access: (echo 127\.0\.0\.1:{port} .*)')[0].group(1)
        assert line.endswith(' timeout'), line
        # a busy connection is not cut by it
        with connect(address) as sock:
            for _ in range(8):
                sock.sendall(b'tick')
                assert recv_exactly(sock, 4) == b'tick'
                time.sleep(0.1)     # activity pacing, below the idle timeout


# -- logging ---------------------------------------------------------------------------------------


def test_log_level_debug_and_listening_line():
    with Launcher(['run', 'echo', '--listen', LOOPBACK, '--log-level', 'debug']) as launcher:
        address = _one(launcher)
        assert re.match(r'127\.0\.0\.1:[1-9]\d*$', address), address   # the real port
        launcher.wait_for(r' DEBUG greennet\.arbiter: worker \d+ started')


# -- bad input ------------------------------------------------------------------------------------


def _bad(args, status, contains=(), env=None):
    result = run_greennet(args, env=env)
    assert result.returncode == status, (result.returncode, result.stderr)
    return assert_one_line_error(result.stderr, contains)


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_unknown_handler(workers):
    line = _bad(['run', 'nosuchhandler', '--listen', LOOPBACK] + workers, 2, ['nosuchhandler'])
    assert 'echo' in line       # names the known ones


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_unimportable_target(app, workers):
    _bad(['run', 'no_such_module_xyz:app', '--listen', LOOPBACK] + workers, 2,
         ['no_such_module_xyz'], env=app)


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_target_module_raises(tmp_path, workers):
    (tmp_path / 'gnboom.py').write_text('import json\nraise RuntimeError("boom at import")\n')
    _bad(['run', 'gnboom:app', '--listen', LOOPBACK] + workers, 2, ['boom at import'],
         env=base_env(pythonpath=[tmp_path]))


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_target_attribute_missing(app, workers):
    _bad(['run', 'gnapp:missing', '--listen', LOOPBACK] + workers, 2, ['missing'], env=app)


def test_target_not_callable(app):
    _bad(['run', 'gnapp:not_callable', '--listen', LOOPBACK, '--workers', '0'], 2,
         ['not_callable'], env=app)


def test_one_server_on_two_addresses(app):
    _bad(['run', 'gnapp:server', '--listen', LOOPBACK, '--listen', LOOPBACK, '--workers', '0'],
         2, ['gnapp:server'], env=app)


@pytest.mark.parametrize('address', [
    '127.0.0.1:99999', '127.0.0.1:', 'localhost:http', '::1:7000', '[::1]7000', '[::1]:',
    '[1.2.3.4]:80', 'unix:', 'fd:', 'fd:three', 'systemd:', 'nonsense', '-5', '', '   ',
])
def test_malformed_address(address):
    _bad(['run', 'echo', '--listen', address], 2)


@pytest.mark.parametrize('args', [
    ['run', '--mount', 'echo'], ['run', '--mount', '=127.0.0.1:0'], ['run', '--mount', 'echo='],
    ['run'], ['run', '--listen', LOOPBACK], ['run', 'echo', '--workers', 'two'],
    ['run', 'echo', '--workers', '-1', '--listen', LOOPBACK],
    ['run', 'echo', '--graceful-timeout', '-3', '--listen', LOOPBACK],
    ['run', 'echo', '--log-level', 'loud', '--listen', LOOPBACK],
    ['run', 'echo', '--no-such-flag'], ['frobnicate'], [],
])
def test_usage_errors(args):
    _bad(args, 2)


@pytest.mark.parametrize('text, reason', [
    ('workers = \n', 'not valid TOML'),
    ('[[mount]\ntarget = "echo"\n', 'not valid TOML'),
    ('wrokers = 2\n', 'wrokers'),
    ('workers = "two"\n', 'workers'),
    ('workers = -1\n', 'workers'),
    ('access_log = "yes"\n', 'access_log'),
    ('graceful_timeout = "soon"\n', 'graceful_timeout'),
    ('[[mount]]\ntarget = "echo"\n', 'listen'),
    ('[[mount]]\nlisten = ["127.0.0.1:0"]\n', 'target'),
    ('[[mount]]\ntarget = "echo"\nlisten = ["127.0.0.1:0"]\nport = 3\n', 'port'),
    ('[[mount]]\ntarget = "echo"\nlisten = ["127.0.0.1:99999"]\n', '99999'),
    ('mount = 3\n', 'mount'),
])
def test_malformed_config(tmp_path, text, reason):
    config = tmp_path / 'bad.toml'
    config.write_text(text)
    _bad(['run', '--config', str(config)], 2, [reason])
    result = run_greennet(['check', '--config', str(config)])
    assert result.returncode != 0
    assert_one_line_error(result.stderr, [reason])


def test_missing_config_file(tmp_path):
    _bad(['run', '--config', str(tmp_path / 'nope.toml')], 2, ['nope.toml'])


@pytest.mark.parametrize('workers', [['--workers', '0'], []], ids=['workers0', 'default'])
def test_port_in_use(workers):
    taken = socket.socket()
    taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    taken.bind(('127.0.0.1', 0))
    taken.listen(1)
    try:
        port = taken.getsockname()[1]
        _bad(['run', 'echo', '--listen', f'127.0.0.1:{port}'] + workers, 1, [str(port)])
    finally:
        taken.close()


def test_unix_path_in_bad_folder():
    _bad(['run', 'echo', '--listen', 'unix:/nonexistent-dir-xyz/s.sock'], 1, ['nonexistent'])
