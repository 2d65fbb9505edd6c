# After listen() fails with EADDRINUSE the server is not listening and can
# listen again: once more on the busy port (second EADDRINUSE), then on
# port 0, which succeeds; close() then works.
import greennet
from _common import log, run

busy = greennet.create_server()


def busy_listening():
    port = busy.address()['port']
    s = greennet.create_server(lambda sock: sock.end('ok'))
    errors = {'n': 0}

    def on_error(e):
        errors['n'] += 1
        log('error', errors['n'], e.code, e.syscall, e.port == port, s.listening, s.address())
        if errors['n'] == 1:
            s.listen(port, '127.0.0.1')
        else:
            s.listen(0, '127.0.0.1')
    s.on('error', on_error)

    def on_listening():
        log('listening', s.listening, s.address()['port'] != port)
        c = greennet.connect(s.address()['port'], '127.0.0.1')
        c.set_encoding('utf8')
        c.on('data', lambda d: log('client data', d))

        def on_close(had_error):
            s.close(lambda *e: log('s closed'))
            busy.close(lambda *e: log('busy closed'))
        c.on('close', on_close)
    s.on('listening', on_listening)
    s.listen(port, '127.0.0.1')


busy.listen(0, '127.0.0.1', busy_listening)
run()
