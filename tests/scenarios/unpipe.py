# unpipe(dst) stops forwarding and pauses the source; data written after
# that stays with the source until it is read directly.
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
    sock.pipe(out)

    def first_data(d):
        r = sock.unpipe(out)
        log('unpipe returns source', r is sock, 'isPaused', sock.is_paused())
        out.end()
        sock.set_encoding('utf8')
        sock.on('data', lambda d2: log('read directly', d2))
        sock.resume()
        sock.write('go')
    sock.once('data', first_data)
    sock.on('end', lambda: log('source end'))
    sock.on('close', lambda had_error: relay.close())


relay = greennet.create_server(on_relay_connection)


def on_sink_listening():
    def on_relay_listening():
        c = greennet.connect(relay.address()['port'], '127.0.0.1', lambda: c.write('piped'))
        c.set_encoding('utf8')

        def on_data(d):
            if d == 'go':
                c.end('direct')
        c.on('data', on_data)
    relay.listen(0, '127.0.0.1', on_relay_listening)


sink.listen(0, '127.0.0.1', on_sink_listening)
run()
