# A custom lookup that fails: 'lookup' carries the error, then the same
# error is emitted as 'error' and 'close' follows with had_error True.
import gevent

import greennet
from _common import log, run

boom = Exception('getaddrinfo ENOTFOUND nowhere.test')
boom.code = 'ENOTFOUND'


def lookup(hostname, options, cb):
    log('lookup called', hostname)
    gevent.spawn(cb, boom)


c = greennet.connect(port=80, host='nowhere.test', lookup=lookup, family=4)
c.on('lookup', lambda err, address, family, host: log('lookup event', err is boom, address,
                                                      family, host))
c.on('connect', lambda: log('unexpected connect'))
c.on('error', lambda e: log('error', e is boom, e.code, c.destroyed))
c.on('close', lambda had_error: log('close', had_error))
run()
