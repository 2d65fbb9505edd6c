# write() on a socket that is still connecting is queued: it returns True,
# pending/connecting are True and writable_length counts it; the data is
# sent after 'connect' and the write callback runs then. Writing to a
# Socket that was never connected fails with ERR_SOCKET_CLOSED.
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
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection)


def on_listening():
    lone = greennet.Socket()
    lone.on('error', lambda e: log('lone error', e.code))
    # Node emits this 'close' without an argument (the socket never had a handle).
    lone.on('close', lambda *a: log('lone close', a[0] if a else None))
    log('lone write', lone.write('x', lambda err=None: log('lone write cb',
                                                         err.code if err else None)))

    c = greennet.connect(server.address()['port'], '127.0.0.1')
    log('state', c.pending, c.connecting, c.ready_state)
    r1 = c.write('hello ', lambda err=None: log('write cb 1', c.pending))
    r2 = c.write(b'world', lambda err=None: log('write cb 2'))
    log('write returns', r1, r2, 'writableLength', c.writable_length,
        'bytesWritten', c.bytes_written)

    def on_connect():
        log('connect', c.pending, c.ready_state)
        c.end()
    c.on('connect', on_connect)
    c.resume()
    c.on('close', lambda had_error: log('close', had_error, c.bytes_written))


server.listen(0, '127.0.0.1', on_listening)
run()
