# connecting / pending / ready_state / destroyed / writable_length through a
# socket's life: new, connecting (writes buffered), open, ended, closed.
import greennet
from _common import log, run


def on_connection(sock):
    sock.resume()
    sock.on('end', lambda: sock.end())


server = greennet.create_server(on_connection)


def on_listening():
    s = greennet.Socket()

    def show(label):
        log(label, s.connecting, s.pending, s.ready_state, s.destroyed,
            s.writable_length, s.buffer_size)
    show('new')
    r = s.connect(server.address()['port'], '127.0.0.1')
    log('connect returns socket', r is s)
    show('connecting')
    s.write('hello')
    show('buffered')

    def on_connect():
        show('connect')
        s.end()
        show('ended')
    s.on('connect', on_connect)
    s.on('ready', lambda: show('ready'))
    s.on('finish', lambda: show('finish'))
    s.on('end', lambda: show('end'))
    s.resume()

    def on_close(had_error):
        show('close')
        log('hadError', had_error)
        server.close()
    s.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
