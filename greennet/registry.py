"""The handler registry: connection listeners mounted by name.

A handler is a connection listener ``fn(socket)``, registered under a name
in code (``@greennet.handler('name')`` or :func:`register`) or by an
installed package through the entry-point group ``greennet.handlers``
(``name = "package.module:listener"``), which is read lazily, the first time
a name is looked up or the list is asked for. The built-in protocols of
:mod:`greennet.protocols` are registered under their RFC names.
"""
from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable

__all__ = ['Handler', 'HandlerError', 'handler', 'register', 'get', 'handlers',
           'entry_point_errors', 'ENTRY_POINT_GROUP']

#: The entry-point group installed packages declare their handlers in.
ENTRY_POINT_GROUP = 'greennet.handlers'

Listener = Callable[[Any], Any]


class HandlerError(LookupError):
    """A handler that cannot be registered or found; the message says why."""


@dataclass(frozen=True)
class Handler:
    """A registered connection listener."""

    name: str
    listener: Listener = field(repr=False)
    #: Where it comes from: ``module:function (file:line)`` or the entry point.
    origin: str
    #: The first line of the listener's docstring.
    description: str = ''


_handlers: dict[str, Handler] = {}
_entry_points_loaded = False
_entry_point_errors: dict[str, str] = {}


def _describe(listener: Listener) -> str:
    doc = (inspect.getdoc(listener) or '').strip()
    return ' '.join(doc.split('\n\n')[0].split())


def _origin(listener: Listener) -> str:
    name = '{}:{}'.format(getattr(listener, '__module__', '?'),
                      getattr(listener, '__qualname__', type(listener).__name__))
    try:
        where = f'{inspect.getsourcefile(listener)}:{inspect.getsourcelines(listener)[1]}'
    except (TypeError, OSError):
        return name
    return f'{name} ({where})'


def register(name: str, listener: Listener, description: str | None = None,
             origin: str | None = None) -> Handler:
    """Record ``listener`` under ``name``; a name already taken is an error
    naming both places."""
    if not isinstance(name, str) or not name or any(c.isspace() for c in name) or '=' in name:
        raise HandlerError(f'a handler name must be a non-empty word, got {name!r}')
    if not callable(listener):
        raise HandlerError(f'handler {name!r} must be a connection listener fn(socket), got {listener!r}')
    entry = Handler(name, listener, origin or _origin(listener),
                    _describe(listener) if description is None else description)
    existing = _handlers.get(name)
    if existing is not None:
        if existing.listener is listener:
            return existing
        raise HandlerError(f'handler {name!r} is registered twice: by {existing.origin} and by '
                           f'{entry.origin}')
    _handlers[name] = entry
    return entry


def handler(name: str) -> Callable[[Listener], Listener]:
    """Decorator: ``@greennet.handler('echo')`` registers the listener under a name."""
    def decorate(listener: Listener) -> Listener:
        register(name, listener)
        return listener
    return decorate


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(point, 'dist', None)
        package = f'{dist.name} {dist.version}' if dist is not None else point.value
        origin = f'entry point {point.name} = {point.value} ({package})'
        try:
            listener = point.load()
            register(point.name, listener, origin=origin)
        except Exception as err:  # one broken package must not hide the others
            _entry_point_errors[point.name] = f'{origin}: {type(err).__name__}: {err}'


def entry_point_errors() -> list[str]:
    """The entry points that failed to load, one line each."""
    _load_entry_points()
    return list(_entry_point_errors.values())


def get(name: str) -> Handler:
    """The handler registered as ``name`` (``HandlerError`` if none is)."""
    _import_builtins()
    found = _handlers.get(name)
    if found is None:
        _load_entry_points()
        found = _handlers.get(name)
    if found is None and name in _entry_point_errors:
        raise HandlerError(f'handler {name!r} did not load: {_entry_point_errors[name]}')
    if found is None:
        known = ', '.join(sorted(_handlers)) or 'none'
        raise HandlerError(f'unknown handler {name!r} (registered: {known})')
    return found


def handlers() -> list[Handler]:
    """Every handler, built-in, registered in code and from entry points."""
    _import_builtins()
    _load_entry_points()
    return [_handlers[name] for name in sorted(_handlers)]


def _import_builtins() -> None:
    importlib.import_module('greennet.protocols')
