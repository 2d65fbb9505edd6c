# unref() then ref() keeps the process alive again, until close().
import gevent

import greennet
from _common import log, run

server = greennet.create_server()
server.unref()
server.ref()


def on_listening():
    log('listening')

    def later():
        log('timer fired')
        server.close(lambda *e: log('closed'))
    gevent.spawn_later(0.1, later)


server.listen(0, '127.0.0.1', on_listening)
run()
