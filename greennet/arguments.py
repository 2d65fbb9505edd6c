"""Node's ``normalizeArgs``: the positional, option-object and keyword forms
of ``connect()`` and ``listen()``, and the option names each call takes."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

from .errors import NodeTypeError
from .validators import snake_options, validate_function

__all__ = ['LISTEN_OPTIONS', 'SOCKET_OPTIONS', 'CONNECT_OPTIONS', 'merge_options',
           'check_known', 'known_options', 'to_number', 'is_pipe_name', 'normalize_connect_args',
           'normalize_listen_args']

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


def normalize_connect_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[dict[str, Any], Callable[..., Any] | None]:
    """Node's ``normalizeArgs`` for ``connect()``: ``(options, callback)``."""
    args = list(args)
    callback = kwargs.pop('connect_listener', None) or kwargs.pop('callback', None)
    if args and callable(args[-1]) and not isinstance(args[-1], Mapping):
        callback = args.pop()
    allowed = CONNECT_OPTIONS + SOCKET_OPTIONS
    check_known(kwargs, allowed, 'connect')
    options: dict[str, Any] = {}
    if args:
        first = args[0]
        if isinstance(first, Mapping):
            options = known_options(first, allowed)
        elif is_pipe_name(first):
            options = {'path': first}
        else:
            options = {'port': first}
            if len(args) > 1 and isinstance(args[1], str):
                options['host'] = args[1]
    options.update(kwargs)
    return options, callback


def normalize_listen_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[dict[str, Any], Callable[..., Any] | None, int | None, bool]:
    """Node's ``normalizeArgs`` for ``listen()``: options, callback, a backlog
    given positionally, and whether nothing at all was given."""
    args = list(args)
    callback = kwargs.pop('callback', None)
    if args and callable(args[-1]) and not isinstance(args[-1], Mapping) and not _is_handle(args[-1]):
        callback = args.pop()
    if callback is not None:
        validate_function(callback, 'callback')
    options: dict[str, Any] = {}
    backlog_arg = None
    no_args = not args and not any(key in kwargs for key in ('port', 'path', 'fd', 'handle'))
    if args:
        first = args[0]
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
            if len(args) > 1 and isinstance(args[1], str):
                options['host'] = args[1]
        backlog_arg = (to_number(args[1]) if len(args) > 1 else None) or (
            to_number(args[2]) if len(args) > 2 else None)
        if backlog_arg is not None:
            backlog_arg = min(backlog_arg, 2 ** 31 - 1)
    check_known(kwargs, LISTEN_OPTIONS, 'listen')
    options.update(kwargs)
    return options, callback, int(backlog_arg) if backlog_arg else None, no_args
