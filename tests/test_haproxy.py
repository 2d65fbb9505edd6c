"""A real HAProxy in front of a greennet server with proxy_protocol=True:
``send-proxy`` (v1) and ``send-proxy-v2`` (v2), health checks on (a plain TCP
check on one backend, ``check-send-proxy`` LOCAL headers on the other).
Clients bound to different loopback sources (127.0.0.2, 127.0.0.3, ...)
see their own address and port reported by the app; ``block_list`` blocks
by the client's address; the health checks cause no drop and no error.

Skipped, saying why, only where the haproxy command is not installed
(.ci/run installs Debian's package when it can). Everything on loopback;
every wait is bounded.
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile

import gevent
import pytest
from conftest import close_server, get, listen
from gevent import socket as gsocket
from gevent import subprocess
from gevent.event import AsyncResult

import greennet

HAPROXY = shutil.which('haproxy') or next(
    (path for path in ('/usr/sbin/haproxy', '/usr/local/sbin/haproxy') if os.path.exists(path)), None)

pytestmark = [pytest.mark.timeout(60),
              pytest.mark.skipif(HAPROXY is None, reason='haproxy is not installed '
                                 '(apt-get install haproxy; .ci/run does it when it can)')]

SOURCES = [f'127.0.0.{n}' for n in range(2, 8)]

CONFIG = """\
global
    maxconn 200
defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend v1
    bind 127.0.0.1:{v1}
    default_backend app_v1
frontend v2
    bind 127.0.0.1:{v2}
    default_backend app_v2
backend app_v1
    server app 127.0.0.1:{app} send-proxy check inter 100ms
backend app_v2
    server app 127.0.0.1:{app} send-proxy-v2 check inter 100ms check-send-proxy
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class App:
    """The greennet app: answers each connection with what it sees."""

    def __init__(self, **options):
        self.server = greennet.create_server(proxy_protocol=True, **options)
        self.drops = []
        self.infos = []
        self.local_seen = AsyncResult()
        self.server.on('connection', self._on_connection)
        self.server.on('drop', self.drops.append)
        self.port = listen(self.server, port=0, host='127.0.0.1')['port']

    def _on_connection(self, sock):
        info = sock.proxy_info
        self.infos.append(info)
        if info['command'] == 'LOCAL' and not self.local_seen.ready():
            self.local_seen.set(info)
        sock.on('error', lambda err: None)   # a health check's reset is not ours to report
        sock.once('data', lambda data: sock.end(
            f"{sock.remote_address} {sock.remote_port} {info['version']}".encode()))


@pytest.fixture
def haproxy():
    made = []

    def start(app: App):
        folder = tempfile.mkdtemp(prefix='gn-haproxy')
        ports = {'v1': _free_port(), 'v2': _free_port(), 'app': app.port}
        config = os.path.join(folder, 'haproxy.cfg')
        with open(config, 'w') as fh:
            fh.write(CONFIG.format(**ports))
        proc = subprocess.Popen([HAPROXY, '-db', '-f', config], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        made.append((proc, folder))
        with gevent.Timeout(10, AssertionError('haproxy did not start listening')):
            while True:
                try:
                    gsocket.create_connection(('127.0.0.1', ports['v2'])).close()
                    break
                except OSError:
                    assert proc.poll() is None, proc.stdout.read().decode()
                    gevent.sleep(0.02)
        return ports, proc
    yield start
    for proc, folder in made:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)


def _ask(port: int, source: str) -> tuple[str, int, str]:
    conn = gsocket.socket()
    try:
        conn.bind((source, 0))
        conn.connect(('127.0.0.1', port))
        mine = conn.getsockname()
        conn.sendall(b'hello')
        answer = b''
        with gevent.Timeout(5):
            while True:
                chunk = conn.recv(100)
                if not chunk:
                    break
                answer += chunk
        return mine, answer.decode()
    finally:
        conn.close()


