# reset_and_destroy() on sockets that are not TCP connections: a fresh Socket
# is destroyed with ERR_SOCKET_CLOSED; a destroyed one stays destroyed; a
# unix socket throws ERR_INVALID_HANDLE_TYPE.
import atexit
import os
import shutil
import tempfile

import greennet
from _common import log, run, thrown

tmp = tempfile.mkdtemp(prefix='gn-')
atexit.register(shutil.rmtree, tmp, True)
sock_path = os.path.join(tmp, 'r.sock')

fresh = greennet.Socket()
fresh.on('error', lambda e: log('fresh error', e.code))
# Node emits this 'close' without an argument (the socket never had a handle).
fresh.on('close', lambda *a: log('fresh close', a[0] if a else None))
log('fresh reset returns socket', fresh.reset_and_destroy() is fresh, fresh.destroyed)


def on_connection(sock):
    sock.resume()
    sock.on('close', lambda had_error: server.close(lambda *e: log('server closed')))


server = greennet.create_server(on_connection)


def on_listening():
    def on_connect():
        thrown('unix resetAndDestroy', lambda: c.reset_and_destroy())
        log('after throw', c.destroyed)
        c.destroy()
        log('destroyed again', c.reset_and_destroy() is c, c.destroyed)
    c = greennet.connect(sock_path, on_connect)
    c.on('close', lambda had_error: log('unix close', had_error))


server.listen(sock_path, on_listening)
run()
