# set_no_delay / set_keep_alive return the socket, before and after
# connecting, with and without arguments; no_delay / keep_alive options are
# accepted by create_server and connect.
import greennet
from _common import channel, log, run

slog = channel('server')


def on_connection(sock):
    slog('server side setNoDelay', sock.set_no_delay(False) is sock)
    sock.resume()
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection, no_delay=True, keep_alive=True,
                                keep_alive_initial_delay=1000)


def on_listening():
    s = greennet.Socket()
    log('unconnected setNoDelay', s.set_no_delay() is s)
    log('unconnected setKeepAlive', s.set_keep_alive(True, 500) is s)

    def on_connect():
        log('setNoDelay()', c.set_no_delay() is c)
        log('setNoDelay(true)', c.set_no_delay(True) is c)
        log('setNoDelay(false)', c.set_no_delay(False) is c)
        log('setKeepAlive()', c.set_keep_alive() is c)
        log('setKeepAlive(true)', c.set_keep_alive(True) is c)
        log('setKeepAlive(true, 1000)', c.set_keep_alive(True, 1000) is c)
        log('setKeepAlive(false)', c.set_keep_alive(False) is c)
        c.end()
    c = greennet.connect(on_connect, port=server.address()['port'], host='127.0.0.1',
                         no_delay=True, keep_alive=True, keep_alive_initial_delay=2000)
    c.resume()
    c.on('close', lambda had_error: log('close', had_error))


server.listen(0, '127.0.0.1', on_listening)
run()
