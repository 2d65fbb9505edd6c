# listen(fd=N) on an inherited, already listening descriptor: the server
# adopts it (same address), emits 'listening' and accepts connections.
# (The Node twin inherits the descriptor in a child process; here it is
# made with the socket module.)
import socket

import greennet
from _common import log, run

raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
raw.bind(('127.0.0.1', 0))
raw.listen(16)
port = raw.getsockname()[1]
fd = raw.detach()


def on_connection(sock):
    log('server connection', sock.remote_address)
    sock.end('hi from fd')


server = greennet.create_server(on_connection)


def on_listening():
    a = server.address()
    log('listening', server.listening, a['address'], a['family'], a['port'] == port)
    c = greennet.connect(a['port'], '127.0.0.1')
    c.set_encoding('utf8')
    c.on('data', lambda d: log('client data', d))
    c.on('end', lambda: log('client end'))

    def on_close(had_error):
        log('client close', had_error)
        server.close(lambda *e: log('server closed'))
    c.on('close', on_close)


r = server.listen(on_listening, fd=fd)
log('listen returns server', r is server, 'listening now', server.listening)
run()
