"""greennet echo server using c.on('data', c.write).

Usage: python greennet_data.py PORT [HOST]
"""
import sys

import greennet


def on_connection(c):
    c.on('error', lambda err: None)   # a peer's reset must not crash the server
    c.on('data', c.write)


def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1'
    server = greennet.create_server(on_connection)
    server.listen(port, host)
    greennet.run()


if __name__ == '__main__':
    main()
