# local_address / local_port options bind the client before connecting; the
# server sees that address and port as the remote end.
import greennet
from _common import channel, log, run

slog = channel('server')
state = {'wanted': 0}


def on_connection(sock):
    slog('server sees', sock.remote_address, sock.remote_port == state['wanted'])
    sock.resume()
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection)
probe = greennet.create_server()


def on_probe_listening():
    wanted = state['wanted'] = probe.address()['port']

    def on_probe_closed(*e):
        def on_listening():
            def on_connect():
                log('client', c.local_address, c.local_port == wanted,
                    c.address()['port'] == wanted)
                c.end()
            c = greennet.connect(on_connect, port=server.address()['port'], host='127.0.0.1',
                                 local_address='127.0.0.1', local_port=wanted)
            c.resume()
            c.on('close', lambda had_error: log('close', had_error))
        server.listen(0, '127.0.0.1', on_listening)
    probe.close(on_probe_closed)


probe.listen(0, '127.0.0.1', on_probe_listening)
run()
