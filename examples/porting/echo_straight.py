"""echo.py in straight-line style: one loop per connection, Node's
``for await (const chunk of socket)``.

    python echo_straight.py [port] [idle_ms]
"""
import signal
import sys

import gevent

import greennet

port = int(sys.argv[1]) if len(sys.argv) > 1 else 7000
idle_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 30000
sockets = set()


def serve(socket):              # runs on this connection's own strand: blocking holds back no one else
    peer = f'{socket.remote_address}:{socket.remote_port}'
    sockets.add(socket)
    print(f'+ {peer}', flush=True)
    socket.set_timeout(idle_ms)
    socket.on('timeout', lambda: socket.end('idle, bye\n'))
    socket.on('error', lambda err: print(f'! {peer} {getattr(err, "code", err)}', flush=True))

    @socket.on('close')
    def on_close(had_error):
        sockets.discard(socket)
        print(f'- {peer}', flush=True)

    for chunk in socket:                    # waits for each chunk; ends at the client's end
        if not socket.write(chunk):
            greennet.once(socket, 'drain')  # Node: await once(socket, 'drain')


server = greennet.create_server(serve, no_delay=True)


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
    gevent.spawn_later(2, cut)


gevent.signal_handler(signal.SIGTERM, on_sigterm)
greennet.run()
