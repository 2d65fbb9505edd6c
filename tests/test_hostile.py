"""Hostile arguments (project issue 7, item 7).

Hypothesis throws random values (``None``, booleans, integers huge and
negative, floats with nan/inf, strings empty/unicode/huge, bytes, lists,
dicts, objects, callables) at every public function and method. Each call
must either work, or raise a ``TypeError``/``ValueError`` carrying Node's
``code`` (or a ``greennet.errors.NodeError`` with a code): never another
exception, never a hang (each call is bounded by ``gevent.Timeout``), never
an exception in the hub afterwards, and never a half-built object: a
``Server`` whose ``listen()`` raised can still ``listen(0, '127.0.0.1')``,
and after every example (its sockets destroyed, its servers closed)
``greennet.run()`` returns, so nothing was left open. A ``Server`` made
from random options must still serve a connection.

Dicts passed as options carry the option names Node documents for that
function (with random values); random key names are the subject of
:func:`test_unknown_option_keys_are_ignored`.

What a call would need to be dangerous is kept out of the values: no string
contains ``/`` (a Unix path is relative, in a temporary folder made the
working directory), no option is named ``fd`` or ``handle``, and the
callables do nothing. A listen with a random port and no host may bind the
wildcard address for a moment; it is closed at once.

Known greennet bugs each have their own test below (marked ``xfail``); the
random tests tolerate exactly those failures (:data:`KNOWN_BUGS`) so that
they keep catching new ones. When a bug is fixed, remove its entry there
and the ``xfail`` of its test.
"""
from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import tempfile
import traceback
from typing import Any, Callable

import gevent
import pytest
from conftest import PYTHON, _close_leftovers, connect_and_wait, get, listen, python_env
from gevent import socket as gsocket
from gevent.event import AsyncResult
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import greennet
from greennet.errors import NodeError

pytestmark = pytest.mark.timeout(120)

#: Seconds one call may take; more is a hang.
CALL_TIMEOUT = 2.0
#: Seconds ``greennet.run()`` may take after an example's clean-up.
RUN_TIMEOUT = 3.0
#: Examples per random test; the whole file stays under ~20 s.
EXAMPLES = 300

SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))


# -- values -------------------------------------------------------------------------

class Opaque:
    """An object of no particular kind."""

    def __repr__(self) -> str:
        return '<Opaque>'


class CallMe:
    """A callable object that does nothing."""

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        return None

    def __repr__(self) -> str:
        return '<CallMe>'


def noop(*args: Any, **kwargs: Any) -> None:
    return None


def returns_false(*args: Any, **kwargs: Any) -> bool:
    return False


_CAMEL = re.compile(r'(?<=[a-z0-9])([A-Z])')


def snake(name: str) -> str:
    return _CAMEL.sub(r'_\1', name).lower()


# The option names Node 20 documents, per function (``fd`` left out).
SOCKET_KEYS = ['allowHalfOpen', 'readable', 'writable', 'signal']
CONNECT_KEYS = SOCKET_KEYS + ['port', 'host', 'localAddress', 'localPort', 'family', 'hints',
                              'lookup', 'noDelay', 'keepAlive', 'keepAliveInitialDelay', 'path',
                              'onread', 'timeout', 'blockList', 'autoSelectFamily',
                              'autoSelectFamilyAttemptTimeout']
SERVER_KEYS = ['allowHalfOpen', 'pauseOnConnect', 'noDelay', 'keepAlive', 'keepAliveInitialDelay',
               'blockList', 'highWaterMark']
LISTEN_KEYS = ['port', 'host', 'path', 'backlog', 'exclusive', 'readableAll', 'writableAll',
               'ipv6Only', 'signal']
ADDRESS_KEYS = ['address', 'family', 'flowlabel', 'port']


def _safe_text(text: str) -> bool:
    return '/' not in text


