# Callbacks of writes and end() pending when a socket is destroyed before
# its connection is up. Node: 'close' (False) comes first, then the write
# callbacks and the end() callback, all with
# ERR_SOCKET_CLOSED_BEFORE_CONNECTION; with destroy(err): 'error', 'close'
# True, then the first write's callback with
# ERR_SOCKET_CLOSED_BEFORE_CONNECTION and the others with err; end(cb)
# alone: its callback gets ERR_STREAM_DESTROYED, before 'close'.
import greennet
from _common import channel, run


def on_connection(sock):
    sock.on('error', lambda e: None)
    sock.resume()


server = greennet.create_server(on_connection)


def writes_end(c, cb):
    c.write('a', cb('write 1'))
    c.write('b', cb('write 2'))
    c.end('c', cb('end'))
    c.destroy()


def writes_end_error(c, cb):
    c.write('a', cb('write 1'))
    c.write('b', cb('write 2'))
    c.end('c', cb('end'))
    err = Exception('custom')
    err.code = 'E_CUSTOM'
    c.destroy(err)


def writes_only(c, cb):
    c.write('a', cb('write 1'))
    c.write('b', cb('write 2'))
    c.destroy()


def end_only(c, cb):
    c.end(cb('end'))
    c.destroy()


CASES = [('writes_end', writes_end), ('writes_end_error', writes_end_error),
         ('writes_only', writes_only), ('end_only', end_only)]


def on_listening():
    port = server.address()['port']
    left = [len(CASES)]
    for name, fn in CASES:
        clog = channel(name)
        c = greennet.connect(port, '127.0.0.1')
        c.on('connect', lambda clog=clog: clog('unexpected connect'))
        c.on('finish', lambda clog=clog: clog('finish'))
        c.on('error', lambda e, clog=clog: clog('error', e.code))

        def on_close(*a, c=c, clog=clog):
            clog('close', a[0] if a else None, c.destroyed)
            left[0] -= 1
            if left[0] == 0:
                server.close()
        c.on('close', on_close)

        def cb(label, clog=clog):
            return lambda *e: clog(label, 'cb', e[0].code if e and e[0] is not None else None)
        fn(c, cb)
        clog('destroyed', c.destroyed, c.writable_length)


server.listen(0, '127.0.0.1', on_listening)
run()
