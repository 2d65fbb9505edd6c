# max_connections: a connection beyond the limit is closed at once and the
# server emits 'drop' with its addresses; the dropped client sees end/close.
import greennet
from _common import channel, log, run

slog = channel('server')
state = {}


def on_connection(sock):
    slog('connection')
    sock.resume()
    sock.on('close', lambda had_error: server.close(lambda *e: slog('closed')))


server = greennet.create_server(on_connection)
server.max_connections = 1
log('maxConnections', server.max_connections)


def on_drop(data):
    slog('drop', data['local_address'], data['local_port'] == server.address()['port'],
         data['local_family'], data['remote_address'],
         'number' if isinstance(data['remote_port'], int) else data['remote_port'],
         data['remote_family'])
    state['first'].end()


server.on('drop', on_drop)


def on_listening():
    port = server.address()['port']

    def first_connect():
        log('first connect')
        second = greennet.connect(port, '127.0.0.1', lambda: log('second connect'))
        second.on('error', lambda e: log('second error', e.code))
        second.on('data', lambda d: log('second data', len(d)))
        second.on('end', lambda: log('second end'))
        second.on('close', lambda had_error: log('second close'))
    first = state['first'] = greennet.connect(port, '127.0.0.1', first_connect)
    first.resume()


server.listen(0, '127.0.0.1', on_listening)
run()
