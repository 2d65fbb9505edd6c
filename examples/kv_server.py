"""A key-value server in straight-line style: one loop per connection, as a
gevent developer writes it, with Node's events all the same.

    SET k v   -> OK          GET k  -> the value, or NIL
    DEL k     -> 1 or 0      anything else -> ERR

Run it (``python examples/kv_server.py [port]``), then ``nc localhost 7001``.
"""
import sys

import greennet

store = {}


def serve(conn):   # runs on the connection's own strand: blocking here holds back only this client
    for line in conn.makefile('rb'):
        cmd, _, rest = line.strip().partition(b' ')
        key, _, value = rest.partition(b' ')
        if cmd == b'SET' and key:
            store[key] = value
            conn.write(b'OK\n')
        elif cmd == b'GET' and key:
            conn.write(store.get(key, b'NIL') + b'\n')
        elif cmd == b'DEL' and key:
            conn.write(b'%d\n' % (store.pop(key, None) is not None))
        else:
            conn.write(b'ERR\n')


if __name__ == '__main__':
    server = greennet.create_server(serve)
    server.listen(int(sys.argv[1]) if len(sys.argv) > 1 else 7001, '127.0.0.1',
                  lambda: print('listening on', server.address()['port'], flush=True))
    greennet.run()
