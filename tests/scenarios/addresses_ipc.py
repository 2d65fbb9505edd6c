# Address properties of a unix domain socket connection: no remote port or
# family; server.address() is the path.
import os
import shutil
import tempfile

import greennet
from _common import channel, log, run

tmpdir = tempfile.mkdtemp(prefix='gn-')
sock_path = os.path.join(tmpdir, 's.sock')
slog = channel('server')


def on_connection(sock):
    slog('server side', sock.remote_address, sock.remote_port, sock.remote_family)
    sock.resume()
    sock.on('close', lambda had_error: server.close())


server = greennet.create_server(on_connection)


def on_listening():
    log('server address is path', server.address() == sock_path)

    def on_connect():
        log('client', c.remote_address, c.remote_port, c.remote_family, c.local_port)
        c.end()
    c = greennet.connect(sock_path, on_connect)
    c.resume()


server.listen(sock_path, on_listening)
try:
    run()
finally:
    shutil.rmtree(tmpdir, ignore_errors=True)
