"""Raw gevent echo server: StreamServer + recv(65536)/sendall loop.

Usage: python gevent_raw.py PORT [HOST]
"""
import sys

from gevent.server import StreamServer


def echo(sock, _address):
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
            sock.sendall(data)
    except OSError:
        pass
    finally:
        sock.close()


def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1'
    StreamServer((host, port), echo, backlog=1024).serve_forever()


if __name__ == '__main__':
    main()
