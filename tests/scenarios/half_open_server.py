# allow_half_open server: after the client's end() the server socket gets
# 'end' but stays writable (ready_state writeOnly), writes more and ends
# itself; the client (default allow_half_open False) still reads it.
import greennet
from _common import channel, log, run

slog = channel('server')


def on_connection(sock):
    sock.set_encoding('utf8')
    got = []
    sock.on('data', lambda d: got.append(d))

    def on_end():
        slog('end', ''.join(got), sock.ready_state, sock.writable, sock.readable)
        r = sock.write('late reply', lambda *a: slog('write cb'))
        slog('write after peer end returns', r)
        sock.end(' done')
    sock.on('end', on_end)
    sock.on('finish', lambda: slog('finish'))
    sock.on('close', lambda had_error: slog('close', had_error))


server = greennet.create_server(on_connection, allow_half_open=True)


def on_listening():
    def on_connect():
        client.end('request')
        log('client ended', client.ready_state)
    client = greennet.connect(server.address()['port'], '127.0.0.1', on_connect)
    client.set_encoding('utf8')
    got = []
    client.on('data', lambda d: got.append(d))
    client.on('finish', lambda: log('client finish'))
    client.on('end', lambda: log('client end', ''.join(got)))

    def on_close(had_error):
        log('client close', had_error)
        server.close()
    client.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
