# A 1 MiB write queued while the socket is still connecting returns False
# (more than the high water mark is buffered), writable_need_drain turns
# True, the callback runs, and 'drain' comes exactly once after connecting;
# the peer gets every byte.
import greennet
from _common import channel, log, run

MIB = 1024 * 1024
slog = channel('server')


def on_connection(sock):
    n = {'n': 0}

    def on_data(d):
        n['n'] += len(d)
    sock.on('data', on_data)

    def on_end():
        slog('got', n['n'])
        sock.end()
    sock.on('end', on_end)
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection)


def on_listening():
    c = greennet.connect(server.address()['port'], '127.0.0.1')
    r = c.write(b'x' * MIB, lambda err=None: log('write cb', err))
    log('write returns', r, c.writable_need_drain, c.writable_length)
    drains = {'n': 0}

    def on_drain():
        drains['n'] += 1
        log('drain', drains['n'], c.writable_length, c.writable_need_drain)
        c.end()
    c.on('drain', on_drain)
    c.resume()
    c.on('close', lambda had_error: log('close', had_error, drains['n'], c.bytes_written))


server.listen(0, '127.0.0.1', on_listening)
run()
