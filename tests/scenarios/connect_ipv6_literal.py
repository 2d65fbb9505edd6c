# connect() with host an IPv6 literal: no lookup (no 'lookup' event, the
# custom lookup is not called), addresses are IPv6; a bracketed literal is
# not an address and goes to the lookup.
import gevent

import greennet
from _common import log, run


def on_connection(sock):
    sock.end('%s %s' % (sock.remote_address, sock.remote_family))


server = greennet.create_server(on_connection)


def on_listening():
    port = server.address()['port']

    def lookup(host, options, cb):
        log('lookup called', host)
        gevent.spawn(cb, Exception('no such host'))
    c = greennet.connect(port=port, host='::1', lookup=lookup)
    c.on('lookup', lambda *a: log('unexpected lookup event'))
    c.set_encoding('utf8')
    c.on('connect', lambda: log('connect', c.remote_address, c.remote_family, c.local_address,
                                c.remote_port == port, c.address()['family']))
    c.on('data', lambda d: log('server saw', d))

    def on_close(had_error):
        log('close', had_error)
        b = greennet.connect(port=port, host='[::1]', lookup=lookup)
        b.on('lookup', lambda err, address=None, *a: log('bracket lookup event',
                                                         str(err) if err else None, address))
        b.on('connect', lambda: log('unexpected bracket connect'))
        b.on('error', lambda e: log('bracket error', str(e)))

        def b_close(had_error2):
            log('bracket close', had_error2)
            server.close()
        b.on('close', b_close)
    c.on('close', on_close)


server.listen(0, '::1', on_listening)
run()
