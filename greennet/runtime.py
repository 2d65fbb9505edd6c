"""The runtime: strands, the worker pool, and ``run()``.

Node runs every callback on one thread and defers effects with
``process.nextTick``. greennet gives every emitter (each ``Server`` and each
``Socket``) a *strand*: its own queue of due tasks, run in order by one
greenlet at a time, so one socket's events come in order and a listener that
blocks cooperatively holds back only its own socket.

Strands borrow greenlets from a pool of parked workers instead of owning
one: an idle socket costs no greenlet stack. Watcher callbacks run in the
hub and only queue their strand (:meth:`Runtime.dispatch`); once the loop
has run this turn's callbacks, one worker serves every strand made ready, in
order, so a busy loop pays two greenlet switches per turn, not per chunk. A
listener that blocks holds back its own strand only: the worker it blocked
is replaced by another for the rest.
"""
from __future__ import annotations

import _socket
import logging
from collections import deque
from contextvars import Context, copy_context
from sys import getrefcount
from typing import Any, Callable

from gevent import get_hub, monkey
from gevent.event import Event
from greenlet import GreenletExit, getcurrent, greenlet

from .compat import NO_LOCK, EventEmitter

__all__ = ['Runtime', 'runtime', 'run', 'active_handles', 'Emitter', 'Handle', 'raw_socket', 'family_of']

log = logging.getLogger('greennet')

#: The standard library's socket class, even after gevent's monkey-patching:
#: greennet drives non-blocking sockets from the hub itself.
raw_socket = monkey.get_original('socket', 'socket')
#: A socket's family as a plain ``int`` (the C socket's own attribute), for
#: the accept path: ``socket.socket.family`` converts it to an enum each time,
#: which costs more than the rest of attaching a descriptor.
family_of: Callable[[Any], int] = _socket.socket.family.__get__


