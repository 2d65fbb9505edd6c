# The peer calls reset_and_destroy() (on the client's first data): the
# reading side gets 'error' with ECONNRESET (syscall read), then 'close'
# with had_error True; no 'end'.
import greennet
from _common import channel, log, run

slog = channel('server')


def on_connection(sock):
    def on_data(d):
        r = sock.reset_and_destroy()
        slog('resetAndDestroy returns socket', r is sock, sock.destroyed)
        server.close()
    sock.on('data', on_data)
    sock.on('close', lambda had_error: slog('close', had_error))


server = greennet.create_server(on_connection)


def on_listening():
    c = greennet.connect(server.address()['port'], '127.0.0.1')

    def on_connect():
        log('client connect')
        c.write('ping')
    c.on('connect', on_connect)
    c.on('data', lambda d: log('client data', len(d)))
    c.on('end', lambda: log('client end'))
    c.on('error', lambda e: log('client error', e.code, e.syscall, isinstance(e, Exception)))
    c.on('close', lambda had_error: log('client close', had_error, c.destroyed, c.ready_state))


server.listen(0, '127.0.0.1', on_listening)
run()
