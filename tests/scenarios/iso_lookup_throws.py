# A custom lookup that raises synchronously: connect() raises that very
# error; the socket is left as it was ('opening', connecting True, not
# destroyed), no event follows, and it holds nothing open (run() returns).
import greennet
from _common import log, run

boom = Exception('boom')
boom.code = 'E_BOOM'


def lookup(hostname, options, cb):
    log('lookup called', hostname, 'function' if callable(cb) else cb)
    raise boom


s = greennet.Socket()
for ev in ('lookup', 'connect', 'ready', 'error', 'close'):
    s.on(ev, lambda *a, ev=ev: log('event', ev, getattr(a[0], 'code', None) if a else None))
try:
    s.connect(port=80, host='svc.test', family=4, lookup=lookup)
    log('nothrow')
except Exception as e:  # noqa: BLE001 - the lookup's own error is expected
    log('throws', e is boom, getattr(e, 'code', None))
log('state', s.connecting, s.destroyed, s.pending, s.ready_state)
run()
