# A custom lookup that calls back with an error and then, synchronously,
# with an address: 'lookup' twice (the error, then the address); the
# error wins: 'error' ENOTFOUND then 'close' True; no 'connect'.
import greennet
from _common import log, run


def on_connection(sock):
    sock.on('error', lambda e: None)
    sock.on('data', lambda d: sock.end('pong'))


server = greennet.create_server(on_connection)


def on_listening():
    port = server.address()['port']
    boom = Exception('getaddrinfo ENOTFOUND svc.test')
    boom.code = 'ENOTFOUND'

    def lookup(hostname, options, cb):
        log('lookup called', hostname)
        cb(boom)
        log('first answer returned')
        cb(None, '127.0.0.1', 4)
        log('second answer returned')

    s = greennet.Socket()
    s.set_encoding('utf8')
    s.on('lookup', lambda err, address, family, host: log('lookup', err.code if err else None,
                                                          address, family, host))

    def on_connect():
        log('connect')
        s.write('ping')
    s.on('connect', on_connect)
    s.on('ready', lambda: log('ready'))
    s.on('data', lambda d: log('data', d))
    s.on('end', lambda: log('end'))
    s.on('error', lambda e: log('error', e is boom, e.code))

    def on_close(*a):
        log('close', a[0] if a else None, s.destroyed)
        server.close()
    s.on('close', on_close)
    r = s.connect(port=port, host='svc.test', family=4, lookup=lookup)
    log('connect returned', r is s, s.connecting, s.destroyed, s.ready_state)


server.listen(0, '127.0.0.1', on_listening)
run()
