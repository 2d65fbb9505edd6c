# pipe() through a TLS proxy: client --TLS--> proxy --TLS--> echo server.
# The proxy pipes each accepted TLS socket to a TLS client of the echo
# server and back; 1 MiB goes through and comes back whole, then the
# client's end() travels to the echo server and the ends come back (both
# servers half-open, so that nothing is cut short).
import hashlib

from _common import channel, log, run

import greennet.tls as tls


def pem(name):
    with open(f'../certs/{name}.pem', 'rb') as fh:
        return fh.read()


plog = channel('proxy')
ulog = channel('upstream')
elog = channel('echo')
opts = {'key': pem('server-key'), 'cert': pem('server-cert'), 'allowHalfOpen': True}
PAYLOAD = bytes((i * 7) % 256 for i in range(1 << 20))


def on_echo(s):
    s.pipe(s)
    s.on('end', lambda: elog('end'))

    def on_close(*_):
        elog('close')
        echo.close()
    s.on('close', on_close)


def on_proxy(s):
    up = tls.connect({'port': echo.address()['port'], 'host': '127.0.0.1', 'servername': 'localhost',
                      'ca': pem('ca-cert')}, lambda: ulog('secureConnect', up.get_protocol()))
    s.pipe(up).pipe(s)
    up.on('end', lambda: ulog('end'))
    s.on('end', lambda: plog('client end'))
    up.on('close', lambda *_: ulog('close'))

    def on_close(*_):
        plog('client close')
        proxy.close()
    s.on('close', on_close)


echo = tls.create_server(opts, on_echo)
proxy = tls.create_server(opts, on_proxy)


def start():
    c = tls.connect({'port': proxy.address()['port'], 'host': '127.0.0.1', 'servername': 'localhost',
                     'ca': pem('ca-cert')}, lambda: log('secureConnect', c.get_protocol()))
    digest = hashlib.sha256()
    total = [0]

    def on_data(d):
        total[0] += len(d)
        digest.update(d)
    c.on('data', on_data)
    c.on('end', lambda: log('end', total[0], digest.digest() == hashlib.sha256(PAYLOAD).digest()))
    c.on('finish', lambda: log('finish'))
    c.on('close', lambda e: log('close', e))
    log('write', c.write(PAYLOAD))
    c.end()


echo.listen(0, '127.0.0.1', lambda: proxy.listen(0, '127.0.0.1', start))
run()
