# write() / end() / set_encoding() argument errors: bad chunk types and
# unknown encodings are raised at the call; the socket stays usable.
import greennet
from _common import log, run, thrown


def on_connection(sock):
    sock.set_encoding('utf8')
    got = []
    sock.on('data', lambda d: got.append(d))
    sock.on('end', lambda: log('server got', ''.join(got)))
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection)


def on_listening():
    def on_connect():
        thrown('write(123)', lambda: c.write(123))
        thrown('write(null)', lambda: c.write(None))
        thrown('write({})', lambda: c.write({}))
        thrown('write(true)', lambda: c.write(True))
        thrown("write('x', 'bogus')", lambda: c.write('x', 'bogus'))
        thrown('end(123)', lambda: c.end(123))
        thrown("setEncoding('bogus')", lambda: c.set_encoding('bogus'))
        log('still writable', c.writable, c.destroyed)
        c.end('fine')
    c = greennet.connect(server.address()['port'], '127.0.0.1', on_connect)
    c.on('error', lambda e: log('error event', e.code))
    c.resume()
    c.on('close', lambda had_error: log('close', had_error))


server.listen(0, '127.0.0.1', on_listening)
run()
