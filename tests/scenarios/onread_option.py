# The onread option: incoming data goes into the given buffer and to the
# callback (nread, buf), not to 'data'; returning False pauses the socket.
import gevent

import greennet
from _common import log, run


def on_connection(sock):
    sock.set_encoding('utf8')

    def on_data(d):
        if d == 'first':
            sock.write('hello')
        elif d == 'second':
            sock.end('world')
    sock.on('data', on_data)


server = greennet.create_server(on_connection)


def on_listening():
    buffer = bytearray(16)
    calls = {'n': 0}

    def callback(nread, buf):
        calls['n'] += 1
        log('onread', nread, buf is buffer, bytes(buf[:nread]).decode('utf8'))
        if calls['n'] == 1:
            def later():
                log('resume after pause', c.is_paused())
                c.resume()
                c.write('second')
            gevent.spawn_later(0.1, later)
            return False
        return True
    c = greennet.connect(lambda: c.write('first'), port=server.address()['port'],
                         host='127.0.0.1', onread={'buffer': buffer, 'callback': callback})
    c.on('data', lambda d: log('unexpected data event'))
    c.on('end', lambda: log('end'))

    def on_close(had_error):
        log('close', had_error, c.bytes_read)
        server.close()
    c.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
