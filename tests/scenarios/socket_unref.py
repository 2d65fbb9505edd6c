# socket.unref() on both ends (and server.unref()) lets the process end
# while the connection is still open; no 'close' is seen.
import greennet
from _common import channel, log, run

slog = channel('server')


def on_connection(sock):
    slog('connection')
    slog('server side unref returns socket', sock.unref() is sock)
    sock.on('close', lambda had_error: log('unexpected server side close'))


server = greennet.create_server(on_connection)


def on_listening():
    server.unref()

    def on_connect():
        log('connect')
        log('unref returns socket', c.unref() is c)
        log('ref returns socket', c.ref() is c)
        c.unref()
    c = greennet.connect(server.address()['port'], '127.0.0.1', on_connect)
    c.on('close', lambda had_error: log('unexpected client close'))


server.listen(0, '127.0.0.1', on_listening)
run()
