# set_encoding('utf16le') / ('ucs2') with code units and surrogate pairs
# split across 'data' events (pieces of 1-3 bytes, with pauses): what Node's
# decoder emits per event, as code units (a pair sent 2+2 comes out whole,
# one sent 3+1 or byte by byte comes out as two halves); a dangling odd
# byte at the end is dropped.
import gevent

import greennet
from _common import log, run

text = 'a\u00e9\U0001F600z\U00010348\U0001F600'
pieces = [1, 1, 2, 2, 2, 2, 3, 1, 1, 1, 1, 1, 1]
data = text.encode('utf-16-le') + b'\x41'


def codes(s):
    raw = s.encode('utf-16-le', 'surrogatepass')
    return '.'.join('%x' % int.from_bytes(raw[k:k + 2], 'little') for k in range(0, len(raw), 2))


def session(port, enc, done):
    c = greennet.connect(port, '127.0.0.1')
    c.set_encoding(enc)
    seen = []
    c.on('data', lambda d: seen.append(codes(d)))
    c.on('end', lambda: log(enc, 'events', ' '.join(seen)))
    c.on('close', lambda had_error: done())


def on_connection(sock):
    state = {'i': 0, 'off': 0}

    def next_piece():
        i = state['i']
        if i == len(pieces):
            sock.end()
            return
        sock.write(data[state['off']:state['off'] + pieces[i]])
        state['off'] += pieces[i]
        state['i'] = i + 1
        gevent.spawn_later(0.02, next_piece)
    next_piece()


server = greennet.create_server(on_connection)


def on_listening():
    port = server.address()['port']
    session(port, 'utf16le', lambda: session(port, 'ucs2', lambda: server.close()))


server.listen(0, '127.0.0.1', on_listening)
run()
