# Paused mode after set_encoding(): it decodes what is already
# buffered; readable_length and read(n) count characters; a character split
# across chunks waits for its end; the decoder's tail is read at the end.
from _common import log, run

import greennet


def codes(s):
    return ' '.join(f'{ord(c):x}' for c in s)


def on_connection(sock):
    step = [0]

    def on_readable():
        step[0] += 1
        log('readable', step[0], 'length', sock.readable_length)
        if step[0] == 1:
            sock.set_encoding('utf8')
            log('setEncoding length', sock.readable_length)
            log('read()', codes(sock.read()))
        elif step[0] == 2:
            log('read(2)', codes(sock.read(2)))
            log('read()', codes(sock.read()))
        else:
            while True:
                chunk = sock.read()
                if chunk is None:
                    break
                log('read()', codes(chunk))
            log('read() null')
            return
        sock.write('ack')
    sock.on('readable', on_readable)
    sock.on('end', lambda: log('end'))

    def on_close(*_):
        log('close')
        server.close()
    sock.on('close', on_close)


server = greennet.create_server(on_connection)


def on_listening():
    client = greennet.connect(server.address()['port'], '127.0.0.1', lambda: client.write(b'h\xc3'))
    acks = [0]

    def on_data(_):
        acks[0] += 1
        if acks[0] == 1:
            client.write(b'\xa9llo')
        else:
            client.end(b'\xe2\x82')
    client.on('data', on_data)


server.listen(0, '127.0.0.1', on_listening)
run()
