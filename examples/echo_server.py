"""An echo server: Node's ``net.createServer((c) => c.pipe(c)).listen(7000)``.

Run it and talk to it::

    python examples/echo_server.py          # port 7000
    python examples/echo_server.py 7001     # or PORT=7001; 0 picks a free port

It prints the port it listens on once it is listening.
"""
import os
import sys

import greennet

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get('PORT', 7000))

server = greennet.create_server(lambda c: c.pipe(c)).listen(PORT)
server.once('listening', lambda: print('listening on port %d' % server.address()['port'], flush=True))
greennet.run()
