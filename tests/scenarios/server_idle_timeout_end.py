# A server-side set_timeout(): after the idle time 'timeout' fires on the
# accepted socket (once), the handler ends it, the client sees 'end' then
# 'close' False; the timeout does not close anything by itself.
import greennet
from _common import channel, log, run

slog = channel('server')


def on_connection(sock):
    r = sock.set_timeout(150)
    slog('setTimeout returns socket', r is sock, sock.timeout)
    n = {'n': 0}

    def on_timeout():
        n['n'] += 1
        slog('timeout', n['n'], sock.destroyed, sock.writable)
        sock.end('bye')
    sock.on('timeout', on_timeout)
    sock.on('end', lambda: slog('end'))

    def on_close(had_error):
        slog('close', had_error, n['n'])
        server.close()
    sock.on('close', on_close)


server = greennet.create_server(on_connection)


def on_listening():
    c = greennet.connect(server.address()['port'], '127.0.0.1')
    c.set_encoding('utf8')
    c.on('data', lambda d: log('client data', d))
    c.on('end', lambda: log('client end'))
    c.on('close', lambda had_error: log('client close', had_error))


server.listen(0, '127.0.0.1', on_listening)
run()
