# remote_address / remote_port / remote_family / local_address / local_port /
# address() on both ends of an IPv4 connection, and before connecting.
import greennet
from _common import channel, log, run

slog = channel('server')
state = {}


def on_connection(sock):
    state['server_side'] = sock
    a = sock.address()
    slog('server side', sock.remote_address, sock.remote_family, sock.local_address,
         sock.local_port == server.address()['port'], a['address'], a['family'],
         a['port'] == sock.local_port)
    sock.resume()
    sock.on('end', lambda: slog('server remotePort after end',
                                'number' if isinstance(sock.remote_port, int) else sock.remote_port))
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection)


def on_listening():
    c = greennet.Socket()
    log('before', c.remote_address, c.remote_port, c.remote_family, c.local_address,
        c.local_port, len(c.address()))

    def on_connect():
        a = c.address()
        log('client', c.remote_address, c.remote_family,
            c.remote_port == server.address()['port'], c.local_address,
            'number' if isinstance(c.local_port, int) else c.local_port,
            a['address'], a['family'], a['port'] == c.local_port)
        c.end()
    c.connect(server.address()['port'], '127.0.0.1', on_connect)
    c.resume()

    def on_close(had_error):
        log('ports match', state['server_side'].remote_port == c.local_port)
        log('client closed, remoteAddress', c.remote_address, c.local_address)
    c.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
