"""The launcher's master: it binds every listening socket once, runs
workers that share them (Node's cluster model, ``exclusive=False``; with
``reuse_port``, each worker slot has its own socket per TCP address, which
the master keeps for the slot's next worker),
restarts a worker that dies (with a bounded back-off), replaces them all on
SIGHUP with freshly imported code, and stops them gracefully on
SIGTERM/SIGINT. How it talks to its workers is :mod:`.protocol`.

It waits on its pipes with :mod:`selectors` (epoll, poll), so inherited
descriptors beyond 1,024 are no problem.
"""
from __future__ import annotations

import logging
import os
import selectors
import signal
import subprocess
import time
from collections import deque
from typing import Any

from . import systemd
from .errors import RUNTIME, USAGE, LaunchError
from .protocol import BEAT, FAIL, READY, RETIRE, LineReader, WorkerSpec, encode, worker_command
from .settings import Config
from .sockets import Bound, Listeners

__all__ = ['Master']

log = logging.getLogger('greennet.arbiter')

_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD)


class _WorkerProcess:
    def __init__(self, process: subprocess.Popen, status_fd: int, control_fd: int,
                 generation: int, slot: int) -> None:
        self.process = process
        #: Which worker slot it serves (with ``reuse_port``: which sockets).
        self.slot = slot
        self.status_fd = status_fd
        self.control_fd = control_fd
        self.generation = generation
        self.started = time.monotonic()
        self.ready = False
        self.failure: tuple[int, str] | None = None
        self.last_beat = self.started
        self.connections = 0
        self.reader = LineReader()
        #: Stopped on purpose (replaced by a reload, or a stop): not restarted.
        self.retired = False
        #: When the master kills it if it has not exited.
        self.kill_at: float | None = None

    @property
    def pid(self) -> int:
        return self.process.pid


