# An attempt that never answers (autoselect_hole: a full listen queue on
# 127.0.0.2) ends after auto_select_family_attempt_timeout ms (here 1, raised
# to Node's minimum of 10) with 'connectionAttemptTimeout', and the next
# address is tried. When every attempt fails, 'error' is an AggregateError
# whose code is the first attempt's (ETIMEDOUT for one that timed out), with
# each attempt's error in `errors`, and an empty message.
import gevent
from _common import log, run
from autoselect_hole import hole

import greennet

server = greennet.create_server(lambda sock: sock.end())


def answering(*addresses):
    def lookup(hostname, options, cb):
        gevent.spawn(cb, None, [{'address': a, 'family': 4} for a in addresses])
    return lookup


def on_listening():
    port = server.address()['port']

    def trace(name, s):
        s.on('lookup', lambda err, address, *a: log(name, 'lookup', address))
        s.on('connectionAttempt', lambda ip, p, family: log(name, 'attempt', ip, p == port, family))
        s.on('connectionAttemptFailed', lambda ip, p, family, e: log(
            name, 'attempt failed', ip, family, e.code))
        s.on('connectionAttemptTimeout', lambda ip, p, family: log(
            name, 'attempt timeout', ip, p == port, family))
        s.on('connect', lambda: log(name, 'connect', s.remote_address))

        def on_error(e):
            log(name, 'error', type(e).__name__, e.code, str(e) == '', len(e.errors))
            for x in e.errors:
                log(name, '  ', x.code, x.syscall, x.address, x.port == port)
        s.on('error', on_error)
        s.resume()

    a = greennet.connect(port=port, host='slow.test', auto_select_family_attempt_timeout=1,
                         lookup=answering('127.0.0.2', '127.0.0.1'))
    trace('a', a)

    def a_closed(had_error):
        log('a close', had_error, len(a.auto_select_family_attempted_addresses))
        b = greennet.connect(port=port, host='dead.test', auto_select_family_attempt_timeout=10,
                             lookup=answering('127.0.0.2', '127.0.0.3'))
        trace('b', b)

        def b_closed(had_error):
            log('b close', had_error, len(b.auto_select_family_attempted_addresses))
            for sock in held:
                sock.close()
            server.close()
        b.on('close', b_closed)
    a.on('close', a_closed)


held = hole()
server.listen(held[0].getsockname()[1], '127.0.0.1', on_listening)
run()
