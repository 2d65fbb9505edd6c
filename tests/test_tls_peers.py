"""greennet.tls with peers nobody here wrote: Node's ``tls`` client against a
greennet server and a greennet client against Node's ``tls`` server (SNI,
ALPN, 4 MiB each way with the same SHA-256); examples/tls_echo.py run as a
program with real clients; 64 MiB through a TLS proxy with bounded memory;
``connect(socket=...)`` and ``TLSSocket(socket, {'is_server': True})``."""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import sys

import pytest
from gevent.event import AsyncResult

import greennet
import greennet.tls as tls

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CERTS = os.path.join(HERE, 'certs')
WAIT = 10.0
NODE = shutil.which('node')
needs_node = pytest.mark.skipif(NODE is None, reason='needs node')
SIZE = 4 << 20
PAYLOAD = bytes((i * 31) % 251 for i in range(SIZE))
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


def pem(name):
    with open(os.path.join(CERTS, name + '.pem'), 'rb') as fh:
        return fh.read()


def listen(server):
    ready = AsyncResult()
    server.listen(0, '127.0.0.1', lambda: ready.set(server.address()['port']))
    return ready.get(timeout=WAIT)


def blocking(fn, *args):
    import gevent
    return gevent.get_hub().threadpool.apply(fn, args)


NODE_CLIENT = r"""
const tls = require('tls'), fs = require('fs'), crypto = require('crypto');
const [port, size] = process.argv.slice(1).map(Number);
const buf = Buffer.alloc(size); for (let i = 0; i < size; i++) buf[i] = (i * 31) % 251;
const c = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ALPNProtocols: ['h2', 'x'],
                        ca: fs.readFileSync(process.env.CA) }, () => { c.end(buf); });
const h = crypto.createHash('sha256'); let n = 0;
c.on('data', (d) => { n += d.length; h.update(d); });
c.on('end', () => console.log(JSON.stringify({ n, sha: h.digest('hex'), alpn: c.alpnProtocol,
  authorized: c.authorized, protocol: c.getProtocol() })));
"""

NODE_SERVER = r"""
const tls = require('tls'), fs = require('fs');
const s = tls.createServer({ key: fs.readFileSync(process.env.KEY), cert: fs.readFileSync(process.env.CERT),
                             ALPNProtocols: ['h2'], allowHalfOpen: true }, (c) => {
  console.error(JSON.stringify({ servername: c.servername, alpn: c.alpnProtocol }));
  c.pipe(c);
  c.on('close', () => s.close());
});
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
"""


@needs_node
@pytest.mark.timeout(30)
def test_node_client_against_greennet_server():
    seen = AsyncResult()

    def on_secure(s):
        seen.set((s.servername, s.alpn_protocol))
        s.pipe(s)
    server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert'),
                                'ALPNProtocols': ['x'], 'allowHalfOpen': True}, on_secure)
    port = listen(server)
    env = dict(os.environ, CA=os.path.join(CERTS, 'ca-cert.pem'))
    proc = blocking(lambda: subprocess.run([NODE, '-e', NODE_CLIENT, str(port), str(SIZE)], env=env,
                                           capture_output=True, timeout=25))
    assert proc.returncode == 0, proc.stderr
    import json
    out = json.loads(proc.stdout)
    assert out == {'n': SIZE, 'sha': DIGEST, 'alpn': 'x', 'authorized': True, 'protocol': 'TLSv1.3'}
    assert seen.get(timeout=WAIT) == ('localhost', 'x')
    server.close()


@needs_node
@pytest.mark.timeout(30)
def test_greennet_client_against_node_server():
    env = dict(os.environ, KEY=os.path.join(CERTS, 'server-key.pem'),
               CERT=os.path.join(CERTS, 'server-cert.pem'))
    proc = subprocess.Popen([NODE, '-e', NODE_SERVER], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        port = int(blocking(proc.stdout.readline))
        done = AsyncResult()
        digest = hashlib.sha256()
        got = [0]
        c = tls.connect(port, '127.0.0.1', {'ca': pem('ca-cert'), 'servername': 'localhost',
                                            'ALPNProtocols': ['h2', 'http/1.1']},
                        lambda: c.end(PAYLOAD))

        def on_data(d):
            got[0] += len(d)
            digest.update(d)
        c.on('data', on_data)
        c.on('end', lambda: done.set((got[0], digest.hexdigest(), c.alpn_protocol, c.authorized)))
        c.on('error', done.set_exception)
        assert done.get(timeout=25) == (SIZE, DIGEST, 'h2', True)
        import json
        assert json.loads(blocking(proc.stderr.readline)) == {'servername': 'localhost', 'alpn': 'h2'}
        assert blocking(proc.wait, 10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.timeout(30)
def test_tls_echo_example_with_real_clients():
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, 'examples', 'tls_echo.py'), '--port', '0'],
                            cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = blocking(proc.stdout.readline)
        assert line.startswith('server: listening on 127.0.0.1:'), line
        port = int(line.rsplit(':', 1)[1])

        def python_client():
            ctx = ssl.create_default_context(cafile=os.path.join(CERTS, 'ca-cert.pem'))
            with socket.create_connection(('127.0.0.1', port), timeout=10) as raw, \
                    ctx.wrap_socket(raw, server_hostname='localhost') as conn:
                f = conn.makefile('rwb')
                welcome = f.readline()
                f.write(b'ping\n')
                f.flush()
                return welcome, f.readline(), conn.version()
        assert blocking(python_client) == (b'welcome!\n', b'ping\n', 'TLSv1.3')
        assert blocking(proc.stdout.readline) == 'server: client connected unauthorized TLSv1.3\n'
        if shutil.which('openssl'):
            s_client = blocking(lambda: subprocess.run(
                ['openssl', 's_client', '-connect', f'127.0.0.1:{port}', '-servername', 'localhost',
                 '-CAfile', os.path.join(CERTS, 'ca-cert.pem'), '-verify_return_error', '-tls1_2',
                 '-no_ign_eof'], input=b'hello\n', capture_output=True, timeout=10))
            assert b'Verification: OK' in s_client.stdout
            assert blocking(proc.stdout.readline) == 'server: client connected unauthorized TLSv1.2\n'
        # a plain-TCP client on the TLS port: the server reports it and goes on
        with socket.create_connection(('127.0.0.1', port), timeout=10) as raw:
            raw.sendall(b'GET / HTTP/1.0\r\n\r\n')
            blocking(raw.recv, 100)
        assert blocking(proc.stdout.readline) == 'server: TLS error ERR_SSL_HTTP_REQUEST\n'
    finally:
        proc.terminate()
        proc.wait(10)