class Master:
    """The master process of ``greennet run --workers N``."""

    #: Back-off before restarting a worker that died: none after a worker
    #: that served :attr:`stable_after` seconds, else :attr:`restart_delay`
    #: doubled per death in a row, never more than :attr:`max_restart_delay`.
    restart_delay = 0.1
    max_restart_delay = 1.0
    stable_after = 10.0
    #: Workers that fail to start this many times in a row end the launch.
    max_boot_failures = 5
    #: Seconds a worker gets to report ``ready``.
    boot_timeout = 30.0
    #: Seconds past the graceful timeout before a draining worker is killed.
    kill_margin = 0.75

    def __init__(self, config: Config) -> None:
        self.config = config
        self.listeners = Listeners(config, slots=config.workers)
        self.workers: dict[int, _WorkerProcess] = {}
        self.generation = 0
        self.signals: deque[int] = deque()
        self.selector = selectors.DefaultSelector()
        self.stopping = False
        self.stop_deadline = 0.0
        self.exit: LaunchError | None = None
        self.deaths_in_a_row = 0
        self.boot_failures_in_a_row = 0
        #: The slots whose worker died, to be started again at :attr:`restart_at`.
        self.pending_restarts: list[int] = []
        self.restart_at = 0.0
        self.reload_generation: int | None = None
        self.reload_deadline = 0.0
        #: Workers of the first generation (or a reload's) that exited before ``ready``.
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
        self.listeners.bind()
        wake_r, wake_w = os.pipe()
        for fd in (wake_r, wake_w):
            os.set_blocking(fd, False)
        self.selector.register(wake_r, selectors.EVENT_READ, None)
        previous = signal.set_wakeup_fd(wake_w)
        for signum in _SIGNALS:
            signal.signal(signum, self._on_signal)
        try:
            self._spawn_generation()
            if self._boot(wake_r):
                systemd.notify(f'READY=1\nSTATUS={self.config.workers} worker(s) serving')
            status = self._supervise(wake_r)
            if self.exit is not None:
                raise self.exit
            return status
        finally:
            signal.set_wakeup_fd(previous)
            for signum in _SIGNALS:
                signal.signal(signum, signal.SIG_DFL)
            self._kill_all()
            self.selector.close()
            os.close(wake_r)
            os.close(wake_w)
            self.listeners.close()

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.signals.append(signum)

    def _boot(self, wake_r: int) -> bool:
        """Wait for the first workers; a failure ends the launch with its
        status. Whether they all serve (not when a stop came first)."""
        deadline = time.monotonic() + self.boot_timeout
        while not self.workers or not all(w.ready for w in self.workers.values()):
            self._poll(0.2, wake_r)
            failed = self.boot_failures + [w for w in self.workers.values() if w.failure]
            if failed:
                status, message = failed[0].failure or (RUNTIME, 'worker failed')
                raise LaunchError(message, status)
            if any(s in (signal.SIGTERM, signal.SIGINT) for s in self.signals):
                return False
            if time.monotonic() > deadline:
                raise LaunchError(f'workers did not start within {self.boot_timeout:g}s', RUNTIME)
        self.boot_done = True
        log.info('%d worker(s) ready: %s', len(self.workers),
                 ', '.join(str(pid) for pid in sorted(self.workers)))
        return True

    def _supervise(self, wake_r: int) -> int:
        while True:
            self._poll(self._timeout(), wake_r)
            while self.signals:
                status = self._handle_signal(self.signals.popleft())
                if status is not None:
                    return status
            self._restart_due()
            self._check_reload()
            self._kill_overdue()
            self._systemd_report()
            if self.stopping and not self.workers:
                log.info('all workers stopped')
                return 0

    def _timeout(self) -> float:
        """How long the next wait may be: until the next restart or kill is due."""
        now = time.monotonic()
        due = [self.restart_at] if self.pending_restarts else []
        due += [w.kill_at for w in self.workers.values() if w.kill_at is not None]
        return max(0.0, min([self.poll_interval] + [t - now for t in due]))

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
        """Close the listeners (new connects are refused), stop the workers
        gracefully; kill what is left at the graceful timeout."""
        self.stopping = True
        self.pending_restarts = []
        self.listeners.close()
        systemd.notify('STOPPING=1')
        log.info('%s: closing listeners; stopping %d worker(s) gracefully', reason, len(self.workers))
        kill_at = time.monotonic() + self.config.graceful_timeout + self.kill_margin
        for worker in list(self.workers.values()):
            worker.retired = True
            worker.kill_at = min(worker.kill_at or kill_at, kill_at)
            _signal(worker, signal.SIGTERM)

    # -- workers -----------------------------------------------------------------

    def _spawn_generation(self) -> None:
        self.generation += 1
        for slot in range(self.config.workers):
            self._spawn(slot)

    def _spawn(self, slot: int) -> _WorkerProcess:
        bound: list[Bound] = self.listeners.for_slot(slot)
        status_r, status_w = os.pipe()
        control_r, control_w = os.pipe()
        os.set_blocking(status_r, False)
        os.set_blocking(control_w, False)
        spec = WorkerSpec(
            master=os.getpid(), config=self.config.values, given=sorted(self.config.given),
            source=self.config.source, status_fd=status_w, control_fd=control_r,
            beat=self.beat_interval,
            sockets=[{'target': mount.target, 'endpoint': endpoint.text, 'fd': sock.fileno()}
                     for mount, endpoint, sock in bound])
        env = dict(os.environ)
        env['GREENNET_WORKER_SPEC'] = spec.to_env()
        for name in ('NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'):
            env.pop(name, None)
        try:
            process = subprocess.Popen(
                worker_command(), env=env, stdin=subprocess.DEVNULL,
                pass_fds=[sock.fileno() for _, _, sock in bound] + [status_w, control_r])
        finally:
            os.close(status_w)
            os.close(control_r)
        worker = _WorkerProcess(process, status_r, control_w, self.generation, slot)
        self.workers[worker.pid] = worker
        self.selector.register(status_r, selectors.EVENT_READ, worker)
        log.debug('worker %d started (generation %d, slot %d)', worker.pid, self.generation, slot)
        return worker

    def _poll(self, timeout: float, wake_r: int) -> None:
        try:
            events = self.selector.select(timeout)
        except InterruptedError:
            events = []
        for key, _ in events:
            if key.data is None:
                try:
                    while os.read(wake_r, 512):
                        pass
                except (BlockingIOError, InterruptedError):
                    pass
            else:
                self._read_status(key.data)
        self._reap()

    def _read_status(self, worker: _WorkerProcess) -> None:
        try:
            data = os.read(worker.status_fd, 65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b''
        for word, rest in worker.reader.feed(data):
            if word == READY:
                worker.ready = True
                self.boot_failures_in_a_row = 0
            elif word == BEAT:
                worker.last_beat = time.monotonic()
                worker.connections = int(rest) if rest.isascii() and rest.isdigit() else 0
            elif word == FAIL:
                status, _, message = rest.partition(' ')
                worker.failure = (int(status) if status in ('1', '2') else RUNTIME, message)
        if not data:
            self.selector.unregister(worker.status_fd)

    def _reap(self) -> None:
        for pid, worker in list(self.workers.items()):
            code = worker.process.poll()
            if code is None:
                continue
            if worker.status_fd in self.selector.get_map():
                self._read_status(worker)
            del self.workers[pid]
            self._close(worker)
            if self.stopping or worker.retired:
                log.info('worker %d exited (%s)', pid, _how(code))
            elif not worker.ready and (not self.boot_done or self._reloading(worker)):
                if worker.failure is None:
                    worker.failure = (code if code in (USAGE, RUNTIME) else RUNTIME,
                                      f'worker {pid} exited ({_how(code)}) while starting')
                self.boot_failures.append(worker)
            elif not worker.ready and (worker.failure or code > 0):
                self._boot_failed(worker, code)
            else:
                self._died(worker, code)

    def _died(self, worker: _WorkerProcess, code: int) -> None:
        now = time.monotonic()
        if worker.ready and now - worker.started >= self.stable_after:
            self.deaths_in_a_row = 0
        delay = 0.0 if not self.deaths_in_a_row else \
            min(self.max_restart_delay, self.restart_delay * 2 ** (self.deaths_in_a_row - 1))
        self.deaths_in_a_row += 1
        self.pending_restarts.append(worker.slot)
        self.restart_at = max(self.restart_at, now + delay)
        serving = sum(1 for w in self.workers.values() if w.ready)
        log.warning('worker %d died (%s); restarting it %s; %d of %d worker(s) serving meanwhile',
                    worker.pid, _how(code), f'in {delay:.2f}s' if delay else 'now', serving,
                    self.config.workers)

    def _boot_failed(self, worker: _WorkerProcess, code: int) -> None:
        self.boot_failures_in_a_row += 1
        status, reason = worker.failure or (RUNTIME, f'worker {worker.pid} exited '
                                            f'({_how(code)}) while starting')
        if self.boot_failures_in_a_row >= self.max_boot_failures:
            log.error('workers failed to start %d times in a row: stopping', self.boot_failures_in_a_row)
            self.exit = LaunchError(f'workers cannot start: {reason}', status)
            self._stop('workers cannot start')
            return
        log.error('a new worker failed to start (%d of %d in a row before the launcher gives up): %s',
                  self.boot_failures_in_a_row, self.max_boot_failures, reason)
        self._died(worker, code)

    def _reloading(self, worker: _WorkerProcess) -> bool:
        """Whether ``worker`` belongs to the generation a reload is starting."""
        return self.reload_generation is not None and worker.generation == self.generation

    def _restart_due(self) -> None:
        if not self.pending_restarts or self.stopping or time.monotonic() < self.restart_at:
            return
        slots, self.pending_restarts = self.pending_restarts, []
        started = [self._spawn(slot).pid for slot in slots]
        log.info('restarted: worker(s) %s starting', ', '.join(map(str, started)))

    def _kill_overdue(self) -> None:
        now = time.monotonic()
        for worker in self.workers.values():
            if worker.kill_at is not None and now >= worker.kill_at:
                log.warning('worker %d still running past the graceful timeout: killing it', worker.pid)
                worker.kill_at = None
                _signal(worker, signal.SIGKILL)

    def _reload(self) -> None:
        if self.reload_generation is not None:
            log.info('SIGHUP: a reload is already under way')
            return
        systemd.notify(f'RELOADING=1\nMONOTONIC_USEC={systemd.monotonic_usec()}')
        log.info('SIGHUP: starting %d new worker(s) with freshly imported code', self.config.workers)
        self.reload_generation = self.generation
        self._spawn_generation()
        self.reload_deadline = time.monotonic() + self.boot_timeout

    def _check_reload(self) -> None:
        old = self.reload_generation
        if old is None:
            return
        new = [w for w in self.workers.values() if w.generation == self.generation]
        failed = [w for w in self.boot_failures + new if w.generation == self.generation and w.failure]
        if failed or time.monotonic() > self.reload_deadline:
            first = failed[0].failure if failed else None
            reason = first[1] if first else 'new workers did not start in time'
            log.error('reload failed: %s; keeping the running workers', reason)
            for worker in new:
                worker.retired = True
                _signal(worker, signal.SIGKILL)
            self.generation = old
            self.reload_generation = None
            self.boot_failures = []
            systemd.notify('READY=1')
            return
        if len(new) == self.config.workers and all(w.ready for w in new):
            kill_at = time.monotonic() + self.config.graceful_timeout + self.kill_margin
            for worker in self.workers.values():
                if worker.generation <= old and not worker.retired:
                    self._retire(worker, kill_at)
            self.reload_generation = None
            log.info('reload done: workers %s; the old ones drain for up to %gs',
                     ', '.join(str(w.pid) for w in new), self.config.graceful_timeout)
            systemd.notify('READY=1')

    def _retire(self, worker: _WorkerProcess, kill_at: float) -> None:
        """Start a worker's drain (its drain listeners see ``'reload'``)."""
        worker.retired = True
        worker.kill_at = kill_at
        try:
            os.write(worker.control_fd, encode(RETIRE))
        except OSError:
            _signal(worker, signal.SIGTERM)

    def _kill_all(self) -> None:
        for worker in list(self.workers.values()):
            _signal(worker, signal.SIGKILL)
        for worker in list(self.workers.values()):
            try:
                worker.process.wait(5)
            except subprocess.TimeoutExpired:
                pass
            self._close(worker)
        self.workers.clear()

    def _close(self, worker: _WorkerProcess) -> None:
        if worker.status_fd in self.selector.get_map():
            self.selector.unregister(worker.status_fd)
        for fd in (worker.status_fd, worker.control_fd):
            try:
                os.close(fd)
            except OSError:
                pass

    # -- systemd ---------------------------------------------------------------

    def _systemd_report(self) -> None:
        now = time.monotonic()
        serving = [w for w in self.workers.values() if w.ready]
        connections = sum(w.connections for w in serving)
        status = f'STATUS={connections} connection(s), {len(serving)} worker(s)'
        if self.pending_restarts:
            status += f', restarting {len(self.pending_restarts)}'
        if status != self.last_status:
            self.last_status = status
            systemd.notify(status)
        if self.watchdog and now - self.last_ping >= self.watchdog / 2:
            healthy = all(now - w.last_beat < self.watchdog / 2 for w in serving)
            if healthy:
                self.last_ping = now
                systemd.notify('WATCHDOG=1')


def _how(code: int) -> str:
    if code < 0:
        try:
            return 'killed by ' + signal.Signals(-code).name
        except ValueError:
            return f'killed by signal {-code}'
    return f'status {code}'


def _signal(worker: _WorkerProcess, signum: int) -> None:
    try:
        worker.process.send_signal(signum)
    except (ProcessLookupError, OSError):
        pass
