"""The echo server of Node's ``net.createServer()`` example, on a Unix socket.

Talk to it with ``nc -U /tmp/echo.sock``::

    python examples/unix_server.py                    # /tmp/echo.sock
    python examples/unix_server.py /tmp/other.sock    # or SOCKET_PATH=...

It greets every client with ``hello``, echoes what it is sent, and removes
its socket file when stopped with Ctrl-C or SIGTERM.
"""
import os
import signal
import sys

import gevent

import greennet

PATH = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('SOCKET_PATH', '/tmp/echo.sock')


def on_connection(c):
    # 'connection' listener.
    print('client connected', flush=True)
    c.on('end', lambda: print('client disconnected', flush=True))
    c.write('hello\r\n')
    c.pipe(c)


def on_error(err):
    # Node's example throws, which ends the process; so does this.
    print('server error: %s' % (err,), file=sys.stderr, flush=True)
    raise SystemExit(1)


server = greennet.create_server(on_connection)
server.on('error', on_error)


def stop():
    # Stop accepting (this unlinks the socket file); open connections end
    # when their clients leave, then run() returns.
    server.close()


for signum in (signal.SIGINT, signal.SIGTERM):
    gevent.signal_handler(signum, stop)

server.listen(PATH, lambda: print('server bound', flush=True))
greennet.run()
