# pause_on_connect: the accepted socket starts paused and delivers nothing,
# even with a 'data' listener, until resume().
import gevent

import greennet
from _common import log, run


def on_connection(sock):
    log('connection isPaused', sock.is_paused())
    sock.set_encoding('utf8')
    state = {'resumed': False}

    def on_data(d):
        log('server data', d, 'resumed', state['resumed'])
        sock.end('ok')
    sock.on('data', on_data)
    sock.write('go')

    def later():
        log('resuming', sock.is_paused())
        state['resumed'] = True
        sock.resume()
        log('after resume', sock.is_paused())
    gevent.spawn_later(0.15, later)


server = greennet.create_server(on_connection, pause_on_connect=True)


def on_listening():
    client = greennet.connect(server.address()['port'], '127.0.0.1')
    client.set_encoding('utf8')

    def on_data(d):
        log('client data', d)
        if d == 'go':
            client.write('hello')
    client.on('data', on_data)

    def on_close(had_error):
        log('client close', had_error)
        server.close()
    client.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
