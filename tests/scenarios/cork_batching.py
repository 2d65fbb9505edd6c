# cork()/uncork(): nested corks hold writes back until the last uncork();
# Node's pattern cork(); write(); write(); process.nextTick(() => uncork())
# sends the writes together (the peer gets them in one read), with their
# callbacks on the tick after; writable_corked counts; writable_length holds
# the corked bytes; end() uncorks fully. The peer acknowledges each read,
# and the second batch is written on the first acknowledgement.
import gevent

import greennet
from _common import channel, log, run

got = channel('peer')


def on_connection(sock):
    chunks = []

    def on_data(d):
        chunks.append(d.decode())
        sock.write('ok')
    sock.on('data', on_data)

    def on_end():
        got('chunks', '|'.join(chunks))
        server.close()
    sock.on('end', on_end)


server = greennet.create_server(on_connection)


def cb(label):
    return lambda *e: log(label, 'cb', e[0].code if e and e[0] is not None else None)


def on_listening():
    c = greennet.connect(server.address()['port'], '127.0.0.1')

    def second_batch(_data):
        c.cork()
        c.write('c', cb('c'))
        c.write('d', cb('d'))
        log('before end', c.writable_corked, c.writable_length)
        c.end('e', cb('end'))
        log('after end', c.writable_corked, c.writable_ended)

    def next_tick():
        c.uncork()
        log('uncorked', c.writable_corked, c.writable_length)
        gevent.spawn(log, 'tick after uncork')
        c.once('data', second_batch)

    def on_connect():
        log('corked', c.writable_corked)
        c.cork()
        c.cork()
        log('corked', c.writable_corked)
        log('write a', c.write('a', cb('a')))
        log('write b', c.write('b', cb('b')))
        log('length', c.writable_length)
        c.uncork()
        log('after one uncork', c.writable_corked, c.writable_length)
        gevent.spawn(next_tick)
    c.on('connect', on_connect)
    c.on('finish', lambda: log('finish'))
    c.on('close', lambda had_error: log('close', had_error))
    c.on('error', lambda e: log('error', e.code))
    c.on('end', lambda: log('end'))


server.listen(0, '127.0.0.1', on_listening)
run()
