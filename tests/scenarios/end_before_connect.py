# end(data) on a socket that is still connecting: the data and the FIN go
# out once connected; ready_state goes through the half-closed states; the
# server sees the data then 'end'.
import greennet
from _common import channel, log, run

slog = channel('server')


def on_connection(sock):
    sock.set_encoding('utf8')
    got = []
    sock.on('data', got.append)

    def on_end():
        slog('end', ''.join(got))
        sock.end('reply')
    sock.on('end', on_end)
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection)


def on_listening():
    c = greennet.connect(server.address()['port'], '127.0.0.1')
    r = c.end('bye', lambda *e: log('end callback', c.ready_state))
    log('end returns socket', r is c, c.writable_ended, c.writable, c.ready_state)
    c.on('connect', lambda: log('connect', c.ready_state, c.writable_ended))
    c.on('finish', lambda: log('finish'))
    c.set_encoding('utf8')
    c.on('data', lambda d: log('data', d))
    c.on('end', lambda: log('end', c.ready_state))
    c.on('close', lambda had_error: log('close', had_error))


server.listen(0, '127.0.0.1', on_listening)
run()
