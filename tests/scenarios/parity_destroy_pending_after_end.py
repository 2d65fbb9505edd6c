# destroy() right after write() and end() on a connected socket (inside
# 'connect'): the write that went out gets its callback with None, the
# end() callback gets ERR_STREAM_DESTROYED (or the destroy error), both
# before 'close'; 'ready' is still emitted after 'connect'; no 'finish'.
import greennet
from _common import channel, run


def on_connection(sock):
    sock.on('error', lambda e: None)
    sock.resume()


server = greennet.create_server(on_connection)


def plain(c):
    c.destroy()


def with_error(c):
    err = Exception('custom')
    err.code = 'E_CUSTOM'
    c.destroy(err)


CASES = [('plain', plain), ('with_error', with_error)]


def on_listening():
    port = server.address()['port']
    left = [len(CASES)]
    for name, fn in CASES:
        clog = channel(name)

        def cb(label, clog=clog):
            return lambda *e: clog(label, 'cb', e[0].code if e and e[0] is not None else None)
        c = greennet.connect(port, '127.0.0.1')

        def on_connect(c=c, clog=clog, cb=cb, fn=fn):
            clog('connect')
            c.write('a', cb('write'))
            c.end('b', cb('end'))
            fn(c)
            clog('destroyed', c.destroyed, c.writable_ended, c.writable_finished)
        c.on('connect', on_connect)
        c.on('ready', lambda c=c, clog=clog: clog('ready', c.destroyed))
        c.on('finish', lambda clog=clog: clog('finish'))
        c.on('error', lambda e, clog=clog: clog('error', e.code))

        def on_close(*a, c=c, clog=clog):
            clog('close', a[0] if a else None, c.destroyed)
            left[0] -= 1
            if left[0] == 0:
                server.close()
        c.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
