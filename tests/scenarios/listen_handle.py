# listen(handle): a second server takes over the listening handle of a
# first one (same address), and accepts its connections.
import greennet
from _common import log, run

first = greennet.create_server(lambda sock: log('unexpected first connection'))


def first_listening():
    def on_connection(sock):
        log('second got connection')
        sock.end('from second')
    second = greennet.create_server(on_connection)

    def second_listening():
        log('second listening', second.address()['port'] == first.address()['port'],
            second.address()['address'])
        c = greennet.connect(second.address()['port'], '127.0.0.1')
        c.set_encoding('utf8')
        c.on('data', lambda d: log('client data', d))

        def second_closed(*e):
            log('second closed')
            first.close(lambda *err: log('first close', err[0].code if err and err[0] else None))
        c.on('close', lambda had_error: second.close(second_closed))
    r = second.listen(first, second_listening)
    log('listen(handle) returns server', r is second)


first.listen(0, '127.0.0.1', first_listening)
run()
