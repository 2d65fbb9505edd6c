# Connecting to a unix path that does not exist: 'error' ENOENT (syscall
# connect, address = the path), then 'close' with had_error True.
import os
import shutil
import tempfile

import greennet
from _common import log, run

tmpdir = tempfile.mkdtemp(prefix='gn-')
sock_path = os.path.join(tmpdir, 'missing.sock')

c = greennet.connect(sock_path)
log('connecting', c.connecting)
c.on('connect', lambda: log('unexpected connect'))
c.on('error', lambda e: log('error', e.code, e.syscall, e.address == sock_path,
                            getattr(e, 'port', None),
                            'number' if isinstance(e.errno, int) else e.errno))
c.on('close', lambda had_error: log('close', had_error))
try:
    run()
finally:
    shutil.rmtree(tmpdir, ignore_errors=True)
