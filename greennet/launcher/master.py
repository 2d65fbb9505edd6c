"""The launcher's master: it binds every listening socket once, runs
workers that share them (Node's cluster model, ``exclusive=False``),
restarts a worker that dies at a bounded rate, replaces them all on SIGHUP
with freshly imported code, and stops them gracefully on SIGTERM/SIGINT.

Workers are fresh interpreters (``python -m greennet _worker``), so a reload
imports the app's code anew. Each reports to the master over a pipe:
``ready`` once its servers listen, ``fail STATUS MESSAGE`` if it cannot
start, and ``beat N`` every second with its open connections, which is how
the master knows a worker's hub is not blocked (for systemd's watchdog).
"""
from __future__ import annotations

import errno as _errno
import json
import logging
import os
import select
import signal
import socket as _std
import subprocess
import sys
import time
from collections import deque
from typing import Any

from . import systemd
from .address import is_ip
from .binding import (
    ListenError,
    PathIdentity,
    adopt_fd,
    bind_listener,
    path_identity,
    tcp_listener,
    unlink_if_same,
)
from .config import Config, Mount
from .endpoints import Endpoint
from .worker import RUNTIME, USAGE, LaunchError

__all__ = ['Arbiter', 'Listeners', 'WORKER_SPEC_ENV']

log = logging.getLogger('greennet.arbiter')

#: The environment variable a worker reads its assignment from.
WORKER_SPEC_ENV = 'GREENNET_WORKER_SPEC'

Bound = tuple[Mount, Endpoint, _std.socket]


class Listeners:
    """The listening sockets of every mount, bound (or inherited) once."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.bound: list[Bound] = []
        self._unlink: list[PathIdentity | None] = []

    def bind(self) -> list[Bound]:
        inherited = systemd.listen_fds()
        for mount in self.config.mounts:
            endpoints = mount.endpoints or self._activated_for(mount, inherited)
            if not endpoints:
                raise LaunchError(f'{mount.target}: no address to listen on: give --listen ADDR (or run it '
                                  'under systemd socket activation)')
            for endpoint in endpoints:
                self.bound.append((mount, endpoint, self._socket(endpoint, inherited)))
        return self.bound

    def _activated_for(self, mount: Mount, inherited: list[tuple[int, str | None]]) -> list[Endpoint]:
        """The passed sockets a mount with no address takes: those named for
        its target, else (alone) all that no mount names, else the next one."""
        claimed = {sock.fileno() for _, _, sock in self.bound} | self._named(inherited)
        unclaimed = [(fd, name) for fd, name in inherited if fd not in claimed]
        addressless = [m for m in self.config.mounts if not m.endpoints]
        chosen = [(fd, name) for fd, name in unclaimed if name == mount.target]
        if not chosen:
            others = {m.target for m in addressless if m is not mount}
            chosen = [(fd, name) for fd, name in unclaimed if name not in others]
            if len(addressless) > 1:
                chosen = chosen[:1]
        return [Endpoint('systemd:%s' % (name or fd - systemd.SD_LISTEN_FDS_START),
                         systemd=name or str(fd - systemd.SD_LISTEN_FDS_START))
                for fd, name in chosen]

    def _named(self, inherited: list[tuple[int, str | None]]) -> set:
        """The passed sockets that some mount's ``systemd:`` address names."""
        named = set()
        for mount in self.config.mounts:
            for endpoint in mount.endpoints:
                if endpoint.systemd is not None:
                    try:
                        named.add(_pick(endpoint, inherited))
                    except LaunchError:
                        pass
        return named

    def _socket(self, endpoint: Endpoint, inherited: list[tuple[int, str | None]]) -> _std.socket:
        backlog = self.config.backlog
        try:
            if endpoint.systemd is not None:
                return adopt_fd(_pick(endpoint, inherited), backlog, shared=False)
            if endpoint.fd is not None:
                return adopt_fd(endpoint.fd, backlog, shared=False)
            if endpoint.path is not None:
                return self._unix(endpoint.path, backlog)
            return tcp_listener(_resolve(endpoint), endpoint.port, backlog)
        except ListenError as failure:
            raise LaunchError(str(failure.error.message), RUNTIME) from None

    def _unix(self, path: str, backlog: int) -> _std.socket:
        sock = bind_listener(_std.AF_UNIX, path, backlog, path, -1)
        self._unlink.append(path_identity(path))
        return sock

    def close(self) -> None:
        """Close the sockets and remove the Unix socket files made here."""
        for _, _, sock in self.bound:
            try:
                sock.close()
            except OSError:
                pass
        for identity in self._unlink:
            unlink_if_same(identity)
        self._unlink = []