SPECIAL_STRINGS = [
    '', ' ', '0', '-1', '80', '65535', '65536', '0x10', '1e3', '1.5', 'NaN', 'Infinity',
    'localhost', '127.0.0.1', '::1', '::', '0.0.0.0', '1.2.3.4', 'é', '\u2603', '\udcff',
    '\0abstract', '\n', 'utf8', 'hex', 'base64', 'ucs2', 'latin1', 'ipv4', 'ipv6', 'IPv4', 'IPv6',
    'x' * 100000, '9' * 5000, 'a' * 300,
    # issue 10: past sun_path (108 bytes), a NUL inside, an abstract name past sun_path
    'p' * 109, 'a\0b', '\0' + 'q' * 120, '\ud800',
]
SPECIAL_INTS = [0, 1, -1, 2, 4, 6, 128, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 + 1,
                2 ** 63, 2 ** 64, 10 ** 30, -10 ** 30, 10 ** 400, -2 ** 63, 2 ** 63 - 1, -(10 ** 400)]
SPECIAL_FLOATS = [float('nan'), float('inf'), float('-inf'), -0.0, 0.5, 1e308, -1e308, 5e-324,
                  65535.0, 65535.5, 1e20]
#: A class as a value. It is callable, so it may land where a callback goes;
#: it takes any arguments, since a callback that raises (``Empty(err)`` with
#: no ``__init__``) is the caller's bug, which greennet rightly reports.
EMPTY_CLASS = type('Empty', (), {'__init__': lambda self, *args, **kwargs: None})
OBJECTS = [object(), Opaque(), CallMe(), noop, returns_false, Exception('boom'), Ellipsis,
           NotImplemented, EMPTY_CLASS, range(3), (1, 2), frozenset({1}), 1j]

texts = st.one_of(st.text(max_size=12), st.sampled_from(SPECIAL_STRINGS)).filter(_safe_text)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(SPECIAL_INTS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(SPECIAL_FLOATS),
    texts,
    st.binary(max_size=32),
    st.binary(max_size=32).map(bytearray),
    st.binary(max_size=8).map(lambda b: memoryview(b)),
    st.sampled_from(OBJECTS),
)
_VALUES: dict[tuple[str, ...], Any] = {}


def values(keys: list[str] = CONNECT_KEYS) -> Any:
    """Random values; dicts among them carry ``keys`` (Node's names for the
    options of the function at hand)."""
    key = tuple(keys)
    if key not in _VALUES:
        _VALUES[key] = st.recursive(
            leaves,
            lambda children: st.one_of(st.lists(children, max_size=3),
                                       st.dictionaries(st.sampled_from(keys), children, max_size=4)),
            max_leaves=6)
    return _VALUES[key]


def keyword_options(data: Any, keys: list[str]) -> dict[str, Any]:
    """Some of ``keys`` as keyword arguments (snake_case) with random values."""
    if not data.draw(st.booleans(), label='keywords'):
        return {}
    names = data.draw(st.lists(st.sampled_from([snake(k) for k in keys]), max_size=3,
                               unique=True), label='keyword names')
    return {name: data.draw(values(keys), label=name) for name in names}


def short(value: Any, limit: int = 160) -> str:
    try:
        text = repr(value)
    except Exception as err:   # noqa: BLE001 - a value whose repr fails is still reported
        text = f'<unrepresentable {type(value).__name__}: {err}>'
    return text if len(text) <= limit else text[:limit] + f'...({len(text)} chars)'


