# The family option decides which address the lookup is asked for; the
# custom lookup sees it and the connection uses the matching family.
import gevent

import greennet
from _common import log, run

server = greennet.create_server(lambda sock: sock.resume())


def on_listening():
    port = server.address()['port']

    def lookup(hostname, options, cb):
        log('lookup', hostname, options['family'])
        if options['family'] == 6:
            gevent.spawn(cb, None, '::1', 6)
        else:
            gevent.spawn(cb, None, '127.0.0.1', 4)
    c6 = greennet.connect(port=port, host='dual.test', family=6, lookup=lookup)
    c6.on('lookup', lambda err, address, family, host: log('c6 lookup event', err, address,
                                                           family))

    def c6_connect():
        log('c6 connect', c6.remote_address, c6.remote_family)
        c6.end()
    c6.on('connect', c6_connect)
    c6.resume()

    def c6_close(had_error):
        c4 = greennet.connect(port=port, host='dual.test', family=4, lookup=lookup)
        c4.on('lookup', lambda err, address, family, host: log('c4 lookup event', err,
                                                               address, family))
        c4.on('connect', lambda: log('unexpected c4 connect'))
        c4.on('error', lambda e: log('c4 error', e.code, e.address))

        def c4_close(had_error):
            log('c4 close', had_error)
            server.close()
        c4.on('close', c4_close)
    c6.on('close', c6_close)


server.listen(0, '::1', on_listening)
run()
