# Protocol versions: min_version/max_version on either side decide what is
# negotiated; no version in common fails the handshake on both sides with
# OpenSSL's codes; a version name Node does not know throws at the call.
from _common import channel, log, run, thrown

import greennet.tls as tls

slog = channel('server')


def pem(name):
    with open(f'../certs/{name}.pem', 'rb') as fh:
        return fh.read()


CASES = [
    ('server max 1.2', {'maxVersion': 'TLSv1.2'}, {}),
    ('client max 1.2', {}, {'maxVersion': 'TLSv1.2'}),
    ('both 1.3', {'minVersion': 'TLSv1.3'}, {'min_version': 'TLSv1.3', 'max_version': 'TLSv1.3'}),
    ('server 1.3 client 1.2', {'min_version': 'TLSv1.3'}, {'maxVersion': 'TLSv1.2'}),
    ('server 1.2 client 1.3', {'max_version': 'TLSv1.2'}, {'minVersion': 'TLSv1.3'}),
]


def nxt(i):
    if i == len(CASES):
        thrown('bad minVersion', lambda: tls.connect({'port': 1, 'minVersion': 'TLSv9'}))
        thrown('bad maxVersion', lambda: tls.create_server({'maxVersion': 'SSLv3'}))
        return
    name, sopts, copts = CASES[i]

    def on_secure(s):
        slog(name, 'secureConnection', s.get_protocol())
        s.end()
    server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert'), **sopts}, on_secure)
    server.on('tlsClientError', lambda e, s: slog(name, 'tlsClientError', e.code))

    def on_listening():
        c = tls.connect({'port': server.address()['port'], 'host': '127.0.0.1', 'servername': 'localhost',
                         'ca': pem('ca-cert'), **copts}, lambda: log(name, 'secureConnect', c.get_protocol()))
        c.on('error', lambda e: log(name, 'error', e.code))

        def on_close(e):
            log(name, 'close', e)
            server.close(lambda *_: nxt(i + 1))
        c.on('close', on_close)
    server.listen(0, '127.0.0.1', on_listening)


nxt(0)
run()
