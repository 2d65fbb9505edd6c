"""Node's ``normalizeArgs``: the positional, option-object and keyword forms
of ``connect()`` and ``listen()``, and the option names each call takes."""
from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from .validators import snake_options, validate_function

__all__ = ['LISTEN_OPTIONS', 'SOCKET_OPTIONS', 'CONNECT_OPTIONS', 'merge_options',
           'check_known', 'to_number', 'is_pipe_name', 'normalize_connect_args',
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


def merge_options(options: Any, kwargs: Dict[str, Any], name: str) -> Dict[str, Any]:
    if options is None:
        merged: Dict[str, Any] = {}
    else:
        merged = snake_options(options, name)
    merged.update(kwargs)
    return merged


def check_known(options: Mapping[str, Any], allowed: Tuple[str, ...], where: str) -> None:
    for key in options:
        if key not in allowed:
            raise TypeError('%s() got an unexpected option %r' % (where, key))


def to_number(value: Any) -> Optional[float]:
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


def normalize_connect_args(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Tuple[Dict[str, Any], Optional[Callable[..., Any]]]:
    """Node's ``normalizeArgs`` for ``connect()``: ``(options, callback)``."""
    args = list(args)
    callback = kwargs.pop('connect_listener', None) or kwargs.pop('callback', None)
    if args and callable(args[-1]) and not isinstance(args[-1], Mapping):
        callback = args.pop()
    options: Dict[str, Any] = {}
    if args:
        first = args[0]
        if isinstance(first, Mapping):
            options = snake_options(first)
        elif is_pipe_name(first):
            options = {'path': first}
        else:
            options = {'port': first}
            if len(args) > 1 and isinstance(args[1], str):
                options['host'] = args[1]
    options.update(kwargs)
    check_known(options, CONNECT_OPTIONS + SOCKET_OPTIONS, 'connect')
    return options, callback


def normalize_listen_args(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Tuple[Dict[str, Any], Optional[Callable[..., Any]], Optional[int], bool]:
    """Node's ``normalizeArgs`` for ``listen()``: options, callback, a backlog
    given positionally, and whether nothing at all was given."""
    args = list(args)
    callback = kwargs.pop('callback', None)
    if args and callable(args[-1]) and not isinstance(args[-1], Mapping) and not _is_handle(args[-1]):
        callback = args.pop()
    if callback is not None:
        validate_function(callback, 'callback')
    options: Dict[str, Any] = {}
    backlog_arg = None
    no_args = not args and not any(key in kwargs for key in ('port', 'path', 'fd', 'handle'))
    if args:
        first = args[0]
        if isinstance(first, Mapping):
            options = snake_options(first)
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
    for key, value in kwargs.items():
        if key not in LISTEN_OPTIONS:
            raise TypeError('listen() got an unexpected keyword argument %r' % key)
        options[key] = value
    return options, callback, int(backlog_arg) if backlog_arg else None, no_args
