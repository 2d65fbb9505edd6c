# set_encoding('base64') / ('base64url'): bytes arriving in pieces of 1, 2,
# 4, 5 and 1 bytes (each write waits until the previous piece has been
# read) are decoded in whole 3-byte groups; the remainder is flushed at 'end'.
import json

import gevent

import greennet
from _common import log, run

data = bytes([0xfb, 0xff, 0xbf, 0x00, 0x3e, 0x3f, 0xfe, 0xfa, 0x01, 0x02, 0xff, 0xef, 0x7f])
pieces = [1, 2, 4, 5, 1]


def session(port, enc, done):
    c = greennet.connect(port, '127.0.0.1')
    c.set_encoding(enc)
    seen = []
    c.on('data', lambda d: seen.append(json.dumps(d)))
    c.on('end', lambda: log(enc, 'data', ' '.join(seen), 'read', c.bytes_read))
    c.on('close', lambda had_error: done())


def on_connection(sock):
    state = {'i': 0, 'off': 0}

    def next_piece():
        i = state['i']
        if i == len(pieces):
            sock.end()
            return
        n = pieces[i]
        sock.write(data[state['off']:state['off'] + n])
        state['off'] += n
        state['i'] = i + 1
        gevent.spawn_later(0.04, next_piece)
    next_piece()


server = greennet.create_server(on_connection)


def on_listening():
    port = server.address()['port']
    session(port, 'base64', lambda: session(port, 'base64url', lambda: server.close()))


server.listen(0, '127.0.0.1', on_listening)
run()
