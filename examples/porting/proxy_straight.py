"""proxy.py in straight-line style: a loop copies each direction.

    python proxy_straight.py PORT UPSTREAM_PORT [UPSTREAM_HOST]
"""
import sys

import gevent

import greennet

if len(sys.argv) < 3:
    print('usage: python proxy_straight.py PORT UPSTREAM_PORT [UPSTREAM_HOST]', file=sys.stderr)
    sys.exit(2)
port, upstream_port = sys.argv[1:3]
upstream_host = sys.argv[3] if len(sys.argv) > 3 else '127.0.0.1'


def copy(source, destination):
    """Source to destination until the source ends, then end the destination
    (half-close). makefile(buffering=0): a read returns what has come, a
    write waits while the destination needs 'drain'."""
    try:
        with source.makefile('rb', buffering=0) as reader, destination.makefile('wb', buffering=0) as writer:
            while chunk := reader.read(65536):
                writer.write(chunk)
        destination.end()
    except OSError:
        pass            # ECONNRESET, EPIPE...: the 'error' listeners report it and destroy both sides


def serve(client):              # runs on the client's own strand
    upstream = greennet.connect(port=int(upstream_port), host=upstream_host, allow_half_open=True)

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

    gevent.spawn(copy, upstream, client)   # upstream -> client, in a greenlet of its own
    copy(client, upstream)                 # client -> upstream, here; then return (no join: see below)


server = greennet.create_server(serve, allow_half_open=True)


@server.on('error')
def on_error(err):
    print(f'cannot listen: {err.code}', file=sys.stderr, flush=True)
    sys.exit(1)


server.listen(int(port), '127.0.0.1', lambda: print(f"listening on {server.address()['port']}", flush=True))
greennet.run()
