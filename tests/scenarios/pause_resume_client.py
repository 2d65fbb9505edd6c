# pause() / resume() / is_paused(): while paused no 'data' is emitted, the
# data is held and delivered in full on resume(); both return the socket.
import gevent

import greennet
from _common import log, run


def on_connection(sock):
    sock.resume()
    sock.once('data', lambda _: sock.end('held data'))


server = greennet.create_server(on_connection)


def on_listening():
    client = greennet.connect(server.address()['port'], '127.0.0.1')
    log('isPaused new', client.is_paused())
    client.set_encoding('utf8')
    state = {'paused': False}
    client.on('data', lambda d: log('data', d, 'while paused', state['paused']))
    log('isPaused with listener', client.is_paused())
    r = client.pause()
    state['paused'] = True
    log('pause returns socket', r is client, client.is_paused())
    client.on('connect', lambda: client.write('x'))
    client.on('end', lambda: log('end'))

    def later():
        state['paused'] = False
        r2 = client.resume()
        log('resume returns socket', r2 is client, client.is_paused())
    gevent.spawn_later(0.2, later)

    def on_close(had_error):
        log('close', had_error)
        server.close()
    client.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
