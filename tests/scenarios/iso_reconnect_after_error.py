# connect() again from the 'close' listener of a socket whose first
# connect failed (ECONNREFUSED): the same object connects afresh, emits
# 'connect' and is served; and connect() from the 'close' of a socket that
# was destroyed before it ever connected (that 'close' has no argument).
import greennet
from _common import channel, run


def on_connection(sock):
    sock.on('error', lambda e: None)
    sock.on('data', lambda d: sock.end('pong'))


server = greennet.create_server(on_connection)


def on_listening():
    port = server.address()['port']
    done = [0]

    def finished():
        done[0] += 1
        if done[0] == 2:
            server.close()

    def watch(s, slog):
        s.set_encoding('utf8')

        def on_connect():
            slog('connect', s.connecting, s.destroyed, s.ready_state)
            s.write('ping')
        s.on('connect', on_connect)
        s.on('ready', lambda: slog('ready'))
        s.on('data', lambda d: slog('data', d))
        s.on('end', lambda: slog('end'))
        s.on('error', lambda e: slog('error', e.code, e.syscall))

    def reconnecting(s, slog):
        rounds = [0]

        def on_close(*a):
            slog('close', rounds[0], a[0] if a else None, s.destroyed)
            rounds[0] += 1
            if rounds[0] == 1:
                r = s.connect(port, '127.0.0.1')
                slog('reconnect', r is s, s.connecting, s.destroyed, s.ready_state)
            else:
                finished()
        s.on('close', on_close)

    dead = greennet.create_server()

    def dead_listening():
        dead_port = dead.address()['port']

        def dead_closed(*a):
            alog = channel('refused')
            s = greennet.Socket()
            watch(s, alog)
            reconnecting(s, alog)
            s.connect(dead_port, '127.0.0.1')
        dead.close(dead_closed)
    dead.listen(0, '127.0.0.1', dead_listening)

    blog = channel('destroyed')
    b = greennet.Socket()
    watch(b, blog)
    reconnecting(b, blog)
    b.destroy()


server.listen(0, '127.0.0.1', on_listening)
run()
