# Listening on a unix path that is in use (by another server, or by a
# plain file) fails with EADDRINUSE emitted as 'error'; the existing file
# is left alone.
import os
import shutil
import tempfile

import greennet
from _common import log, run

tmpdir = tempfile.mkdtemp(prefix='gn-')
p = os.path.join(tmpdir, 'busy.sock')
f = os.path.join(tmpdir, 'file.sock')
with open(f, 'w') as fh:
    fh.write('x')

s1 = greennet.create_server()


def s1_listening():
    s2 = greennet.create_server()
    s2.on('listening', lambda: log('unexpected listening'))

    def s2_error(e):
        log('s2 error', e.code, e.syscall, e.address == p, s2.listening)
        s3 = greennet.create_server()
        s3.listen(f)

        def s3_error(e3):
            with open(f) as fh:
                log('s3 error', e3.code, e3.syscall, fh.read())
            s1.close(lambda *e: log('s1 closed', os.path.exists(p)))
        s3.on('error', s3_error)
    s2.on('error', s2_error)
    s2.listen(p)


s1.listen(p, s1_listening)
try:
    run()
finally:
    shutil.rmtree(tmpdir, ignore_errors=True)
