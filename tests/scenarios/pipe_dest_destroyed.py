# src.pipe(dst) where dst is destroyed mid-way: the pipe is undone when dst
# closes, src stops flowing (paused); src can still be read by hand.
import greennet
from _common import log, run

state = {}


def on_sink(sock):
    sock.set_encoding('utf8')
    sock.on('data', lambda d: log('sink data', d))
    sock.on('error', lambda e: None)
    sock.on('close', lambda had_error: sink.close())


def on_relay(sock):
    out = greennet.connect(sink.address()['port'], '127.0.0.1')
    sock.pipe(out)

    def first_data(d):
        out.destroy()
        log('out destroyed', out.destroyed)
    sock.once('data', first_data)

    def out_close(had_error):
        log('out close', had_error, 'source paused', sock.is_paused(), sock.readable_flowing)
        sock.set_encoding('utf8')
        sock.on('data', lambda d: log('by hand', d))
        sock.on('end', lambda: log('source end'))
        sock.on('close', lambda had_error: relay.close())
        sock.resume()
        state['client'].end('second')
    out.on('close', out_close)


sink = greennet.create_server(on_sink)
relay = greennet.create_server(on_relay)


def sink_listening():
    def relay_listening():
        client = state['client'] = greennet.connect(relay.address()['port'], '127.0.0.1',
                                                    lambda: client.write('first'))
        client.resume()
        client.on('close', lambda had_error: log('client close'))
    relay.listen(0, '127.0.0.1', relay_listening)


sink.listen(0, '127.0.0.1', sink_listening)
run()
