# Invalid connect() arguments are raised at the call with Node's codes.
import greennet
from _common import log, run, thrown

thrown('connect()', lambda: greennet.connect())
thrown('connect({})', lambda: greennet.connect({}))
thrown('Socket().connect()', lambda: greennet.Socket().connect())
thrown('createConnection({})', lambda: greennet.create_connection({}))
thrown('connect({port: 80, host: 123})', lambda: greennet.connect({'port': 80, 'host': 123}))
thrown("connect({port: 'x'})", lambda: greennet.connect({'port': 'x', 'host': '127.0.0.1'}))
thrown('connect({port: true})', lambda: greennet.connect({'port': True, 'host': '127.0.0.1'}))
thrown('connect({path: 123})', lambda: greennet.connect({'path': 123}))
thrown('connect({port: 80, family: 5})',
       lambda: greennet.connect({'port': 80, 'host': 'localhost', 'family': 5}))
thrown("connect({port: 80, localAddress: 'nope'})",
       lambda: greennet.connect(port=80, host='127.0.0.1', local_address='nope'))
thrown("connect({port: 80, localPort: 'x'})",
       lambda: greennet.connect(port=80, host='127.0.0.1', local_port='x'))
thrown("connect({port: 80, lookup: 'x'})",
       lambda: greennet.connect(port=80, host='localhost', lookup='x'))
thrown("connect({port: 80, timeout: -1})",
       lambda: greennet.connect(port=80, host='127.0.0.1', timeout=-1))
log('done')
run()
