# write() after end(): returns False, the callback gets
# ERR_STREAM_WRITE_AFTER_END, the same error is emitted as 'error', and
# 'close' follows with had_error True.
import greennet
from _common import log, run


def on_connection(sock):
    sock.on('error', lambda e: None)
    sock.resume()


server = greennet.create_server(on_connection)


def on_listening():
    def on_connect():
        client.end('x')
        seen = {}

        def write_cb(*a):
            err = a[0] if a else None
            seen['err'] = err
            log('write cb', err.code if err else None)
        r = client.write('y', write_cb)
        log('write returned', r)
        client.on('error', lambda e: log('error', e.code, e is seen.get('err'),
                                         client.destroyed))
    client = greennet.connect(server.address()['port'], '127.0.0.1', on_connect)
    client.resume()
    client.on('finish', lambda: log('finish'))

    def on_close(had_error):
        log('close', had_error)
        server.close()
    client.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
