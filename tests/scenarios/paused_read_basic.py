# Paused mode: a 'readable' listener switches to paused mode (readable_flowing
# False); read(n) returns n bytes, read(n > buffered) None, read() the rest,
# then None; at the end 'readable' comes once more, read() is None, 'end'.
from _common import log, run

import greennet


def on_connection(sock):
    log('connection flowing', sock.readable_flowing, 'length', sock.readable_length,
        'paused', sock.is_paused())

    def on_readable():
        log('readable length', sock.readable_length, 'ended', sock.readable_ended)
        if sock.readable_length >= 3:
            log('read(3)', sock.read(3).decode())
            log('read(100)', sock.read(100))
            log('length', sock.readable_length)
        while True:
            chunk = sock.read()
            if chunk is None:
                break
            log('read()', chunk.decode())
        log('read() null, length', sock.readable_length)
        if not sock.readable_ended and sock.writable:
            sock.write('ack')
    sock.on('readable', on_readable)
    log('flowing', sock.readable_flowing, 'paused', sock.is_paused())
    sock.on('end', lambda: log('end'))

    def on_close(*_):
        log('close')
        server.close()
    sock.on('close', on_close)


server = greennet.create_server(on_connection)


def on_listening():
    client = greennet.connect(server.address()['port'], '127.0.0.1', lambda: client.write('hello'))
    acks = [0]

    def on_data(_):
        acks[0] += 1
        if acks[0] == 1:
            client.write('world')
        else:
            client.end()
    client.on('data', on_data)


server.listen(0, '127.0.0.1', on_listening)
run()
