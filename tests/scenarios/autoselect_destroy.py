# destroy() while an attempt of several is under way (to autoselect_hole's
# address, which never answers): the attempt is canceled: its
# 'connectionAttemptFailed' (ECANCELED) comes after 'error' and before
# 'close', and no other address is tried.
import gevent
from _common import log, run
from autoselect_hole import hole

import greennet

server = greennet.create_server(lambda sock: sock.end())


def lookup(hostname, options, cb):
    gevent.spawn(cb, None, [{'address': '127.0.0.2', 'family': 4}, {'address': '127.0.0.1', 'family': 4}])


def on_listening():
    port = server.address()['port']

    def trace(name, s, with_error):
        def destroy():
            log(name, 'destroying')
            s.destroy(Exception('stop') if with_error else None)
            log(name, 'destroyed', s.destroyed, s.connecting)

        def on_attempt(ip, *a):
            log(name, 'attempt', ip)
            gevent.spawn(destroy)
        s.on('connectionAttempt', on_attempt)
        s.on('connectionAttemptFailed', lambda ip, p, family, e: log(
            name, 'attempt failed', ip, p == port, family, e.code, e.syscall, e.address))
        s.on('connectionAttemptTimeout', lambda ip, *a: log(name, 'attempt timeout', ip))
        s.on('connect', lambda: log(name, 'connect'))
        s.on('error', lambda e: log(name, 'error', str(e)))

    a = greennet.connect(port=port, host='slow.test', auto_select_family_attempt_timeout=5000, lookup=lookup)
    trace('a', a, False)

    def a_closed(had_error):
        attempted = ' '.join(a.auto_select_family_attempted_addresses)
        log('a close', had_error, attempted.replace(f':{port}', ''))
        b = greennet.connect(port=port, host='slow.test', auto_select_family_attempt_timeout=5000,
                             lookup=lookup)
        trace('b', b, True)

        def b_closed(had_error):
            log('b close', had_error)
            for sock in held:
                sock.close()
            server.close()
        b.on('close', b_closed)
    a.on('close', a_closed)


held = hole()
server.listen(held[0].getsockname()[1], '127.0.0.1', on_listening)
run()
