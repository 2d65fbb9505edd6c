# src.pipe(dst, end=False): data flows, but when src ends dst stays open
# and can be written and ended by hand; pipe() returns dst.
import greennet
from _common import channel, log, run

slog = channel('sink')


def on_sink_connection(sock):
    sock.set_encoding('utf8')
    got = []
    sock.on('data', lambda d: got.append(d))
    sock.on('end', lambda: slog('sink got', ''.join(got)))
    sock.on('close', lambda had_error: sink.close())


sink = greennet.create_server(on_sink_connection)


def on_relay_connection(sock):
    out = greennet.connect(sink.address()['port'], '127.0.0.1')
    r = sock.pipe(out, end=False)
    log('pipe returns destination', r is out)

    def on_end():
        log('source ended, out writable', out.writable, out.writable_ended)
        out.end('+trailer')
    sock.on('end', on_end)
    out.on('close', lambda had_error: relay.close())


relay = greennet.create_server(on_relay_connection)


def on_sink_listening():
    def on_relay_listening():
        def on_connect():
            c.write('one,')
            c.end('two')
        c = greennet.connect(relay.address()['port'], '127.0.0.1', on_connect)
        c.on('close', lambda had_error: log('client close'))
    relay.listen(0, '127.0.0.1', on_relay_listening)


sink.listen(0, '127.0.0.1', on_sink_listening)
run()