PROXY = r"""
import sys, greennet, greennet.tls as tls
CERTS = sys.argv[1]
pem = lambda n: open(f'{CERTS}/{n}.pem', 'rb').read()
opts = {'key': pem('server-key'), 'cert': pem('server-cert'), 'allowHalfOpen': True}
hwm = lambda: int([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])
echo = tls.create_server(opts, lambda s: s.pipe(s))
def on_proxy(s):
    up = tls.connect(echo.address()['port'], '127.0.0.1', {'ca': pem('ca-cert'), 'servername': 'localhost'})
    s.pipe(up).pipe(s)
    s.on('close', lambda *_: (print(base, hwm(), flush=True), proxy.close(), echo.close()))
proxy = tls.create_server(opts, on_proxy)
announce = lambda: print(proxy.address()['port'], flush=True)
echo.listen(0, '127.0.0.1', lambda: proxy.listen(0, '127.0.0.1', announce))
base = hwm()
greennet.run()
"""


@pytest.mark.timeout(60)
def test_64mib_through_tls_proxy_bounded_rss():
    """64 MiB both ways through a greennet TLS proxy (in its own process):
    the same SHA-256 back, and the proxy's peak RSS grows by far less than
    what went through (back-pressure holds)."""
    proc = subprocess.Popen([sys.executable, '-c', PROXY, CERTS], cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(blocking(proc.stdout.readline))
        chunk = os.urandom(1 << 20)
        total = 64 << 20

        got = hashlib.sha256()
        n = [0]
        sent = [0]
        done = AsyncResult()
        c = tls.connect(port, '127.0.0.1', {'ca': pem('ca-cert'), 'servername': 'localhost'})

        def pump():
            while sent[0] < total:
                sent[0] += len(chunk)
                if not c.write(chunk):
                    return
            c.end()
        c.on('drain', pump)

        def on_data(d):
            n[0] += len(d)
            got.update(d)
        c.on('data', on_data)
        c.on('end', lambda: done.set((n[0], got.hexdigest())))
        c.on('error', done.set_exception)
        pump()
        expect = hashlib.sha256(chunk * 64).hexdigest()
        assert done.get(timeout=50) == (total, expect)
        base, peak = map(int, blocking(proc.stdout.readline).split())
        assert peak - base < 64 * 1024, (base, peak)   # kB: well under what went through
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


@pytest.mark.timeout(15)
def test_connect_over_socket_and_server_side_tlssocket():
    """tls.connect(socket=plain) to a net server whose connections are wrapped
    with TLSSocket(socket, {'is_server': True}) (Node's STARTTLS shape)."""
    secured = AsyncResult()

    def on_connection(raw):
        s = tls.TLSSocket(raw, {'is_server': True, 'key': pem('server-key'), 'cert': pem('server-cert')})
        s.on('secure', lambda: secured.set((s.servername, s.get_protocol(), raw.destroyed)))
        s.on('data', lambda d: s.end(d.upper()))
    server = greennet.create_server(on_connection)
    port = listen(server)
    raw = greennet.connect(port, '127.0.0.1')
    done = AsyncResult()
    closes = []
    c = tls.connect({'socket': raw, 'servername': 'localhost', 'ca': pem('ca-cert')}, lambda: c.write('hi'))
    c.on('data', lambda d: done.set(d))
    raw.on('close', lambda e: closes.append('raw'))
    c.on('close', lambda e: (closes.append('tls'), server.close()))
    assert done.get(timeout=WAIT) == b'HI'
    assert secured.get(timeout=WAIT) == ('localhost', 'TLSv1.3', False)
    assert not raw.destroyed and raw.remote_port == port
    c.end()
    closed = AsyncResult()
    c.on('close', lambda e: closed.set(True))
    closed.get(timeout=WAIT)
    assert closes == ['raw', 'tls'] and raw.closed


def test_socket_option_checked():
    with pytest.raises(Exception) as info:
        tls.connect({'socket': object(), 'ca': pem('ca-cert')})
    assert info.value.code == 'ERR_INVALID_ARG_TYPE'
