# The same address properties on a connection over ::1.
import greennet
from _common import channel, log, run

slog = channel('server')
state = {}


def on_connection(sock):
    state['server_side'] = sock
    a = sock.address()
    slog('server side', sock.remote_address, sock.remote_family, sock.local_address,
         a['address'], a['family'], a['port'] == server.address()['port'])
    sock.resume()
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection)


def on_listening():
    sa = server.address()
    log('server address', sa['address'], sa['family'])

    def on_connect():
        a = c.address()
        log('client', c.remote_address, c.remote_family, c.remote_port == sa['port'],
            c.local_address, a['address'], a['family'], a['port'] == c.local_port)
        c.end()
    c = greennet.connect(sa['port'], '::1', on_connect)
    c.resume()
    c.on('close', lambda had_error: log('ports match', state['server_side'].remote_port == c.local_port))


server.listen(0, '::1', on_listening)
run()
