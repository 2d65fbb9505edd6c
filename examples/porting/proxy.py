"""A TCP proxy: each client gets its own connection to the upstream server,
and bytes flow both ways, with back-pressure and half-close. proxy.js, ported line by line.

    python proxy.py PORT UPSTREAM_PORT [UPSTREAM_HOST]
"""
import sys

import greennet

if len(sys.argv) < 3:
    print('usage: python proxy.py PORT UPSTREAM_PORT [UPSTREAM_HOST]', file=sys.stderr)
    sys.exit(2)
port, upstream_port = sys.argv[1:3]
upstream_host = sys.argv[3] if len(sys.argv) > 3 else '127.0.0.1'


def on_connection(client):
    upstream = greennet.connect(
        port=int(upstream_port),
        host=upstream_host,
        allow_half_open=True,
    )
    # Written before the upstream connection is up: the socket holds it until then.
    client.pipe(upstream)
    upstream.pipe(client)

    # pipe() carries data and the end, not errors: one failing side takes the other down.
    @client.on('error')
    def on_client_error(err):
        print(f'! client {getattr(err, "code", err)}', flush=True)
        upstream.destroy()

    @upstream.on('error')
    def on_upstream_error(err):
        print(f'! upstream {getattr(err, "code", err)}', flush=True)
        client.destroy()

    upstream.on('connect', lambda: print(
        f'{client.remote_port} -> {upstream.local_port} -> {upstream.remote_port}', flush=True))


server = greennet.create_server(on_connection, allow_half_open=True)


@server.on('error')
def on_error(err):
    print(f'cannot listen: {err.code}', file=sys.stderr, flush=True)
    sys.exit(1)


server.listen(int(port), '127.0.0.1', lambda: print(f"listening on {server.address()['port']}", flush=True))
greennet.run()