class Runtime:
    """Per-hub state: the parked workers, the strands due, and what keeps
    ``run()`` waiting. The counters change only in the methods below."""

    #: How many parked workers are kept for reuse; more are let die.
    max_free_workers = 128

    def __init__(self) -> None:
        self.hub = get_hub()
        self.loop = self.hub.loop
        self.free: list[greenlet] = []
        #: Strands to serve, in order, and whether a worker is on them.
        self.ready: deque[tuple[Emitter, Any]] = deque()
        self.flushing = False
        #: Referenced handles alive (listening servers, open sockets).
        self.refs = 0
        #: Every active handle, referenced or not (Node's ``_getActiveHandles``).
        self.handles: set[Handle] = set()
        #: Strands with work scheduled or under way.
        self.pending = 0
        #: Handles closed this turn whose ``'close'`` is due: as libuv runs
        #: close callbacks, the last closed comes first.
        self.closing: list[tuple[Emitter, Callable[..., Any], tuple[Any, ...]]] = []
        #: How many references a worker has when it is switched in by
        #: ``_flush``; one more after a strand's step means something kept
        #: it (a pending ``gevent.Timeout``), and the worker is retired.
        self.worker_refs = 0
        self.idle = Event()

    # -- strands -----------------------------------------------------------

    def enter(self, emitter: Emitter, step: Callable[[Any], Any] | None) -> None:
        """Make ``emitter``'s strand busy and queue it (with ``step(emitter)``,
        an I/O step). The strands made ready in one turn of the loop are
        served together by one worker, in order; should a listener block,
        another worker takes over the rest."""
        emitter._busy = True
        self.pending += 1
        self.ready.append((emitter, step))
        if not self.flushing:
            self.flushing = True
            self.loop.run_callback(self._flush)

    def requeue(self, emitter: Emitter) -> None:
        """Serve a busy strand again: its tasks deferred more tasks."""
        self.ready.append((emitter, None))
        if not self.flushing:
            self.flushing = True
            self.loop.run_callback(self._flush)

    def leave(self, emitter: Emitter) -> None:
        """``emitter``'s strand has nothing left to do."""
        emitter._busy = False
        self.pending -= 1
        if self.pending <= 0 and self.refs <= 0:
            self.idle.set()

    def later(self, emitter: Emitter, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Run ``fn(*args)`` on ``emitter``'s strand from the loop's next
        callback round; ``run()`` waits for it."""
        self.pending += 1
        self.loop.run_callback(self._later, emitter, fn, args)

    def _later(self, emitter: Emitter, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.pending -= 1  # _defer takes it again if the strand is idle
        emitter._defer(fn, *args)

    def close_later(self, emitter: Emitter, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Run ``fn(*args)`` where libuv would call a handle's close
        callback: after the callbacks already due in the next round (libuv's
        closing phase ends its loop turn), the handles closed last first."""
        if not self.closing:
            self.pending += 1
            self.loop.run_callback(self._closing_phase)
        self.closing.append((emitter, fn, args))

    def _closing_phase(self) -> None:
        self.loop.run_callback(self._run_closing)

    def _run_closing(self) -> None:
        closing, self.closing = self.closing, []
        self.pending -= 1
        for emitter, fn, args in reversed(closing):
            emitter._defer(fn, *args)

    # -- workers -------------------------------------------------------------

    def _flush(self) -> None:
        # In the hub: hand the ready strands to workers until none is left.
        ready = self.ready
        free = self.free
        while ready:
            if free:
                free.pop().switch()
            else:
                greenlet(self._worker, self.hub).switch()
        self.flushing = False

    def _worker(self) -> None:
        if self._work():
            self._retire()

    def _work(self) -> bool:
        """Serve ready strands, park, repeat; ``True`` when this worker must
        be retired. Each strand's step runs in that emitter's own context."""
        me = getcurrent()
        if not self.worker_refs:
            self.worker_refs = getrefcount(me)
        base = self.worker_refs
        hub = self.hub
        free = self.free
        ready = self.ready
        switch = greenlet.switch
        while True:
            # Switched in by _flush: as many references as any worker has then.
            if getrefcount(me) != base:
                return True
            while ready:
                emitter, step = ready.popleft()
                try:
                    emitter._ctx.run(emitter._serve, step)
                except RuntimeError:
                    # Its context is entered by another greenlet (a listener
                    # called back outside the strand, blocked): serve in ours.
                    emitter._serve(step)
                if getrefcount(me) != base:
                    break  # kept by something, or resumed after blocking: check when next switched in
            if len(free) >= self.max_free_workers:
                return False
            free.append(me)
            try:
                switch(hub)
            except GreenletExit:
                raise
            except BaseException:
                # Thrown into a parked worker: left pending by a listener that
                # has returned (a gevent.Timeout). Nobody is there to get it.
                free.remove(me)
                return True

    def _retire(self) -> None:
        """Park this worker for good: whatever is still aimed at it (a
        ``gevent.Timeout`` a listener left pending) lands here, in no strand,
        until nothing refers to it."""
        hub = self.hub
        switch = greenlet.switch
        while True:
            try:
                switch(hub)
            except GreenletExit:
                return
            except BaseException:
                continue

    # -- run() -----------------------------------------------------------------

    def add_ref(self) -> None:
        self.refs += 1

    def drop_ref(self) -> None:
        self.refs -= 1
        if self.refs <= 0 and self.pending <= 0:
            self.idle.set()

    def run(self) -> None:
        idle = self.idle
        while self.refs > 0 or self.pending > 0:
            idle.clear()
            idle.wait()


def runtime() -> Runtime:
    """The runtime of the calling thread's hub (kept on the hub, so that it
    is one per thread whether or not ``threading`` is monkey-patched)."""
    hub = get_hub()
    rt = getattr(hub, '_greennet_runtime', None)
    if rt is None:
        rt = hub._greennet_runtime = Runtime()
    return rt


def on_own_strand(emitter: Any) -> bool:
    """Whether the calling greenlet is ``emitter``'s strand, busy running
    one of its listeners (they run in the emitter's own context)."""
    ctx = getattr(emitter, '_ctx', None)
    return ctx is not None and getattr(emitter, '_busy', False) and getcurrent().gr_context is ctx


def active_handles() -> list[Handle]:
    """Every active ``Server`` (listening) and ``Socket`` (connecting or
    open) of the calling thread's hub, whoever made it: what a graceful stop
    closes and destroys once its timeout is up."""
    return list(runtime().handles)


def run() -> None:
    """Block until no referenced server or socket is left, as a Node process
    lives while such handles exist; events already due are delivered first."""
    runtime().run()


Task = tuple[Callable[..., Any], tuple[Any, ...]]


class Emitter(EventEmitter):
    """A pyee ``EventEmitter`` whose deferred effects run on its own strand,
    in its own ``contextvars.Context``.

    An exception that escapes a listener (or any task of the strand) is
    handed to :meth:`_fault`, once; the strand goes on with its next task.
    """

    __slots__ = ('_events', '_lock', '_rt', '_tasks', '_busy', '_stalled', '_ctx')

    def __init__(self, context: Context | None = None, rt: Runtime | None = None) -> None:
        # pyee's EventEmitter.__init__, in slots, and without a lock per
        # emitter: a hub's greenlets share one thread and never switch inside
        # pyee's critical sections (compat checks what __init__ sets).
        self._events: dict[str, Any] = {}
        self._lock = NO_LOCK
        self._rt = rt or runtime()
        self._tasks: list[Task] | None = None
        self._busy = False
        #: I/O watchers stopped while the strand was busy (bits): ``_idle()``
        #: restarts them.
        self._stalled = 0
        #: The context this emitter's listeners run in.
        self._ctx = copy_context() if context is None else context

    def emit(self, event: str, *args: Any, **kwargs: Any) -> bool:
        """pyee's ``emit``: call each listener of ``event`` in order; an
        ``'error'`` nobody listens for is raised. Without pyee's lock, which a
        hub's greenlets (one thread, cooperative) do not need."""
        handlers = self._events.get(event)
        if handlers:
            for f in tuple(handlers.values()):
                f(*args, **kwargs)
            return True
        if event == 'error':
            self._emit_handle_potential_error(event, args[0] if args else None)
        return False

    def _add_event_handler(self, event: str, k: Callable, v: Callable) -> None:
        # pyee's own, storing each event's listeners in a plain (ordered)
        # dict: the same order and semantics in 40% of an OrderedDict's memory.
        events = self._events
        if 'new_listener' in events:
            self.emit('new_listener', event, k)
        handlers = events.get(event)
        if handlers is None:
            events[event] = {k: v}
        else:
            handlers[k] = v

    def remove_listener(self, event: str, f: Callable) -> None:
        """pyee's ``remove_listener``, without its lock."""
        self._remove_listener(event, f)

    def _defer(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on this emitter's strand after the current call,
        as Node's ``process.nextTick`` would."""
        tasks = self._tasks
        if tasks is None:
            self._tasks = [(fn, args)]
        else:
            tasks.append((fn, args))
        if not self._busy:
            self._rt.enter(self, None)

    def _defer_later(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on this strand from the loop's next callback
        round, after what is already due anywhere: where Node waits for a
        libuv callback (a shutdown) rather than a tick."""
        self._rt.later(self, fn, args)

    def _run_tasks(self) -> None:
        """Run the tasks due now; those they defer wait for the next round,
        behind other strands' (Node's tick queue is one FIFO)."""
        tasks = self._tasks
        self._tasks = None
        for fn, args in tasks or ():
            try:
                fn(*args)
            except BaseException as exc:
                self._fault(exc)

    def _serve(self, step: Callable[[Any], Any] | None) -> None:
        """The strand: due tasks, then ``step(self)`` (an I/O step) and the
        tasks it made due. Runs on a worker, in this emitter's context;
        ``_busy`` was set by :meth:`Runtime.enter`."""
        rt = self._rt
        try:
            if self._tasks:
                self._run_tasks()
            if step is not None:
                try:
                    step(self)
                except BaseException as exc:
                    self._fault(exc)
                if self._tasks:
                    self._run_tasks()
        finally:
            if self._tasks:
                rt.requeue(self)
            else:
                rt.leave(self)
                if self._stalled:
                    self._idle()

    def _run_inline(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` now, in this emitter's context and under its
        exception policy: for what Node runs inside a callback it hands out
        (a lookup's), whichever greenlet calls it back."""
        try:
            try:
                self._ctx.run(fn, *args)
            except RuntimeError as exc:
                if not str(exc).startswith('cannot enter context'):
                    raise
                fn(*args)   # already in it: called back from this very strand
        except BaseException as exc:
            self._fault(exc)

    def _fault(self, exc: BaseException) -> None:
        """An exception escaped a listener or a task of this strand. Exits
        (``SystemExit``, ``KeyboardInterrupt``) go to gevent, which ends the
        program with them; anything else is reported."""
        if isinstance(exc, (SystemExit, KeyboardInterrupt, GreenletExit)):
            self._rt.hub.handle_error(self, type(exc), exc, exc.__traceback__)
            return
        self._report(exc)

    def _report(self, exc: BaseException) -> None:
        """Log ``exc`` once, with its traceback, through the ``greennet`` logger."""
        log.error('uncaught exception in a listener of %r', self,
                  exc_info=(type(exc), exc, exc.__traceback__))

    def _enter(self, step: Callable[[Any], Any]) -> bool:
        """Queue ``step(self)`` on this strand, unless it is busy."""
        if self._busy:
            return False
        self._rt.enter(self, step)
        return True

    def _idle(self) -> None:
        """Called when the strand has nothing left to do and ``_stalled``."""
        self._stalled = 0

    def _emit_fast(self, event: str, arg: Any) -> None:
        """``emit(event, arg)`` without pyee's lock and bookkeeping, for the
        per-chunk path; the same listeners run in the same order."""
        handlers = self._events.get(event)
        if handlers:
            if len(handlers) == 1:
                (f,) = handlers.values()
                f(arg)
            else:
                for f in tuple(handlers.values()):
                    f(arg)


class Handle(Emitter):
    """An emitter that keeps ``run()`` waiting while it is active (a server
    listening, a socket open) and referenced, as a libuv handle keeps Node's
    loop alive; ``ref()``/``unref()`` govern it."""

    __slots__ = ('_refed', '_active')

    def __init__(self, context: Context | None = None, rt: Runtime | None = None) -> None:
        super().__init__(context, rt)
        self._refed = True
        self._active = False

    def _activate(self) -> None:
        if not self._active:
            self._active = True
            self._rt.handles.add(self)
            if self._refed:
                self._rt.add_ref()

    def _deactivate(self) -> None:
        if self._active:
            self._active = False
            self._rt.handles.discard(self)
            if self._refed:
                self._rt.drop_ref()

    def ref(self) -> Handle:
        """Keep ``run()`` waiting while this is active (the default)."""
        if not self._refed:
            self._refed = True
            if self._active:
                self._rt.add_ref()
        return self

    def unref(self) -> Handle:
        """Let ``run()`` return even though this is active."""
        if self._refed:
            self._refed = False
            if self._active:
                self._rt.drop_ref()
        return self
