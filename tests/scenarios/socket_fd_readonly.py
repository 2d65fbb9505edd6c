# Socket(fd=N, readable=True, writable=False) on a connected descriptor:
# readable but not writable; a write fails (ERR_STREAM_WRITE_AFTER_END,
# which destroys the socket); the peer then sees the end. (The Node twin
# inherits the descriptor in a child process.)
import socket

import gevent

import greennet
from _common import channel, log, run

slog = channel('server')


def on_connection(sock):
    sock.on('data', lambda d: slog('unexpected data', len(d)))
    sock.on('end', lambda: slog('end'))
    sock.on('close', lambda had_error: server.close())
    gevent.spawn_later(0.2, sock.end, 'hello')


server = greennet.create_server(on_connection)


def on_listening():
    raw = socket.create_connection(('127.0.0.1', server.address()['port']))
    s = greennet.Socket(fd=raw.detach(), readable=True, writable=False)
    log('state', s.readable, s.writable, s.ready_state)
    s.on('error', lambda e: log('error', e.code))
    log('write', s.write('nope', lambda err=None: log('write cb', err.code if err else None)))
    s.set_encoding('utf8')
    s.on('data', lambda d: log('data', d))
    s.on('end', lambda: log('end'))
    s.on('close', lambda had_error: log('close', had_error))


server.listen(0, '127.0.0.1', on_listening)
run()
