# A signal passed to connect() destroys the socket with an AbortError
# (ABORT_ERR) when aborted; one already aborted does so right away.
import greennet
from _common import log, run


def on_connection(sock):
    sock.on('error', lambda e: None)
    sock.resume()


server = greennet.create_server(on_connection)


def on_listening():
    port = server.address()['port']
    ac = greennet.AbortController()

    def on_connect():
        log('connected')
        ac.abort()
        log('after abort', c.destroyed)
    c = greennet.connect(on_connect, port=port, host='127.0.0.1', signal=ac.signal)
    c.on('error', lambda e: log('error', type(e).__name__, e.code))

    def on_close(had_error):
        log('close', had_error)
        ac2 = greennet.AbortController()
        ac2.abort()
        s = greennet.Socket(signal=ac2.signal)
        log('created with aborted signal', s.destroyed)
        s.on('error', lambda e: log('s error', e.code))

        def s_close(*a):
            log('s close', a[0] if a else None)
            server.close()
        s.on('close', s_close)
    c.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
