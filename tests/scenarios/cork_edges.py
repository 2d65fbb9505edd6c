# cork() in the corners: corked while connecting (the writes wait for
# 'connect' after uncork()), destroyed while corked (the callbacks get
# ERR_STREAM_DESTROYED, before 'close'), corked on a Socket that never
# connected (uncork() fails the writes with ERR_SOCKET_CLOSED, then 'error'
# and 'close'), and uncork() without cork() doing nothing.
import gevent

import greennet
from _common import channel, run


def on_connection(sock):
    sock.on('error', lambda e: None)
    sock.resume()


server = greennet.create_server(on_connection)


def cbf(clog):
    def cb(label):
        return lambda *e: clog(label, 'cb', e[0].code if e and e[0] is not None else None)
    return cb


def on_listening():
    port = server.address()['port']
    left = [3]

    def done():
        left[0] -= 1
        if left[0] == 0:
            server.close()

    def watch(c, clog):
        c.on('connect', lambda: clog('connect', c.writable_length))
        c.on('finish', lambda: clog('finish'))
        c.on('error', lambda e: clog('error', e.code))

        def on_close(had_error):
            clog('close', had_error, c.writable_length)
            done()
        c.on('close', on_close)

    clog = channel('connecting')
    cb = cbf(clog)
    c1 = greennet.connect(port, '127.0.0.1')
    watch(c1, clog)
    c1.cork()
    clog('write 1', c1.write('1', cb('write 1')))
    clog('write 2', c1.write('2', cb('write 2')))

    def next_tick(c=c1, clog=clog, cb=cb):
        c.uncork()
        clog('uncorked', c.writable_corked, c.writable_length)
        c.end(cb('end'))
    gevent.spawn(next_tick)

    clog2 = channel('destroyed')
    cb2 = cbf(clog2)
    c2 = greennet.connect(port, '127.0.0.1')
    watch(c2, clog2)

    def on_connect(c=c2, clog=clog2, cb=cb2):
        c.cork()
        c.write('1', cb('write 1'))
        c.write('2', cb('write 2'))
        c.destroy()
        clog('destroyed', c.writable_corked, c.writable_length)
    c2.on('connect', on_connect)

    clog3 = channel('never')
    cb3 = cbf(clog3)
    s = greennet.Socket()
    s.on('error', lambda e: clog3('error', e.code))

    def on_close3(*a):
        clog3('close', a[0] if a else None)
        done()
    s.on('close', on_close3)
    s.uncork()
    clog3('uncork alone', s.writable_corked)
    s.cork()
    clog3('write 1', s.write('1', cb3('write 1')))
    clog3('write 2', s.write('2', cb3('write 2')))
    clog3('corked', s.writable_corked, s.writable_length, s.destroyed)
    s.uncork()
    clog3('uncorked', s.writable_corked, s.writable_length, s.destroyed, s.ready_state)


server.listen(0, '127.0.0.1', on_listening)
run()
