"""Node's errors, each built in one place with Node's ``code``.

Node's error classes map to Python's: ``TypeError`` -> :class:`NodeTypeError`
(a ``TypeError``), ``RangeError`` -> :class:`NodeRangeError` (a
``ValueError``), a system error -> ``OSError`` carrying ``code``, ``errno``,
``syscall`` and the address, ``AbortError`` -> :class:`AbortError`, and any
other coded ``Error`` -> :class:`NodeError`. Every one has ``.code``.

The builders are named for the codes (``ERR_INVALID_ARG_TYPE(...)``), as
``codes.ERR_...`` are in Node's ``lib/internal/errors.js``.
"""
from __future__ import annotations

import errno as _errno
import os
import socket as _stdsocket
from collections.abc import Iterable
from typing import Any

__all__ = [
    'NodeError', 'NodeTypeError', 'NodeRangeError', 'AbortError', 'AggregateError',
    'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE', 'ERR_OUT_OF_RANGE',
    'ERR_SOCKET_BAD_PORT', 'ERR_MISSING_ARGS', 'ERR_SERVER_ALREADY_LISTEN',
    'ERR_SERVER_NOT_RUNNING', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_WRITE_AFTER_END',
    'ERR_STREAM_DESTROYED', 'ERR_STREAM_ALREADY_FINISHED', 'ERR_STREAM_NULL_VALUES',
    'ERR_SOCKET_CLOSED_BEFORE_CONNECTION', 'ERR_UNKNOWN_ENCODING', 'ERR_INVALID_FD_TYPE',
    'ERR_INVALID_HANDLE_TYPE', 'ERR_INVALID_IP_ADDRESS', 'ERR_INVALID_ADDRESS', 'ERR_IP_BLOCKED',
    'ERR_SOCKET_CONNECTION_TIMEOUT',
    'abort_error', 'system_error', 'lookup_error',
]


class _Coded:
    """What every greennet error has: Node's ``code``, and its message."""

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)  # type: ignore[call-arg]
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


class NodeError(_Coded, Exception):
    """A Node ``Error`` with a ``code``."""


class NodeTypeError(_Coded, TypeError):
    """A Node ``TypeError`` with a ``code``."""


class NodeRangeError(_Coded, ValueError):
    """A Node ``RangeError`` with a ``code``."""


class AbortError(NodeError):
    """Node's ``AbortError``: ``code == 'ABORT_ERR'``, the reason as ``cause``."""

    def __init__(self, message: str = 'The operation was aborted', cause: Any = None) -> None:
        super().__init__('ABORT_ERR', message)
        self.name = 'AbortError'
        if cause is not None:
            self.cause = cause


class AggregateError(NodeError):
    """Node's ``AggregateError`` of a connect whose every attempt failed:
    ``errors`` holds each attempt's error in order (``OSError``s with
    ``code``, ``syscall``, ``address`` and ``port``: ``ECONNREFUSED``,
    ``ETIMEDOUT`` for an attempt that timed out, ...; ``ERR_IP_BLOCKED``),
    and ``code`` is the first one's, as Node's ``NodeAggregateError``. Its
    message is empty, as Node's."""

    def __init__(self, errors: list[BaseException], message: str = '') -> None:
        super().__init__(getattr(errors[0], 'code', None) if errors else None,  # type: ignore[arg-type]
                         message)
        self.name = 'AggregateError'
        self.errors = list(errors)


def _js_inspect(value: Any) -> str:
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, float):
        if value != value:
            return 'NaN'
        if value in (float('inf'), float('-inf')):
            return 'Infinity' if value > 0 else '-Infinity'
        return repr(int(value)) if value.is_integer() else repr(value)
    return repr(value)


_JS_TYPES = {bool: 'boolean', int: 'number', float: 'number', str: 'string'}


