# Connecting to a closed port on ::1 fails with ECONNREFUSED carrying
# address ::1, the port and syscall connect; then 'close' with had_error True.
import greennet
from _common import log, run

probe = greennet.create_server()


def on_listening():
    port = probe.address()['port']

    def closed(*_):
        c = greennet.connect(port=port, host='::1')
        c.on('lookup', lambda *a: log('unexpected lookup'))
        c.on('connect', lambda: log('unexpected connect'))
        c.on('error', lambda e: log('error', e.code, e.syscall, e.address, e.port == port))
        c.on('close', lambda had_error: log('close', had_error, c.remote_address, c.connecting))
    probe.close(closed)


probe.listen(0, '::1', on_listening)
run()
