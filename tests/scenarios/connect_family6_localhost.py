# connect(host='localhost', family=6) with the system resolver: the
# 'lookup' event reports ::1 and family 6, and the connection reaches an
# IPv6 server on ::1 -- or, where localhost has no IPv6 address, the lookup
# fails with ENOTFOUND (recorded as Node does it on this machine).
import greennet
from _common import log, run

server = greennet.create_server(lambda sock: sock.end(sock.remote_family))


def on_listening():
    c = greennet.connect(port=server.address()['port'], host='localhost', family=6)
    c.set_encoding('utf8')
    c.on('lookup', lambda err, address, family, host: log(
        'lookup', err.code if err else None, address, family, host))
    c.on('connect', lambda: log('connect', c.remote_address, c.remote_family))
    c.on('data', lambda d: log('server saw', d))
    c.on('error', lambda e: log('error', e.code))

    def on_close(had_error):
        log('close', had_error)
        server.close()
    c.on('close', on_close)


server.listen(0, '::1', on_listening)
run()
