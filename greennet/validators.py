"""Argument checks that raise Node's codes at the call, and the option
objects Node takes, as keyword arguments or dicts (camelCase keys too)."""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from .errors import ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ERR_SOCKET_BAD_PORT

__all__ = ['snake_options', 'validate_port', 'validate_function', 'validate_number',
           'validate_string', 'validate_abort_signal', 'validate_int32', 'validate_boolean',
           'validate_fd', 'js_truthy', 'js_number', 'to_int32', 'to_uint32',
           'over_connection_limit', 'UNSET']


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return 'UNSET'

    def __bool__(self) -> bool:
        return False


#: An option that was not given (``None`` may be a given value).
UNSET: Any = _Unset()

_CAMEL = re.compile(r'(?<=[a-z0-9])([A-Z])')


def snake_options(options: Mapping[str, Any], name: str = 'options') -> dict[str, Any]:
    """A Node option object as keyword names: ``allowHalfOpen`` -> ``allow_half_open``."""
    if not isinstance(options, Mapping):
        raise ERR_INVALID_ARG_TYPE(name, 'Object', options)
    return {_CAMEL.sub(r'_\1', key).lower() if isinstance(key, str) else key: value
            for key, value in options.items()}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


#: JavaScript's white space, which ``Number()`` trims from a string.
_JS_SPACE = ' \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007' \
    '\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
_DECIMAL = re.compile(r'[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z')
_RADIX = {'0x': 16, '0o': 8, '0b': 2}


def _numeric(text: str) -> float | None:
    """JavaScript's ``Number(text)`` (``None`` for ``NaN``): decimal, ``0x``,
    ``0o``, ``0b`` and ``Infinity``; no ``_``, no ``inf``/``nan`` spellings."""
    text = text.strip(_JS_SPACE)
    if not text:
        return 0.0
    radix = _RADIX.get(text[:2].lower())
    try:
        if radix is not None:
            return float(int(text[2:], radix)) if text[2:].isalnum() else None
        if text.lstrip('+-') == 'Infinity' and len(text) - len(text.lstrip('+-')) <= 1:
            return float('-inf') if text[0] == '-' else float('inf')
        return float(text) if _DECIMAL.match(text) else None
    except (ValueError, OverflowError):
        return None


def js_truthy(value: Any) -> bool:
    """JavaScript's truthiness, which Node's ``if (options.x)`` applies:
    ``None``, ``False``, ``0``, ``NaN`` and ``''`` are false; an empty list
    or dict is true there."""
    if value is None or value is False or (isinstance(value, str) and not value):
        return False
    if isinstance(value, (int, float)):
        return value == value and value != 0
    return True


def js_number(value: Any) -> float:
    """JavaScript's ``Number(value)`` for Python's values (``nan`` where Node
    gets ``NaN``); an int beyond a double's range is an infinity, as there."""
    if value is None:
        return 0.0
    if isinstance(value, (bool, int, float)):
        try:
            return float(value)
        except OverflowError:
            return float('inf') if value > 0 else float('-inf')
    if isinstance(value, str):
        number = _numeric(value)
        return float('nan') if number is None else number
    return float('nan')


def to_int32(value: Any) -> int:
    """ECMAScript's ``ToInt32`` (``value | 0``)."""
    number = js_number(value)
    if not math.isfinite(number):
        return 0
    return (int(number) + 2 ** 31) % 2 ** 32 - 2 ** 31


def to_uint32(value: Any) -> int:
    """ECMAScript's ``ToUint32`` (``value >>> 0``)."""
    return to_int32(value) % 2 ** 32


def validate_port(port: Any, name: str = 'Port', allow_zero: bool = True) -> int:
    """Node's ``validatePort``: a number or numeric string in 0..65535."""
    number: float | None = None
    if _is_number(port):
        number = js_number(port)
    elif isinstance(port, str) and port.strip(_JS_SPACE):
        number = _numeric(port)
    if (number is None or not math.isfinite(number) or number != int(number)
            or number > 0xFFFF or number < 0 or (number == 0 and not allow_zero)):
        raise ERR_SOCKET_BAD_PORT(name, port, allow_zero)
    return int(number)


