# write() and end(data, cb) after destroy(), on a connected socket and on
# one still connecting: the callbacks get ERR_STREAM_DESTROYED, before
# 'close' (False); a later end(cb) is never called back; no 'error'.
import greennet
from _common import channel, run


def on_connection(sock):
    sock.on('error', lambda e: None)
    sock.resume()


server = greennet.create_server(on_connection)


def go(c, slog):
    def cb(label):
        return lambda *e: slog(label, 'cb', e[0].code if e and e[0] is not None else None)
    c.destroy()
    slog('write', c.write('a', cb('write')))
    c.end('b', cb('end data'))
    c.end(cb('end again'))
    slog('after', c.destroyed, c.writable_ended)


def on_listening():
    port = server.address()['port']
    left = [2]
    for name in ('connected', 'connecting'):
        slog = channel(name)
        c = greennet.connect(port, '127.0.0.1')
        c.on('error', lambda e, slog=slog: slog('error', e.code))
        c.on('finish', lambda slog=slog: slog('finish'))

        def on_close(*a, slog=slog):
            slog('close', a[0] if a else None)
            left[0] -= 1
            if left[0] == 0:
                server.close()
        c.on('close', on_close)
        if name == 'connected':
            c.on('connect', lambda c=c, slog=slog: go(c, slog))
        else:
            go(c, slog)


server.listen(0, '127.0.0.1', on_listening)
run()
