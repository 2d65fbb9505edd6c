# The timeout option of connect() sets socket.timeout before connecting;
# 'timeout' fires once after that much idleness; the socket stays open.
import gevent

import greennet
from _common import log, run


def on_connection(sock):
    sock.resume()
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection)


def on_listening():
    c = greennet.connect(port=server.address()['port'], host='127.0.0.1', timeout=80)
    log('timeout', c.timeout)
    n = {'n': 0}
    c.on('connect', lambda: log('connect'))

    def on_timeout():
        n['n'] += 1
        log('timeout event', n['n'], c.destroyed, c.ready_state)
        if n['n'] == 1:
            def later():
                log('after wait', n['n'])
                c.destroy()
            gevent.spawn_later(0.25, later)
    c.on('timeout', on_timeout)
    c.on('close', lambda had_error: log('close', had_error))


server.listen(0, '127.0.0.1', on_listening)
run()
