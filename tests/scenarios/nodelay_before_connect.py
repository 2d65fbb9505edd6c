# set_no_delay()/set_keep_alive() on a Socket before connect() return the
# socket and do not disturb the later connection, which works normally.
import greennet
from _common import log, run

server = greennet.create_server(lambda sock: sock.end('ok'))


def on_listening():
    s = greennet.Socket()
    log('setNoDelay(true)', s.set_no_delay(True) is s, s.pending)
    log('setKeepAlive(true, 100)', s.set_keep_alive(True, 100) is s)

    def on_connect():
        log('connect', s.ready_state)
        log('setNoDelay(false) after', s.set_no_delay(False) is s)
    r = s.connect(server.address()['port'], '127.0.0.1', on_connect)
    log('connect returns socket', r is s)
    s.set_encoding('utf8')
    s.on('data', lambda d: log('data', d))

    def on_close(had_error):
        log('close', had_error)
        server.close()
    s.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
