# A socket can connect() again after 'close': the same object makes a
# fresh connection and fires 'connect' again.
import greennet
from _common import log, run

n = {'n': 0}


def on_connection(sock):
    n['n'] += 1
    sock.end('conn %d' % n['n'])


server = greennet.create_server(on_connection)


def on_listening():
    port = server.address()['port']
    s = greennet.Socket()
    s.set_encoding('utf8')
    state = {'round': 0}
    s.on('connect', lambda: log('connect', state['round'], s.connecting, s.destroyed))
    s.on('data', lambda d: log('data', d))

    def on_close(had_error):
        log('close', state['round'], had_error, s.destroyed)
        if state['round'] == 0:
            state['round'] = 1
            r = s.connect(port, '127.0.0.1')
            log('reconnect returns socket', r is s, s.connecting, s.destroyed)
        else:
            server.close()
    s.on('close', on_close)
    s.connect(port, '127.0.0.1')


server.listen(0, '127.0.0.1', on_listening)
run()
