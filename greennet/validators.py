"""Argument checks that raise Node's codes at the call, and the option
objects Node takes, as keyword arguments or dicts (camelCase keys too)."""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from .errors import ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ERR_SOCKET_BAD_PORT

__all__ = ['snake_options', 'validate_port', 'validate_function', 'validate_number',
           'validate_string', 'validate_abort_signal', 'validate_int32', 'UNSET']


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


def _numeric(text: str) -> float | None:
    try:
        number = float(text.strip()) if not text.strip().lower().startswith('0x') else int(text, 16)
    except ValueError:
        return None
    return number


def validate_port(port: Any, name: str = 'Port', allow_zero: bool = True) -> int:
    """Node's ``validatePort``: a number or numeric string in 0..65535."""
    number: float | None = None
    if _is_number(port):
        number = port
    elif isinstance(port, str) and port.strip():
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
    """Node's ``validateNumber``: a number, optionally within bounds."""
    if not _is_number(value):
        raise ERR_INVALID_ARG_TYPE(name, 'number', value)
    if ((minimum is not None and value < minimum) or (maximum is not None and value > maximum)
            or (math.isnan(value) and (minimum is not None or maximum is not None))):
        if minimum is not None and maximum is not None:
            bounds = f'>= {minimum} && <= {maximum}'
        elif minimum is not None:
            bounds = f'>= {minimum}'
        else:
            bounds = f'<= {maximum}'
        raise ERR_OUT_OF_RANGE(name, bounds, value)
    return value


def validate_int32(value: Any, name: str, minimum: int = -2 ** 31, maximum: int = 2 ** 31 - 1) -> int:
    if not _is_number(value):
        raise ERR_INVALID_ARG_TYPE(name, 'number', value)
    if value != int(value) if math.isfinite(value) else True:
        raise ERR_OUT_OF_RANGE(name, 'an integer', value)
    if not minimum <= value <= maximum:
        raise ERR_OUT_OF_RANGE(name, '>= %d && <= %d' % (minimum, maximum), value)
    return int(value)


def validate_abort_signal(signal: Any, name: str = 'options.signal') -> Any:
    """Node's ``validateAbortSignal``: ``None`` or an object shaped as an AbortSignal."""
    if signal is not None and not (hasattr(signal, 'aborted') and (
            hasattr(signal, 'add_event_listener') or hasattr(signal, 'addEventListener'))):
        raise ERR_INVALID_ARG_TYPE(name, 'AbortSignal', signal)
    return signal