def _pick(endpoint: Endpoint, inherited: list[tuple[int, str | None]]) -> int:
    key = endpoint.systemd
    for fd, name in inherited:
        if name == key:
            return fd
    if key is not None and key.isdigit() and int(key) < len(inherited):
        return inherited[int(key)][0]
    raise LaunchError('{}: systemd passed no such socket (got {})'.format(
        endpoint, ', '.join(name or str(fd) for fd, name in inherited) or 'none'))


def _resolve(endpoint: Endpoint) -> str | None:
    host = endpoint.host
    if not host or is_ip(host):
        return host
    try:
        return _std.getaddrinfo(host, endpoint.port, 0, _std.SOCK_STREAM)[0][4][0]
    except OSError as err:
        raise LaunchError(f'{endpoint}: cannot resolve {host!r}: {err}', RUNTIME) from None


class _WorkerProcess:
    def __init__(self, process: subprocess.Popen, status_fd: int, generation: int) -> None:
        self.process = process
        self.status_fd = status_fd
        self.generation = generation
        self.ready = False
        self.failure: tuple[int, str] | None = None
        self.last_beat = time.monotonic()
        self.connections = 0
        self.buffer = b''
        #: Stopped on purpose (replaced by a reload): not restarted.
        self.retired = False

    @property
    def pid(self) -> int:
        return self.process.pid


