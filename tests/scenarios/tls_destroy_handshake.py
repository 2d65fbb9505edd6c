# destroy() during the handshake: the client destroys itself at 'connect'
# (a write held for the handshake learns it), destroys itself with an error,
# destroys itself before 'connect', and the server destroys the connection
# at 'connection' (the client sees the TLS layer's "disconnected before
# secure" ECONNRESET).
from _common import channel, log, run

import greennet.tls as tls
from greennet.errors import NodeError


def pem(name):
    with open(f'../certs/{name}.pem', 'rb') as fh:
        return fh.read()


slog = channel('server')
mode = ['']
server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert')},
                           lambda s: slog('secureConnection'))
server.on('connection', lambda s: s.destroy() if mode[0] == 'server destroys' else None)
server.on('tlsClientError', lambda e, s: slog('tlsClientError', e.code))


def client(name, on_connect, nxt, now=False):
    mode[0] = name
    c = tls.connect({'port': server.address()['port'], 'host': '127.0.0.1', 'servername': 'localhost',
                     'ca': pem('ca-cert')}, lambda: log(name, 'secureConnect'))
    c.write('held', lambda e=None: log(name, 'write cb', getattr(e, 'code', None)))

    def connected():
        log(name, 'connect')
        if on_connect:
            on_connect(c)
    c.on('connect', connected)
    c.on('error', lambda e: log(name, 'error', e.code, e.strerror if isinstance(e, OSError) else str(e)))

    def on_close(e):
        log(name, 'close', e, c.destroyed, c.encrypted, c.authorized)
        nxt()
    c.on('close', on_close)
    if now:
        c.destroy()


server.listen(0, '127.0.0.1', lambda: client(
    'destroy', lambda c: c.destroy(), lambda: client(
        'destroy with error', lambda c: c.destroy(NodeError('BOOM', 'boom')), lambda: client(
            'server destroys', None, lambda: client(
                'destroy while connecting', None, server.close, True)))))
run()
