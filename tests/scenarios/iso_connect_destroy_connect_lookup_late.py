# s.connect(); s.destroy(); s.connect() in one tick with a host name whose
# (custom) lookup answers the first call on the next turn of the loop and
# the second call only once the connection has been served: the first
# answer connects the socket (the destroyed attempt's answer is not
# discarded), the second answer is reported by 'lookup' and otherwise
# ignored. The first handle's 'close' (False, socket not destroyed) comes
# in between. Node quirk pinned here: that stale 'close' marks the new
# connection's readable side closed, so the peer's FIN never gives 'end'
# (the scenario destroys the socket itself).
import gevent

import greennet
from _common import log, run


def on_connection(sock):
    sock.on('error', lambda e: None)
    sock.on('data', lambda d: sock.end('pong'))


server = greennet.create_server(on_connection)


def on_listening():
    port = server.address()['port']
    calls = []
    held = {}

    def lookup(hostname, options, cb):
        calls.append(1)
        k = len(calls)
        log('lookup called', k, hostname)
        if k == 1:
            def answer():
                log('lookup answers', k)
                cb(None, '127.0.0.1', 4)
            gevent.spawn(answer)
        else:
            def later():
                log('lookup answers', k)
                cb(None, '127.0.0.1', 4)
                log('after answer', s.connecting, s.destroyed, s.ready_state)

                def still():
                    log('still', s.connecting, s.destroyed, s.ready_state)
                    s.destroy()
                gevent.spawn(still)
            held['fn'] = later

    s = greennet.Socket()
    s.set_encoding('utf8')
    s.on('lookup', lambda err, address, family, host: log('lookup', err.code if err else None,
                                                          address, family, host))

    def on_connect():
        log('connect')
        s.write('ping')
    s.on('connect', on_connect)
    s.on('ready', lambda: log('ready'))

    def on_data(d):
        log('data', d)
        gevent.spawn(held['fn'])
    s.on('data', on_data)
    s.on('end', lambda: log('end'))
    s.on('error', lambda e: log('error', e.code, e.syscall, getattr(e, 'address', None),
                                getattr(e, 'port', None) == port))
    state = {'open': True}

    def on_close(*a):
        log('close', a[0] if a else None, s.destroyed)
        if s.destroyed and state['open']:
            state['open'] = False
            server.close()
    s.on('close', on_close)
    s.connect(port=port, host='svc.test', family=4, lookup=lookup)
    s.destroy()
    log('destroyed', s.destroyed, s.connecting, s.ready_state)
    r = s.connect(port=port, host='svc.test', family=4, lookup=lookup)
    log('second connect', r is s, s.connecting, s.destroyed, s.ready_state)


server.listen(0, '127.0.0.1', on_listening)
run()
