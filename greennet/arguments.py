"""Node's ``normalizeArgs``: the positional, option-object and keyword forms
of ``connect()`` and ``listen()``, and the option names each call takes."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

from .address import is_ip
from .blocklist import BlockList
from .errors import (
    ERR_INVALID_ARG_TYPE,
    ERR_INVALID_ARG_VALUE,
    ERR_INVALID_IP_ADDRESS,
    ERR_MISSING_ARGS,
    ERR_OUT_OF_RANGE,
    NodeTypeError,
)
from .proxy_protocol import DEFAULT_TIMEOUT_MS, trusted_proxies_list
from .validators import (
    js_number,
    js_truthy,
    snake_options,
    to_uint32,
    validate_abort_signal,
    validate_boolean,
    validate_fd,
    validate_function,
    validate_int32,
    validate_number,
    validate_port,
    validate_string,
)

__all__ = ['LISTEN_OPTIONS', 'SOCKET_OPTIONS', 'CONNECT_OPTIONS', 'merge_options',
           'check_known', 'known_options', 'to_number', 'is_pipe_name', 'normalize_connect_args',
           'normalize_listen_args', 'validate_connect_options', 'validate_socket_options',
           'validate_server_options', 'validate_timeout',
           'is_listen_fd', 'onread_option', 'HINTS_MASK']

#: ``server.listen()``'s options.
LISTEN_OPTIONS = ('port', 'host', 'path', 'backlog', 'exclusive', 'ipv6_only', 'readable_all',
                  'writable_all', 'signal', 'fd', 'handle', 'reuse_port')
#: ``new Socket()``'s options.
SOCKET_OPTIONS = ('fd', 'allow_half_open', 'readable', 'writable', 'signal', 'onread')
#: ``socket.connect()``'s options (``block_list`` as newer Node releases have it).
CONNECT_OPTIONS = ('port', 'host', 'path', 'local_address', 'local_port', 'family', 'hints',
                   'lookup', 'no_delay', 'keep_alive', 'keep_alive_initial_delay', 'timeout',
                   'onread', 'block_list', 'auto_select_family',
                   'auto_select_family_attempt_timeout')


def merge_options(options: Any, kwargs: dict[str, Any], allowed: tuple[str, ...],
                  where: str) -> dict[str, Any]:
    """An option object (a dict, camelCase keys too) and keyword arguments as
    one dict of keyword names. As Node, a dict's keys it does not know are
    ignored, so ported option objects work unchanged; an unknown keyword
    argument is a typo, and an error."""
    check_known(kwargs, allowed, where)
    merged = known_options(options, allowed) if options is not None else {}
    merged.update(kwargs)
    return merged


def known_options(options: Any, allowed: tuple[str, ...], name: str = 'options') -> dict[str, Any]:
    """A Node option object's keys that ``allowed`` names, snake_cased."""
    return {key: value for key, value in snake_options(options, name).items() if key in allowed}


