# A custom lookup function is called with (hostname, options, callback);
# it is called during connect(); its (asynchronous) answer is where the
# socket connects, and 'lookup' reports it.
import gevent

import greennet
from _common import log, run

server = greennet.create_server(lambda sock: sock.resume())


def on_listening():
    port = server.address()['port']

    def lookup(hostname, options, cb):
        log('lookup called', hostname, 'object' if isinstance(options, dict) else options,
            options['family'], 'function' if callable(cb) else cb)
        gevent.spawn(cb, None, '127.0.0.1', 4)
    c = greennet.connect(port=port, host='my.service.test', lookup=lookup, family=4)
    log('connect returned')
    c.on('lookup', lambda err, address, family, host: log('lookup event', err, address,
                                                          family, host))

    def on_connect():
        log('connect', c.remote_address, c.remote_port == port)
        c.end()
    c.on('connect', on_connect)
    c.resume()

    def on_close(had_error):
        log('close', had_error)
        server.close()
    c.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
