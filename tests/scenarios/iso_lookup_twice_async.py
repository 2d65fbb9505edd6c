# A custom lookup that calls its callback twice, both on the next turn of
# the loop (one after the other): 'lookup' twice, both answers start a
# connect on the same handle, the second fails with EALREADY: 'error',
# then 'close' True. No 'connect'.
import gevent

import greennet
from _common import log, run


def on_connection(sock):
    sock.on('error', lambda e: None)
    sock.on('data', lambda d: sock.end('pong'))


server = greennet.create_server(on_connection)


def on_listening():
    port = server.address()['port']

    def lookup(hostname, options, cb):
        log('lookup called', hostname)

        def answer():
            cb(None, '127.0.0.1', 4)
            log('first answer returned')
            cb(None, '127.0.0.1', 4)
            log('second answer returned')
        gevent.spawn(answer)

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
    s.on('error', lambda e: log('error', e.code, e.syscall, getattr(e, 'address', None),
                                getattr(e, 'port', None) == port))

    def on_close(*a):
        log('close', a[0] if a else None, s.destroyed)
        server.close()
    s.on('close', on_close)
    r = s.connect(port=port, host='svc.test', family=4, lookup=lookup)
    log('connect returned', r is s, s.connecting, s.destroyed, s.ready_state)


server.listen(0, '127.0.0.1', on_listening)
run()