def check_known(kwargs: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    """Keyword arguments must be option names."""
    for key in kwargs:
        if key not in allowed:
            raise NodeTypeError('ERR_INVALID_ARG_VALUE',
                                f'{where}() got an unexpected keyword argument {key!r}')


def to_number(value: Any) -> float | None:
    """Node's ``toNumber``: ``Number(value)`` when it is a number >= 0, else
    ``None``."""
    if isinstance(value, bool):
        number: float = float(value)
    elif isinstance(value, (int, float)):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            if not text:
                number = 0
            elif text[:2].lower() in ('0x', '0o', '0b'):
                number = int(text, 0)
            elif text.lstrip('+-') == 'Infinity':
                number = float(text.replace('Infinity', 'inf'))
            elif text.lower().lstrip('+-') in ('inf', 'infinity', 'nan'):
                return None
            else:
                number = float(text)
        except ValueError:
            return None
    else:
        return None
    return number if number >= 0 else None


def is_pipe_name(value: Any) -> bool:
    """Node's ``isPipeName``: a string that is not a number."""
    return isinstance(value, str) and to_number(value) is None


def _is_handle(value: Any) -> bool:
    return hasattr(value, '_listener') or hasattr(value, '_handle') or hasattr(value, 'fd')


def normalize_connect_args(args: tuple[Any, ...], kwargs: dict[str, Any],
                           ) -> tuple[dict[str, Any], Callable[..., Any] | None]:
    """Node's ``normalizeArgs`` for ``connect()``: ``(options, callback)``,
    the options checked and normalized by :func:`validate_connect_options`
    (every error Node throws at the call is raised here)."""
    rest = list(args)
    callback = kwargs.pop('connect_listener', None) or kwargs.pop('callback', None)
    if rest and callable(rest[-1]) and not isinstance(rest[-1], Mapping):
        callback = rest.pop()
    allowed = CONNECT_OPTIONS + SOCKET_OPTIONS
    check_known(kwargs, allowed, 'connect')
    options: dict[str, Any] = {}
    if rest:
        first = rest[0]
        if isinstance(first, Mapping):
            options = known_options(first, allowed)
        elif is_pipe_name(first):
            options = {'path': first}
        else:
            options = {'port': first}
            if len(rest) > 1 and isinstance(rest[1], str):
                options['host'] = rest[1]
    options.update(kwargs)
    return validate_connect_options(options), callback


#: The ``hints`` bits ``dns.lookup`` takes: ``ADDRCONFIG | ALL | V4MAPPED``
#: (Node's values are the C library's: 0x20, 0x10, 0x08).
HINTS_MASK = 0x20 | 0x10 | 0x08


def validate_timeout(value: Any, name: str = 'msecs') -> float:
    """Node's ``getTimerDuration``: a number, finite and not negative
    (``NaN`` and an int beyond a double's range are out of range)."""
    validate_number(value, name)
    number = js_number(value)
    if not (number >= 0 and number != float('inf')):
        raise ERR_OUT_OF_RANGE(name, 'a non-negative finite number', value)
    return value


def onread_option(onread: Any) -> dict[str, Any] | None:
    """The ``onread`` option as Node takes it, or ``None`` where Node ignores
    it (and reads as usual): a dict whose ``buffer`` is bytes-like or a
    callable and whose ``callback`` is callable."""
    if not isinstance(onread, Mapping):
        return None
    buffer, callback = onread.get('buffer'), onread.get('callback')
    if not (isinstance(buffer, (bytearray, memoryview)) or callable(buffer)) or not callable(callback):
        return None
    return dict(onread)


def validate_socket_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """``new Socket(options)``'s checks, as Node 20 makes them, on the merged
    keyword options; returns them normalized. Raises:

    - ``fd``: ``ERR_INVALID_ARG_TYPE`` (not a number) or ``ERR_OUT_OF_RANGE``
      (a fraction, negative, ``NaN``, an infinity, past 2**31-1);
    - ``signal``, when JavaScript-true: ``ERR_INVALID_ARG_TYPE`` unless
      AbortSignal-shaped;
    - ``keep_alive_initial_delay``, when given: ``ERR_INVALID_ARG_TYPE`` unless
      a number.

    Keys returned (only those given, except the booleans): ``fd`` (int),
    ``allow_half_open``, ``readable``, ``writable`` (bool, JavaScript's
    truthiness; ``readable``/``writable`` only matter with ``fd``), ``signal``
    (or ``None``), ``onread`` (see :func:`onread_option`; ``None`` where Node
    ignores it), ``no_delay``, ``keep_alive`` (bool),
    ``keep_alive_initial_delay`` (the number in ms, or absent).
    ``None`` for an option means "not given" (Node's ``undefined``).
    """
    opts = dict(options)
    out: dict[str, Any] = {}
    if opts.get('fd') is not None:
        out['fd'] = validate_fd(opts['fd'])
    out['allow_half_open'] = js_truthy(opts.get('allow_half_open'))
    for key in ('readable', 'writable'):
        if key in opts:
            out[key] = opts[key] is None or js_truthy(opts[key])
    signal = opts.get('signal')
    out['signal'] = validate_abort_signal(signal) if js_truthy(signal) else None
    if 'onread' in opts:
        out['onread'] = onread_option(opts['onread'])
    out['no_delay'] = js_truthy(opts.get('no_delay'))
    out['keep_alive'] = js_truthy(opts.get('keep_alive'))
    delay = opts.get('keep_alive_initial_delay')
    if delay is not None:
        out['keep_alive_initial_delay'] = validate_number(delay, 'options.keepAliveInitialDelay')
    return out


def validate_connect_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Every check Node 20 makes at the call in ``net.connect()`` /
    ``socket.connect()`` (and Node 22's ``blockList``), in Node's order; the
    options come back normalized. ``None`` means "not given" (``undefined``).

    Raised here, as Node throws them:

    - neither ``port`` nor ``path``: ``ERR_MISSING_ARGS``;
    - ``timeout``, when JavaScript-true: ``ERR_INVALID_ARG_TYPE`` /
      ``ERR_OUT_OF_RANGE`` (``setTimeout``'s checks);
    - ``block_list``, when JavaScript-true and not a :class:`BlockList`:
      ``ERR_INVALID_ARG_TYPE``;
    - ``path``, when JavaScript-true and not a ``str``: ``ERR_INVALID_ARG_TYPE``
      (a long or NUL-containing path is not checked here: Node reports it
      after the call, see :func:`greennet.binding.pipe_path_error`);
    - ``local_address``, when JavaScript-true and not an IP: ``ERR_INVALID_IP_ADDRESS``;
    - ``local_port``, when JavaScript-true and not a number: ``ERR_INVALID_ARG_TYPE``
      (a number out of range is Node's ``EADDRINUSE`` from ``bind``, after
      the call: see :func:`greennet.binding.bind_local`);
    - ``port``: ``ERR_INVALID_ARG_TYPE`` (not a number or str),
      ``ERR_SOCKET_BAD_PORT``;
    - ``auto_select_family``: ``ERR_INVALID_ARG_TYPE`` unless a bool;
      ``auto_select_family_attempt_timeout``: ``validateInt32(v, name, 1)``;
    - only when ``host`` is not an IP address (there is a lookup):
      ``lookup`` not callable: ``ERR_INVALID_ARG_TYPE``; and with the
      default lookup only (``dns.lookup``'s checks): ``host`` not a ``str``:
      ``ERR_INVALID_ARG_TYPE`` (``hostname``); ``hints`` not a number:
      ``ERR_INVALID_ARG_TYPE``, or (as ``hints >>> 0``) with bits beyond
      ``ADDRCONFIG | ALL | V4MAPPED``: ``ERR_INVALID_ARG_VALUE``; ``family``
      not one of 0, 4, 6, ``'IPv4'``, ``'IPv6'``: ``ERR_INVALID_ARG_VALUE``.
      With an IP ``host`` Node ignores ``lookup``, ``family`` and ``hints``.

    Keys returned: ``path`` (a non-empty ``str``, or ``None``: then TCP),
    ``port`` (int 0..65535; ``None`` only with a ``path``), ``host`` (``str``,
    ``'localhost'`` when not JavaScript-true; whatever was given when a
    custom ``lookup`` takes it), ``local_address`` (``str`` or ``None``),
    ``local_port`` (the number as given, or ``None``: no bind;
    :func:`greennet.binding.bind_local` binds it as Node does, ``ToInt32`` in
    16 bits, and reports Node's ``EADDRINUSE`` when the port bound is not the
    one asked), ``family`` (0, 4, 6, or ``None`` when not given; with a
    custom lookup, what was given), ``hints`` (int; with a custom lookup
    ``hints or 0`` as given), ``lookup`` (callable or ``None``), ``block_list``
    (``BlockList`` or ``None``), ``timeout`` (ms, or ``None``: not set),
    ``no_delay``, ``keep_alive`` (bool), ``keep_alive_initial_delay`` (ms, or
    ``None``), ``auto_select_family`` (bool or ``None``: the default),
    ``auto_select_family_attempt_timeout`` (int >= 10, or ``None``),
    ``onread`` (dict, or ``None`` where Node ignores it); and the socket's
    options given (see :func:`validate_socket_options`).
    """
    opts = dict(options)
    path, port = opts.get('path'), opts.get('port')
    port = _ABSENT if port is None else port
    if port is _ABSENT and path is None:
        raise ERR_MISSING_ARGS('options', 'port', 'path')
    out = {key: value for key, value in validate_socket_options(
        {key: opts[key] for key in SOCKET_OPTIONS + ('no_delay', 'keep_alive', 'keep_alive_initial_delay')
         if key in opts}).items() if key in opts or key in ('no_delay', 'keep_alive')}
    out['keep_alive_initial_delay'] = out.get('keep_alive_initial_delay')
    if 'onread' in opts:
        out['onread'] = onread_option(opts['onread'])
    else:
        out['onread'] = None
    timeout = opts.get('timeout')
    out['timeout'] = validate_timeout(timeout) if js_truthy(timeout) else None
    block_list = opts.get('block_list')
    if js_truthy(block_list) and not isinstance(block_list, BlockList):
        raise ERR_INVALID_ARG_TYPE('options.blockList', 'net.BlockList', block_list)
    out['block_list'] = block_list if js_truthy(block_list) else None
    defaults = {'host': 'localhost', 'local_address': None, 'local_port': None, 'family': None,
                'hints': 0, 'lookup': None, 'auto_select_family': None,
                'auto_select_family_attempt_timeout': None}
    if js_truthy(path):
        out.update(defaults, path=validate_string(path, 'options.path'), port=None)
        return out
    out['path'] = None
    out.update(_tcp_options(opts, port))
    return out


#: A key that was not given (``None`` may be a given value).
_ABSENT: Any = object()


def _tcp_options(opts: dict[str, Any], port: Any) -> dict[str, Any]:
    """Node's ``lookupAndConnect`` checks, in its order."""
    local_address, local_port = opts.get('local_address'), opts.get('local_port')
    if js_truthy(local_address) and not (isinstance(local_address, str) and is_ip(local_address)):
        raise ERR_INVALID_IP_ADDRESS(local_address)
    if js_truthy(local_port):
        validate_number(local_port, 'options.localPort')
    if port is not _ABSENT:
        if isinstance(port, bool) or not isinstance(port, (int, float, str)):
            raise ERR_INVALID_ARG_TYPE('options.port', ['number', 'string'], port)
        port = validate_port(port)
    auto = opts.get('auto_select_family')
    if auto is not None:
        validate_boolean(auto, 'options.autoSelectFamily')
    attempt = opts.get('auto_select_family_attempt_timeout')
    if attempt is not None:
        attempt = max(10, validate_int32(attempt, 'options.autoSelectFamilyAttemptTimeout', 1))
    host = opts.get('host')
    host = host if js_truthy(host) else 'localhost'
    out = {'port': 0 if port is _ABSENT else port, 'host': host,
           'local_address': local_address if js_truthy(local_address) else None,
           'local_port': local_port if js_truthy(local_port) else None,
           'auto_select_family': auto, 'auto_select_family_attempt_timeout': attempt,
           'lookup': None, 'family': None, 'hints': 0}
    if isinstance(host, str) and is_ip(host):
        return out          # no lookup: Node looks at none of lookup, family, hints
    lookup, family, hints = opts.get('lookup'), opts.get('family'), opts.get('hints')
    if lookup is not None:
        out['lookup'] = validate_function(lookup, 'options.lookup')
        out['family'] = {'IPv4': 4, 'IPv6': 6}.get(family, family) if isinstance(family, str) else family
        out['hints'] = hints if js_truthy(hints) else 0
        return out
    if not isinstance(host, str):
        raise ERR_INVALID_ARG_TYPE('hostname', 'string', host)
    if js_truthy(hints):
        validate_number(hints, 'options.hints')
        bits = to_uint32(hints)
        if bits & ~HINTS_MASK:
            raise ERR_INVALID_ARG_VALUE('hints', bits)
        out['hints'] = bits
    if family is not None:
        if isinstance(family, str) and family in ('IPv4', 'IPv6'):
            out['family'] = 4 if family == 'IPv4' else 6
        elif isinstance(family, (int, float)) and not isinstance(family, bool) and family in (0, 4, 6):
            out['family'] = int(family)
        else:
            raise ERR_INVALID_ARG_VALUE('options.family', family, 'must be one of: 0, 4, 6')
    return out


def validate_server_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """``net.createServer(options)``'s checks, as Node makes them; returns
    the options normalized:

    - ``allow_half_open``, ``pause_on_connect``, ``no_delay``, ``keep_alive``:
      bool (JavaScript's truthiness, as Node's ``Boolean(...)``);
    - ``keep_alive_initial_delay``: when given, a number (else
      ``ERR_INVALID_ARG_TYPE``); returned in ms (0 when not given);
    - ``high_water_mark``: when given, a number (else ``ERR_INVALID_ARG_TYPE``);
      a negative one means the default; returned as given or ``None``;
    - ``block_list`` (Node 22's option): when JavaScript-true, a
      :class:`BlockList` (else ``ERR_INVALID_ARG_TYPE``); ``None`` otherwise;
    - ``proxy_protocol`` (greennet's): bool, as the others;
    - ``trusted_proxies``: a :class:`BlockList` of the proxies believed, from
      a ``BlockList``, an address or subnet, or a list of them
      (``ERR_INVALID_ARG_TYPE``/``ERR_INVALID_ARG_VALUE``); loopback only
      when not given;
    - ``proxy_protocol_timeout``: ms, a number from 0 (no limit) to
      2**31-1 (``ERR_INVALID_ARG_TYPE``/``ERR_OUT_OF_RANGE``); 3000 when
      not given.
    """
    opts = dict(options)
    out: dict[str, Any] = {key: js_truthy(opts.get(key)) for key in
                           ('allow_half_open', 'pause_on_connect', 'no_delay', 'keep_alive')}
    delay = opts.get('keep_alive_initial_delay')
    out['keep_alive_initial_delay'] = (
        0 if delay is None else validate_number(delay, 'options.keepAliveInitialDelay'))
    mark = opts.get('high_water_mark')
    if mark is not None:
        validate_number(mark, 'options.highWaterMark')
        if js_number(mark) < 0:
            mark = None
    out['high_water_mark'] = mark
    block_list = opts.get('block_list')
    if js_truthy(block_list) and not isinstance(block_list, BlockList):
        raise ERR_INVALID_ARG_TYPE('options.blockList', 'net.BlockList', block_list)
    out['block_list'] = block_list if js_truthy(block_list) else None
    out['proxy_protocol'] = js_truthy(opts.get('proxy_protocol'))
    out['trusted_proxies'] = trusted_proxies_list(opts.get('trusted_proxies'))
    wait = opts.get('proxy_protocol_timeout')
    out['proxy_protocol_timeout'] = (
        DEFAULT_TIMEOUT_MS if wait is None
        else validate_number(wait, 'options.proxyProtocolTimeout', 0, 2 ** 31 - 1))
    return out


def is_listen_fd(fd: Any) -> bool:
    """Node's ``typeof options.fd === 'number' && options.fd >= 0``: whether
    ``listen()`` takes the descriptor path (a fraction, an infinity or a
    descriptor past the limit then fails after the call with ``EINVAL``,
    see :func:`greennet.binding.adopt_fd`)."""
    return isinstance(fd, (int, float)) and not isinstance(fd, bool) and js_number(fd) >= 0


def normalize_listen_args(args: tuple[Any, ...], kwargs: dict[str, Any],
                          ) -> tuple[dict[str, Any], Callable[..., Any] | None, int | None, bool]:
    """Node's ``normalizeArgs`` for ``listen()``: options, callback, a backlog
    given positionally, and whether nothing at all was given."""
    rest = list(args)
    callback = kwargs.pop('callback', None)
    if rest and callable(rest[-1]) and not isinstance(rest[-1], Mapping) and not _is_handle(rest[-1]):
        callback = rest.pop()
    if callback is not None:
        validate_function(callback, 'callback')
    options: dict[str, Any] = {}
    backlog_arg = None
    no_args = not rest and not any(key in kwargs for key in ('port', 'path', 'fd', 'handle'))
    if rest:
        first = rest[0]
        if isinstance(first, Mapping):
            options = snake_options(first)
            options = {key: value for key, value in options.items()
                       if key in LISTEN_OPTIONS or key == 'callback'}
        elif _is_handle(first):
            options = {'handle': first}
        elif isinstance(first, str) and to_number(first) is None:
            options = {'path': first}
        else:
            options = {'port': first}
            if len(rest) > 1 and isinstance(rest[1], str):
                options['host'] = rest[1]
        backlog_arg = (to_number(rest[1]) if len(rest) > 1 else None) or (
            to_number(rest[2]) if len(rest) > 2 else None)
        if backlog_arg is not None:
            backlog_arg = min(backlog_arg, 2 ** 31 - 1)
    check_known(kwargs, LISTEN_OPTIONS, 'listen')
    options.update(kwargs)
    return options, callback, int(backlog_arg) if backlog_arg else None, no_args
