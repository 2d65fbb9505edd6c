# s.connect(); s.destroy(); s.connect() in one tick to an IP address. In
# Node both deferred connect attempts land on the second handle: the
# second attempt fails with EALREADY ('error', then 'close' True), then the
# first handle's 'close' (False) follows; no 'connect', nothing is served.
import greennet
from _common import log, run


def on_connection(sock):
    sock.on('error', lambda e: None)
    sock.on('data', lambda d: sock.end('pong'))


server = greennet.create_server(on_connection)


def on_listening():
    port = server.address()['port']
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
    s.on('error', lambda e: log('error', e.code, e.syscall, getattr(e, 'address', None),
                                getattr(e, 'port', None) == port))
    state = {'open': True}

    def on_close(*a):
        log('close', a[0] if a else None, s.destroyed)
        if s.destroyed and state['open']:
            state['open'] = False
            server.close()
    s.on('close', on_close)
    s.connect(port, '127.0.0.1')
    s.destroy()
    log('destroyed', s.destroyed, s.connecting, s.ready_state)
    r = s.connect(port, '127.0.0.1')
    log('second connect', r is s, s.connecting, s.destroyed, s.ready_state)


server.listen(0, '127.0.0.1', on_listening)
run()
