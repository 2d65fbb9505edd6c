"""greennet TLS echo server: greennet.tls.create_server with c.pipe(c) (mirrors node_tls_pipe.js).

Usage: python greennet_tls_pipe.py PORT [HOST] [nodelay]
nodelay: TCP_NODELAY on every accepted connection (no_delay=True); default: Nagle on, as Node's default.
Certificate: tests/certs/server-cert.pem + server-key.pem (the same for every TLS server).
"""
import os
import sys

import greennet
import greennet.tls as tls

CERTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'certs')


def on_connection(c):
    c.on('error', lambda err: None)   # a peer's reset must not crash the server
    c.pipe(c)


def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1'
    with open(os.path.join(CERTS, 'server-key.pem'), 'rb') as f:
        key = f.read()
    with open(os.path.join(CERTS, 'server-cert.pem'), 'rb') as f:
        cert = f.read()
    server = tls.create_server({'key': key, 'cert': cert, 'no_delay': 'nodelay' in sys.argv[3:]}, on_connection)
    server.on('tlsClientError', lambda err, sock: None)
    server.listen(port, host)
    greennet.run()


if __name__ == '__main__':
    main()
