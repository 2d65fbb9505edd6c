"""Serving mounts in one process: what each of the launcher's workers runs
(and the launcher itself with ``--workers 0``).

A worker makes one ``Server`` per listening socket, adds the launcher's
idle timeout, access log and alerts, and stops in one sequence, whatever
asked (SIGTERM, a first SIGINT, or the master retiring it on reload):

1. every listener closes at once (new connects are refused);
2. the app's drain listeners are told (:mod:`greennet.launcher.drain`);
3. open connections get up to ``graceful_timeout`` seconds to end;
4. then every server and socket of the process is closed or destroyed,
   whoever made it, and the process exits 0.
"""
from __future__ import annotations

import logging
import os
import signal
import socket as _std
import sys
import time
from typing import Any, Callable

import gevent
from gevent.event import AsyncResult, Event

from ..runtime import active_handles, run
from ..server import Server
from ..socket import Socket
from . import drain, systemd
from .alerts import Alert
from .endpoints import Endpoint
from .errors import RUNTIME, LaunchError
from .protocol import BEAT, FAIL, READY, RETIRE, LineReader, WorkerSpec, die_with_parent, encode
from .settings import Config, Mount
from .targets import Target, add_import_path, load_target

__all__ = ['Worker', 'describe_address', 'worker_main', 'configure_logging', 'monkey_patch', 'leave']

log = logging.getLogger('greennet.worker')
access_log = logging.getLogger('greennet.access')

_STARVED = {'EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM'}

