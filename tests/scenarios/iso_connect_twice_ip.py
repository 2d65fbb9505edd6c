# connect() again, in the same tick, on a socket that is still connecting,
# to an IP address: Node starts a second connect on the same handle,
# which fails with EALREADY: 'error' then 'close' true, no 'connect'.
# connect() neither throws nor returns anything but the socket.
import gevent

import greennet
from _common import log, run

MODE = 'ip'
peers = set()


def on_connection(sock):
    peers.add(sock)
    sock.on('error', lambda e: None)
    sock.on('data', lambda d: sock.end('pong'))


server = greennet.create_server(on_connection)


def on_listening():
    port = server.address()['port']

    def lookup(hostname, options, cb):
        log('lookup called', hostname)
        gevent.spawn(cb, None, '127.0.0.1', 4)

    def target():
        if MODE == 'ip':
            return (port, '127.0.0.1'), {}
        return (), {'port': port, 'host': 'svc.test', 'family': 4, 'lookup': lookup}

    s = greennet.Socket()
    s.set_encoding('utf8')
    s.on('lookup', lambda err, address, family, host: log('lookup', err.code if err else None,
                                                          address, family, host))

    def on_connect():
        log('connect')
        s.write('ping')
    s.on('connect', on_connect)
    s.on('ready', lambda: log('ready'))
    s.on('data', lambda d: log('data', d))
    s.on('end', lambda: log('end'))
    s.on('error', lambda e: log('error', e.code, e.syscall,
                                getattr(e, 'address', None) == '127.0.0.1',
                                getattr(e, 'port', None) == port))

    def on_close(*a):
        log('close', a[0] if a else None, s.destroyed)
        for p in list(peers):
            p.destroy()
        server.close()
    s.on('close', on_close)
    args, kwargs = target()
    s.connect(*args, **kwargs)
    log('first connect', s.connecting, s.ready_state)
    try:
        args, kwargs = target()
        r = s.connect(*args, **kwargs)
        log('second connect returns socket', r is s, s.connecting, s.destroyed, s.ready_state)
    except Exception as e:  # noqa: BLE001 - Node does not throw here
        log('second connect throws', getattr(e, 'code', None))


server.listen(0, '127.0.0.1', on_listening)
run()
