# write() after destroy(): returns False and the callback gets
# ERR_STREAM_DESTROYED; no 'error' event; end() after destroy does nothing.
import greennet
from _common import log, run


def on_connection(sock):
    sock.on('error', lambda e: None)
    sock.resume()


server = greennet.create_server(on_connection)


def on_listening():
    def on_connect():
        client.destroy()

        def write_cb(*a):
            err = a[0] if a else None
            log('write cb', err.code if err else None)
        r = client.write('y', write_cb)
        log('write returned', r)
        r2 = client.end(lambda *a: log('end cb'))
        log('end returns socket', r2 is client)
        r3 = client.destroy()
        log('destroy again returns socket', r3 is client)
    client = greennet.connect(server.address()['port'], '127.0.0.1', on_connect)
    client.on('error', lambda e: log('error', e.code))

    def on_close(had_error):
        log('close', had_error)
        server.close()
    client.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
