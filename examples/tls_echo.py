"""A TLS echo server and a client, as Node's ``tls`` docs show them.

Run from the repository root (the certificates are the TEST-ONLY ones of
tests/certs): ``python examples/tls_echo.py``; then try
``openssl s_client -connect 127.0.0.1:8443 -CAfile tests/certs/ca-cert.pem``.
``--port N`` listens on another port (0: any free one, printed); ``--client``
also runs a client against it.
"""
import os
import sys

import greennet
import greennet.tls as tls

CERTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'certs')


def pem(name):
    with open(os.path.join(CERTS, name + '.pem'), 'rb') as fh:
        return fh.read()


def on_secure_connection(sock):
    state = 'authorized' if sock.authorized else 'unauthorized'
    print('server: client connected', state, sock.get_protocol(), flush=True)
    sock.write('welcome!\n')
    sock.pipe(sock)


server = tls.create_server({'key': pem('server-key'), 'cert': pem('server-cert')}, on_secure_connection)
server.on('tlsClientError', lambda err, sock: print('server: TLS error', err.code, flush=True))


PORT = int(sys.argv[sys.argv.index('--port') + 1]) if '--port' in sys.argv else 8443


def client_demo():
    def on_secure_connect():
        print('client: connected', 'authorized' if client.authorized else 'unauthorized')
        client.end('hello over TLS\n')
    client = tls.connect(server.address()['port'], 'localhost', {'ca': pem('ca-cert')}, on_secure_connect)
    client.on('data', lambda data: print('client: got', data.decode().strip()))
    client.on('end', lambda: print('client: ended'))


def on_listening():
    print(f"server: listening on 127.0.0.1:{server.address()['port']}", flush=True)
    if '--client' in sys.argv:
        client_demo()


server.listen(PORT, '127.0.0.1', on_listening)
greennet.run()
