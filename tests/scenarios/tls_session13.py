# TLS 1.3 with a client certificate: each session ticket that arrives after
# the handshake is a 'session' (two, as OpenSSL sends), and the last one
# resumes the next connection.
from _common import channel, log, run

import greennet.tls as tls


def pem(name):
    with open(f'../certs/{name}.pem', 'rb') as fh:
        return fh.read()


slog = channel('server')


def on_secure(s):
    cert = s.get_peer_certificate()
    slog('secureConnection', s.authorized, s.authorization_error, cert['subject']['CN'],
         s.is_session_reused())
    s.end('hi')


server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert'), 'ca': pem('ca-cert'),
                            'requestCert': True}, on_secure)
base = {'host': '127.0.0.1', 'ca': pem('ca-cert'), 'servername': 'localhost',
        'key': pem('client-key'), 'cert': pem('client-cert')}


def on_listening():
    port = server.address()['port']
    saved = []
    c = tls.connect({'port': port, **base},
                    lambda: log('first', c.authorized, c.is_session_reused(), c.get_protocol()))

    def on_session(s):
        log('session')
        saved[:] = [s]
    c.on('session', on_session)
    c.resume()

    def on_close(*_):
        d = tls.connect({'port': port, 'session': saved[0], **base},
                        lambda: log('second', d.authorized, d.is_session_reused(), d.get_protocol()))
        d.resume()
        d.on('close', lambda *_: server.close())
    c.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
