# Clients that do not speak TLS: garbage, an HTTP request, a client that
# connects and leaves, one that says nothing (handshake_timeout). Each is a
# 'tlsClientError' on the server, which goes on to serve a real client.
from _common import log, run

import greennet
import greennet.tls as tls


def pem(name):
    with open(f'../certs/{name}.pem', 'rb') as fh:
        return fh.read()


def on_secure(s):
    log('secureConnection')
    s.end('bye')


server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert'),
                            'handshakeTimeout': 200}, on_secure)


def on_tls_client_error(e, s):
    log('tlsClientError', e.code, isinstance(e, Exception))
    s.destroy()


server.on('tlsClientError', on_tls_client_error)
cases = [
    ('garbage', lambda c: c.write(bytes([7] * 64))),
    ('http', lambda c: c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')),
    ('leaves', lambda c: c.end()),
    ('silent', lambda c: None),
]


def next_case(i):
    if i >= len(cases):
        c = tls.connect({'port': server.address()['port'], 'host': '127.0.0.1', 'ca': pem('ca-cert'),
                         'servername': 'localhost'}, lambda: log('secureConnect'))
        c.on('data', lambda d: log('data', d.decode()))

        def on_close(*_):
            log('close')
            server.close()
        c.on('close', on_close)
        return
    label, act = cases[i]

    def on_connect():
        log(label)
        act(c)
    c = greennet.connect(server.address()['port'], '127.0.0.1', on_connect)
    c.on('error', lambda e: log(label, 'client error', e.code))
    c.resume()
    c.on('close', lambda *_: next_case(i + 1))


server.listen(0, '127.0.0.1', lambda: next_case(0))
run()
