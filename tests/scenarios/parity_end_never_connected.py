# end() on a Socket that never connected. end() and end(cb): the socket
# turns 'readOnly' (writable_ended True), nothing is emitted, the callback
# is never called, and it holds nothing open. end(data, cb): the write
# fails first (ERR_SOCKET_CLOSED to the callback, then 'error' and a
# 'close' without argument) and writable_ended stays False.
import greennet
from _common import channel, log, run

CASES = [('bare', lambda s, cb: s.end()),
         ('with_cb', lambda s, cb: s.end(cb('end'))),
         ('with_data', lambda s, cb: s.end('x', cb('end')))]

for name, fn in CASES:
    slog = channel(name)
    s = greennet.Socket()
    for ev in ('finish', 'end', 'connect'):
        s.on(ev, lambda ev=ev, slog=slog: slog(ev))
    s.on('error', lambda e, slog=slog: slog('error', e.code))
    s.on('close', lambda *a, slog=slog: slog('close', a[0] if a else None))

    def cb(label, slog=slog):
        return lambda *e: slog(label, 'cb', e[0].code if e and e[0] is not None else None)
    r = fn(s, cb)
    log(name, 'returns socket', r is s, s.writable_ended, s.destroyed, s.ready_state)
run()
