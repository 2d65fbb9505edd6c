# Writes made before the handshake completes (before 'connect', in 'connect',
# before 'secureConnect'): held until the session is up, then sent in order;
# when their callbacks run relative to 'secureConnect', and what write()
# returned. The server sees the bytes in order, then the end.
from _common import channel, log, run

import greennet.tls as tls


def pem(name):
    with open(f'../certs/{name}.pem', 'rb') as fh:
        return fh.read()


slog = channel('server')


def on_secure(s):
    got = []
    s.on('data', lambda d: got.append(d.decode()))

    def on_end():
        slog('end', ''.join(got))
        s.end()
    s.on('end', on_end)
    s.on('close', lambda e: server.close())


server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert')}, on_secure)


def on_listening():
    c = tls.connect({'port': server.address()['port'], 'host': '127.0.0.1', 'servername': 'localhost',
                     'ca': pem('ca-cert')})
    log('write a', c.write('a', lambda e=None: log('cb a', e)), c.writable_length)
    log('write b', c.write(b'b', lambda e=None: log('cb b', e)))

    def on_connect():
        log('connect')
        log('write c', c.write('c', lambda e=None: log('cb c', e)))
    c.on('connect', on_connect)

    def on_secure_connect():
        log('secureConnect')
        log('write d', c.write('d', lambda e=None: log('cb d', e)))
        c.end('e', lambda *_: log('end cb'))
    c.on('secureConnect', on_secure_connect)
    c.on('finish', lambda: log('finish'))
    c.on('end', lambda: log('end'))
    c.on('close', lambda e: log('close', e, c.bytes_written))


server.listen(0, '127.0.0.1', on_listening)
run()
