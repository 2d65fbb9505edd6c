# end(data, cb) and end(cb): the callback runs after 'finish' and before
# 'close'; end() returns the socket.
import greennet
from _common import log, run


def first(args):
    return args[0] if args else None


server = greennet.create_server(lambda sock: sock.resume())


def on_listening():
    port = server.address()['port']

    def a_connect():
        r = a.end('bye', lambda *e: log('a end cb', first(e)))
        log('a end returns socket', r is a, a.writable_ended, a.writable_finished)
    a = greennet.connect(port, '127.0.0.1', a_connect)
    a.resume()
    a.on('finish', lambda: log('a finish'))

    def a_close(had_error):
        log('a close', had_error)
        b = greennet.connect(port, '127.0.0.1',
                             lambda: b.end(lambda *e: log('b end cb')))
        b.resume()
        b.on('finish', lambda: log('b finish'))

        def b_close(had_error2):
            log('b close', had_error2)
            server.close()
        b.on('close', b_close)
    a.on('close', a_close)


server.listen(0, '127.0.0.1', on_listening)
run()
