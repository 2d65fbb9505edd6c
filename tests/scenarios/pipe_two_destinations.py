# One source piped into two destinations: both receive every byte and are
# ended when the source ends; each pipe() returns its destination.
import gevent

import greennet
from _common import channel, log, run

slog = channel('sink')
got = []
state = {'closed': 0}


def on_sink(sock):
    sock.set_encoding('utf8')
    parts = []
    sock.on('data', parts.append)
    sock.on('end', lambda: got.append(''.join(parts)))

    def on_close(had_error):
        state['closed'] += 1
        if state['closed'] == 2:
            slog('both got', ' | '.join(got))
            sink.close()
            relay.close()
    sock.on('close', on_close)


def on_relay(sock):
    a = greennet.connect(sink.address()['port'], '127.0.0.1')
    b = greennet.connect(sink.address()['port'], '127.0.0.1')
    log('pipe returns destinations', sock.pipe(a) is a, sock.pipe(b) is b)


sink = greennet.create_server(on_sink)
relay = greennet.create_server(on_relay)


def sink_listening():
    def relay_listening():
        def on_connect():
            c.write('alpha,')
            gevent.spawn_later(0.05, c.end, 'beta')
        c = greennet.connect(relay.address()['port'], '127.0.0.1', on_connect)
        c.on('close', lambda had_error: log('client close'))
    relay.listen(0, '127.0.0.1', relay_listening)


sink.listen(0, '127.0.0.1', sink_listening)
run()
