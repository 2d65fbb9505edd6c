"""Serving mounts in one process: what each of the launcher's workers runs
(and the launcher itself with ``--workers 0``).

A worker resolves its targets (a registered handler name, or
``module:attribute`` naming a connection listener, a ``Server`` or a factory
returning either), makes one ``Server`` per listening socket, adds the
launcher's idle timeout and access log, and stops gracefully: on SIGTERM (or
a first SIGINT) it stops accepting, gives open connections
``graceful_timeout`` seconds, then destroys the rest.
"""
from __future__ import annotations

import importlib
import inspect
import logging
import os
import signal
import socket as _std
import time
from typing import Any, Callable

import gevent
from gevent.event import AsyncResult

from .config import Config, Mount
from .endpoints import Endpoint
from .registry import HandlerError
from .registry import get as get_handler
from .runtime import run
from .server import Server, create_server
from .socket import Socket

__all__ = ['LaunchError', 'load_target', 'Target', 'Worker', 'describe_address']

log = logging.getLogger('greennet.worker')
access_log = logging.getLogger('greennet.access')

#: Exit statuses: a usage problem (bad target, address, config) and a runtime one.
USAGE, RUNTIME = 2, 1


class LaunchError(Exception):
    """A problem that ends the launch: a one-line message and an exit status."""

    def __init__(self, message: str, status: int = USAGE) -> None:
        super().__init__(message)
        self.status = status


class Target:
    """What a mount serves: a listener, a ``Server``, or a factory of either."""

    def __init__(self, text: str, obj: Any) -> None:
        self.text = text
        self.obj = obj
        self.kind = _kind(text, obj)
        self._server_used = False

    def make_server(self, config: Config) -> Server:
        """A fresh ``Server`` for one listening socket."""
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
            if config.max_connections:
                obj.max_connections = config.max_connections
            return obj
        server = create_server(obj, **config.server_options())
        server.max_connections = config.max_connections or None
        return server


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
            raise LaunchError(str(err)) from None
    if not module_name or not attribute:
        raise LaunchError(f'bad target {text!r}: expected a handler name or module:attribute')
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name and (module_name == err.name or module_name.startswith(err.name + '.')):
            raise LaunchError(f'cannot import {module_name!r}: no module named {err.name!r}') from None
        raise LaunchError(f'importing {module_name!r} failed: {type(err).__name__}: {err}') from None
    except BaseException as err:  # the app's own failure, reported in one line
        if isinstance(err, (KeyboardInterrupt, SystemExit)):
            raise
        raise LaunchError(f'importing {module_name!r} failed: {type(err).__name__}: {err}') from None
    obj: Any = module
    for part in attribute.split('.'):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise LaunchError(f'{module_name!r} has no attribute {attribute!r}') from None
    return Target(text, obj)


def describe_address(address: Any) -> str:
    """``server.address()`` as one would type it: ``127.0.0.1:7000``,
    ``[::1]:7000`` or ``unix:/path``."""
    if isinstance(address, dict):
        host = address['address']
        return ('[%s]:%s' if ':' in host else '%s:%s') % (host, address['port'])
    if isinstance(address, str):
        return 'unix:' + address.replace('\0', '@')
    return str(address)


