# Node's async iterator (greennet: `for chunk in socket` in the calling
# greenlet, here the connection listener's own strand): each chunk in turn,
# the loop ends at the peer's end and destroys the socket; `break` destroys
# it; a reset by the peer is raised out of the loop.
from _common import err_code, log, run

import greennet

n = [0]


def on_connection(sock):
    n[0] += 1
    cid = n[0]
    sock.on('end', lambda: log(cid, 'end'))
    sock.on('close', lambda had_error: log(cid, 'close', had_error))
    try:
        for chunk in sock:
            log(cid, 'chunk', chunk.decode(), 'flowing', sock.readable_flowing,
                'readable listeners', len(sock.listeners('readable')))
            if cid == 2:
                break
            sock.write('ack')
        log(cid, 'loop done, destroyed', sock.destroyed)
    except Exception as err:
        log(cid, 'loop threw', err_code(err), 'destroyed', sock.destroyed)


server = greennet.create_server(on_connection)


def client(cid, then):
    c = greennet.connect(server.address()['port'], '127.0.0.1', lambda: c.write('a'))
    acks = [0]

    def on_data(_):
        acks[0] += 1
        if acks[0] == 1:
            c.write('b')
        elif cid == 1:
            c.end()
        else:
            c.reset_and_destroy()
    c.on('data', on_data)
    c.on('error', lambda e: log('client', cid, 'error', err_code(e)))

    def on_close(*_):
        log('client', cid, 'close')
        then()
    c.on('close', on_close)


server.listen(0, '127.0.0.1',
              lambda: client(1, lambda: client(2, lambda: client(3, lambda: server.close()))))
run()
