# 4 MiB written in 64 KiB chunks honouring write() is False and 'drain',
# to a server that reads slowly at first (paused); then the client ends
# (close_notify and FIN) and the half-open server still answers with the
# byte count and the SHA-256 of what it got.
import hashlib

import gevent
from _common import channel, log, run

import greennet.tls as tls


def pem(name):
    with open(f'../certs/{name}.pem', 'rb') as fh:
        return fh.read()


slog = channel('server')
CHUNK = bytes(i % 251 for i in range(65536))


def on_secure(s):
    digest = hashlib.sha256()
    total = [0]
    s.pause()
    gevent.spawn_later(0.1, s.resume)

    def on_data(d):
        total[0] += len(d)
        digest.update(d)
    s.on('data', on_data)

    def on_end():
        slog('end', total[0], s.writable)
        s.end(f'{total[0]} {digest.hexdigest()}')
    s.on('end', on_end)

    def on_close(*_):
        slog('close')
        server.close()
    s.on('close', on_close)


server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert'), 'allowHalfOpen': True},
                           on_secure)


def on_listening():
    c = tls.connect({'port': server.address()['port'], 'host': '127.0.0.1', 'ca': pem('ca-cert'),
                     'servername': 'localhost'})
    state = {'sent': 0, 'falses': 0, 'drains': 0}
    expect = hashlib.sha256()

    def pump():
        while state['sent'] < 64:
            state['sent'] += 1
            expect.update(CHUNK)
            if not c.write(CHUNK):
                state['falses'] += 1
                return
        log('all written', state['falses'] > 0, state['drains'] > 0, c.writable_length >= 0)
        c.end()

    def on_drain():
        state['drains'] += 1
        pump()
    c.on('drain', on_drain)
    c.on('secureConnect', lambda: log('secureConnect'))
    pump()
    c.on('finish', lambda: log('finish'))
    c.on('data', lambda d: log('data', d.decode() == f'{64 * 65536} {expect.hexdigest()}'))
    c.on('end', lambda: log('end'))
    c.on('close', lambda e: log('close', e))


server.listen(0, '127.0.0.1', on_listening)
run()