class Worker:
    """The servers of one process, and their graceful stop."""

    def __init__(self, config: Config, sockets: list[tuple[Mount, Endpoint, _std.socket]],
                 status: Callable[[str], None] | None = None,
                 reload_supported: bool = True, beat: float = 1.0) -> None:
        self.config = config
        self.beat = beat
        self.reload_supported = reload_supported
        self.sockets = sockets
        self.status = status or (lambda line: None)
        self.servers: list[tuple[Server, str]] = []
        self.connections: set[Socket] = set()
        self._ended_by: dict[Socket, str] = {}
        self._stopping = False
        self._interrupts = 0
        self._force: Any = None

    # -- start ---------------------------------------------------------

    def start(self) -> None:
        """Make and start every server; raise :class:`LaunchError` if one fails.
        The signals are handled from here on, before anyone learns that the
        servers listen."""
        self._handle_signals()
        targets: dict[str, Target] = {}
        for mount, endpoint, sock in self.sockets:
            target = targets.get(mount.target) or targets.setdefault(mount.target, load_target(mount.target))
            server = target.make_server(self.config)
            self._instrument(server, mount.target)
            self._listen(server, sock, endpoint, mount.target)

    def _listen(self, server: Server, sock: _std.socket, endpoint: Endpoint, name: str) -> None:
        if self._stopping:
            sock.close()
            return
        outcome = AsyncResult()
        server.once('listening', lambda: outcome.set(None))
        server.once('error', outcome.set)
        server.listen(fd=sock.detach(), backlog=self.config.backlog)
        error = outcome.get()
        if error is not None:
            raise LaunchError(f'{name} on {endpoint}: {error}', RUNTIME)
        self.servers.append((server, name))
        log.info('listening on %s (%s)', describe_address(server.address()), name)

    def _instrument(self, server: Server, name: str) -> None:
        idle_ms = int(self.config.idle_timeout * 1000)
        logged = self.config.access_log

        def on_connection(sock: Socket) -> None:
            self.connections.add(sock)
            started = time.monotonic()
            peer = _peer(sock)
            if idle_ms:
                sock.set_timeout(idle_ms)
                sock.on('timeout', lambda: self._end(sock, 'timeout'))

            def on_close(*_: Any) -> None:
                self.connections.discard(sock)
                how = self._ended_by.pop(sock, None) or _how_it_ended(sock)
                if logged:
                    access_log.info('%s %s in=%d out=%d %.3fs %s', name, peer, sock.bytes_read,
                                    sock.bytes_written, time.monotonic() - started, how)
            sock.on('close', on_close)
        server.on('connection', on_connection)

    def _end(self, sock: Socket, how: str) -> None:
        self._ended_by[sock] = how
        sock.destroy()

    # -- run and stop ----------------------------------------------------

    def _handle_signals(self) -> None:
        gevent.signal_handler(signal.SIGTERM, self.shutdown, 'SIGTERM')
        gevent.signal_handler(signal.SIGINT, self._interrupt)
        if self.reload_supported:
            signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the master reloads
        else:
            gevent.signal_handler(signal.SIGHUP, lambda: log.warning(
                'SIGHUP: reloading needs --workers 1 or more; ignored'))

    def serve(self) -> int:
        """Serve until stopped; the exit status."""
        self.status('ready')
        beat = gevent.spawn(self._heartbeat)
        try:
            run()
        finally:
            beat.kill()
            self._stop_reports()
        log.info('stopped')
        return 0

    def _heartbeat(self) -> None:
        while True:
            gevent.sleep(self.beat)
            self.status('beat %d' % len(self.connections))

    def watch_systemd(self) -> None:
        """Serving in the launcher's own process: tell systemd the number of
        connections, and ping its watchdog from the hub, so that a blocked
        hub stops the pings."""
        from . import systemd
        interval = systemd.watchdog_interval()

        def report() -> None:
            last = None
            while True:
                status = 'STATUS=%d connection(s)' % len(self.connections)
                if status != last:
                    systemd.notify(status)
                    last = status
                if interval:
                    systemd.notify('WATCHDOG=1')
                gevent.sleep(interval / 2 if interval else 1.0)
        self._systemd = gevent.spawn(report)

    def _stop_reports(self) -> None:
        for greenlet in (getattr(self, '_systemd', None), self._force):
            if greenlet is not None:
                greenlet.kill()

    def _interrupt(self) -> None:
        self._interrupts += 1
        if self._interrupts > 1:
            log.warning('second SIGINT: exiting now')
            os._exit(1)
        self.shutdown('SIGINT')

    def shutdown(self, reason: str = 'stop') -> None:
        """Stop accepting, let connections finish for ``graceful_timeout``
        seconds, then destroy the rest."""
        if self._stopping:
            return
        self._stopping = True
        if not self.reload_supported:
            from . import systemd
            systemd.notify('STOPPING=1')
        log.info('%s: closing listeners; %d connection(s) open, waiting up to %gs',
                 reason, len(self.connections), self.config.graceful_timeout)
        for server, _ in self.servers:
            server.close()
        self._force = gevent.spawn_later(self.config.graceful_timeout, self._destroy_all)

    def _destroy_all(self) -> None:
        if self.connections:
            log.warning('graceful timeout: destroying %d connection(s)', len(self.connections))
        for sock in list(self.connections):
            self._end(sock, 'shutdown')


def _peer(sock: Socket) -> str:
    address = sock.remote_address
    if address is None:
        return 'unix'
    return ('[%s]:%s' if ':' in address else '%s:%s') % (address, sock.remote_port)


def _how_it_ended(sock: Socket) -> str:
    error = sock.errored
    if error is not None:
        return 'error %s' % (getattr(error, 'code', None) or type(error).__name__)
    if sock.readable_ended:
        return 'end'
    return 'destroyed'
