"""``socket.connect()``: Node's ``lookupAndConnect`` and ``internalConnect``.

``connect()`` validates its arguments at the call and moves the socket from
IDLE to LOOKING_UP (see :mod:`greennet.state`); the attempt runs after the
call: a lookup for a host name (``'lookup'`` follows), a tick for an IP
address or a path, as Node. The attempt that finds the socket still
LOOKING_UP opens the one handle of this life and moves it to CONNECTING; any
other attempt of the same life (a second ``connect()``, a lookup that calls
back twice) finds it CONNECTING and fails it with ``EALREADY``, as libuv
does Node's. Attempts that find the socket destroyed or open do nothing.
"""
from __future__ import annotations

import errno as _errno
import socket as _std
from contextvars import copy_context
from typing import Any, Callable

from . import lookup as _lookup
from .address import is_ip
from .arguments import normalize_connect_args
from .autoselect import (
    AutoSelecting,
    get_default_auto_select_family,
    get_default_auto_select_family_attempt_timeout,
)
from .binding import bind_local, pipe_path_error, unix_address
from .errors import (
    ERR_INVALID_IP_ADDRESS,
    ERR_IP_BLOCKED,
    system_error,
)
from .reading import READ, WRITE
from .runtime import family_of
from .runtime import raw_socket as _raw_socket
from .sockopts import keep_idle_seconds
from .state import CONNECTING, CONNECTING_STATES, DESTROYED_STATES, IDLE, LOOKING_UP, OPEN, W_ENDING
from .validators import validate_function

__all__ = ['Connecting']

Local = tuple[Any, Any]


