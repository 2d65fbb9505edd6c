"""Node 20's ``autoSelectFamily`` (happy eyeballs, one attempt at a time).

The module-level defaults (Node's ``net.getDefaultAutoSelectFamily()`` and
friends), and the multi-address connect of ``connect()`` to a host name:
Node's ``lookupAndConnectMultiple``, ``internalConnectMultiple``,
``afterConnectMultiple`` and ``internalConnectMultipleTimeout``.

With ``auto_select_family`` (the default), no ``family`` of 4 or 6 and no
``local_address``, ``lookup`` is asked for every address (``all``). Each
address is reported by ``'lookup'``; the valid ones are tried once each, the
families alternating from the family of the first, one attempt at a time:
``'connectionAttempt'(ip, port, family)``, then ``'connect'``, or
``'connectionAttemptFailed'(ip, port, family, error)``, or, when the
attempt has not answered within ``auto_select_family_attempt_timeout`` ms
(every attempt but the last), ``'connectionAttemptTimeout'(ip, port,
family)``; then the next address. When every attempt fails the socket is
destroyed with an :class:`AggregateError` holding each attempt's error.
A single valid address is connected as without ``auto_select_family``.

In the state machine (:mod:`greennet.state`) the first attempt is the
``resolved`` move (LOOKING_UP to CONNECTING, the one handle of that moment);
each next attempt is ``retry`` (CONNECTING to CONNECTING): the failed or
timed-out attempt's handle is closed before the next one is opened, so the
socket never holds two.
"""
from __future__ import annotations

import errno as _errno
import socket as _std
from collections.abc import Mapping
from typing import Any

from .address import is_ip
from .binding import bind_local
from .errors import (
    ERR_INVALID_IP_ADDRESS,
    ERR_IP_BLOCKED,
    ERR_SOCKET_CONNECTION_TIMEOUT,
    AggregateError,
    NodeRangeError,
    system_error,
)
from .reading import WRITE
from .runtime import raw_socket as _raw_socket
from .state import CONNECTING, CONNECTING_STATES
from .validators import validate_boolean, validate_int32
from .writing import Writing

__all__ = ['get_default_auto_select_family', 'set_default_auto_select_family',
           'get_default_auto_select_family_attempt_timeout',
           'set_default_auto_select_family_attempt_timeout', 'AggregateError',
           'ERR_INVALID_ADDRESS_FAMILY', 'order_addresses', 'AutoSelecting']

#: Node 20's defaults (``--network-family-autoselection``, on; and
#: ``--network-family-autoselection-attempt-timeout``, 250 ms).
_default: dict[str, Any] = {'family': True, 'timeout': 250}


def get_default_auto_select_family() -> bool:
    """Node's ``net.getDefaultAutoSelectFamily()``: ``True`` unless set."""
    return bool(_default['family'])


def set_default_auto_select_family(value: bool) -> None:
    """Node's ``net.setDefaultAutoSelectFamily(value)``: a ``bool``, else
    ``ERR_INVALID_ARG_TYPE``."""
    _default['family'] = validate_boolean(value, 'value')


def get_default_auto_select_family_attempt_timeout() -> int:
    """Node's ``net.getDefaultAutoSelectFamilyAttemptTimeout()``: 250 unless set."""
    return int(_default['timeout'])


def set_default_auto_select_family_attempt_timeout(value: int) -> None:
    """Node's ``net.setDefaultAutoSelectFamilyAttemptTimeout(value)``:
    ``validateInt32(value, 'value', 1)`` (``ERR_INVALID_ARG_TYPE``,
    ``ERR_OUT_OF_RANGE``); a value under 10 becomes 10."""
    _default['timeout'] = max(10, validate_int32(value, 'value', 1))


def ERR_INVALID_ADDRESS_FAMILY(family: Any, host: Any, port: Any) -> NodeRangeError:
    """Node's ``ERR_INVALID_ADDRESS_FAMILY`` (a ``RangeError``)."""
    err = NodeRangeError('ERR_INVALID_ADDRESS_FAMILY',
                         f'Invalid address family: {family} {host}:{port}')
    err.host = host  # type: ignore[attr-defined]
    err.port = port  # type: ignore[attr-defined]
    return err


def _entry(item: Any) -> tuple[Any, Any]:
    """``{address, family}`` of one answer, as JavaScript destructures it."""
    if isinstance(item, Mapping):
        return item.get('address'), item.get('family')
    return getattr(item, 'address', None), getattr(item, 'family', None)


def _valid(ip: Any, family: Any) -> bool:
    return (isinstance(ip, str) and bool(is_ip(ip)) and not isinstance(family, bool)
            and family in (4, 6))