def validate_function(value: Any, name: str) -> Any:
    if not callable(value):
        raise ERR_INVALID_ARG_TYPE(name, 'function', value)
    return value


def validate_string(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ERR_INVALID_ARG_TYPE(name, 'string', value)
    return value


def validate_number(value: Any, name: str, minimum: float | None = None,
                    maximum: float | None = None) -> float:
    """Node's ``validateNumber``: a number, optionally within bounds (``NaN``
    is out of any bounds). An int beyond a double's range counts as the
    infinity Node would see."""
    if not _is_number(value):
        raise ERR_INVALID_ARG_TYPE(name, 'number', value)
    number = js_number(value)
    if ((minimum is not None and number < minimum) or (maximum is not None and number > maximum)
            or (math.isnan(number) and (minimum is not None or maximum is not None))):
        if minimum is not None and maximum is not None:
            bounds = f'>= {minimum} && <= {maximum}'
        elif minimum is not None:
            bounds = f'>= {minimum}'
        else:
            bounds = f'<= {maximum}'
        raise ERR_OUT_OF_RANGE(name, bounds, value)
    return value


def validate_int32(value: Any, name: str, minimum: int = -2 ** 31, maximum: int = 2 ** 31 - 1) -> int:
    """Node's ``validateInt32``: a number, an integer, within bounds."""
    if not _is_number(value):
        raise ERR_INVALID_ARG_TYPE(name, 'number', value)
    number = js_number(value)
    if not math.isfinite(number) or number != int(number):
        raise ERR_OUT_OF_RANGE(name, 'an integer', value)
    if not minimum <= number <= maximum:
        raise ERR_OUT_OF_RANGE(name, f'>= {minimum} && <= {maximum}', value)
    return int(number)


def validate_abort_signal(signal: Any, name: str = 'options.signal') -> Any:
    """Node's ``validateAbortSignal``: ``None`` or an object shaped as an AbortSignal."""
    if signal is not None and not (hasattr(signal, 'aborted') and (
            hasattr(signal, 'add_event_listener') or hasattr(signal, 'addEventListener'))):
        raise ERR_INVALID_ARG_TYPE(name, 'AbortSignal', signal)
    return signal


def validate_boolean(value: Any, name: str) -> bool:
    """Node's ``validateBoolean``."""
    if not isinstance(value, bool):
        raise ERR_INVALID_ARG_TYPE(name, 'boolean', value)
    return value


def validate_fd(fd: Any, name: str = 'fd') -> int:
    """Node's check of a ``Socket``'s ``fd`` option: ``validateInt32(fd, 'fd',
    0)``: ``ERR_INVALID_ARG_TYPE`` for a non-number, ``ERR_OUT_OF_RANGE`` for
    a fraction, a negative, ``NaN``, an infinity or anything past 2**31-1."""
    return validate_int32(fd, name, 0)


def over_connection_limit(max_connections: Any, count: int) -> bool:
    """Node's ``self.maxConnections && self._connections >= self.maxConnections``
    with JavaScript's coercions, for any value the property was given (Node
    accepts every value there): ``'10'`` limits to 10, ``'abc'`` or ``{}``
    never limits, ``[]`` (0 but true) and a negative number refuse every
    connection, ``None``/0/``NaN`` do not limit. Never raises."""
    try:
        if not js_truthy(max_connections):
            return False
        if isinstance(max_connections, (list, tuple)):
            # Array -> string -> number: [] is 0, [n] is n, more is NaN
            if len(max_connections) > 1:
                return False
            limit = js_number(max_connections[0]) if max_connections else 0.0
            if max_connections and max_connections[0] is None:
                limit = 0.0
        else:
            limit = js_number(max_connections)
        return count >= limit
    except Exception:  # noqa: BLE001 - a value whose conversion fails never limits
        return False
