# listen({path}) and listen(path, backlog, cb) create an IPC server at the
# path; the socket file exists while listening and is unlinked on close.
import os
import shutil
import stat
import tempfile

import greennet
from _common import log, run

tmpdir = tempfile.mkdtemp(prefix='gn-')
p1 = os.path.join(tmpdir, 'a.sock')
p2 = os.path.join(tmpdir, 'b.sock')

s1 = greennet.create_server(lambda sock: sock.end('from a'))


def s1_listening():
    log('a listening', s1.address() == p1, os.path.exists(p1),
        stat.S_ISSOCK(os.stat(p1).st_mode))
    c = greennet.connect(path=p1)
    c.set_encoding('utf8')
    c.on('data', lambda d: log('client data', d))

    def c_close(had_error):
        def s1_closed(*e):
            log('a closed, file exists', os.path.exists(p1))
            s2 = greennet.create_server()

            def s2_listening():
                log('b listening', s2.address() == p2)
                s2.close(lambda *e: log('b closed, file exists', os.path.exists(p2)))
            s2.listen(p2, 5, s2_listening)
        s1.close(s1_closed)
    c.on('close', c_close)


s1.listen({'path': p1}, s1_listening)
try:
    run()
finally:
    shutil.rmtree(tmpdir, ignore_errors=True)
