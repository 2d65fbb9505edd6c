# The exclusive option is accepted by listen() (True and False) on TCP
# and on a unix socket; the servers listen and serve.
import atexit
import os
import shutil
import tempfile

import greennet
from _common import log, run

tmp = tempfile.mkdtemp(prefix='gn-')
atexit.register(shutil.rmtree, tmp, True)
sock_path = os.path.join(tmp, 'x.sock')

a = greennet.create_server(lambda s: s.end('a'))
b = greennet.create_server(lambda s: s.end('b'))
u = greennet.create_server(lambda s: s.end('u'))


def fetch(cb, **opts):
    c = greennet.connect(**opts)
    c.set_encoding('utf8')
    got = []
    c.on('data', got.append)
    c.on('close', lambda had_error: cb(''.join(got)))


def a_listening():
    log('a listening', a.address()['family'])

    def b_listening():
        log('b listening', b.address()['family'])

        def u_listening():
            log('u listening', u.address() == sock_path)

            def got_a(ga):
                def got_b(gb):
                    def got_u(gu):
                        log('got', ga, gb, gu)
                        a.close()
                        b.close()
                        u.close(lambda *e: log('all closed'))
                    fetch(got_u, path=sock_path)
                fetch(got_b, port=b.address()['port'], host='127.0.0.1')
            fetch(got_a, port=a.address()['port'], host='127.0.0.1')
        u.listen(u_listening, path=sock_path, exclusive=True)
    b.listen(b_listening, port=0, host='127.0.0.1', exclusive=False)


a.listen(a_listening, port=0, host='127.0.0.1', exclusive=True)
run()
