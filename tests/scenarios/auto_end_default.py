# Without allow_half_open, a socket whose peer ends ends its own writable
# side automatically: 'end', then 'finish', then 'close'.
import greennet
from _common import channel, log, run

slog = channel('server')


def on_connection(sock):
    sock.resume()
    sock.on('end', lambda: slog('end', sock.writable, sock.writable_ended))
    sock.on('finish', lambda: slog('finish', sock.writable_finished))

    def on_close(had_error):
        slog('close', had_error, sock.destroyed)
        server.close()
    sock.on('close', on_close)


server = greennet.create_server(on_connection)


def on_listening():
    client = greennet.connect(server.address()['port'], '127.0.0.1',
                              lambda: client.end())
    client.on('end', lambda: log('client end'))
    client.on('finish', lambda: log('client finish'))
    client.resume()
    client.on('close', lambda had_error: log('client close', had_error))


server.listen(0, '127.0.0.1', on_listening)
run()
