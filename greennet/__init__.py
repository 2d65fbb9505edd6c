"""greennet: Node.js's ``net`` module for Python, on gevent.

``import greennet`` plays the role of ``require('net')``::

    import greennet

    server = greennet.create_server(lambda c: c.pipe(c))
    server.listen(7000)
    greennet.run()
"""
from . import errors
from .abort import AbortController, AbortSignal
from .address import SocketAddress, is_ip, is_ipv4, is_ipv6
from .autoselect import (
                         get_default_auto_select_family,
                         get_default_auto_select_family_attempt_timeout,
                         set_default_auto_select_family,
                         set_default_auto_select_family_attempt_timeout,
)
from .blocklist import BlockList
from .events import once
from .registry import handler, register
from .runtime import run
from .server import Server, create_server
from .socket import Socket, connect, create_connection

__version__ = '0.1.0'

__all__ = [
    'AbortController', 'AbortSignal', 'BlockList', 'Server', 'Socket', 'SocketAddress',
    'connect', 'create_connection', 'create_server', 'errors', 'handler', 'is_ip', 'is_ipv4',
    'is_ipv6', 'register', 'run', 'once', 'get_default_auto_select_family',
    'set_default_auto_select_family', 'get_default_auto_select_family_attempt_timeout',
    'set_default_auto_select_family_attempt_timeout',
]
