# A name that does not resolve: 'error' ENOTFOUND from getaddrinfo with
# hostname set, 'close' with had_error True, no 'connect'.
import greennet
from _common import log, run

c = greennet.connect(80, 'nonexistent.invalid')
log('connecting', c.connecting)
c.on('lookup', lambda err, address, family, host: log('lookup', err.code if err else None,
                                                      address, family, host))
c.on('connect', lambda: log('unexpected connect'))
c.on('error', lambda e: log('error', e.code, e.syscall, e.hostname, isinstance(e, Exception)))
c.on('close', lambda had_error: log('close', had_error, c.connecting))
run()