def _received(value: Any) -> str:
    """Node's ``Received ...`` phrase (``determineSpecificType``), with
    Python's ``None`` as Node's ``null``."""
    if value is None:
        return 'Received null'
    kind = _JS_TYPES.get(type(value))
    if kind is not None:
        text = _js_inspect(value)
        if len(text) > 28:
            text = text[:25] + '...'
        return f'Received type {kind} ({text})'
    if callable(value) and getattr(value, '__name__', None):
        return f'Received function {value.__name__}'
    return f'Received an instance of {type(value).__name__}'


def _describe_types(expected: str | Iterable[str]) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    if len(names) == 1:
        return f'of type {names[0]}'
    return 'one of type {} or {}'.format(', '.join(names[:-1]), names[-1])


def ERR_INVALID_ARG_TYPE(name: str, expected: str | Iterable[str], actual: Any) -> NodeTypeError:
    kind = 'property' if '.' in name else 'argument'
    return NodeTypeError('ERR_INVALID_ARG_TYPE',
                         f'The "{name}" {kind} must be {_describe_types(expected)}. {_received(actual)}')


def ERR_INVALID_ARG_VALUE(name: str, value: Any, reason: str = 'is invalid') -> NodeTypeError:
    kind = 'property' if '.' in name else 'argument'
    return NodeTypeError('ERR_INVALID_ARG_VALUE', f"The {kind} '{name}' {reason}. Received {value!r}")


def ERR_OUT_OF_RANGE(name: str, range_: str, value: Any) -> NodeRangeError:
    return NodeRangeError('ERR_OUT_OF_RANGE', f'The value of "{name}" is out of range. '
                          f'It must be {range_}. Received {value!r}')


def ERR_SOCKET_BAD_PORT(name: str, port: Any, allow_zero: bool = True) -> NodeRangeError:
    op = '>=' if allow_zero else '>'
    return NodeRangeError('ERR_SOCKET_BAD_PORT', f'{name} should be {op} 0 and < 65536. {_received(port)}.')


def ERR_MISSING_ARGS(*names: str) -> NodeTypeError:
    quoted = [f'"{n}"' for n in names]
    if len(quoted) > 2:
        listed = ', '.join(quoted[:-1]) + ', and ' + quoted[-1]
    else:
        listed = ' and '.join(quoted)
    verb = 'arguments must' if len(names) > 1 else 'argument must'
    return NodeTypeError('ERR_MISSING_ARGS', f'The {listed} {verb} be specified')


def ERR_SERVER_ALREADY_LISTEN() -> NodeError:
    return NodeError('ERR_SERVER_ALREADY_LISTEN',
                     'Listen method has been called more than once without closing.')


def ERR_SERVER_NOT_RUNNING() -> NodeError:
    return NodeError('ERR_SERVER_NOT_RUNNING', 'Server is not running.')


def ERR_SOCKET_CLOSED() -> NodeError:
    return NodeError('ERR_SOCKET_CLOSED', 'Socket is closed')


def ERR_SOCKET_CLOSED_BEFORE_CONNECTION() -> NodeError:
    return NodeError('ERR_SOCKET_CLOSED_BEFORE_CONNECTION',
                     'Socket closed before the connection was established')


def ERR_SOCKET_CONNECTION_TIMEOUT() -> NodeError:
    return NodeError('ERR_SOCKET_CONNECTION_TIMEOUT', 'Socket connection timeout')


def ERR_STREAM_WRITE_AFTER_END() -> NodeError:
    return NodeError('ERR_STREAM_WRITE_AFTER_END', 'write after end')


def ERR_STREAM_DESTROYED(method: str) -> NodeError:
    return NodeError('ERR_STREAM_DESTROYED',
                     f'Cannot call {method} after a stream was destroyed')


def ERR_STREAM_ALREADY_FINISHED(method: str) -> NodeError:
    return NodeError('ERR_STREAM_ALREADY_FINISHED',
                     f'Cannot call {method} after a stream was finished')


def ERR_STREAM_NULL_VALUES() -> NodeTypeError:
    return NodeTypeError('ERR_STREAM_NULL_VALUES', 'May not write null values to stream')