#: Why a server dropped a connection whose PROXY header was refused
#: (``'drop'``'s ``'reason'``), as the log says it.
_PROXY_REFUSALS = {
    'untrusted': 'not from a trusted proxy (--trusted-proxies)',
    'malformed': 'malformed PROXY header',
    'too_long': 'PROXY header line too long',
    'truncated': 'the connection ended inside the PROXY header',
    'timeout': 'PROXY header not whole within {timeout}ms',
}


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
    """The servers of one process, and their stop sequence."""

    #: Seconds the stop sequence waits, after destroying everything, for the
    #: last ``'close'`` events (the access log's lines) before the exit.
    settle = 0.3

    def __init__(self, config: Config, sockets: list[tuple[Mount, Endpoint, _std.socket]],
                 status: Callable[[bytes], None] | None = None, reload_supported: bool = True,
                 beat: float = 1.0, control_fd: int | None = None) -> None:
        self.config = config
        self.beat = beat
        self.reload_supported = reload_supported
        self.sockets = sockets
        self.status = status or (lambda line: None)
        self.control_fd = control_fd
        self.servers: list[tuple[Server, str]] = []
        self.connections: set[Socket] = set()
        self.alerts: list[Alert] = []
        self._ended_by: dict[Socket, str] = {}
        self._stopping = False
        self._interrupts = 0
        self._finished = Event()
        self._greenlets: list[Any] = []

    # -- start ---------------------------------------------------------

    def start(self) -> None:
        """Make and start every server; raise :class:`LaunchError` if one fails.
        The signals are handled from here on, before anyone learns that the
        servers listen."""
        self._handle_signals()
        targets: dict[str, Target] = {}
        for mount, endpoint, sock in self.sockets:
            target = targets.get(mount.target) or targets.setdefault(mount.target, load_target(mount.target))
            unix = sock.family == _std.AF_UNIX
            server = target.make_server(self.config, self._tracker(mount.target, unix))
            self._listen(server, sock, endpoint, mount.target)

    def _listen(self, server: Server, sock: _std.socket, endpoint: Endpoint, name: str) -> None:
        if self._stopping:
            sock.close()
            return
        outcome: AsyncResult = AsyncResult()

        def listening() -> None:
            outcome.set(None)

        server.once('listening', listening)
        server.once('error', outcome.set)
        server.listen(fd=sock.detach(), backlog=self.config.backlog)
        error = outcome.get()
        if error is not None:
            server.remove_listener('listening', listening)
            raise LaunchError(f'{name} on {endpoint}: {error}', RUNTIME)
        server.remove_listener('error', outcome.set)  # the alerts below hear the next ones
        self.servers.append((server, name))
        self._watch(server, name)
        log.info('listening on %s (%s)', describe_address(server.address()), name)

    def _watch(self, server: Server, name: str) -> None:
        """Alerts: accept starved of descriptors, connections refused
        (``max_connections``, ``block_list``), PROXY headers refused."""
        starved = Alert(log, f'{name}: accept starved of descriptors')
        refused = Alert(log, f'{name}: connections refused')
        headers = Alert(log, f'{name}: connections dropped for their PROXY header')
        self.alerts += [starved, refused, headers]

        def on_error(error: Any) -> None:
            if getattr(error, 'code', None) in _STARVED:
                starved.report('%s: %s; accepting again when descriptors free up (raise '
                               'RLIMIT_NOFILE?)', name, getattr(error, 'message', None) or error)
            else:
                log.error('%s: %s', name, error)

        def on_drop(data: Any) -> None:
            data = data or {}
            peer = _peer_of(data, 'unix')
            reason = data.get('reason')
            if reason is not None:
                proxy = getattr(server, '_proxy', None)
                why = _PROXY_REFUSALS.get(reason, str(reason)).format(
                    timeout=getattr(proxy, 'timeout_ms', '?'))
                headers.report('%s: dropped a connection from %s: %s', name, peer, why)
            elif _blocked(server, data):
                refused.report('%s: refused a connection from %s: block_list', name, peer)
            else:
                refused.report('%s: refused a connection from %s: max_connections (%s) reached',
                               name, peer, server.max_connections)
        server.on('error', on_error)
        server.on('drop', on_drop)

    def _tracker(self, name: str, unix: bool) -> Callable[[Socket], None]:
        """The launcher's 'connection' listener: idle timeout, access log."""
        idle_ms = int(self.config.idle_timeout * 1000)
        logged = self.config.access_log

        def on_connection(sock: Socket) -> None:
            self.connections.add(sock)
            started = time.monotonic()
            peer = _peer(sock, unix)
            if idle_ms:
                sock.set_timeout(idle_ms)
                sock.on('timeout', lambda: self._end(sock, 'timeout'))

            # a load balancer's health check (a PROXY v2 LOCAL header, one
            # every few seconds): its reset is expected, its line is debug's
            local = (getattr(sock, 'proxy_info', None) or {}).get('command') == 'LOCAL'
            if local:
                sock.on('error', _ignore)

            def on_close(*_: Any) -> None:
                self.connections.discard(sock)
                how = self._ended_by.pop(sock, None) or _how_it_ended(sock)
                if logged:
                    access_log.log(logging.DEBUG if local else logging.INFO,
                                   '%s %s in=%d out=%d %.3fs %s', name, peer, sock.bytes_read,
                                   sock.bytes_written, time.monotonic() - started, how)
            sock.on('close', on_close)
        return on_connection

    def _end(self, sock: Socket, how: str) -> None:
        self._ended_by[sock] = how
        sock.destroy()

    # -- run -------------------------------------------------------------

    def _handle_signals(self) -> None:
        gevent.signal_handler(signal.SIGTERM, self.shutdown, 'SIGTERM')
        gevent.signal_handler(signal.SIGINT, self._interrupt)
        if self.reload_supported:
            signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the master reloads
        else:
            gevent.signal_handler(signal.SIGHUP, lambda: log.warning(
                'SIGHUP: reloading needs --workers 1 or more; ignored'))

    def serve(self) -> int:
        """Serve until the servers are closed or the stop sequence ends; the exit status."""
        self.status(encode(READY))
        runner = gevent.spawn(run)
        runner.link(lambda _: self._finished.set())
        self._greenlets += [gevent.spawn(self._heartbeat), runner]
        if self.control_fd is not None:
            self._greenlets.append(gevent.spawn(self._follow_master, self.control_fd))
        if not self.reload_supported:
            self._greenlets.append(gevent.spawn(self._report_to_systemd))
        self._finished.wait()
        for alert in self.alerts:
            alert.flush()
        log.info('stopped')
        return 0

    def _heartbeat(self) -> None:
        while True:
            gevent.sleep(self.beat)
            self.status(encode(BEAT, len(self.connections)))

    def _follow_master(self, fd: int) -> None:
        """Read the control pipe: ``retire`` drains; end of file (the master
        is gone) exits at once."""
        from gevent.os import nb_read
        os.set_blocking(fd, False)
        reader = LineReader()
        while True:
            try:
                data = nb_read(fd, 4096)
            except OSError:
                data = b''
            if not data:
                log.warning('the master is gone: exiting now')
                leave(RUNTIME)
            for word, _ in reader.feed(data):
                if word == RETIRE:
                    self.shutdown('reload', 'reload')

    def _report_to_systemd(self) -> None:
        """Serving in the launcher's own process: tell systemd the number of
        connections, and ping its watchdog from the hub, so that a blocked
        hub stops the pings."""
        interval = systemd.watchdog_interval()
        last = None
        while True:
            status = f'STATUS={len(self.connections)} connection(s)'
            if status != last:
                systemd.notify(status)
                last = status
            if interval:
                systemd.notify('WATCHDOG=1')
            gevent.sleep(interval / 2 if interval else 1.0)

    # -- stop --------------------------------------------------------------

    def _interrupt(self) -> None:
        self._interrupts += 1
        if self._interrupts > 1:
            log.warning('second SIGINT: exiting now')
            leave(1)
        self.shutdown('SIGINT')

    def shutdown(self, why: str = 'stop', reason: str = 'stop') -> None:
        """Start the stop sequence (once): ``why`` is logged, ``reason`` is
        what the drain listeners see (``'stop'`` or ``'reload'``)."""
        if self._stopping:
            return
        self._stopping = True
        if not self.reload_supported:
            systemd.notify('STOPPING=1')
        timeout = self.config.graceful_timeout
        open_then = len(self.connections)
        closed: list[Event] = []
        for server, _ in self.servers:
            done = Event()
            server.close(lambda *_, done=done: done.set())
            closed.append(done)
        # logged once the listening sockets are closed (new connects refused)
        log.info('%s: closing listeners; %d connection(s) open, waiting up to %gs',
                 why, open_then, timeout)
        for alert in self.alerts:
            alert.flush()
        drain.begin(reason, timeout)
        gevent.spawn(self._drain, closed, time.monotonic() + timeout)

    def _drain(self, closed: list[Event], deadline: float) -> None:
        for done in closed:
            done.wait(max(0.0, deadline - time.monotonic()))
        # a socket destroyed already (its server counts it gone) has its
        # 'close' on the way: not one the graceful timeout cuts
        left = [sock for sock in self.connections if not sock.destroyed]
        if left:
            log.warning('graceful timeout: destroying %d connection(s)', len(left))
        for sock in left:
            self._end(sock, 'shutdown')
        for handle in active_handles():
            if isinstance(handle, Server):
                handle.close()
            elif isinstance(handle, Socket):
                handle.destroy()
        self._finished.wait(self.settle)
        self._finished.set()


