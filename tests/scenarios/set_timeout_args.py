# set_timeout argument validation: negative, non-number, non-function
# callback are raised at the call; the callback becomes a once-listener.
import greennet
from _common import log, run, thrown

s = greennet.Socket()
thrown('setTimeout(-1)', lambda: s.set_timeout(-1))
thrown("setTimeout('x')", lambda: s.set_timeout('x'))
thrown('setTimeout(null)', lambda: s.set_timeout(None))
thrown('setTimeout(Infinity)', lambda: s.set_timeout(float('inf')))
thrown("setTimeout(10, 'notfn')", lambda: s.set_timeout(10, 'notfn'))
thrown('setTimeout(1.5)', lambda: s.set_timeout(1.5))
log('timeout', s.timeout)
thrown('setTimeout(0)', lambda: s.set_timeout(0))
log('timeout after 0', s.timeout)


def cb():
    pass


s.set_timeout(100, cb)
log('listeners', len(s.listeners('timeout')))
s.set_timeout(0, cb)
log('listeners after setTimeout(0, cb)', len(s.listeners('timeout')))
s.set_timeout(0)
s.destroy()
run()
