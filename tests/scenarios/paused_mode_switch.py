# Switching modes as Node's stream.Readable: a 'data' listener makes the
# stream flow ('resume'); a 'readable' listener pauses it (flowing False,
# read() emits 'data' too); resume() with 'readable' on keeps it paused;
# removing the 'readable' listener lets the 'data' listener flow again.
from _common import log, run

import greennet


def on_connection(sock):
    sock.on('resume', lambda: log('resume event flowing', sock.readable_flowing))
    sock.on('pause', lambda: log('pause event flowing', sock.readable_flowing))
    n = [0]

    def on_readable():
        log('readable length', sock.readable_length, 'flowing', sock.readable_flowing)
        chunk = sock.read()
        log('read() returned', None if chunk is None else chunk.decode())
        if chunk is None:
            return
        sock.resume()
        log('after resume() flowing', sock.readable_flowing, 'paused', sock.is_paused())
        sock.remove_listener('readable', on_readable)
        log('readable removed, flowing', sock.readable_flowing)
        sock.write('ack')

    def on_data(d):
        n[0] += 1
        log('data', d.decode(), 'flowing', sock.readable_flowing)
        if n[0] == 1:
            sock.on('readable', on_readable)
            log('readable added, flowing', sock.readable_flowing, 'paused', sock.is_paused())
            sock.write('ack')
        elif n[0] == 3:
            sock.pause()
            log('paused', sock.is_paused(), 'flowing', sock.readable_flowing)
            sock.resume()
            sock.write('ack')
    sock.on('data', on_data)
    log('flowing', sock.readable_flowing)
    sock.on('end', lambda: log('end'))

    def on_close(*_):
        log('close')
        server.close()
    sock.on('close', on_close)


server = greennet.create_server(on_connection)


def on_listening():
    client = greennet.connect(server.address()['port'], '127.0.0.1', lambda: client.write('a'))
    acks = [0]

    def on_data(_):
        acks[0] += 1
        if acks[0] == 1:
            client.write('b')
        elif acks[0] == 2:
            client.write('c')
        else:
            client.end()
    client.on('data', on_data)


server.listen(0, '127.0.0.1', on_listening)
run()
