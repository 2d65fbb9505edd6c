# tls.connect(socket=...) over an existing greennet.Socket: already connected,
# and still connecting (TLS starts at its 'connect', and the TLS socket emits
# 'connect' then); what stays observable on the plain socket while TLS has
# its handle and once either is destroyed (the plain socket's 'close' first).
from _common import channel, log, run

import greennet
import greennet.tls as tls


def pem(name):
    with open(f'../certs/{name}.pem', 'rb') as fh:
        return fh.read()


slog = channel('server')


def on_secure(s):
    def on_data(d):
        slog('data', s.servername, d.decode())
        s.write(d.decode().upper())
    s.on('data', on_data)
    s.on('end', lambda: s.end())
    s.on('error', lambda e: None)


server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert')}, on_secure)


def state(raw):
    return [raw.destroyed, raw.readable, raw.writable, raw.pending, raw.connecting, raw.ready_state,
            raw.closed, 'string' if isinstance(raw.remote_address, str) else 'undefined',
            raw.remote_port == server.address()['port']]


def one(mode, nxt):
    raw = greennet.connect(server.address()['port'], '127.0.0.1')

    def watch(ev):
        def listener(*a):
            if ev == 'close':
                log(mode, 'raw', ev, a[0], ' '.join(str(x) if not isinstance(x, bool) else str(x).lower()
                                                    for x in state(raw)))
            else:
                log(mode, 'raw', ev, '', '')
        raw.on(ev, listener)
    for ev in ('connect', 'ready', 'data', 'end', 'finish', 'close', 'error'):
        watch(ev)

    def wrap():
        def on_secure_connect():
            log(mode, 'secureConnect', c.authorized, c.get_protocol(), c.connecting, c.pending, c.ready_state,
                c.remote_address, c.remote_port == server.address()['port'])
            log(mode, 'raw at secure', *state(raw))
            if mode == 'plain destroyed':
                raw.destroy()
            else:
                c.write('hello')
        c = tls.connect({'socket': raw, 'servername': 'localhost', 'ca': pem('ca-cert')}, on_secure_connect)
        log(mode, 'wrapped', c.encrypted, c.connecting, c.pending, c.ready_state)
        log(mode, 'raw after wrap', *state(raw))
        for ev in ('connect', 'ready', 'end', 'finish', 'error'):
            c.on(ev, lambda x=None, ev=ev: log(mode, 'tls', ev, getattr(x, 'code', None)))

        def on_data(d):
            log(mode, 'tls data', d.decode())
            c.end()
        c.on('data', on_data)

        def on_close(e):
            log(mode, 'tls close', e, *state(raw))
            nxt()
        c.on('close', on_close)
    if mode == 'connecting':
        wrap()
    else:
        raw.on('connect', wrap)


server.listen(0, '127.0.0.1', lambda: one('connected', lambda: one(
    'connecting', lambda: one('plain destroyed', server.close))))
run()
