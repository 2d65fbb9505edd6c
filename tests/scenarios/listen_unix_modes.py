# readable_all / writable_all make the unix socket file readable / writable
# for everyone (checked on the file's permission bits for group/other,
# under umask 077).
import os
import shutil
import tempfile

import greennet
from _common import log, run

tmpdir = tempfile.mkdtemp(prefix='gn-')
os.umask(0o077)

cases = [
    ('both', dict(readable_all=True, writable_all=True)),
    ('readable', dict(readable_all=True)),
    ('writable', dict(writable_all=True)),
]


def next_case(i):
    if i == len(cases):
        return
    name, opts = cases[i]
    p = os.path.join(tmpdir, name + '.sock')
    s = greennet.create_server()

    def on_listening():
        mode = os.stat(p).st_mode
        log(name, 'other read', (mode & 0o004) != 0, 'other write', (mode & 0o002) != 0,
            'group read', (mode & 0o040) != 0, 'group write', (mode & 0o020) != 0)
        s.close(lambda *e: next_case(i + 1))
    s.listen(on_listening, path=p, **opts)


next_case(0)
try:
    run()
finally:
    shutil.rmtree(tmpdir, ignore_errors=True)
