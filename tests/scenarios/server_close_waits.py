# server.close() with a connection open: listening becomes False and
# address() None at once, new connections are refused, but 'close' (and
# the callback) wait until the last connection has closed.
import greennet
from _common import channel, log, run

clog = channel('client')
state = {}


def on_connection(sock):
    sock.set_encoding('utf8')

    def on_data(d):
        log('server data', d)
        server.close(lambda *e: log('close callback'))
        log('after close', server.listening, server.address())
        server.get_connections(lambda err, n: log('connections', err, n))
        late = greennet.connect(state['port'], '127.0.0.1')

        def late_error(e):
            log('late error', e.code)
            sock.end('bye')
        late.on('error', late_error)
    sock.on('data', on_data)
    sock.on('close', lambda had_error: log('server socket close'))


server = greennet.create_server(on_connection)
server.on('close', lambda: log('server close event'))


def on_listening():
    port = state['port'] = server.address()['port']
    c = greennet.connect(port, '127.0.0.1', lambda: c.write('hi'))
    c.set_encoding('utf8')
    c.on('data', lambda d: clog('data', d))
    c.on('close', lambda had_error: clog('close'))


server.listen(0, '127.0.0.1', on_listening)
run()
