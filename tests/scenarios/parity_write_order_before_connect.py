# Writes and end(cb) made while connecting, with a 'connect' listener
# added first: 'connect', then the first write's callback (inside the
# 'connect' emission), 'ready', the other write callbacks in order, the
# end() callback, 'finish'; the server receives everything.
import greennet
from _common import channel, log, run

slog = channel('server')


def on_connection(sock):
    sock.set_encoding('utf8')
    got = []
    sock.on('data', got.append)

    def on_end():
        slog('got', ''.join(got))
        sock.end()
    sock.on('end', on_end)


server = greennet.create_server(on_connection)


def cb(label):
    return lambda *e: log(label, 'cb', e[0].code if e and e[0] is not None else None)


def on_listening():
    c = greennet.connect(server.address()['port'], '127.0.0.1')
    c.on('connect', lambda: log('connect', c.writable_length))
    c.on('ready', lambda: log('ready'))
    log('write', c.write('a', cb('write 1')), c.write('b', cb('write 2')),
        c.write('c', cb('write 3')))
    c.end('d', cb('end'))
    log('queued', c.writable_length, c.writable_ended, c.ready_state)
    c.on('finish', lambda: log('finish'))
    c.resume()
    c.on('end', lambda: log('end'))

    def on_close(had_error):
        log('close', had_error)
        server.close()
    c.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
