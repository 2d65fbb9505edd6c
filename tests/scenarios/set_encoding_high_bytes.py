# Single-byte decodings of bytes >= 0x80: latin1 (and its alias binary) map
# each byte to the same code point, ascii as Node does it, hex as two digits.
import greennet
from _common import log, run

data = bytes([0x41, 0x7f, 0x80, 0xa9, 0xe9, 0xff])
encs = ['latin1', 'binary', 'ascii', 'hex']


def codes(s):
    return '.'.join('%x' % ord(ch) for ch in s)


server = greennet.create_server(lambda sock: sock.end(data))


def on_listening():
    port = server.address()['port']
    state = {'i': 0}

    def next_enc(*_):
        if state['i'] == len(encs):
            server.close()
            return
        enc = encs[state['i']]
        state['i'] += 1
        c = greennet.connect(port, '127.0.0.1')
        c.set_encoding(enc)
        parts = []
        c.on('data', parts.append)

        def on_end():
            got = ''.join(parts)
            log(enc, 'string' if isinstance(got, str) else type(got).__name__, len(got), codes(got))
        c.on('end', on_end)
        c.on('close', next_enc)
    next_enc()


server.listen(0, '127.0.0.1', on_listening)
run()
