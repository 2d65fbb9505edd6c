# server.close() in the same turn as a client's connect(): the listener is
# gone before the connection is made, so the client gets ECONNREFUSED and
# the server never sees a 'connection'; the close callback runs.
import greennet
from _common import log, run

server = greennet.create_server(lambda sock: log('unexpected connection'))


def on_listening():
    c = greennet.connect(server.address()['port'], '127.0.0.1')
    log('client connecting', c.connecting)
    server.close(lambda err=None: log('server close cb', err.code if err else None,
                                      server.listening))
    log('after close', server.listening, server.address())
    c.on('connect', lambda: log('unexpected connect'))
    c.on('error', lambda e: log('client error', e.code))
    c.on('close', lambda had_error: log('client close', had_error))
    server.on('close', lambda: log('server close event'))


server.listen(0, '127.0.0.1', on_listening)
run()
