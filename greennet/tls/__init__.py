"""``greennet.tls``: Node's ``tls`` module on greennet's sockets.

``import greennet.tls as tls`` plays the role of ``require('tls')``::

    server = tls.create_server({'key': key, 'cert': cert}, lambda s: s.pipe(s))
    server.listen(8443)
"""
from .client import connect
from .context import SecureContext, create_secure_context
from .errors import VERIFY_CODES
from .identity import check_server_identity
from .server import Server, create_server
from .socket import TLSSocket

#: Node's defaults.
DEFAULT_MIN_VERSION = 'TLSv1.2'
DEFAULT_MAX_VERSION = 'TLSv1.3'
DEFAULT_ECDH_CURVE = 'auto'

__all__ = ['Server', 'TLSSocket', 'SecureContext', 'create_server', 'connect', 'create_secure_context',
           'check_server_identity', 'VERIFY_CODES', 'DEFAULT_MIN_VERSION', 'DEFAULT_MAX_VERSION',
           'DEFAULT_ECDH_CURVE']
