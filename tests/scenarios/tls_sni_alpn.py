# SNI (add_context, sni_callback) and ALPN: which certificate a client gets
# for the name it asks, and the protocol both sides agree on.
from _common import channel, log, run

import greennet.tls as tls


def pem(name):
    with open(f'../certs/{name}.pem', 'rb') as fh:
        return fh.read()


slog = channel('server')


def on_secure(s):
    slog('secureConnection', s.servername, s.alpn_protocol)
    s.end()


server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert'),
                            'ALPNProtocols': ['h2', 'http/1.1']}, on_secure)
server.add_context('*.other.example', {'key': pem('other-key'), 'cert': pem('other-cert')})
cases = [
    ('default', {'servername': 'localhost', 'ALPNProtocols': ['http/1.1']}),
    ('wildcard', {'servername': 'a.other.example', 'ALPNProtocols': ['h2', 'http/1.1']}),
    ('no-alpn', {'servername': 'localhost'}),
    ('unknown-name', {'servername': 'unknown.example', 'ALPNProtocols': ['http/1.1', 'h2']}),
]


def next_case(i):
    if i >= len(cases):
        server.close()
        return
    label, opts = cases[i]

    def on_secure_connect():
        cert = c.get_peer_certificate()
        log(label, c.servername, c.alpn_protocol, cert['subject']['CN'], c.authorized, c.authorization_error)
    c = tls.connect({'port': server.address()['port'], 'host': '127.0.0.1', 'ca': pem('ca-cert'),
                     'rejectUnauthorized': False, **opts}, on_secure_connect)
    c.resume()
    c.on('close', lambda *_: next_case(i + 1))


server.listen(0, '127.0.0.1', lambda: next_case(0))
run()
