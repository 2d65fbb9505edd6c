# destroy(err) inside the connect listener: later 'connect' listeners
# still run, then 'error' with that error, then 'close' (had_error True);
# the server side sees the peer go away.
import greennet
from _common import channel, log, run

slog = channel('server')


def on_connection(sock):
    sock.on('error', lambda e: slog('error', e.code))
    sock.on('end', lambda: slog('end'))
    sock.resume()

    def on_close(had_error):
        slog('close')
        server.close()
    sock.on('close', on_close)


server = greennet.create_server(on_connection)


def on_listening():
    c = greennet.connect(server.address()['port'], '127.0.0.1')
    err = TypeError('bad')
    err.code = 'E_CUSTOM'

    def on_connect():
        c.destroy(err)
        log('destroyed in connect', c.destroyed)
    c.on('connect', on_connect)
    c.on('connect', lambda: log('second connect listener'))
    c.on('ready', lambda: log('ready'))
    c.on('error', lambda e: log('error', e is err, e.code))
    c.on('close', lambda had_error: log('close', had_error))


server.listen(0, '127.0.0.1', on_listening)
run()