def order_addresses(entries: list[tuple[Any, Any]]) -> list[tuple[str, int]]:
    """Node's order of attempts: each valid address once, the families
    alternating, starting with the family of the first valid address."""
    groups: tuple[list[tuple[str, int]], list[tuple[str, int]]] = ([], [])
    first: int | None = None
    for ip, family in entries:
        if not _valid(ip, family):
            continue
        if first is None:
            first = int(family)
        group = groups[0 if family == first else 1]
        if all(ip != seen for seen, _ in group):
            group.append((ip, int(family)))
    ordered: list[tuple[str, int]] = []
    for i in range(max(len(groups[0]), len(groups[1]))):
        for group in groups:
            if i < len(group):
                ordered.append(group[i])
    return ordered


class _Attempts:
    """Node's ``context`` of ``internalConnectMultiple``: one per sequence."""

    __slots__ = ('addresses', 'current', 'port', 'local_port', 'timeout', 'block_list', 'errors',
                 'timer', 'inflight')

    def __init__(self, addresses: list[tuple[str, int]], port: int, local_port: Any,
                 timeout: int, block_list: Any) -> None:
        self.addresses = addresses
        self.current = 0
        self.port = port
        self.local_port = local_port
        self.timeout = timeout
        self.block_list = block_list
        self.errors: list[BaseException] = []
        self.timer: Any = None
        #: The index of the attempt whose connect is under way, if any.
        self.inflight: int | None = None

    def stop_timer(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer.close()
            self.timer = None


class AutoSelecting(Writing):
    """The multi-address connect of a ``Socket``; see the module's docstring."""

    __slots__ = ('_attempts', '_attempted')

    def _setup(self, allow_half_open: bool) -> None:
        super()._setup(allow_half_open)
        self._attempts: _Attempts | None = None
        if not hasattr(self, '_attempted'):
            # Node keeps the list of an earlier life when connect() is called again.
            self._attempted: list[str] | None = None

    @property
    def auto_select_family_attempted_addresses(self) -> list[str] | None:
        """Node's ``autoSelectFamilyAttemptedAddresses``: ``'ip:port'`` of each
        address tried by the last multi-address connect, in order; ``None``
        (Node's ``undefined``) until one happened."""
        return self._attempted

    # -- the lookup's answer --------------------------------------------------

    def _after_lookup_all(self, err: Any, addresses: Any, host: Any, port: int, local: Any,
                          block_list: Any, timeout: int) -> None:
        """Node's ``lookupAndConnectMultiple``'s callback: ``'lookup'`` for
        each address, then one attempt, or the sequence."""
        if self._conn not in CONNECTING_STATES:
            return
        if err is not None:
            self.emit('lookup', err, None, None, host)
            self._defer(self.destroy, err)   # Node's connectErrorNT
            return
        if isinstance(addresses, (list, tuple, str)):
            entries = [_entry(item) for item in addresses]
        else:
            entries = []
        for ip, family in entries:
            self.emit('lookup', None, ip, family, host)
            if self._conn not in CONNECTING_STATES:
                return
        ordered = order_addresses(entries)
        if not ordered:
            # Node reports the first answer; with none at all, it throws a
            # TypeError from its own code: here ERR_INVALID_IP_ADDRESS, a TypeError.
            ip, family = entries[0] if entries else (None, None)
            if not (isinstance(ip, str) and is_ip(ip)):
                self._defer(self.destroy, ERR_INVALID_IP_ADDRESS(ip))
            else:
                self._defer(self.destroy, ERR_INVALID_ADDRESS_FAMILY(family, host, port))
            return
        if len(ordered) == 1:
            ip, family = ordered[0]
            af = _std.AF_INET6 if family == 6 else _std.AF_INET
            self._connect_checked(af, ip, port, local, block_list)
            return
        if self._conn is CONNECTING:
            # A second answer of the same life: one handle per life (EALREADY).
            ip, _family = ordered[0]
            self.emit('connectionAttempt', ip, port, ordered[0][1])
            self.destroy(system_error(_errno.EALREADY, 'connect', ip, port))
            return
        self._attempted = []
        ctx = _Attempts(ordered, port, local[1] if local else None, timeout, block_list)
        self._attempts = ctx
        self._next_attempt(ctx)

    def _connect_checked(self, family: int, address: str, port: int, local: Any,
                         block_list: Any) -> None:
        raise NotImplementedError

    # -- the attempts ------------------------------------------------------------

    def _next_attempt(self, ctx: _Attempts, canceled: bool = False) -> None:
        """Node's ``internalConnectMultiple``: the next address, or the end."""
        ctx.stop_timer()
        if self._attempts is not ctx or self._conn not in CONNECTING_STATES:
            return
        if canceled or ctx.current == len(ctx.addresses):
            self._attempts = None
            self.destroy(AggregateError(ctx.errors) if ctx.errors else ERR_SOCKET_CONNECTION_TIMEOUT())
            return
        index = ctx.current
        ctx.current += 1
        address, family = ctx.addresses[index]
        port = ctx.port
        af = _std.AF_INET6 if family == 6 else _std.AF_INET
        try:
            handle = _raw_socket(af, _std.SOCK_STREAM)
        except OSError as err:
            self._attempts = None
            self.destroy(system_error(err.errno, 'socket'))
            return
        if self._handle is not None:
            self._drop_attempt_handle()
            self._move('retry')
        self._attach(handle)
        if self._conn is not CONNECTING:
            self._move('resolved')
        self._connect_target = (address, port)
        if ctx.block_list is not None and ctx.block_list.check(address, f'ipv{family}'):
            self._attempt_failed(ctx, index, ERR_IP_BLOCKED(address))
            return
        if ctx.local_port:
            error = bind_local(handle, af, None, ctx.local_port)
            if error is not None:
                ctx.errors.append(error)
                self._next_attempt(ctx)
                return
        self.emit('connectionAttempt', address, port, family)
        if self._attempts is not ctx or self._conn is not CONNECTING:
            return
        self._attempted.append(f'{address}:{port}')  # type: ignore[union-attr]
        try:
            code = handle.connect_ex((address, port))
        except (OSError, OverflowError, ValueError, TypeError) as err:
            code = getattr(err, 'errno', None) or _errno.EINVAL
        if code not in (0, _errno.EINPROGRESS, _errno.EAGAIN, _errno.EWOULDBLOCK):
            self._attempt_failed(ctx, index, system_error(code, 'connect', address, port))
            return
        ctx.inflight = index
        self._ww = self._rt.loop.io(handle.fileno(), WRITE)
        self._ww.start(self._on_attempt_ready, ctx, index)
        if index < len(ctx.addresses) - 1:
            ctx.timer = self._rt.loop.timer(ctx.timeout / 1000.0, 0, ref=False)
            ctx.timer.start(self._on_attempt_timer, ctx, index)

    def _attempt_failed(self, ctx: _Attempts, index: int, error: BaseException) -> None:
        address, family = ctx.addresses[index]
        ctx.errors.append(error)
        self.emit('connectionAttemptFailed', address, ctx.port, family, error)
        self._next_attempt(ctx)

    def _on_attempt_ready(self, ctx: _Attempts, index: int) -> None:
        # In the hub, as _on_connect_ready.
        ww = self._ww
        if ww is not None:
            ww.stop()
        self._defer_later(self._after_attempt, ctx, index)

    def _on_attempt_timer(self, ctx: _Attempts, index: int) -> None:
        # In the hub.
        ctx.stop_timer()
        self._defer(self._attempt_timed_out, ctx, index)

    def _current(self, ctx: _Attempts, index: int) -> bool:
        return (self._attempts is ctx and ctx.inflight == index and self._conn is CONNECTING
                and self._handle is not None)

    def _after_attempt(self, ctx: _Attempts, index: int) -> None:
        """Node's ``afterConnectMultiple``."""
        if not self._current(ctx, index):
            return
        ctx.stop_timer()
        ctx.inflight = None
        code = self._handle.getsockopt(_std.SOL_SOCKET, _std.SO_ERROR)  # type: ignore[union-attr]
        if code:
            address, _family = ctx.addresses[index]
            self._attempt_failed(ctx, index, system_error(code, 'connect', address, ctx.port))
            return
        self._attempts = None
        self._after_connect()

    def _attempt_timed_out(self, ctx: _Attempts, index: int) -> None:
        """Node's ``internalConnectMultipleTimeout``."""
        if not self._current(ctx, index):
            return
        ctx.inflight = None
        address, family = ctx.addresses[index]
        self.emit('connectionAttemptTimeout', address, ctx.port, family)
        ctx.errors.append(system_error(_errno.ETIMEDOUT, 'connect', address, ctx.port))
        if self._attempts is ctx and self._conn is CONNECTING:
            self._next_attempt(ctx)

    def _drop_attempt_handle(self) -> None:
        """Close the handle of a finished attempt (Node's ``kReinitializeHandle``)."""
        self._release_handle()

    def _attach(self, handle: _std.socket) -> None:
        raise NotImplementedError

    def _after_connect(self) -> None:
        raise NotImplementedError

    def _cancel_attempts(self) -> None:
        """The socket is destroyed: an attempt under way is canceled with it.
        Node's libuv calls it back with ECANCELED ('connectionAttemptFailed'),
        after 'error' and before 'close'."""
        ctx = self._attempts
        if ctx is None:
            return
        self._attempts = None
        ctx.stop_timer()
        index, ctx.inflight = ctx.inflight, None
        if index is not None:
            address, family = ctx.addresses[index]
            error = system_error(_errno.ECANCELED, 'connect', address, ctx.port)
            ctx.errors.append(error)
            self._defer_later(self.emit, 'connectionAttemptFailed', address, ctx.port, family, error)
