# destroy() while the connection is still being made: no 'connect', no
# 'error', just 'close' with had_error False; connecting turns False.
import greennet
from _common import log, run


def on_connection(sock):
    sock.on('error', lambda e: None)
    sock.resume()
    sock.on('close', lambda had_error: None)


server = greennet.create_server(on_connection)


def on_listening():
    c = greennet.connect(server.address()['port'], '127.0.0.1')
    c.on('connect', lambda: log('unexpected connect'))
    c.on('error', lambda e: log('unexpected error', e.code))
    log('connecting', c.connecting)
    c.destroy()
    log('after destroy', c.connecting, c.destroyed, c.ready_state)

    def on_close(had_error):
        log('close', had_error)
        server.close()
    c.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
