# Invalid listen() arguments are raised at the call with Node's codes.
import greennet
from _common import log, run, thrown

s = greennet.create_server()
s.on('listening', lambda: log('unexpected listening'))
s.on('error', lambda e: log('unexpected error', e.code))
thrown('listen({})', lambda: s.listen({}))
thrown('listen(true)', lambda: s.listen(True))
thrown('listen(false)', lambda: s.listen(False))
thrown("listen({port: 'abc'})", lambda: s.listen({'port': 'abc'}))
thrown('listen({port: 1.5})', lambda: s.listen({'port': 1.5}))
thrown('listen({host: "127.0.0.1"})', lambda: s.listen({'host': '127.0.0.1'}))
thrown('listen({path: 5})', lambda: s.listen({'path': 5}))
thrown('listen({fd: "x"})', lambda: s.listen({'fd': 'x'}))
log('listening', s.listening)
thrown('getConnections() no callback', lambda: s.get_connections())
run()
