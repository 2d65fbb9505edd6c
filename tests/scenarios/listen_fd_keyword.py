# listen({'fd': N, 'backlog': 5}, cb) on an inherited listening descriptor:
# the adopted listener serves several connections; 'listening' fires before
# the callback. (The Node twin inherits the descriptor in a child process;
# here it is made with the socket module.)
import socket

import greennet
from _common import log, run

raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
raw.bind(('127.0.0.1', 0))
raw.listen(16)
port = raw.getsockname()[1]
fd = raw.detach()
count = {'n': 0}


def on_connection(sock):
    count['n'] += 1
    sock.end(str(count['n']))


server = greennet.create_server(on_connection)
server.on('listening', lambda: log('listening event'))


def on_listening():
    log('callback', server.address()['port'] == port)
    state = {'done': 0}
    got = []

    def on_close(had_error):
        state['done'] += 1
        if state['done'] == 2:
            log('got', ','.join(sorted(got)))
            server.close(lambda *e: log('closed'))
    for _ in range(2):
        c = greennet.connect(port, '127.0.0.1')
        c.set_encoding('utf8')
        c.on('data', got.append)
        c.on('close', on_close)


server.listen({'fd': fd, 'backlog': 5}, on_listening)
run()