def describe(label: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    parts = [short(a) for a in args] + [f'{k}={short(v)}' for k, v in kwargs.items()]
    return '{}({})'.format(label, ', '.join(parts))


# -- the checker ----------------------------------------------------------------------

class Bug(AssertionError):
    """A call broke the contract; the message names the call and the values."""


#: Failures of known greennet bugs, each with its own xfail test below; the
#: random tests let these (and only these) pass. Remove an entry once fixed.
KNOWN_BUGS: list[re.Pattern] = [
    # create_server(block_list=<not a BlockList>): accepted, then every connection fails in
    # the hub; test_hostile_values.test_create_server_block_list_of_the_wrong_type_raises
    # (wiring: arguments.validate_server_options from Server.__init__)
    re.compile(r"(block_list=|'blockList': )(?!None\b).*(no 'connection' came|has no attribute 'check')",
               re.S),
]

#: When a list, bugs are appended to it instead of failing the example
#: (for surveying every kind of failure at once; the tests leave it None).
COLLECT: list[str] | None = None


def bug(message: str) -> None:
    if any(known.search(message) for known in KNOWN_BUGS):
        return
    if COLLECT is not None:
        COLLECT.append(message)
        return
    raise Bug(message)


def where(err: BaseException) -> str:
    """The innermost frame the exception came from: ``server.py:123 in f``."""
    frames = traceback.extract_tb(err.__traceback__)
    if not frames:
        return '?'
    frame = frames[-1]
    return f'{os.path.basename(frame.filename)}:{frame.lineno} in {frame.name}'


def checked(label: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    """``(True, result)`` if the call worked, ``(False, error)`` if it raised
    (a coded TypeError/ValueError/NodeError is fine; anything else is a bug)."""
    call = describe(label, args, kwargs)
    try:
        with gevent.Timeout(CALL_TIMEOUT):
            return True, fn(*args, **kwargs)
    except gevent.Timeout:
        bug(f'{call} hung for more than {CALL_TIMEOUT}s')
        return False, None
    except (TypeError, ValueError, NodeError) as err:
        code = getattr(err, 'code', None)
        if not (isinstance(code, str) and code):
            bug(f'{call} raised {type(err).__name__} without a Node code: {err} [{where(err)}]')
        return False, err
    except Exception as err:  # noqa: BLE001 - what this test is looking for
        bug(f'{call} raised {type(err).__name__}: {err} [{where(err)}]')
        return False, err


class Example:
    """What one example made, cleaned up at the end, and the checks that
    follow the clean-up: no hub error, ``run()`` returns."""

    def __init__(self, hub_errors: list[Any]) -> None:
        self.hub_errors = hub_errors
        self.hub_before = len(hub_errors)
        self.sockets: list[Any] = []
        self.servers: list[Any] = []
        self.calls: list[str] = []

    def adopt(self, value: Any) -> Any:
        """Take charge of a Socket or Server: errors collected, destroyed or
        closed at the end."""
        if isinstance(value, greennet.Socket) and not any(value is s for s in self.sockets):
            value.on('error', noop)
            self.sockets.append(value)
        elif isinstance(value, greennet.Server) and not any(value is s for s in self.servers):
            value.on('error', noop)
            self.servers.append(value)
        return value

    def call(self, label: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        self.calls.append(describe(label, args, kwargs))
        ok, result = checked(label, fn, *args, **kwargs)
        if ok:
            self.adopt(result)
        return ok, result

    def finish(self) -> None:
        for sock in self.sockets:
            checked('cleanup: destroy', sock.destroy)
        for server in self.servers:
            checked('cleanup: close', server.close)
        try:
            with gevent.Timeout(RUN_TIMEOUT):
                greennet.run()
        except gevent.Timeout:
            _close_leftovers()      # so that the next examples start clean
            bug('after {} and clean-up, greennet.run() did not return within {}s: '
                'something was left open'.format('; '.join(self.calls), RUN_TIMEOUT))
        for _ in range(3):
            gevent.sleep(0)
        new = self.hub_errors[self.hub_before:]
        if new:
            del self.hub_errors[self.hub_before:]
            bug('after {}, the hub reported {}'.format(
                '; '.join(self.calls), ', '.join(f'{type(v).__name__}: {v}' for _c, v in new)))


def arity(fn: Callable[..., Any], most: int = 3) -> tuple[int, int]:
    """How many positional arguments ``fn`` needs and takes (``most`` for
    ``*args``): a call with another count fails in Python's own argument
    binding, which says nothing about greennet."""
    required = taken = 0
    for param in inspect.signature(fn).parameters.values():
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            taken += 1
            if param.default is param.empty:
                required += 1
        elif param.kind == param.VAR_POSITIONAL:
            taken = max(taken, most)
    return required, min(taken, most)


def arguments(data: Any, fn: Callable[..., Any], keys: list[str] = CONNECT_KEYS,
              most: int = 3) -> tuple[Any, ...]:
    required, taken = arity(fn, most)
    count = data.draw(st.integers(required, max(required, taken)), label='how many arguments')
    return tuple(data.draw(values(keys), label=f'argument {i}') for i in range(count))


@pytest.fixture
def in_tmp_dir(monkeypatch: Any) -> Any:
    """Relative Unix paths land in a temporary folder (short, for sun_path)."""
    folder = tempfile.mkdtemp(prefix='gnh', dir='/tmp')
    monkeypatch.chdir(folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _echo_server() -> Any:
    server = greennet.create_server(lambda conn: (conn.on('error', noop), conn.pipe(conn)))
    listen(server, 0, '127.0.0.1')
    server.unref()          # run() after an example must not wait for it
    return server


def _serves_a_connection(server: Any) -> Any | None:
    """``server`` (not listening yet) listens on loopback and accepts one
    connection; that connection, or ``None`` if no 'connection' came."""
    listen(server, 0, '127.0.0.1')
    got = AsyncResult()
    server.once('connection', lambda conn: (conn.on('error', noop), got.set(conn)))
    with gsocket.create_connection(('127.0.0.1', server.address()['port']),
                                   timeout=CALL_TIMEOUT) as client:
        client.sendall(b'ping')
        try:
            return got.get(timeout=CALL_TIMEOUT)
        except gevent.Timeout:
            return None


# -- module functions and constructors ------------------------------------------------

MODULE_TARGETS = {'connect': CONNECT_KEYS, 'create_connection': CONNECT_KEYS,
                  'create_server': SERVER_KEYS, 'Server': SERVER_KEYS, 'Socket': SOCKET_KEYS,
                  'is_ip': CONNECT_KEYS, 'is_ipv4': CONNECT_KEYS, 'is_ipv6': CONNECT_KEYS,
                  'SocketAddress': ADDRESS_KEYS}


def test_module_functions_with_hostile_arguments(hub_errors, in_tmp_dir):
    @SETTINGS
    @given(st.sampled_from(sorted(MODULE_TARGETS)), st.data())
    def run(target: str, data: Any) -> None:
        example = Example(hub_errors)
        keys = MODULE_TARGETS[target]
        fn = getattr(greennet, target)
        args = arguments(data, fn, keys)
        kwargs = {}
        if target in ('connect', 'create_connection', 'create_server', 'Server', 'Socket'):
            kwargs = keyword_options(data, keys)
        try:
            ok, result = example.call(target, fn, *args, **kwargs)
            if ok and target.startswith('is_'):
                expected = int if target == 'is_ip' else bool
                if type(result) is not expected:
                    bug(f'{example.calls[-1]} returned {result!r}')
            if ok and isinstance(result, greennet.Server) and not result.listening:
                # a Server made from random options still serves
                example.calls.append('listen(0, "127.0.0.1") and one connection')
                conn = _serves_a_connection(result)
                if conn is None:
                    bug("after {}, no 'connection' came".format('; '.join(example.calls)))
                example.adopt(conn)
        finally:
            example.finish()
    run()


# -- Server methods -----------------------------------------------------------------------

SERVER_METHODS = ['listen', 'close', 'get_connections', 'address', 'ref', 'unref']


def test_server_methods_with_hostile_arguments(hub_errors, in_tmp_dir):
    @SETTINGS
    @given(st.sampled_from(SERVER_METHODS), st.sampled_from(['fresh', 'listening', 'closed']),
           st.data())
    def run(method: str, state: str, data: Any) -> None:
        example = Example(hub_errors)
        try:
            server = example.adopt(greennet.create_server())
            if state != 'fresh':
                listen(server, 0, '127.0.0.1')
            if state == 'closed':
                server.close()
            fn = getattr(server, method)
            args = arguments(data, fn, LISTEN_KEYS, 4)
            kwargs = keyword_options(data, LISTEN_KEYS + ['callback']) if method == 'listen' else {}
            ok, _result = example.call('server.' + method, fn, *args, **kwargs)
            if method == 'listen' and not ok and state != 'listening':
                # not half-built: the same server can still listen
                example.calls.append('then listen(0, "127.0.0.1")')
                listen(server, 0, '127.0.0.1')
                assert server.listening
        finally:
            example.finish()
    run()


# -- Socket methods -------------------------------------------------------------------------

SOCKET_METHODS = ['connect', 'write', 'end', 'destroy', 'set_encoding', 'set_timeout',
                  'set_no_delay', 'set_keep_alive', 'pause', 'resume', 'pipe', 'address',
                  'ref', 'unref']


def _connected_pair(example: Example, server: Any) -> Any:
    got = AsyncResult()
    server.once('connection', got.set)
    client = example.adopt(greennet.connect(server.address()['port'], '127.0.0.1'))
    connected = AsyncResult()
    client.once('connect', lambda: connected.set(True))
    get(connected, CALL_TIMEOUT, "'connect'")
    example.adopt(get(got, CALL_TIMEOUT, "'connection'"))
    return client


def test_socket_methods_with_hostile_arguments(hub_errors, in_tmp_dir):
    server = _echo_server()
    try:
        @SETTINGS
        @given(st.sampled_from(SOCKET_METHODS), st.sampled_from(['fresh', 'connected']), st.data())
        def run(method: str, state: str, data: Any) -> None:
            if method == 'connect' and state == 'connected':
                return   # aborts the process: test_connect_on_a_connected_socket_does_not_crash
            example = Example(hub_errors)
            try:
                if state == 'fresh':
                    sock = example.adopt(greennet.Socket())
                else:
                    sock = _connected_pair(example, server)
                fn = getattr(sock, method)
                args = arguments(data, fn)
                kwargs = keyword_options(data, CONNECT_KEYS + ['callback']) if method == 'connect' else {}
                ok, _result = example.call('socket.' + method, fn, *args, **kwargs)
                if method == 'connect' and not ok and sock.connecting:
                    # not half-built: a socket whose connect() raised holds
                    # nothing open (finish() also checks that run() returns)
                    bug(f'{example.calls[-1]} raised but left the socket connecting')
            finally:
                example.finish()
        run()
    finally:
        server.close()


# -- BlockList and SocketAddress --------------------------------------------------------------

BLOCKLIST_METHODS = ['add_address', 'add_range', 'add_subnet', 'check']
address_like = st.one_of(
    values(ADDRESS_KEYS),
    st.sampled_from(['1.2.3.4', '::1', '10.0.0.0', '::ffff:1.2.3.4', 'fe80::1%eth0']),
    st.sampled_from(['1.2.3.4', '::1']).map(
        lambda a: greennet.SocketAddress({'address': a, 'family': 'ipv6' if ':' in a else 'ipv4'})))


def test_blocklist_and_socketaddress_with_hostile_arguments(hub_errors):
    @SETTINGS
    @given(st.sampled_from(BLOCKLIST_METHODS + ['SocketAddress', 'SocketAddress(options)']),
           st.data())
    def run(method: str, data: Any) -> None:
        example = Example(hub_errors)
        try:
            if method == 'SocketAddress':
                args = arguments(data, greennet.SocketAddress, ADDRESS_KEYS)
                example.call('SocketAddress', greennet.SocketAddress, *args)
            elif method == 'SocketAddress(options)':
                options = data.draw(st.fixed_dictionaries(
                    {}, optional={'address': address_like, 'family': values(ADDRESS_KEYS),
                                  'flowlabel': values(ADDRESS_KEYS), 'port': values(ADDRESS_KEYS)}),
                    label='options')
                example.call('SocketAddress', greennet.SocketAddress, options)
            else:
                block_list = greennet.BlockList()
                block_list.add_subnet('10.0.0.0', 8)
                fn = getattr(block_list, method)
                required, taken = arity(fn)
                count = data.draw(st.integers(required, taken), label='how many arguments')
                addresses = 2 if method == 'add_range' else 1
                args = tuple(data.draw(address_like if i < addresses else values(ADDRESS_KEYS),
                                       label=f'argument {i}') for i in range(count))
                ok, result = example.call('block_list.' + method, fn, *args)
                if ok and method == 'check' and type(result) is not bool:
                    bug(f'{example.calls[-1]} returned {result!r}')
                # the list is still whole
                checked('block_list.rules', lambda: block_list.rules)
                if checked('block_list.check', block_list.check, '10.1.2.3') != (True, True):
                    bug(f'after {example.calls[-1]}, 10.1.2.3 is no longer blocked')
        finally:
            example.finish()
    run()


# == the bugs found, one test each ==================================================================

def test_unknown_option_keys_are_ignored(hub_errors, in_tmp_dir):
    """Node reads the options it knows and ignores the rest, so ported option
    objects (``{port, host, servername}``, or a server's options passed to
    ``connect``) work unchanged."""
    @settings(SETTINGS, max_examples=40)
    @given(st.sampled_from(['connect', 'create_server', 'Socket', 'listen']),
           st.dictionaries(st.text(max_size=8).filter(_safe_text).filter(
               lambda k: snake(k) not in ('fd', 'handle') and snake(k) not in [
                   snake(n) for n in CONNECT_KEYS + SERVER_KEYS + LISTEN_KEYS]),
               st.none(), min_size=1, max_size=3))
    def run(target: str, extra: dict[str, Any]) -> None:
        example = Example(hub_errors)
        try:
            if target == 'connect':
                options = dict(extra, port=1, host='127.0.0.1')
                example.call('connect', greennet.connect, options)
            elif target == 'create_server':
                example.call('create_server', greennet.create_server, dict(extra))
            elif target == 'Socket':
                example.call('Socket', greennet.Socket, dict(extra))
            else:
                server = example.adopt(greennet.create_server())
                example.call('server.listen', server.listen, dict(extra, port=0, host='127.0.0.1'))
        finally:
            example.finish()
    run()


@pytest.mark.parametrize('host', [[], 5, b'localhost', {'a': 1}])
def test_listen_with_a_non_string_host_raises_coded_type_error(hub_errors, host):
    server = greennet.create_server()
    server.on('error', noop)
    try:
        with pytest.raises(TypeError) as caught:
            server.listen(port=0, host=host)
        assert getattr(caught.value, 'code', None) == 'ERR_INVALID_ARG_TYPE'
        listen(server, 0, '127.0.0.1')        # and the server is still usable
    finally:
        server.close()
        for _ in range(3):
            gevent.sleep(0)
        assert not hub_errors, [v for _c, v in hub_errors]


@pytest.mark.parametrize('delay', ['abc', [4], {'x': 1}, b'1', 1e308, float('nan'), 2 ** 70])
def test_set_keep_alive_coerces_any_initial_delay(servers, delay):
    server = servers()
    client = connect_and_wait(server.address()['port'], '127.0.0.1')
    try:
        assert client.set_keep_alive(True, delay) is client
    finally:
        client.destroy()


@pytest.mark.parametrize('delay', ['abc', [4]])
def test_server_keep_alive_initial_delay_not_a_number_raises(delay):
    # Node 20: createServer({keepAliveInitialDelay: 'abc' or [4]}) throws.
    with pytest.raises(TypeError) as raised:
        greennet.create_server({'keepAlive': True, 'keepAliveInitialDelay': delay})
    assert raised.value.code == 'ERR_INVALID_ARG_TYPE'


@pytest.mark.parametrize('delay', [1e308, 0, -5, 2 ** 40])
def test_server_keep_alive_initial_delay_of_any_number_serves(hub_errors, delay):
    server = greennet.create_server({'keepAlive': True, 'keepAliveInitialDelay': delay})
    try:
        conn = _serves_a_connection(server)
        assert conn is not None, "no 'connection'"
        conn.destroy()
    finally:
        server.close()
        for _ in range(3):
            gevent.sleep(0)
        assert not hub_errors, [v for _c, v in hub_errors]


@pytest.mark.parametrize('family', [[], {}, [4]])
def test_connect_with_an_unhashable_family_raises_coded_error(family):
    with pytest.raises((TypeError, ValueError)) as caught:
        greennet.connect(port=1, host='localhost', family=family)
    assert getattr(caught.value, 'code', None) == 'ERR_INVALID_ARG_VALUE'


@pytest.mark.parametrize('backlog', [float('inf'), 2 ** 31, 10 ** 30])
@pytest.mark.parametrize('host', [None, '127.0.0.1'])
def test_listen_with_a_huge_backlog_listens(hub_errors, backlog, host):
    server = greennet.create_server()
    listening = AsyncResult()
    server.once('listening', lambda: listening.set(True))
    try:
        if host is None:
            server.listen(0, backlog=backlog)
        else:
            server.listen(0, host, backlog)
        assert listening.get(timeout=CALL_TIMEOUT)
        assert server.listening
    finally:
        server.close()
        for _ in range(3):
            gevent.sleep(0)
        assert not hub_errors, [v for _c, v in hub_errors]


@pytest.mark.parametrize('what', ['connect', 'listen'])
def test_lookup_of_an_overlong_name_is_an_error_event(hub_errors, what):
    name = 'a' * 300
    failed = AsyncResult()
    emitter: Any
    if what == 'connect':
        emitter = greennet.connect(80, name)
    else:
        emitter = greennet.create_server()
        emitter.listen(0, name)
    emitter.on('error', failed.set)
    try:
        err = failed.get(timeout=CALL_TIMEOUT)
        assert isinstance(getattr(err, 'code', None), str), err
    finally:
        emitter.destroy() if what == 'connect' else emitter.close()
        for _ in range(3):
            gevent.sleep(0)
        assert not hub_errors, [v for _c, v in hub_errors]


@pytest.mark.parametrize('destination', [None, 5, 'x', [], {}, object()])
def test_pipe_to_a_non_stream_raises_type_error(destination):
    sock = greennet.Socket()
    try:
        with pytest.raises(TypeError):
            sock.pipe(destination)
    finally:
        sock.destroy()


_RECONNECT = r'''
import sys
import gevent
import greennet

server = greennet.create_server(lambda conn: (conn.on('error', lambda e: None), conn.pipe(conn)))
server.listen(0, '127.0.0.1')
gevent.sleep(0.05)
port = server.address()['port']
client = greennet.connect(port, '127.0.0.1')
client.on('error', lambda err: print('error', getattr(err, 'code', err), flush=True))
connected = gevent.event.Event()
client.on('connect', connected.set)
assert connected.wait(5)
client.connect(int(sys.argv[1]), '127.0.0.1')     # again, while connected
gevent.sleep(0.2)
client.destroy()
other = greennet.connect(port, '127.0.0.1')       # the loop still works
other.on('data', lambda data: (print('echo', data.decode(), flush=True), other.destroy(),
                                server.close()))
other.write(b'ok')
greennet.run()
print('alive', flush=True)
'''


@pytest.mark.timeout(30)
def test_connect_on_a_connected_socket_does_not_crash():
    dead = gsocket.socket()
    dead.bind(('127.0.0.1', 0))
    port = dead.getsockname()[1]
    dead.close()
    out = subprocess.run([PYTHON, '-c', _RECONNECT, str(port)], env=python_env(),
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, (out.returncode, out.stdout, out.stderr[-2000:])
    assert 'echo ok' in out.stdout and 'alive' in out.stdout, out.stdout