class Connecting(AutoSelecting):
    """``connect()``, ``'lookup'``, ``'connectionAttempt'``,
    ``'connectionAttemptFailed'``, ``'connect'`` and ``'ready'``; several
    addresses are tried by :class:`~greennet.autoselect.AutoSelecting`."""

    __slots__ = ()

    def connect(self, *args: Any, **kwargs: Any) -> Any:
        """Open a connection: ``connect(port[, host][, cb])``,
        ``connect(path[, cb])`` or ``connect(options[, cb])``; ``'connect'``
        follows, or ``'error'``."""
        options, callback = normalize_connect_args(args, kwargs)
        self._connect(options, callback)
        return self

    def _connect(self, options: dict[str, Any], callback: Callable[..., Any] | None) -> None:
        """``options`` as :func:`~greennet.arguments.validate_connect_options`
        returns them: checked at the call already."""
        if callback is not None:
            validate_function(callback, 'connectListener')
        attempt = self._plan_connect(options)
        if self._conn is OPEN:
            # Node keeps a live connection when connect() is called again.
            if callback is not None:
                self.once('connect', callback)
            return
        if self._conn in DESTROYED_STATES:
            self._reset_for_reconnect()
        if options.get('onread') is not None:
            self._set_onread(options['onread'])
        timeout = options.get('timeout')
        if timeout is not None:
            self.set_timeout(timeout)
        if options.get('no_delay'):
            self._no_delay = True
        if options.get('keep_alive'):
            self._keep_alive = (True, keep_idle_seconds(options.get('keep_alive_initial_delay')))
        if callback is not None:
            self.once('connect', callback)
        if self._conn is IDLE:
            self._ctx = copy_context()
            self._move('lookup')
            self._activate()
        try:
            attempt()
        except BaseException:
            # The lookup raised, out of connect() as in Node: the socket stays
            # 'opening', but nothing is under way that run() should wait for.
            if self._conn is LOOKING_UP:
                self._deactivate()
            raise

    def _plan_connect(self, options: dict[str, Any]) -> Callable[[], None]:
        """What starts the attempt: a tick for a path or an IP address, a
        lookup for a host name."""
        path = options.get('path')
        if path is not None:
            def pipe_attempt() -> None:
                # Node connects a path inside connect(): 'connectionAttempt' there.
                self.emit('connectionAttempt', path, None, None)
                self._defer(self._connect_to, _std.AF_UNIX, path, None, None)
            return pipe_attempt
        host, port = options['host'], options['port']
        local = (options.get('local_address'), options.get('local_port'))
        block_list = options.get('block_list')
        kind = is_ip(host) if isinstance(host, str) else 0
        if kind:
            af = _std.AF_INET6 if kind == 6 else _std.AF_INET
            return lambda: self._defer(self._connect_checked, af, host, port, local, block_list)
        lookup = options.get('lookup') or _lookup.lookup
        family, hints = options.get('family'), options.get('hints') or 0
        auto = options.get('auto_select_family')
        if auto is None:
            auto = get_default_auto_select_family()
        timeout = options.get('auto_select_family_attempt_timeout')
        if timeout is None:
            timeout = get_default_auto_select_family_attempt_timeout()
        return lambda: self._lookup_then_connect(lookup, host, port, family, hints, local, block_list,
                                                 auto, timeout)

    def _reset_for_reconnect(self) -> None:
        """Node's ``_undestroy()``: a destroyed socket may connect again,
        keeping its listeners and settings."""
        kept = (self._decoder, self._timeout_ms, self._no_delay, self._keep_alive, self._onread,
                self._flowing, self._pipes, self._rs)
        self._move('reconnect')
        self._setup(self.allow_half_open)
        (self._decoder, self._timeout_ms, self._no_delay, self._keep_alive, self._onread,
         self._flowing, self._pipes, self._rs) = kept

    # -- the attempt ------------------------------------------------------------

    def _lookup_then_connect(self, lookup: Callable[..., Any], host: str, port: int, family: Any,
                             hints: int, local: Local, block_list: Any, auto: bool,
                             timeout: int) -> None:
        # Node's dns options: ADDRCONFIG unless a family or hints are given, and
        # every address (autoSelectFamily) unless it is off, or a family or a
        # local address is given.
        dns_options: dict[str, Any] = {} if family is None else {'family': family}
        any_family = family not in (4, 6)
        dns_options['hints'] = hints or (_lookup.ADDRCONFIG if any_family else 0)
        if any_family and not local[0] and auto:
            dns_options['all'] = True

            def on_lookup_all(err: Any, addresses: Any = None, *_rest: Any) -> None:
                # Node's lookupAndConnectMultiple: inside the callback.
                self._run_inline(self._after_lookup_all, err, addresses, host, port, local,
                                 block_list, timeout)
            lookup(host, dns_options, on_lookup_all)
            return

        def on_lookup(err: Any, address: Any = None, kind: Any = None, *_rest: Any) -> None:
            # As Node's emitLookup: 'lookup', and the attempt, inside the callback.
            self._run_inline(self._after_lookup, err, address, kind, host, port, local, block_list)
        lookup(host, dns_options, on_lookup)

    def _after_lookup(self, err: Any, address: Any, kind: Any, host: str, port: int,
                      local: Local, block_list: Any) -> None:
        """Node's ``emitLookup``: ``'lookup'``, then the attempt if the socket
        is still connecting (one address: ``auto_select_family`` is off, or
        a ``family`` or a ``local_address`` is given)."""
        if err is None and isinstance(address, str) and is_ip(address):
            kind = {'IPv4': 4, 'IPv6': 6}.get(kind, kind) or is_ip(address)
        self.emit('lookup', err, address, kind, host)
        if self._conn not in CONNECTING_STATES:
            return
        if err is not None:
            self._defer(self.destroy, err)   # Node's connectErrorNT
        elif not isinstance(address, str) or not is_ip(address):
            self._defer(self.destroy, ERR_INVALID_IP_ADDRESS(address))
        else:
            af = _std.AF_INET6 if is_ip(address) == 6 else _std.AF_INET
            self._connect_checked(af, address, port, local, block_list)

    def _connect_checked(self, family: int, address: str, port: int, local: Local,
                         block_list: Any) -> None:
        if self._conn not in CONNECTING_STATES:
            return
        kind = 'ipv6' if family == _std.AF_INET6 else 'ipv4'
        if block_list is not None and block_list.check(address, kind):
            self.destroy(ERR_IP_BLOCKED(address))
            return
        self._connect_to(family, address, port, local)

    def _connect_to(self, family: int, address: str, port: int | None, local: Local | None) -> None:
        """Node's ``internalConnect``: one handle per life;
        ``'connectionAttempt'`` (``family`` 4 or 6, ``None`` for a path)
        just before the connect."""
        kind = 6 if family == _std.AF_INET6 else 4 if family == _std.AF_INET else None
        if self._conn is CONNECTING:
            self.emit('connectionAttempt', address, port, kind)
            if self._conn is CONNECTING:
                self.destroy(system_error(_errno.EALREADY, 'connect', address, port))
            return
        if self._conn is not LOOKING_UP:
            return
        try:
            handle = _raw_socket(family, _std.SOCK_STREAM)
        except OSError as err:
            self.destroy(system_error(err.errno, 'socket'))
            return
        self._attach(handle)
        self._move('resolved')
        self._connect_target = (address, port)
        if family == _std.AF_UNIX:
            error = pipe_path_error(address, 'connect')
            if error is not None:
                self.destroy(error)
                return
            target: Any = unix_address(address)
        else:
            target = (address, port)
            if local and (local[0] or local[1]):
                error = bind_local(handle, family, local[0], local[1])
                if error is not None:
                    self.destroy(error)
                    return
        if kind is not None:   # a path's was emitted inside connect()
            self.emit('connectionAttempt', address, port, kind)
            if self._conn is not CONNECTING:
                return   # a listener destroyed the socket
        try:
            code = handle.connect_ex(target)
        except (OSError, OverflowError, ValueError, TypeError) as err:
            code = getattr(err, 'errno', None) or _errno.EINVAL
        if code in (0, _errno.EINPROGRESS, _errno.EAGAIN, _errno.EWOULDBLOCK):
            self._ww = self._rt.loop.io(handle.fileno(), WRITE)
            self._ww.start(self._on_connect_ready)
        else:
            self.destroy(system_error(code, 'connect', address, port))

    def _attach(self, handle: _std.socket) -> None:
        handle.setblocking(False)
        self._handle = handle
        self._family = family_of(handle)
        self._rw = self._rt.loop.io(handle.fileno(), READ)

    def _on_connect_ready(self) -> None:
        # In the hub: the connection is up (or failed). Its 'connect' comes
        # after the reads this turn of the loop found, as Node's does.
        self._ww.stop()
        self._defer_later(self._after_connect)

    def _after_connect(self) -> None:
        if self._conn is not CONNECTING:
            return
        address, port = self._connect_target  # type: ignore[misc]
        code = self._handle.getsockopt(_std.SOL_SOCKET, _std.SO_ERROR)  # type: ignore[union-attr]
        if code:
            error = system_error(code, 'connect', address, port)
            kind = 6 if self._family == _std.AF_INET6 else 4 if self._family == _std.AF_INET else None
            self.emit('connectionAttemptFailed', address, port, kind, error)
            if self._conn is CONNECTING:
                self.destroy(error)
            return
        self._move('connected')
        if self._timeout_ms:
            self._touch()
        self._apply_no_delay()
        self._apply_keep_alive()
        self.emit('connect')
        self.emit('ready')
        if self._conn is not OPEN:
            return
        if self._wq is None and self._wstate is W_ENDING:
            self._final()
        self._sync_reading()
