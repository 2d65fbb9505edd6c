# The options a custom lookup receives for family 0, 4 and 6, with and
# without a hints option (Node 20 asks for all addresses when family is 0).
import json

import gevent

import greennet
from _common import fmt, log, run

server = greennet.create_server(lambda sock: sock.resume())
cases = [
    {'family': 0},
    {'family': 4},
    {'family': 6},
    {'family': 4, 'hints': 32},
    {'family': 0, 'hints': 1024},
]


def on_listening():
    port = server.address()['port']
    state = {'i': 0}

    def next_case(*_):
        if state['i'] == len(cases):
            server.close()
            return
        opts = cases[state['i']]
        state['i'] += 1

        def lookup(hostname, options, cb):
            log('lookup', json.dumps(opts, separators=(',', ':')), 'got',
                ','.join('%s=%s' % (k, fmt(options[k])) for k in sorted(options)))
            if options.get('all'):
                gevent.spawn(cb, None, [{'address': '127.0.0.1', 'family': 4}])
            else:
                gevent.spawn(cb, None, '127.0.0.1', 4)
        c = greennet.connect(port=port, host='svc.test', lookup=lookup, **opts)

        def on_connect():
            log('connect', c.remote_address)
            c.end()
        c.on('connect', on_connect)
        c.on('error', lambda e: log('error', e.code))
        c.on('close', next_case)
    next_case()


server.listen(0, '127.0.0.1', on_listening)
run()
