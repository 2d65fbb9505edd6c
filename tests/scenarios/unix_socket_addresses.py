# Addresses of unix domain socket connections: socket.address() is an
# empty dict on both ends; local_address/local_port and the remote values
# are all None; the server-side socket has no remote_address.
import atexit
import json
import os
import shutil
import tempfile

import greennet
from _common import channel, log, run

tmp = tempfile.mkdtemp(prefix='gn-')
atexit.register(shutil.rmtree, tmp, True)
sock_path = os.path.join(tmp, 'a.sock')
slog = channel('server')


def show(a):
    return json.dumps(a, separators=(',', ':'))


def on_connection(sock):
    slog('address', show(sock.address()), 'remote', sock.remote_address, sock.remote_port,
         sock.remote_family, 'local', sock.local_address, sock.local_port, sock.local_family)
    sock.end()
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection)


def on_listening():
    def on_connect():
        log('client address', show(c.address()), 'local', c.local_address, c.local_port,
            c.local_family, 'remote', c.remote_address, c.remote_port, c.remote_family)
    c = greennet.connect(sock_path, on_connect)
    c.resume()
    c.on('close', lambda had_error: log('client address after close', show(c.address())))


server.listen(sock_path, on_listening)
run()
