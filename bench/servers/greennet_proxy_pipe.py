"""greennet echo server behind the PROXY protocol: create_server(proxy_protocol=True) with c.pipe(c).

Usage: python greennet_proxy_pipe.py PORT [HOST]
Every connection must start with a PROXY v1 or v2 header (loadgen -X 1 / -X 2); trusted_proxies is
left at its default, loopback (the loadgen connects from 127.1.0.0/16 or 127.0.0.1).
"""
import sys

import greennet


def on_connection(c):
    c.on('error', lambda err: None)   # a peer's reset must not crash the server
    c.pipe(c)


def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1'
    server = greennet.create_server({'proxy_protocol': True}, on_connection)
    server.listen(port, host)
    greennet.run()


if __name__ == '__main__':
    main()
