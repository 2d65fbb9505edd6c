# set_timeout(ms) then set_timeout(0) before it fires: no 'timeout', even
# with traffic afterwards; a timeout re-armed by activity fires later.
import gevent

import greennet
from _common import log, run


def on_connection(sock):
    sock.set_encoding('utf8')
    sock.on('data', lambda d: sock.write('echo:' + d))
    sock.on('end', lambda: sock.end())
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection)


def on_listening():
    c = greennet.connect(server.address()['port'], '127.0.0.1')
    c.set_timeout(50)
    c.set_timeout(0)
    log('timeout', c.timeout)

    def on_timeout():
        log('timeout event', c.timeout)
        c.end()
    c.on('timeout', on_timeout)
    c.set_encoding('utf8')
    n = {'n': 0}

    def on_data(d):
        log('data', d)
        n['n'] += 1
        if n['n'] == 1:
            c.write('b')
        else:
            c.set_timeout(60)
    c.on('data', on_data)
    c.on('connect', lambda: gevent.spawn_later(0.12, c.write, 'a'))
    c.on('close', lambda had_error: log('close', had_error))


server.listen(0, '127.0.0.1', on_listening)
run()
