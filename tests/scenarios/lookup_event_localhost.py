# Connecting to a host name emits 'lookup' (err, address, family, host)
# after connect() returns and before 'connect'; an IP host emits none.
import greennet
from _common import log, run

server = greennet.create_server(lambda sock: sock.resume())


def on_listening():
    port = server.address()['port']
    c = greennet.connect(port=port, host='localhost', family=4)
    log('connect returned')
    c.on('lookup', lambda err, address, family, host: log('lookup', err, address, family, host))

    def on_connect():
        log('connect', c.remote_address)
        c.end()
    c.on('connect', on_connect)
    c.resume()

    def on_close(had_error):
        def d_connect():
            log('ip connect')
            d.end()
        d = greennet.connect(port, '127.0.0.1', d_connect)
        d.on('lookup', lambda *a: log('unexpected lookup'))
        d.resume()
        d.on('close', lambda had_error: server.close())
    c.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
