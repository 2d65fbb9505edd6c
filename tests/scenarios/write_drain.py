# write() returns True for a small chunk and False once more is queued than
# the kernel takes (the peer is paused); 'drain' follows, once, when the
# peer reads; the peer gets every byte.
import gevent

import greennet
from _common import channel, log, run

BIG = 8 * 1024 * 1024
slog = channel('server')


def on_connection(sock):
    n = {'n': 0}

    def on_data(d):
        n['n'] += len(d)
    sock.on('data', on_data)
    sock.on('end', lambda: slog('server got', n['n']))
    sock.on('close', lambda had_error: server.close())
    gevent.spawn_later(0.2, sock.resume)


server = greennet.create_server(on_connection, pause_on_connect=True)


def on_listening():
    def on_connect():
        log('writableHighWaterMark', client.writable_high_water_mark)
        log('small write', client.write(b'a' * 100))
        log('large write', client.write(b'b' * BIG))
        log('needDrain', client.writable_need_drain, client.writable_length > 0)
    client = greennet.connect(server.address()['port'], '127.0.0.1', on_connect)
    drains = {'n': 0}

    def on_drain():
        drains['n'] += 1
        log('drain', drains['n'], client.writable_need_drain, client.writable_length)
        client.end()
    client.on('drain', on_drain)
    client.on('close', lambda had_error: log('close', had_error, drains['n'],
                                             client.bytes_written))


server.listen(0, '127.0.0.1', on_listening)
run()