class Arbiter:
    """The master process of ``greennet run --workers N``."""

    #: Restarts allowed within :attr:`restart_window` seconds before the
    #: master waits: a worker that keeps dying cannot make it spin.
    max_restarts = 10
    restart_window = 60.0
    #: Seconds a worker gets to report ``ready``.
    boot_timeout = 30.0

    def __init__(self, config: Config) -> None:
        self.config = config
        self.listeners = Listeners(config)
        self.workers: dict[int, _WorkerProcess] = {}
        self.generation = 0
        self.signals: deque[int] = deque()
        self.stopping = False
        self.stop_deadline = 0.0
        self.restarts: deque[float] = deque()
        self.pending_restarts = 0
        self.reload_generation: int | None = None
        self.reload_deadline = 0.0
        #: Workers that exited before they reported ``ready``.
        self.boot_failures: list[_WorkerProcess] = []
        self.boot_done = False
        self.watchdog = systemd.watchdog_interval()
        #: How often workers report; a worker silent for half the watchdog
        #: interval stops the pings.
        self.beat_interval = min(1.0, self.watchdog / 8) if self.watchdog else 1.0
        self.poll_interval = min(0.5, self.watchdog / 4) if self.watchdog else 0.5
        self.last_ping = 0.0
        self.last_status = ''

    # -- life ------------------------------------------------------------------

    def run(self) -> int:
        """Bind, start the workers, supervise them; the exit status."""
        bound = self.listeners.bind()
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        os.set_blocking(wake_r, False)
        previous = signal.set_wakeup_fd(wake_w)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(signum, self._on_signal)
        try:
            self._spawn_generation(bound)
            status = self._boot()
            if status:
                return status
            systemd.notify('READY=1\nSTATUS=%d worker(s) serving' % self.config.workers)
            return self._supervise(wake_r)
        finally:
            signal.set_wakeup_fd(previous)
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD):
                signal.signal(signum, signal.SIG_DFL)
            os.close(wake_r)
            os.close(wake_w)
            self._kill_all()
            self.listeners.close()

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.signals.append(signum)

    def _boot(self) -> int:
        """Wait for the first workers; a failure ends the launch with its status."""
        deadline = time.monotonic() + self.boot_timeout
        while not all(w.ready for w in self.workers.values()) or not self.workers:
            self._poll(0.2)
            failed = self.boot_failures + [w for w in self.workers.values() if w.failure]
            if failed:
                status, message = failed[0].failure
                raise LaunchError(message, status)
            if any(s in (signal.SIGTERM, signal.SIGINT) for s in self.signals):
                return 0
            if time.monotonic() > deadline:
                raise LaunchError(f'workers did not start within {self.boot_timeout:g}s', RUNTIME)
        self.boot_done = True
        log.info('%d worker(s) ready: %s', len(self.workers),
                 ', '.join(str(pid) for pid in sorted(self.workers)))
        return 0

    def _supervise(self, wake_r: int) -> int:
        while True:
            self._poll(self.poll_interval, wake_r)
            while self.signals:
                status = self._handle_signal(self.signals.popleft())
                if status is not None:
                    return status
            self._restart_due()
            self._check_reload()
            self._systemd_report()
            if self.stopping:
                if not self.workers:
                    log.info('all workers stopped')
                    return 0
                if time.monotonic() > self.stop_deadline:
                    log.warning('workers still running after the graceful timeout: killing them')
                    self._kill_all()
                    return 0

    def _handle_signal(self, signum: int) -> int | None:
        if signum == signal.SIGCHLD:
            return None
        if signum == signal.SIGHUP and not self.stopping:
            self._reload()
            return None
        if signum in (signal.SIGTERM, signal.SIGINT):
            if self.stopping and signum == signal.SIGINT:
                log.warning('second SIGINT: stopping now')
                self._kill_all()
                return 1
            if not self.stopping:
                self._stop(signal.Signals(signum).name)
        return None

    def _stop(self, reason: str) -> None:
        self.stopping = True
        self.stop_deadline = time.monotonic() + self.config.graceful_timeout + 5
        systemd.notify('STOPPING=1')
        log.info('%s: stopping %d worker(s) gracefully', reason, len(self.workers))
        for worker in list(self.workers.values()):
            _signal(worker, signal.SIGTERM)

    # -- workers -----------------------------------------------------------------

    def _spawn_generation(self, bound: list[Bound]) -> None:
        self.generation += 1
        for _ in range(self.config.workers):
            self._spawn(bound)

    def _spawn(self, bound: list[Bound]) -> _WorkerProcess:
        status_r, status_w = os.pipe()
        os.set_blocking(status_r, False)
        spec = {
            'beat': self.beat_interval,
            'config': self.config.values,
            'source': self.config.source,
            'status_fd': status_w,
            'sockets': [{'target': mount.target, 'endpoint': endpoint.text, 'fd': sock.fileno()}
                        for mount, endpoint, sock in bound],
        }
        env = dict(os.environ)
        env[WORKER_SPEC_ENV] = json.dumps(spec)
        env.pop('NOTIFY_SOCKET', None)
        env.pop('WATCHDOG_USEC', None)
        env.pop('WATCHDOG_PID', None)
        process = subprocess.Popen(
            [sys.executable, '-m', 'greennet', '_worker'], env=env, stdin=subprocess.DEVNULL,
            pass_fds=[sock.fileno() for _, _, sock in bound] + [status_w])
        os.close(status_w)
        worker = _WorkerProcess(process, status_r, self.generation)
        self.workers[worker.pid] = worker
        log.debug('worker %d started (generation %d)', worker.pid, self.generation)
        return worker

    def _poll(self, timeout: float, wake_r: int | None = None) -> None:
        fds = [w.status_fd for w in self.workers.values()]
        if wake_r is not None:
            fds.append(wake_r)
        try:
            readable, _, _ = select.select(fds, [], [], timeout)
        except InterruptedError:
            readable = []
        except OSError as err:
            if err.errno != _errno.EBADF:
                raise
            readable = []
        if wake_r is not None and wake_r in readable:
            try:
                os.read(wake_r, 512)
            except BlockingIOError:
                pass
        by_fd = {w.status_fd: w for w in self.workers.values()}
        for fd in readable:
            if fd in by_fd:
                self._read_status(by_fd[fd])
        self._reap()

    def _read_status(self, worker: _WorkerProcess) -> None:
        try:
            data = os.read(worker.status_fd, 65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b''
        worker.buffer += data
        *lines, worker.buffer = worker.buffer.split(b'\n')
        for line in lines:
            word, _, rest = line.decode('utf-8', 'replace').partition(' ')
            if word == 'ready':
                worker.ready = True
            elif word == 'beat':
                worker.last_beat = time.monotonic()
                worker.connections = int(rest or 0)
            elif word == 'fail':
                status, _, message = rest.partition(' ')
                worker.failure = (int(status) if status.isdigit() else RUNTIME, message)

    def _reap(self) -> None:
        for pid, worker in list(self.workers.items()):
            code = worker.process.poll()
            if code is None:
                continue
            self._read_status(worker)
            del self.workers[pid]
            os.close(worker.status_fd)
            if self.stopping or worker.retired:
                log.info('worker %d exited (status %s)', pid, code)
            elif not worker.ready and (not self.boot_done or self._reloading(worker)):
                if worker.failure is None:
                    worker.failure = (code if code in (USAGE, RUNTIME) else RUNTIME,
                                      'worker %d exited with status %s while starting' % (pid, code))
                self.boot_failures.append(worker)
            else:
                log.warning('worker %d died (status %s); restarting it', pid, code)
                self.pending_restarts += 1

    def _reloading(self, worker: _WorkerProcess) -> bool:
        """Whether ``worker`` belongs to the generation a reload is starting."""
        return self.reload_generation is not None and worker.generation == self.generation

    def _restart_due(self) -> None:
        now = time.monotonic()
        while self.restarts and now - self.restarts[0] > self.restart_window:
            self.restarts.popleft()
        while self.pending_restarts and not self.stopping:
            if len(self.restarts) >= self.max_restarts:
                return  # the window holds too many restarts already: wait
            self.pending_restarts -= 1
            self.restarts.append(now)
            self._spawn(self.listeners.bound)

    def _reload(self) -> None:
        if self.reload_generation is not None:
            log.info('SIGHUP: a reload is already under way')
            return
        systemd.notify('RELOADING=1\nMONOTONIC_USEC=%d' % systemd.monotonic_usec())
        log.info('SIGHUP: starting %d new worker(s) with freshly imported code', self.config.workers)
        old = self.generation
        self.reload_generation = old
        self._spawn_generation(self.listeners.bound)
        self.reload_deadline = time.monotonic() + self.boot_timeout

    def _check_reload(self) -> None:
        old = self.reload_generation
        if old is None:
            return
        new = [w for w in self.workers.values() if w.generation == self.generation]
        failed = [w for w in self.boot_failures + new if w.generation == self.generation and w.failure]
        if failed or time.monotonic() > self.reload_deadline:
            reason = failed[0].failure[1] if failed else 'new workers did not start in time'
            log.error('reload failed: %s; keeping the running workers', reason)
            for worker in new:
                worker.retired = True
                _signal(worker, signal.SIGKILL)
            self.generation = old
            self.reload_generation = None
            systemd.notify('READY=1')
            return
        if len(new) == self.config.workers and all(w.ready for w in new):
            for worker in self.workers.values():
                if worker.generation <= old:
                    worker.retired = True
                    _signal(worker, signal.SIGTERM)
            self.reload_generation = None
            log.info('reload done: workers %s', ', '.join(str(w.pid) for w in new))
            systemd.notify('READY=1')

    def _kill_all(self) -> None:
        for worker in list(self.workers.values()):
            _signal(worker, signal.SIGKILL)
        for worker in list(self.workers.values()):
            try:
                worker.process.wait(5)
            except subprocess.TimeoutExpired:
                pass
            os.close(worker.status_fd)
        self.workers.clear()

    # -- systemd ---------------------------------------------------------------

    def _systemd_report(self) -> None:
        now = time.monotonic()
        serving = [w for w in self.workers.values() if w.ready]
        status = 'STATUS=%d connection(s), %d worker(s)' % (
            sum(w.connections for w in serving), len(serving))
        if status != self.last_status:
            self.last_status = status
            systemd.notify(status)
        if self.watchdog and now - self.last_ping >= self.watchdog / 2:
            healthy = all(now - w.last_beat < self.watchdog / 2 for w in serving)
            if healthy:
                self.last_ping = now
                systemd.notify('WATCHDOG=1')


def _signal(worker: _WorkerProcess, signum: int) -> None:
    try:
        worker.process.send_signal(signum)
    except (ProcessLookupError, OSError):
        pass