def test_every_client_sees_its_own_address_v1_and_v2(haproxy):
    app = App()
    ports, proc = haproxy(app)
    try:
        for frontend, version in (('v1', '1'), ('v2', '2')):
            jobs = [gevent.spawn(_ask, ports[frontend], source) for source in SOURCES * 3]
            gevent.joinall(jobs, timeout=20, raise_error=True)
            for job in jobs:
                (address, port), answer = job.value
                assert answer == f'{address} {port} {version}'
        assert app.drops == []
    finally:
        close_server(app.server)


def test_health_checks_are_quiet(haproxy):
    app = App()
    ports, proc = haproxy(app)
    try:
        info = get(app.local_seen, 10, 'a LOCAL health check')
        assert info['version'] == 2 and info['source_address'] is None
        # the plain TCP checks of app_v1 come at the same pace: a few rounds of both
        rounds = len(app.infos)
        with gevent.Timeout(10):
            while len(app.infos) < rounds + 3:
                gevent.sleep(0.05)
        assert _ask(ports['v1'], '127.0.0.2')[1].startswith('127.0.0.2 ')
        assert app.drops == []
    finally:
        close_server(app.server)
    proc.terminate()
    output = proc.communicate(timeout=5)[0].decode()
    assert ' is DOWN' not in output, output


def test_block_list_by_the_clients_address_behind_haproxy(haproxy):
    blocked = greennet.BlockList()
    blocked.add_address('127.0.0.3')
    app = App(block_list=blocked)
    ports, _ = haproxy(app)
    try:
        for frontend in ('v1', 'v2'):
            assert _ask(ports[frontend], '127.0.0.2')[1].startswith('127.0.0.2 ')
            assert _ask(ports[frontend], '127.0.0.3')[1] == ''
        assert [drop['remote_address'] for drop in app.drops] == ['127.0.0.3', '127.0.0.3']
    finally:
        close_server(app.server)


def test_untrusted_proxy_is_dropped(haproxy):
    app = App(trusted_proxies=['10.0.0.1'])
    ports, _ = haproxy(app)
    try:
        assert _ask(ports['v1'], '127.0.0.2')[1] == ''
        assert app.drops and all(drop['reason'] == 'untrusted' for drop in app.drops)
        assert all(drop.get('remote_address', '127.0.0.1') == '127.0.0.1' for drop in app.drops)
    finally:
        close_server(app.server)


# -- nginx's stream module, the other common PROXY sender ----------------------------

NGINX = shutil.which('nginx') or ('/usr/sbin/nginx' if os.path.exists('/usr/sbin/nginx') else None)
NGINX_STREAM = '/usr/lib/nginx/modules/ngx_stream_module.so'

NGINX_CONFIG = """\
load_module {module};
daemon off;
pid {folder}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 64; }}
stream {{
    server {{
        listen 127.0.0.1:{front};
        proxy_pass 127.0.0.1:{app};
        proxy_protocol on;
    }}
}}
"""


@pytest.mark.skipif(NGINX is None or not os.path.exists(NGINX_STREAM),
                    reason="nginx with its stream module is not installed (libnginx-mod-stream)")
def test_nginx_stream_proxy_protocol():
    app = App()
    folder = tempfile.mkdtemp(prefix='gn-nginx')
    front = _free_port()
    config = os.path.join(folder, 'nginx.conf')
    with open(config, 'w') as fh:
        fh.write(NGINX_CONFIG.format(module=NGINX_STREAM, folder=folder, front=front, app=app.port))
    proc = subprocess.Popen([NGINX, '-p', folder, '-e', 'stderr', '-c', config],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        with gevent.Timeout(10, AssertionError('nginx did not start listening')):
            while True:
                try:
                    gsocket.create_connection(('127.0.0.1', front)).close()
                    break
                except OSError:
                    assert proc.poll() is None, proc.stdout.read().decode()
                    gevent.sleep(0.02)
        jobs = [gevent.spawn(_ask, front, source) for source in SOURCES]
        gevent.joinall(jobs, timeout=20, raise_error=True)
        for job in jobs:
            (address, port), answer = job.value
            assert answer == f'{address} {port} 1'
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)
        close_server(app.server)
