# destroy() while writes are held back by a peer that does not read: the
# write the kernel had started on gets its callback with None (Node
# reports no error for a write cut short by destroy), the writes and the
# end() queued behind it get ERR_STREAM_DESTROYED, all before 'close'
# (False); no 'error', no 'finish'.
import gevent

import greennet
from _common import log, run

peer = {}


def on_connection(sock):
    peer['sock'] = sock
    sock.pause()
    sock.on('error', lambda e: None)


server = greennet.create_server(on_connection)


def cb(label):
    return lambda *e: log(label, 'cb', e[0].code if e and e[0] is not None else None)


def on_listening():
    c = greennet.connect(server.address()['port'], '127.0.0.1')

    def on_connect():
        log('write big', c.write(bytes(32 * 1024 * 1024), cb('write big')))
        log('write tail', c.write('tail', cb('write tail')))
        c.end(cb('end'))
        log('pending', c.writable_length > 0, c.writable_need_drain)

        def later():
            c.destroy()
            log('destroyed', c.destroyed)
        gevent.spawn(later)
    c.on('connect', on_connect)
    c.on('finish', lambda: log('finish'))
    c.on('drain', lambda: log('drain'))
    c.on('error', lambda e: log('error', e.code))

    def on_close(had_error):
        log('close', had_error)
        peer['sock'].destroy()
        server.close()
    c.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
