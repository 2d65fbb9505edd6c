# get_connections() does not count a connection dropped for max_connections:
# 1 while the first client is connected (after the drop), 0 once it closed.
import greennet
from _common import channel, log, run

slog = channel('second')
state = {}


def on_connection(sock):
    log('connection')
    sock.resume()

    def on_close(had_error):
        def counted(err, n):
            log('after first closed', err, n)
            server.close(lambda *e: log('closed'))
        server.get_connections(counted)
    sock.on('close', on_close)


server = greennet.create_server(on_connection)
server.max_connections = 1


def on_drop(data):
    def counted(err, n):
        log('after drop', err, n)
        state['first'].end()
    server.get_connections(counted)


server.on('drop', on_drop)


def on_listening():
    port = server.address()['port']

    def first_connect():
        def counted(err, n):
            log('with first', err, n)
            second = greennet.connect(port, '127.0.0.1')
            second.on('error', lambda e: slog('error', e.code))
            second.resume()
            second.on('close', lambda had_error: slog('close'))
        server.get_connections(counted)
    first = state['first'] = greennet.connect(port, '127.0.0.1', first_connect)
    first.resume()


server.listen(0, '127.0.0.1', on_listening)
run()
