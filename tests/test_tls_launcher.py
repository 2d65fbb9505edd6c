"""The launcher serves a mount over TLS (``--tls-cert``/``--tls-key``/
``--tls-ca``/``--tls-client-certs``, or the config file's keys), and a
certificate replaced on disk is served after SIGHUP."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl

from launcher_util import Launcher, parse_address, poll_until

CERTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'certs')


def _cert_cn(address: str, ca: str = 'ca-cert', client: bool = False) -> str:
    host, port = parse_address(address)[1]
    ctx = ssl.create_default_context(cafile=os.path.join(CERTS, ca + '.pem'))
    ctx.check_hostname = False
    if client:
        ctx.load_cert_chain(os.path.join(CERTS, 'client-cert.pem'), os.path.join(CERTS, 'client-key.pem'))
    with socket.create_connection((host, port), timeout=5) as raw, ctx.wrap_socket(raw) as conn:
        conn.sendall(b'ping')
        assert conn.recv(4) == b'ping'
        return dict(x[0] for x in conn.getpeercert()['subject'])['commonName']


def _address(launcher: Launcher) -> str:
    return next(iter(launcher.listening().values()))[0]


def test_tls_mount_and_sighup_rotation(tmp_path):
    cert, key = tmp_path / 'cert.pem', tmp_path / 'key.pem'
    shutil.copy(os.path.join(CERTS, 'server-cert.pem'), cert)
    shutil.copy(os.path.join(CERTS, 'server-key.pem'), key)
    with Launcher(['run', 'echo', '--listen', '127.0.0.1:0', '--workers', '1',
                   '--tls-cert', str(cert), '--tls-key', str(key)]) as launcher:
        address = _address(launcher)
        launcher.wait_for(r'worker\(s\) ready')
        assert _cert_cn(address) == 'localhost'
        shutil.copy(os.path.join(CERTS, 'other-cert.pem'), cert)
        shutil.copy(os.path.join(CERTS, 'other-key.pem'), key)
        launcher.signal(signal.SIGHUP)
        poll_until(lambda: _cert_cn(address) == 'other.example', timeout=15, what='the new certificate')
        assert launcher.stop() == 0


def test_tls_client_certs_from_config(tmp_path):
    config = tmp_path / 'app.toml'
    config.write_text(f'''
workers = 0
tls_cert = "{os.path.join(CERTS, 'server-cert.pem')}"
tls_key = "{os.path.join(CERTS, 'server-key.pem')}"
tls_ca = "{os.path.join(CERTS, 'ca-cert.pem')}"
tls_client_certs = true
[[mount]]
target = "echo"
listen = ["127.0.0.1:0"]
''')
    with Launcher(['run', '--config', str(config)]) as launcher:
        address = _address(launcher)
        assert _cert_cn(address, client=True) == 'localhost'
        assert launcher.stop() == 0
