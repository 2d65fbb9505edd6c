# Data that arrives before any 'data' listener is kept: a listener added
# later receives it, and 'end' follows.
import gevent

import greennet
from _common import log, run

server = greennet.create_server(lambda sock: sock.end('early bird'))


def on_listening():
    client = greennet.connect(server.address()['port'], '127.0.0.1')
    client.on('end', lambda: log('end'))

    def later():
        log('readableLength', client.readable_length, 'isPaused', client.is_paused())
        client.set_encoding('utf8')
        client.on('data', lambda d: log('data', d))
    gevent.spawn_later(0.2, later)

    def on_close(had_error):
        log('close', had_error)
        server.close()
    client.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
