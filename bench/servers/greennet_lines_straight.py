"""greennet line-protocol KV server, straight-line style (as examples/kv_server.py):
the 'connection' listener loops over conn.makefile('rb'), blocking only its own
connection.

    SET k v -> OK     GET k -> the value, or NIL     anything else -> ERR

Usage: python greennet_lines_straight.py PORT [HOST]
"""
import sys

import greennet

store = {}


def serve(conn):
    conn.on('error', lambda err: None)   # a peer's reset must not crash the server
    try:
        for line in conn.makefile('rb'):
            cmd, _, rest = line.strip().partition(b' ')
            key, _, value = rest.partition(b' ')
            if cmd == b'GET' and key:
                conn.write(store.get(key, b'NIL') + b'\n')
            elif cmd == b'SET' and key:
                store[key] = value
                conn.write(b'OK\n')
            else:
                conn.write(b'ERR\n')
    except OSError:
        pass


def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1'
    greennet.create_server(serve).listen(port, host)
    greennet.run()


if __name__ == '__main__':
    main()
