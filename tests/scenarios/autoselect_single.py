# One address: the attempt is Node's single connect, yet it reports
# 'connectionAttempt' (an IP host, a lookup answering one valid address,
# a path: family None, inside connect()) and, when refused, 'connectionAttemptFailed' before
# 'error'; auto_select_family_attempted_addresses stays None. A lookup
# answering one address where auto_select_family asked for all of them
# ('::1' is then three answers, none valid), or a list where it did not,
# fails with ERR_INVALID_IP_ADDRESS.
import os
import shutil
import tempfile

import gevent
from _common import log, run

import greennet

tmp = tempfile.mkdtemp(prefix='gn-as-')
sock_path = os.path.join(tmp, 'one.sock')

server = greennet.create_server(lambda sock: sock.end())
pipe_server = greennet.create_server(lambda sock: sock.end())


def later(*answer):
    return lambda h, o, cb: gevent.spawn(cb, None, *answer)


def on_listening():
    port = server.address()['port']
    cases = [
        ('ip', lambda s: s.connect(port, '127.0.0.1')),
        ('one answer', lambda s: s.connect(
            port=port, host='one.test', lookup=later([{'address': '127.0.0.1', 'family': 4}]))),
        ('refused', lambda s: s.connect(port, '127.0.0.5')),
        ('pipe', lambda s: s.connect(sock_path)),
        ('string for all', lambda s: s.connect(port=port, host='str.test', lookup=later('::1', 6))),
        ('list for one', lambda s: s.connect(
            port=port, host='list.test', auto_select_family=False,
            lookup=later([{'address': '127.0.0.1', 'family': 4}]))),
    ]

    def next_case():
        if not cases:
            server.close()
            pipe_server.close()
            return
        name, open_ = cases.pop(0)
        s = greennet.Socket()
        s.on('lookup', lambda err, address, family, host: log(
            name, 'lookup', err, 'LIST' if isinstance(address, list) else address, family, host))
        s.on('connectionAttempt', lambda ip, p, family: log(
            name, 'attempt', 'PATH' if ip == sock_path else ip, 'PORT' if p == port else p, family))
        s.on('connectionAttemptFailed', lambda ip, p, family, e: log(
            name, 'attempt failed', ip, p == port, family, e.code))
        s.on('connect', lambda: log(name, 'connect'))
        s.on('error', lambda e: log(name, 'error', e.code))
        s.resume()
        open_(s)

        def on_close(had_error):
            log(name, 'close', had_error, s.auto_select_family_attempted_addresses)
            next_case()
        s.on('close', on_close)
    next_case()


server.listen(0, '127.0.0.1', lambda: pipe_server.listen(sock_path, on_listening))
try:
    run()
finally:
    shutil.rmtree(tmp, ignore_errors=True)
