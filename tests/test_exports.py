"""The public surface changes only on purpose (greennet-api.md is the contract)."""
import greennet
import greennet.errors

PUBLIC = [
    'AbortController', 'AbortSignal', 'BlockList', 'Server', 'Socket', 'SocketAddress',
    'connect', 'create_connection', 'create_server', 'errors', 'handler', 'is_ip', 'is_ipv4',
    'is_ipv6', 'register', 'run', 'once', 'get_default_auto_select_family',
    'set_default_auto_select_family', 'get_default_auto_select_family_attempt_timeout',
    'set_default_auto_select_family_attempt_timeout',
]


def test_export_list_is_pinned():
    assert sorted(greennet.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert hasattr(greennet, name), name


def test_error_classes_map_to_pythons():
    assert issubclass(greennet.errors.NodeTypeError, TypeError)
    assert issubclass(greennet.errors.NodeRangeError, ValueError)
    assert issubclass(greennet.errors.AbortError, greennet.errors.NodeError)
    assert greennet.errors.AbortError().code == 'ABORT_ERR'
    for name in greennet.errors.__all__:
        assert hasattr(greennet.errors, name), name


def test_connect_aliases():
    assert greennet.create_connection is greennet.connect
    assert greennet.Server is type(greennet.create_server())
