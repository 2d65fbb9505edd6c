# Writing to a peer that has reset the connection: the client does not read
# (paused), waits until the server side is closed, then writes; the write
# callback gets the error, 'error' carries the same code, then 'close' True.
import greennet
from _common import log, run

state = {}


def on_connection(sock):
    def on_close(had_error):
        log('server side closed')
        server.close()
        client = state['client']

        def write_cb(err=None):
            log('write callback', err.code if err else None, err.syscall if err else None)
        r = client.write('after reset', write_cb)
        log('write returns', 'boolean' if isinstance(r, bool) else type(r).__name__)
    sock.on('close', on_close)
    sock.once('data', lambda d: sock.reset_and_destroy())


server = greennet.create_server(on_connection)


def on_listening():
    client = state['client'] = greennet.connect(server.address()['port'], '127.0.0.1')
    client.pause()

    def on_connect():
        log('client connect')
        client.write('ping')
    client.on('connect', on_connect)
    client.on('error', lambda e: log('client error', e.code, e.syscall))
    client.on('close', lambda had_error: log('client close', had_error))


server.listen(0, '127.0.0.1', on_listening)
run()
