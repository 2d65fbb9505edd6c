# destroy() on a Socket that never connected: destroyed at once, one
# 'close' (Node passes no argument here), no 'connect', no 'error'; a later
# write fails with ERR_STREAM_DESTROYED through its callback.
import greennet
from _common import log, run

s = greennet.Socket()
s.on('connect', lambda: log('unexpected connect'))
s.on('error', lambda e: log('error', e.code))
s.on('close', lambda *a: log('close', a[0] if a else None, s.destroyed, s.ready_state))
log('before', s.destroyed, s.pending, s.connecting, s.ready_state)
r = s.destroy()
log('destroy returns socket', r is s, s.destroyed, s.ready_state)
s.destroy()
log('write', s.write('x', lambda err=None: log('write cb', err.code if err else None)))
run()
