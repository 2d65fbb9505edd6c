# reset_and_destroy() on the client: it closes at once with had_error False,
# and the server side sees ECONNRESET then close(True). Called while still
# connecting, the reset waits for the connection ('connect' still fires).
import greennet
from _common import channel, log, run

slog = channel('server')
seen = {'n': 0}


def on_connection(sock):
    seen['n'] += 1
    ident = seen['n']
    sock.on('data', lambda d: slog(ident, 'data', len(d)))
    sock.on('end', lambda: slog(ident, 'end'))
    sock.on('error', lambda e: slog(ident, 'error', e.code))

    def on_close(had_error):
        slog(ident, 'close', had_error)
        if ident == 2:
            server.close()
    sock.on('close', on_close)
    if ident == 1:
        sock.write('hello')


server = greennet.create_server(on_connection)


def on_listening():
    port = server.address()['port']
    a = greennet.connect(port, '127.0.0.1')

    def a_data(d):
        r = a.reset_and_destroy()
        log('a reset returns socket', r is a, a.destroyed)
    a.on('data', a_data)
    a.on('error', lambda e: log('a error', e.code))

    def a_close(had_error):
        log('a close', had_error)
        b = greennet.connect(port, '127.0.0.1')
        b.on('connect', lambda: log('b connect'))
        b.on('error', lambda e: log('b error', e.code))
        log('b connecting', b.connecting)
        b.reset_and_destroy()
        log('b after reset', b.destroyed, b.connecting)
        b.on('close', lambda had_error: log('b close', had_error))
    a.on('close', a_close)


server.listen(0, '127.0.0.1', on_listening)
run()
