# Socket(fd=N) wrapping an already connected TCP descriptor: it is open at
# once (not pending, not connecting), knows its peer, reads and writes;
# end() and the peer's end close it. (The Node twin inherits the descriptor
# in a child process; here it is made with the socket module.)
import socket

import greennet
from _common import channel, log, run

slog = channel('server')


def on_connection(sock):
    sock.set_encoding('utf8')

    def on_data(d):
        slog('data', d)
        if d == 'ping':
            sock.write('pong')
    sock.on('data', on_data)

    def on_end():
        slog('end')
        sock.end()
    sock.on('end', on_end)
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection)


def on_listening():
    port = server.address()['port']
    raw = socket.create_connection(('127.0.0.1', port))
    s = greennet.Socket(fd=raw.detach())
    log('state', s.pending, s.connecting, s.ready_state, s.readable, s.writable)
    log('peer', s.remote_address, s.remote_port == port, s.remote_family, s.local_address)
    s.on('connect', lambda: log('unexpected connect'))
    s.set_encoding('utf8')

    def on_data(d):
        log('data', d)
        s.end('bye')
    s.on('data', on_data)
    s.on('end', lambda: log('end'))
    s.on('finish', lambda: log('finish'))
    s.on('close', lambda had_error: log('close', had_error, s.bytes_read, s.bytes_written))
    log('write', s.write('ping'))


server.listen(0, '127.0.0.1', on_listening)
run()
