"""Raw gevent line-protocol KV server, the classic way: StreamServer + makefile(),
one loop per connection (StreamServer hands over gevent sockets: no monkey-patching
needed).

    SET k v -> OK     GET k -> the value, or NIL     anything else -> ERR

Usage: python gevent_lines.py PORT [HOST]
"""
import sys

from gevent.server import StreamServer

store = {}


def serve(sock, _address):
    try:
        for line in sock.makefile('rb'):
            cmd, _, rest = line.strip().partition(b' ')
            key, _, value = rest.partition(b' ')
            if cmd == b'GET' and key:
                sock.sendall(store.get(key, b'NIL') + b'\n')
            elif cmd == b'SET' and key:
                store[key] = value
                sock.sendall(b'OK\n')
            else:
                sock.sendall(b'ERR\n')
    except OSError:
        pass
    finally:
        sock.close()


def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1'
    StreamServer((host, port), serve, backlog=1024).serve_forever()


if __name__ == '__main__':
    main()
