# A TLS round trip: the client's and the server's events in order, and
# what each side knows of the other once the handshake is done.
from _common import channel, log, run

import greennet.tls as tls


def pem(name):
    with open(f'../certs/{name}.pem', 'rb') as fh:
        return fh.read()


slog = channel('server')


def on_secure(s):
    slog('secureConnection', s.encrypted, s.authorized, s.servername, s.alpn_protocol, s.get_protocol())

    def on_data(d):
        slog('data', d.decode())
        s.write(d.decode().upper())
    s.on('data', on_data)
    s.on('end', lambda: slog('end'))
    s.on('finish', lambda: slog('finish'))

    def on_close(e):
        slog('close', e)
        server.close()
    s.on('close', on_close)


server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert')}, on_secure)
server.on('connection', lambda s: slog('connection', 'string' if isinstance(s.remote_address, str) else None))
server.on('tlsClientError', lambda e, s: slog('tlsClientError', e.code))


def on_listening():
    def on_secure_connect():
        log('secureConnect', c.encrypted, c.authorized, c.authorization_error, c.alpn_protocol,
            c.get_protocol(), c.servername)
        cert = c.get_peer_certificate()
        log('peer', cert['subject']['CN'], cert['subject']['O'], cert['issuer']['CN'], cert['subjectaltname'])
        log('peer', cert['valid_to'], cert['serialNumber'], len(cert['fingerprint256']))
        c.write('hello')
    c = tls.connect({'port': server.address()['port'], 'host': '127.0.0.1', 'servername': 'localhost',
                     'ca': pem('ca-cert')}, on_secure_connect)
    log('connecting', c.encrypted, c.authorized, c.alpn_protocol)
    c.on('connect', lambda: log('connect'))

    def on_data(d):
        log('data', d.decode())
        c.end()
    c.on('data', on_data)
    c.on('end', lambda: log('end'))
    c.on('finish', lambda: log('finish'))
    c.on('close', lambda e: log('close', e))


server.listen(0, '127.0.0.1', on_listening)
run()
