"""chat.py in straight-line style: each connection reads its lines in a loop.

    python chat_straight.py [port]
"""
import sys

import greennet

port = int(sys.argv[1]) if len(sys.argv) > 1 else 7001
clients = {}
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
        return False
    elif line != '':
        broadcast(f'{socket.name}: {line}\n', socket)
    return True


def serve(socket):              # runs on this connection's own strand: blocking holds back no one else
    global next_id
    socket.name = f'guest{next_id}'
    next_id += 1
    socket.write(f'* welcome {socket.name}\n')
    broadcast(f'* {socket.name} joined\n')
    clients[socket] = None
    socket.on('error', lambda err: print(f'! {socket.name} {getattr(err, "code", err)}', flush=True))

    @socket.on('close')
    def on_close(had_error):
        clients.pop(socket, None)
        broadcast(f'* {socket.name} left\n')

    # Lines end at '\n' only (newline='\n'), as chat.js splits them; a last line without one is dropped.
    with socket.makefile('r', encoding='utf-8', errors='replace', newline='\n') as lines:
        for line in lines:
            if not line.endswith('\n') or not handle(socket, line[:-1].removesuffix('\r')):
                break


server = greennet.create_server(serve)


@server.on('error')
def on_error(err):
    print(f'cannot listen: {err.code}', file=sys.stderr, flush=True)
    sys.exit(1)


server.listen(port, '127.0.0.1', lambda: print(f"listening on {server.address()['port']}", flush=True))
greennet.run()
