"""A server behind a load balancer that speaks the PROXY protocol.

HAProxy (``send-proxy`` or ``send-proxy-v2``), nginx's stream module
(``proxy_protocol on``) and cloud TCP load balancers open their own
connection to this server and send, first, a header naming the client.
``create_server(proxy_protocol=True)`` reads it before ``'connection'``, so
``remote_address`` is the client's, not the balancer's; ``proxy_info`` holds
the whole header. Only sources in ``trusted_proxies`` (default: loopback)
are believed; anything else is dropped with a ``'drop'`` and its reason.

Run ``python examples/behind_haproxy.py`` (``--port N``; 0: any free port,
printed), then put HAProxy in front of it::

    frontend www
        bind 127.0.0.1:9000
        default_backend app
    backend app
        server app 127.0.0.1:8000 send-proxy-v2 check check-send-proxy

and ``nc 127.0.0.1 9000``: the server greets you with your own address.
Without HAProxy, play the balancer yourself:
``printf 'PROXY TCP4 203.0.113.7 127.0.0.1 5555 8000\\r\\nhi\\n' | nc 127.0.0.1 8000``.
See docs/scale-out.md.
"""
import sys

import greennet


def on_connection(sock):
    sock.on('error', lambda err: None)   # a peer's reset (HAProxy ends its checks so)
    info = sock.proxy_info
    if info['command'] == 'LOCAL':    # the balancer's health check
        sock.end()
        return
    print(f'client {sock.remote_address}:{sock.remote_port} (PROXY v{info["version"]})', flush=True)
    sock.write(f'hello {sock.remote_address}:{sock.remote_port}\n')
    sock.pipe(sock)


def on_drop(data):
    print(f"dropped {data and data.get('remote_address')}: {data and data.get('reason')}", flush=True)


PORT = int(sys.argv[sys.argv.index('--port') + 1]) if '--port' in sys.argv else 8000

server = greennet.create_server({'proxy_protocol': True, 'trusted_proxies': ['127.0.0.1', '::1']},
                                on_connection)
server.on('drop', on_drop)
server.listen(PORT, '127.0.0.1',
              lambda: print(f"listening on 127.0.0.1:{server.address()['port']}", flush=True))
greennet.run()
