"""Target loading: a registered handler name, or ``module:attribute``
naming a connection listener, a ``Server`` or a factory returning either.

Modules are imported from the current folder first, as ``python -m`` would,
whether the launcher runs as ``greennet``, ``python -m greennet``, with or
without workers. An import that fails is one line; the traceback is logged
at debug level.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import os
import sys
from typing import Any, Callable

from ..registry import HandlerError
from ..registry import get as get_handler
from ..server import Server
from .errors import USAGE, LaunchError
from .settings import Config, ConfigError, tls_options

__all__ = ['Target', 'load_target', 'add_import_path']

log = logging.getLogger('greennet.launcher')

Listener = Callable[[Any], Any]


def add_import_path(folder: str | None = None) -> None:
    """Put ``folder`` (the current one) first on ``sys.path``, once."""
    folder = os.path.abspath(folder or os.getcwd())
    if folder not in sys.path:
        sys.path.insert(0, folder)


class Target:
    """What a mount serves: a listener, a ``Server``, or a factory of either."""

    def __init__(self, text: str, obj: Any) -> None:
        self.text = text
        self.obj = obj
        self.kind = _kind(text, obj)
        self._server_used = False

    def make_server(self, config: Config, first: Listener) -> Server:
        """A ``Server`` for one listening socket with the server settings
        applied, and ``first`` listening for its connections (first, when the
        launcher makes the server)."""
        obj = self.obj
        if self.kind == 'factory':
            obj = obj()
            if not isinstance(obj, Server) and not callable(obj):
                raise LaunchError(f'{self.text}: the factory returned {obj!r}, neither a Server nor a '
                                  'connection listener')
        if isinstance(obj, Server):
            if obj is self.obj:
                if self._server_used:
                    raise LaunchError(f'{self.text} is one Server: it can listen on one address; use a '
                                      'factory returning a new Server for several')
                self._server_used = True
            if obj.listening:
                raise LaunchError(f'{self.text}: the Server listens already; the launcher gives it '
                                  'its address')
            _apply(obj, config.server_settings(given_only=True))
            _apply_proxy_protocol(obj, config)
            obj.on('connection', first)
            return obj
        try:
            secure = tls_options(config)
        except ConfigError as err:
            raise LaunchError(f'{self.text}: {err}', USAGE) from None
        if secure is not None:
            from .. import tls
            try:
                server: Server = tls.create_server({**secure, **config.server_options()})
            except Exception as err:   # a coded error of greennet.tls: bad key or certificate
                raise LaunchError(f'{self.text}: TLS: {getattr(err, "code", "")} {err}', USAGE) from None
            _apply(server, config.server_settings())
            server.on('connection', first)
            server.on('secureConnection', obj)
            return server
        server = Server(config.server_options())
        _apply(server, config.server_settings())
        server.on('connection', first)
        server.on('connection', obj)
        return server


def _apply(server: Server, settings: dict[str, Any]) -> None:
    for name, value in settings.items():
        setattr(server, name, value)


def _apply_proxy_protocol(server: Server, config: Config) -> None:
    """The PROXY protocol settings given (flag or file) on a ``Server`` the
    app made: ``proxy_protocol`` turns the header reader on or off; the
    trusted proxies and the timeout replace the app's when it reads headers."""
    given = config.server_options(given_only=True)
    if not given:
        return
    wanted = given.get('proxy_protocol', server._proxy is not None)
    if not wanted:
        server._proxy = None
        return
    from ..proxy_protocol import HeaderReader, trusted_proxies_list
    reader = server._proxy
    trusted = trusted_proxies_list(config.trusted_proxies) if 'trusted_proxies' in given or \
        reader is None else reader.trusted
    timeout = config.proxy_protocol_timeout if 'proxy_protocol_timeout' in given or \
        reader is None else reader.timeout_ms
    server._proxy = HeaderReader(server, trusted, timeout)


def _kind(text: str, obj: Any) -> str:
    if isinstance(obj, Server):
        return 'server'
    if not callable(obj):
        raise LaunchError(f'{text} is {obj!r}: neither a connection listener, a Server nor a factory')
    try:
        parameters = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return 'listener'
    positional = [p for p in parameters
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    required = [p for p in positional if p.default is p.empty and p.kind != p.VAR_POSITIONAL]
    if not required and not any(p.kind == p.VAR_POSITIONAL for p in positional):
        return 'factory'
    return 'listener'


def load_target(text: str) -> Target:
    """Resolve a registered handler name or ``module:attribute``."""
    module_name, colon, attribute = text.partition(':')
    if not colon:
        try:
            return Target(text, get_handler(text).listener)
        except HandlerError as err:
            raise LaunchError(str(err) + _hint(text)) from None
    if not module_name or not attribute:
        raise LaunchError(f'bad target {text!r}: expected a handler name or module:attribute')
    module = _import(module_name)
    obj: Any = module
    for part in attribute.split('.'):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise LaunchError(f'{module_name!r} has no attribute {attribute!r}') from None
    return Target(text, obj)


def _hint(name: str) -> str:
    """For a bare name that is not a handler: how to name an app."""
    try:
        found = importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        found = False
    if found:
        return f'; {name!r} is a module: name its listener, Server or factory as {name}:ATTRIBUTE'
    return '; to serve an app, write module:attribute'


def _import(module_name: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except BaseException as err:  # the app's own failure, reported in one line
        if isinstance(err, (KeyboardInterrupt, SystemExit)):
            raise
        log.debug('importing %r failed', module_name, exc_info=True)
        if isinstance(err, ModuleNotFoundError) and err.name and \
                (module_name == err.name or module_name.startswith(err.name + '.')):
            raise LaunchError(f'cannot import {module_name!r}: no module named {err.name!r} '
                              f'(looked in {os.getcwd()} and on sys.path)') from None
        raise LaunchError(f'importing {module_name!r} failed: {type(err).__name__}: {err}') from None
