# Right after listen() returns: with a host the address is looked up first,
# so the server is not bound yet (listening False, address() None); with
# only a port, or a path, it is bound at once.
import os
import shutil
import tempfile

import greennet
from _common import log, run

tmpdir = tempfile.mkdtemp(prefix='gn-')
p = os.path.join(tmpdir, 'x.sock')

a = greennet.create_server()
a.listen(0, '127.0.0.1')
log('with host', a.listening, a.address())
b = greennet.create_server()
b.listen(0)
log('port only', b.listening, b.address() is not None)
c = greennet.create_server()
c.listen(p)
log('path', c.listening, c.address() == p)
n = {'n': 0}


def done():
    n['n'] += 1
    if n['n'] == 3:
        a.close()
        b.close()
        c.close()


def a_listening():
    log('a listening', a.listening)
    done()


def b_listening():
    log('b listening')
    done()


def c_listening():
    log('c listening')
    done()


a.on('listening', a_listening)
b.on('listening', b_listening)
c.on('listening', c_listening)
try:
    run()
finally:
    shutil.rmtree(tmpdir, ignore_errors=True)
