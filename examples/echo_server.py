"""An echo server: Node's ``net.createServer((c) => c.pipe(c)).listen(7000)``.

Run it, then talk to it with ``nc localhost 7000`` (or ``telnet``)::

    python examples/echo_server.py
"""
import greennet

greennet.create_server(lambda c: c.pipe(c)).listen(7000)
greennet.run()
