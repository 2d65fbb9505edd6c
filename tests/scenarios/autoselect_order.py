# autoSelectFamily (the default) with a lookup answering several addresses:
# 'lookup' for each answer (invalid ones and duplicates too), then one
# attempt at a time, each valid address once, the families alternating from
# the first's: refused ones report 'connectionAttemptFailed' and the next is
# tried, until 'connect'. auto_select_family_attempted_addresses lists them.
import gevent
from _common import log, run

import greennet

server = greennet.create_server(lambda sock: sock.end())


def on_listening():
    port = server.address()['port']
    answers = [
        {'address': '127.0.0.2', 'family': 4},
        {'address': 'not-an-ip', 'family': 4},
        {'address': '127.0.0.3', 'family': 4},
        {'address': '127.0.0.2', 'family': 4},
        {'address': '::1', 'family': 6},
        {'address': '127.0.0.4', 'family': 5},
        {'address': '127.0.0.1', 'family': 4},
    ]

    def lookup(hostname, options, cb):
        log('lookup called', hostname, options.get('all'), options.get('family'), options.get('hints'))
        gevent.spawn(cb, None, answers)

    s = greennet.connect(port=port, host='multi.test', lookup=lookup)
    log('attempted before lookup', s.auto_select_family_attempted_addresses)
    s.on('lookup', lambda err, address, family, host: log('lookup', err, address, family, host))
    s.on('connectionAttempt', lambda ip, p, family: log('attempt', ip, p == port, family, s.connecting))
    s.on('connectionAttemptFailed', lambda ip, p, family, e: log(
        'attempt failed', ip, p == port, family, e.code, e.syscall, e.address, e.port == port))
    s.on('connectionAttemptTimeout', lambda ip, *a: log('attempt timeout', ip))
    s.on('connect', lambda: log('connect', s.remote_address, s.remote_port == port, s.connecting))
    s.on('ready', lambda: log('ready'))
    s.on('error', lambda e: log('error', e.code))
    s.resume()

    def on_close(had_error):
        log('close', had_error)
        log('attempted', ' '.join(a.replace(f':{port}', ':PORT')
                                  for a in s.auto_select_family_attempted_addresses))
        server.close()
    s.on('close', on_close)


server.listen(0, '127.0.0.1', on_listening)
run()