def _peer(sock: Socket, unix: bool) -> str:
    return _peer_of({'remote_address': sock.remote_address, 'remote_port': sock.remote_port},
                    'unix' if unix else '-')


def _peer_of(data: dict[str, Any], unknown: str) -> str:
    address = data.get('remote_address')
    if not address:
        return unknown
    return ('[%s]:%s' if ':' in address else '%s:%s') % (address, data.get('remote_port'))


def _ignore(*_: Any) -> None:
    pass


def _blocked(server: Server, data: dict[str, Any]) -> bool:
    """Whether the connection of a ``'drop'`` was the server's ``block_list``'s."""
    address = data.get('remote_address')
    block_list = getattr(server, 'block_list', None)
    if not address or block_list is None:
        return False
    try:
        return bool(block_list.check(address, 'ipv6' if data.get('remote_family') == 'IPv6' else 'ipv4'))
    except (TypeError, ValueError):
        return False


def _how_it_ended(sock: Socket) -> str:
    error = sock.errored
    if error is not None:
        return 'error %s' % (getattr(error, 'code', None) or type(error).__name__)
    if sock.readable_ended:
        return 'end'
    return 'destroyed'


# -- process helpers -------------------------------------------------------------


def configure_logging(level: str) -> None:
    logging.basicConfig(level=getattr(logging, level.upper()), stream=sys.stderr,
                        format='%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s')


def monkey_patch(config: Config) -> None:
    """Make the standard library cooperative before any app code is imported."""
    if config.monkey_patch:
        from gevent import monkey
        monkey.patch_all()


def leave(status: int) -> None:
    """Exit now, whatever greenlets or threads the app left behind."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


def worker_main() -> int:
    """A worker of the master (``python -m greennet _worker``)."""
    spec = WorkerSpec.from_env()
    die_with_parent(spec.master)

    def status(line: bytes) -> None:
        try:
            os.write(spec.status_fd, line)
        except OSError:
            pass
    config = Config(spec.config, [], spec.source, frozenset(spec.given))
    configure_logging(config.log_level)
    add_import_path(spec.path)
    monkey_patch(config)
    from .endpoints import parse_endpoint
    mounts: dict[str, Mount] = {}
    sockets = []
    for item in spec.sockets:
        mount = mounts.setdefault(item['target'], Mount(item['target'], []))
        sockets.append((mount, parse_endpoint(item['endpoint']), _std.socket(fileno=item['fd'])))
    worker = Worker(config, sockets, status=status, beat=spec.beat, control_fd=spec.control_fd)
    try:
        worker.start()
    except LaunchError as err:
        status(encode(FAIL, err.status, err))
        return err.status
    return worker.serve()

