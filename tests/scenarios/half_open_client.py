# allow_half_open client: when the server ends, the client gets 'end' and
# can still write (ready_state writeOnly); the server reads what comes after.
import greennet
from _common import channel, log, run

slog = channel('server')


def on_connection(sock):
    sock.set_encoding('utf8')
    got = []
    sock.on('data', lambda d: got.append(d))
    sock.on('end', lambda: slog('end', ''.join(got)))

    def on_close(had_error):
        slog('close', had_error)
        server.close(lambda *e: slog('server closed'))
    sock.on('close', on_close)
    sock.end('bye')


server = greennet.create_server(on_connection, allow_half_open=True)


def on_listening():
    client = greennet.connect(port=server.address()['port'], host='127.0.0.1',
                              allow_half_open=True)
    client.set_encoding('utf8')
    client.on('data', lambda d: log('client data', d))

    def on_end():
        log('client end', client.ready_state, client.writable, client.readable)
        client.write('after end ', lambda *a: log('client write cb'))
        client.end('last', lambda *a: log('client end cb'))
    client.on('end', on_end)
    client.on('finish', lambda: log('client finish'))
    client.on('close', lambda had_error: log('client close', had_error,
                                             client.ready_state))


server.listen(0, '127.0.0.1', on_listening)
run()
