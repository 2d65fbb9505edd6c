"""An echo server: every byte a client sends comes back. echo.js, ported line by line.

    python echo.py [port] [idle_ms]     (port 0: any free port; it prints the one it got)

An idle client is told so and let go after idle_ms; SIGTERM stops taking
connections, ends every open one, and gives them 2 s before they are cut.
"""
import signal
import sys

import gevent

import greennet

port = int(sys.argv[1]) if len(sys.argv) > 1 else 7000
idle_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 30000
sockets = set()


def on_connection(socket):
    peer = f'{socket.remote_address}:{socket.remote_port}'
    sockets.add(socket)
    print(f'+ {peer}', flush=True)
    socket.set_timeout(idle_ms)
    socket.on('timeout', lambda: socket.end('idle, bye\n'))

    @socket.on('data')
    def on_data(data):
        if not socket.write(data):      # the client reads slower than it writes:
            socket.pause()              # stop reading until what we wrote has gone

    socket.on('drain', lambda: socket.resume())
    socket.on('error', lambda err: print(f'! {peer} {getattr(err, "code", err)}', flush=True))

    @socket.on('close')
    def on_close(had_error):
        sockets.discard(socket)
        print(f'- {peer}', flush=True)


server = greennet.create_server(on_connection, no_delay=True)


@server.on('error')
def on_error(err):
    print(f'cannot listen: {err.code}', file=sys.stderr, flush=True)
    sys.exit(1)


server.listen(port, '127.0.0.1', lambda: print(f"listening on {server.address()['port']}", flush=True))


def on_sigterm():
    print('stopping', flush=True)
    server.close()
    for socket in list(sockets):
        socket.end()

    def cut():
        for socket in list(sockets):
            socket.destroy()
    gevent.spawn_later(2, cut)          # like an unref()'d timer: run() does not wait for it


gevent.signal_handler(signal.SIGTERM, on_sigterm)
greennet.run()
