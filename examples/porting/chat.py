"""A line chat: what one client says, every other client hears. chat.js, ported line by line.

    python chat.py [port]

Commands: /nick NAME, /who, /quit. A client is "guestN" until it picks a name.
"""
import sys

import greennet

port = int(sys.argv[1]) if len(sys.argv) > 1 else 7001
clients = {}                # a dict as an ordered set: JavaScript's Set keeps insertion order
next_id = 1


def broadcast(text, excluded=None):
    for client in list(clients):
        if client is not excluded and client.writable:
            client.write(text)


def handle(socket, line):
    if line.startswith('/nick '):
        name = line[6:].strip()
        if name:
            broadcast(f'* {socket.name} is now {name}\n')
            socket.name = name
    elif line == '/who':
        socket.write(f"* here: {' '.join(c.name for c in clients)}\n")
    elif line == '/quit':
        clients.pop(socket, None)
        socket.end('* bye\n')
    elif line != '':
        broadcast(f'{socket.name}: {line}\n', socket)


def on_connection(socket):
    global next_id
    socket.name = f'guest{next_id}'
    next_id += 1
    socket.set_encoding('utf8')
    socket.write(f'* welcome {socket.name}\n')
    broadcast(f'* {socket.name} joined\n')
    clients[socket] = None

    pending = ''

    @socket.on('data')
    def on_data(text):
        nonlocal pending
        pending += text
        while (nl := pending.find('\n')) != -1:
            line = pending[:nl].removesuffix('\r')
            pending = pending[nl + 1:]
            handle(socket, line)

    socket.on('error', lambda err: print(f'! {socket.name} {getattr(err, "code", err)}', flush=True))

    @socket.on('close')
    def on_close(had_error):
        clients.pop(socket, None)
        broadcast(f'* {socket.name} left\n')


server = greennet.create_server(on_connection)


@server.on('error')
def on_error(err):
    print(f'cannot listen: {err.code}', file=sys.stderr, flush=True)
    sys.exit(1)


server.listen(port, '127.0.0.1', lambda: print(f"listening on {server.address()['port']}", flush=True))
greennet.run()