def ERR_UNKNOWN_ENCODING(encoding: Any) -> NodeTypeError:
    return NodeTypeError('ERR_UNKNOWN_ENCODING', f'Unknown encoding: {encoding}')


def ERR_INVALID_ADDRESS() -> NodeError:
    return NodeError('ERR_INVALID_ADDRESS', 'Invalid socket address')


def ERR_INVALID_IP_ADDRESS(address: Any) -> NodeTypeError:
    return NodeTypeError('ERR_INVALID_IP_ADDRESS', f'Invalid IP address: {address}')


def ERR_INVALID_HANDLE_TYPE() -> NodeTypeError:
    return NodeTypeError('ERR_INVALID_HANDLE_TYPE', 'This handle type cannot be sent')


def ERR_INVALID_FD_TYPE(kind: str) -> NodeTypeError:
    return NodeTypeError('ERR_INVALID_FD_TYPE', f'Unsupported fd type: {kind}')


def ERR_IP_BLOCKED(ip: str) -> NodeError:
    return NodeError('ERR_IP_BLOCKED', f'IP({ip}) is blocked by net.BlockList')


def abort_error(reason: Any = None) -> AbortError:
    """The ``AbortError`` an aborted signal raises or emits."""
    return AbortError(cause=reason)


def system_error(errnum: int | None, syscall: str, address: str | None = None,
                 port: Any = None, detail: bool = False) -> OSError:
    """An ``OSError`` shaped as Node's system errors (``code``, ``errno``,
    ``syscall``, ``address``, ``port``) with Node's message, e.g.
    ``connect ECONNREFUSED 127.0.0.1:8124``.

    ``detail`` adds the C library's description as libuv's messages do
    (``listen EADDRINUSE: address already in use 127.0.0.1:8124``). An
    ``errno`` that is not one (``None``, as Python's own address checks give)
    is ``EINVAL``.
    """
    if not isinstance(errnum, int) or errnum <= 0:
        errnum = _errno.EINVAL
    code = _errno.errorcode.get(errnum, 'UNKNOWN')
    message = f'{syscall} {code}'
    if detail:
        message += ': ' + os.strerror(errnum).lower()
    if isinstance(port, (int, float)) and port > 0:
        message += f' {address}:{_js_inspect(port)}'
    elif address is not None:
        message += f' {address}'
    err = OSError(errnum, message)
    _tag(err, code=code, syscall=syscall, message=message)
    if address is not None:
        _tag(err, address=address)
    if port is not None:
        _tag(err, port=port)
    return err


def _tag(err: BaseException, **fields: Any) -> None:
    """Node's extra fields on an error (``code``, ``syscall``, ...)."""
    for name, value in fields.items():
        setattr(err, name, value)


def lookup_error(hostname: str, gai_error: OSError) -> OSError:
    """A ``getaddrinfo`` failure shaped as Node's: ``ENOTFOUND`` for a name
    that does not resolve, else ``EAI_*``, with ``syscall`` and ``hostname``."""
    errnum = gai_error.errno if isinstance(gai_error.errno, int) else _stdsocket.EAI_FAIL
    code = _GAI_CODES.get(errnum, 'EAI_FAIL')
    message = f'getaddrinfo {code} {hostname}'
    err = _stdsocket.gaierror(errnum, message)
    _tag(err, code=code, syscall='getaddrinfo', hostname=hostname, message=message)
    return err


_GAI_CODES = {
    getattr(_stdsocket, name): code for name, code in (
        ('EAI_NONAME', 'ENOTFOUND'), ('EAI_NODATA', 'ENOTFOUND'), ('EAI_AGAIN', 'EAI_AGAIN'),
        ('EAI_FAIL', 'EAI_FAIL'), ('EAI_FAMILY', 'EAI_FAMILY'), ('EAI_SERVICE', 'EAI_SERVICE'),
        ('EAI_MEMORY', 'EAI_MEMORY'), ('EAI_BADFLAGS', 'EAI_BADFLAGS'), ('EAI_SYSTEM', 'EAI_SYSTEM'),
    ) if hasattr(_stdsocket, name)
}
