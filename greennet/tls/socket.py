"""``greennet.tls.TLSSocket``: Node's ``tls.TLSSocket``, a ``greennet.Socket``
whose bytes on the wire are TLS.

The TLS engine is an ``ssl.SSLObject`` between two ``ssl.MemoryBIO``\\ s;
the socket's own transport steps are replaced at three points, and
everything else (strands, ``'data'``, paused mode, back-pressure, half-close,
timeouts, ``pipe()``, the exception policy) is the plain socket's, on
plaintext:

- reading: the read step takes ciphertext from the kernel, feeds the
  handshake or decrypts, and delivers plaintext as the plain step does;
- writing: ``_write`` encrypts and hands the records to the plain write
  path (so ``write()`` returns ``False`` and ``'drain'`` follows exactly as
  for TCP); writes made before the handshake ends wait for it;
- ending: ``_final`` sends close_notify, then the FIN, and does not wait
  for the peer's close_notify (TLS 1.3 peers that never answer are fine).

No greenlet waits for a handshake: it advances as the read step feeds it.
"""
from __future__ import annotations

import ssl
from collections import deque
from collections.abc import Mapping
from typing import Any, Callable

from ..errors import ERR_INVALID_ARG_TYPE, ERR_SOCKET_CLOSED_BEFORE_CONNECTION, NodeError
from ..reading import HIGH_WATER_MARK, MAX_READS, READ_SIZE
from ..socket import Socket
from ..state import DESTROYED_STATES, OPEN, R_OPEN, W_ENDING
from ..writing import Writing
from ._openssl import verify_result
from .context import CONTEXT_OPTIONS, alpn_list, session_id, set_attr, ssl_context_for, tls_options
from .errors import (
    ERR_TLS_HANDSHAKE_TIMEOUT,
    disconnected_before_secure,
    node_verify_code,
    socket_hang_up,
    ssl_error,
    verify_error,
)
from .identity import check_server_identity, peer_certificate
from .wrap import lend, record_servername

__all__ = ['TLSSocket', 'CLIENT_OPTIONS', 'WRAP_OPTIONS']

#: ``tls.connect()``'s own options (beside ``net.connect()``'s).
CLIENT_OPTIONS = CONTEXT_OPTIONS + ('secure_context', 'servername', 'session', 'reject_unauthorized',
                                    'alpn_protocols', 'check_server_identity', 'socket', 'min_dh_size')
#: ``new tls.TLSSocket(socket, options)``'s options.
WRAP_OPTIONS = CLIENT_OPTIONS + ('is_server', 'request_cert', 'sni_callback', 'handshake_timeout')

# Handshake states (``TLSSocket._tls_state``).
PLAIN = 'plain'              # not started: the TCP connection is not up yet
HANDSHAKING = 'handshaking'  # the read step feeds the handshake
SECURE = 'secure'            # application data flows
FAILED = 'failed'

_WOULD_BLOCK = (BlockingIOError, InterruptedError)


class TLSSocket(Socket):
    """Node's ``tls.TLSSocket``. Client events: ``'secureConnect'``,
    ``'session'(session)``; and every ``greennet.Socket`` event."""

    servername: str | bool | None
    __slots__ = ('_tls', '_tls_in', '_tls_out', '_tls_state', '_tls_pending', '_tls_pending_len',
                 '_tls_notified', '_tls_opts', '_tls_ctx', '_tls_timer', '_tls_owner', '_tls_session',
                 '_tls_split', '_tls_host', '_tls_sni_error', '_tls_parent', 'encrypted', 'authorized',
                 'authorization_error', 'alpn_protocol', 'servername')

    def __init__(self, socket: Any = None, options: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        """``TLSSocket(socket, options)`` is Node's ``new tls.TLSSocket(socket[,
        options])``: TLS over a connected (or connecting) ``greennet.Socket``,
        server side with ``is_server=True``. ``TLSSocket(options)`` without a
        socket is a plain socket's construction (``tls.connect()`` uses it)."""
        self._tls_opts: dict[str, Any] = {}
        self._tls_ctx: ssl.SSLContext | None = None
        self._tls_owner: Any = None
        self._tls_host: str | None = None
        if not isinstance(socket, Socket):
            super().__init__(socket if options is None else options, **kwargs)
            return
        super().__init__()
        opts = tls_options(options, WRAP_OPTIONS)
        opts.update({k: kwargs.pop(k) for k in list(kwargs) if k in WRAP_OPTIONS})
        if kwargs:
            raise ERR_INVALID_ARG_TYPE('options', 'Object', kwargs)
        server_side = bool(opts.get('is_server'))
        reject = opts.get('reject_unauthorized', True) is not False
        request_cert = bool(opts.get('request_cert')) if server_side else False
        ctx = ssl_context_for(opts, server_side, request_cert, reject, alpn_list(opts.get('alpn_protocols')))
        opts['reject_unauthorized'] = reject
        opts.setdefault('handshake_timeout', 0)
        if server_side and ctx.sni_callback is None:
            set_attr(ctx, 'sni_callback', record_servername)
        elif not server_side and isinstance(opts.get('servername'), str):
            self.servername = opts['servername']
        self._tls_opts = opts
        self._tls_ctx = ctx
        lend(self, socket, server_side)

    def _setup(self, allow_half_open: bool) -> None:
        super()._setup(allow_half_open)
        self._tls: ssl.SSLObject | None = None
        self._tls_in: ssl.MemoryBIO | None = None
        self._tls_out: ssl.MemoryBIO | None = None
        self._tls_state = PLAIN
        self._tls_pending: deque[list] | None = None
        self._tls_pending_len = 0
        self._tls_notified = False
        self._tls_timer: Any = None
        self._tls_session: bytes | None = None
        self._tls_split = False
        self._tls_sni_error: BaseException | None = None
        self._tls_parent: Socket | None = None
        self.encrypted = True
        self.authorized = False
        self.authorization_error: str | None = None
        self.alpn_protocol: str | bool | None = None
        self.servername = getattr(self, 'servername', None)

    # -- over an existing socket (greennet.tls.wrap) -------------------------------

    def _tls_start(self, server_side: bool, buffered: list[bytes]) -> None:
        """The handshake over a socket taken over, then what it had buffered."""
        if self._conn is not OPEN:
            return
        self._tls_begin(server_side)
        for chunk in buffered:
            self._tls_receive_buffered(chunk)

    def _tls_receive_buffered(self, data: bytes) -> None:
        if self._conn is OPEN and self._tls_in is not None:
            self._tls_receive(data)

    def _preread(self, data: bytes) -> None:
        """Ciphertext read before this socket had its descriptor (after a
        PROXY header): received on its strand, after ``'connection'``."""
        self._defer(self._tls_receive_buffered, data)

    def _parent_closing(self) -> None:
        # The plain socket's destroy(), before its handle closes.
        parent = self._tls_parent
        self.destroy(None if parent is None else parent._errored)

    def _on_parent_error(self, error: BaseException) -> None:
        self.destroy(error)

    def _on_parent_close(self, *_: Any) -> None:
        self.destroy()

    def destroy(self, error: BaseException | None = None) -> TLSSocket:
        """As ``Socket.destroy()``; over an existing socket, that one is
        destroyed too (its ``'close'`` comes first, as in Node)."""
        handshaking = self._tls_state is HANDSHAKING and self._conn not in DESTROYED_STATES
        super().destroy(error)
        owner = self._tls_owner
        if handshaking and owner is not None and error is None:   # Node's onSocketClose
            self.once('close', lambda *_: owner.emit('tlsClientError', socket_hang_up(), self))
        parent, self._tls_parent = self._tls_parent, None
        if parent is not None:
            parent.destroy()
        return self

    def ref(self) -> TLSSocket:
        if self._tls_parent is not None:
            self._tls_parent.ref()
        super().ref()
        return self

    def unref(self) -> TLSSocket:
        if self._tls_parent is not None:
            self._tls_parent.unref()
        super().unref()
        return self

    # -- Node's TLSSocket properties and methods --------------------------------

    def get_peer_certificate(self, detailed: bool = False) -> dict[str, Any] | None:
        """The peer's certificate as Node's object (``{}`` without one)."""
        tls = self._tls
        if tls is None or self._tls_state is not SECURE:
            return None
        der = tls.getpeercert(True)
        decoded = tls.getpeercert() if tls.context.verify_mode != ssl.CERT_NONE else None
        return peer_certificate(der, decoded or None)

    def get_certificate(self) -> dict[str, Any] | None:
        """The local certificate: Python's ``ssl`` does not expose it (``None``)."""
        return None

    def get_protocol(self) -> str | None:
        """``'TLSv1.3'``, ``'TLSv1.2'``..., ``None`` before the handshake."""
        return self._tls.version() if self._tls is not None and self._tls_state is SECURE else None

    def get_cipher(self) -> dict[str, Any] | None:
        """``{'name', 'standardName', 'version'}`` of the negotiated cipher."""
        cipher = self._tls.cipher() if self._tls is not None else None
        if not cipher:
            return None
        return {'name': cipher[0], 'standardName': cipher[0], 'version': cipher[1]}

    def get_session(self) -> ssl.SSLSession | None:
        """The session, to resume it with ``connect(session=...)``."""
        return self._tls.session if self._tls is not None else None

    def is_session_reused(self) -> bool:
        return bool(self._tls is not None and self._tls.session_reused)

    def set_servername(self, name: str) -> None:
        self.servername = name

    def set_max_send_fragment(self, size: int) -> bool:
        return 512 <= size <= 16384

    def renegotiate(self, options: Any = None, callback: Callable[..., Any] | None = None) -> bool:
        """Refused: greennet never renegotiates (``False``, ``callback(err)``)."""
        if callback is not None:
            self._defer(callback, NodeError('ERR_TLS_RENEGOTIATION_DISABLED',
                                            'TLS session renegotiation disabled for this socket'))
        return False

    @property
    def writable_length(self) -> int:
        return self._wlen + self._tls_pending_len

    # -- the handshake ------------------------------------------------------------

    def _tls_begin(self, server_side: bool) -> None:
        """Start the handshake (the server's at accept, the client's on 'connect')."""
        ctx = self._tls_ctx
        assert ctx is not None
        self._tls_in = bio_in = ssl.MemoryBIO()
        self._tls_out = bio_out = ssl.MemoryBIO()
        hostname = None
        if not server_side:
            name = self.servername or self._tls_host
            hostname = name if isinstance(name, str) and name else None
        try:
            tls = ctx.wrap_bio(bio_in, bio_out, server_side=server_side,
                               server_hostname=hostname, session=self._tls_opts.get('session'))
        except (ssl.SSLError, ValueError) as err:
            self.destroy(ssl_error(err) if isinstance(err, ssl.SSLError)
                         else NodeError('ERR_TLS_INVALID_SESSION', str(err)))
            return
        tls._greennet = self  # type: ignore[attr-defined]  # for the server's SNI callback
        self._tls = tls
        self._tls_state = HANDSHAKING
        self._tls_split = not server_side
        self._sync_reading()
        if server_side:
            timeout = self._tls_opts.get('handshake_timeout', 120000)
            if timeout and timeout > 0:
                self._tls_timer = self._rt.loop.timer(timeout / 1000.0, 0, ref=False)
                self._tls_timer.start(self._on_handshake_timer)
        else:
            self._tls_handshake()

    def _after_connect(self) -> None:
        super()._after_connect()
        if self._conn is OPEN and self._tls_state is PLAIN:
            self._tls_begin(False)

    def _tls_handshake(self) -> None:
        tls = self._tls
        assert tls is not None
        try:
            tls.do_handshake()
        except ssl.SSLWantReadError:
            self._tls_send_out()
            return
        except ssl.SSLCertVerificationError as err:
            self._tls_send_out()
            code = node_verify_code(tls, err.verify_code)
            self._tls_fail(verify_error(code, err.verify_message if code == err.verify_code else None))
            return
        except ssl.SSLError as err:
            self._tls_send_out()
            self._tls_fail(ssl_error(err))
            return
        if self._tls_owner is None or tls.version() != 'TLSv1.3':
            self._tls_send_out()    # a client's Finished, a TLS 1.2 server's: the peer waits for them
        # A TLS 1.3 server's last flight (its session tickets; nobody waits
        # for them) leaves at the end of this read step, with the first reply
        # in one packet: sent alone, it made the reply wait for a delayed ACK.
        self._tls_secure()

    def _on_handshake_timer(self) -> None:
        # In the hub.
        self._stop_tls_timer()
        if self._tls_state is HANDSHAKING and self._conn not in DESTROYED_STATES:
            self._defer(self._tls_fail, ERR_TLS_HANDSHAKE_TIMEOUT())

    def _stop_tls_timer(self) -> None:
        if self._tls_timer is not None:
            self._tls_timer.stop()
            self._tls_timer.close()
            self._tls_timer = None

    def _tls_fail(self, error: BaseException) -> None:
        """The handshake failed: a server's connection is reported through
        ``'tlsClientError'`` and destroyed; a client is destroyed with it."""
        if self._conn in DESTROYED_STATES:
            return
        self._tls_state = FAILED
        self._stop_tls_timer()
        if self._tls_sni_error is not None:
            error, self._tls_sni_error = self._tls_sni_error, None
        owner = self._tls_owner
        if owner is not None:
            self.destroy()
            owner.emit('tlsClientError', error, self)
        else:
            self.destroy(error)

    def _tls_secure(self) -> None:
        """The handshake is done: verify (a client), then flush what was
        written meanwhile and emit ``'secureConnect'``/``'secureConnection'``."""
        self._stop_tls_timer()
        tls = self._tls
        assert tls is not None
        self.alpn_protocol = tls.selected_alpn_protocol() or False
        owner = self._tls_owner
        if tls.server_side:
            if tls.context.verify_mode == ssl.CERT_REQUIRED:
                self.authorized = bool(tls.getpeercert(True))
            else:
                self.authorization_error = None
            if self.servername is None:
                self.servername = False
            self._tls_state = SECURE
            self._tls_flush_pending()
            if owner is not None:
                owner.emit('secureConnection', self)
            self.emit('secure')
            self._after_secure()
            return
        error = self._client_verify(tls)
        if error is not None:
            self.authorized = False
            self.authorization_error = getattr(error, 'code', None) or str(error)
            if self._tls_opts.get('reject_unauthorized', True):
                self.destroy(error)
                return
        else:
            self.authorized = True
        self._tls_state = SECURE
        self._tls_split = tls.version() == 'TLSv1.3'
        self._tls_session = session_id(tls)
        self._tls_flush_pending()
        self.emit('secureConnect')
        if (self._tls_session is not None and self._conn not in DESTROYED_STATES
                and tls.version() != 'TLSv1.3'):
            self.emit('session', tls.session)
        self._after_secure()

    def _after_secure(self) -> None:
        if self._conn is OPEN:
            if self._wstate is W_ENDING and self._wq is None:
                self._final()
            self._sync_reading()
            if self._tls_in is not None and self._tls_in.pending:
                self._tls_decrypt()

    def _client_verify(self, tls: ssl.SSLObject) -> BaseException | None:
        """Node's ``onConnectSecure``: the chain's verdict, then the name."""
        if tls.context.verify_mode == ssl.CERT_NONE:
            code = verify_result(tls)
            if code:
                return verify_error(node_verify_code(tls, code))
        if tls.session_reused:
            return None
        hostname = str(self.servername or self._tls_host or 'localhost')
        cert = peer_certificate(tls.getpeercert(True), tls.getpeercert() or None)
        check = self._tls_opts.get('check_server_identity') or check_server_identity
        result: BaseException | None = check(hostname, cert)
        return result

    # -- reading: ciphertext in, plaintext out ---------------------------------

    def _wants_read(self) -> bool:
        if self._tls_state is PLAIN:
            return False
        if self._tls_state is HANDSHAKING:
            return self._conn is OPEN and self._rstate is R_OPEN
        return super()._wants_read()

    def _read_ready(self) -> None:
        """Read ciphertext while the kernel fills the buffer (at most
        ``MAX_READS`` times), advancing the handshake or delivering plaintext."""
        for _ in range(MAX_READS):
            if not self._reading or self._tls_in is None:
                return
            try:
                data = self._handle.recv(READ_SIZE)  # type: ignore[union-attr]
            except _WOULD_BLOCK:
                return
            except OSError as err:
                self._fail(err, 'read')
                return
            if not data:
                self._tls_on_eof()
                return
            if self._timeout_ms:
                self._touch()
            self._tls_receive(data)
            if len(data) < READ_SIZE:
                return
            if self._tasks:
                self._run_tasks()

    def _tls_receive(self, data: bytes) -> None:
        """Ciphertext from the peer: the handshake advances, plaintext is delivered."""
        if self._tls_split:
            self._tls_feed_records(data)
            return
        assert self._tls_in is not None
        self._tls_in.write(data)
        if self._tls_state is HANDSHAKING:
            self._tls_handshake()
        if self._tls_state is SECURE:
            self._tls_decrypt()

    def _tls_feed_records(self, data: bytes) -> None:
        """A client feeds whole records one at a time until the first
        application data, so that each session ticket is its own ``'session'``."""
        bio = self._tls_in
        assert bio is not None
        bio.write(data)
        buf = bio.read()
        while self._tls_split and self._conn is OPEN and len(buf) >= 5:
            size = 5 + int.from_bytes(buf[3:5], 'big')
            if len(buf) < size:
                break
            bio.write(buf[:size])
            buf = buf[size:]
            if self._tls_state is HANDSHAKING:
                self._tls_handshake()
            if self._tls_state is SECURE:
                self._tls_decrypt()
        if buf and self._conn is OPEN:
            bio.write(buf)
            if self._tls_state is SECURE and not self._tls_split:
                self._tls_decrypt()

    def _tls_decrypt(self) -> None:
        tls = self._tls
        assert tls is not None
        while self._conn is OPEN and self._rstate is R_OPEN:
            try:
                data = tls.read(READ_SIZE)
            except ssl.SSLWantReadError:
                break
            except ssl.SSLZeroReturnError:   # close_notify after ours
                data = b''
            except ssl.SSLError as err:
                self._tls_send_out()
                self._tls_fail(ssl_error(err))
                return
            if not data:   # the peer's close_notify
                self._tls_split = False
                self._tls_send_out()
                self._on_eof()
                return
            if self._tls_split:
                self._tls_split = False
                self._tls_new_session(tls)
            self._deliver(data)
        self._tls_send_out()
        if self._tls_split:
            self._tls_new_session(tls)

    def _tls_new_session(self, tls: ssl.SSLObject) -> None:
        """A client's ``'session'`` for each new session (TLS 1.3 tickets
        come after the handshake)."""
        sid = session_id(tls)
        if sid is not None and sid != self._tls_session:
            self._tls_session = sid
            self.emit('session', tls.session)

    def _deliver(self, data: bytes) -> None:
        """One chunk of plaintext, as the plain read step delivers it."""
        self._bytes_read += len(data)
        onread = self._onread
        if onread is not None:
            supplier, callback = onread
            while data:
                buf = supplier() if callable(supplier) else supplier
                n = min(len(buf), len(data))
                buf[:n] = data[:n]
                data = data[n:]
                if callback(n, buf) is False:
                    self._hold = True
            return
        if self._flowing and self._buf is None:
            if self._decoder is not None:
                data = self._decoder.decode(data)  # type: ignore[assignment]
                if not data:
                    return
            self._emit_fast('data', data)
        else:
            self._push(data)

    def _tls_on_eof(self) -> None:
        """The TCP FIN: the end, or an error before the handshake ended."""
        if self._tls_state is HANDSHAKING:
            address, port = self._connect_target or (self.remote_address, self.remote_port)
            self._tls_fail(disconnected_before_secure(address, port))
            return
        if self._tls_state is SECURE and self._conn is OPEN:
            self._tls_decrypt()   # records read before the FIN and not yet decrypted
        if self._rstate is R_OPEN and self._conn is OPEN:
            self._on_eof()

    # -- writing: plaintext in, records out -------------------------------------

    def _write(self, data: bytes, callback: Callable[..., Any] | None) -> bool:
        if self._tls_state is SECURE and self._tls_pending is None:
            return self._tls_encrypt(data, callback)
        if self._tls_pending is None:
            self._tls_pending = deque()
        self._tls_pending.append([data, callback])
        self._tls_pending_len += len(data)
        self._bytes_written += len(data)
        if self._tls_pending_len < HIGH_WATER_MARK:
            return True
        self._need_drain = True
        return False

    def _tls_encrypt(self, data: bytes, callback: Callable[..., Any] | None) -> bool:
        tls = self._tls
        assert tls is not None and self._tls_out is not None
        try:
            tls.write(data)
        except ssl.SSLError as err:
            error = ssl_error(err)
            if callback is not None:
                self._defer(callback, error)
            self.destroy(error)
            return False
        cipher = self._tls_out.read()
        ok = Writing._write(self, cipher, callback)
        self._bytes_written += len(data) - len(cipher)
        return ok

    def _tls_flush_pending(self) -> None:
        pending, self._tls_pending = self._tls_pending, None
        self._tls_pending_len = 0
        for data, callback in pending or ():
            if self._conn is not OPEN:
                return
            self._bytes_written -= len(data)
            self._tls_encrypt(data, callback)
        if self._need_drain and self._wq is None:
            self._defer(self._maybe_drain)

    def _tls_send_out(self) -> None:
        """Send what the engine produced by itself (handshake, alerts, tickets)."""
        out = self._tls_out
        if out is not None and out.pending and self._conn is OPEN:
            cipher = out.read()
            Writing._write(self, cipher, None)
            self._bytes_written -= len(cipher)

    def _final(self) -> None:
        """close_notify, then the FIN; the peer's close_notify is not awaited."""
        if self._wstate is not W_ENDING or self._conn in DESTROYED_STATES:
            return
        if self._tls_state is HANDSHAKING or self._tls_pending:
            return   # the end waits for the handshake (_after_secure)
        if self._tls_state is SECURE and not self._tls_notified:
            self._tls_notified = True
            try:
                self._tls.unwrap()  # type: ignore[union-attr]
            except ssl.SSLError:
                pass   # want-read: the peer's close_notify is not awaited
            self._tls_send_out()
            if self._wq is not None:
                return   # _flush calls _final again once the queue is empty
        super()._final()

    def _close_handle(self) -> None:
        self._stop_tls_timer()
        if self._tls is not None:
            self._tls._greennet = None  # type: ignore[attr-defined]
        pending, self._tls_pending = self._tls_pending, None
        self._tls_pending_len = 0
        for _, callback in pending or ():
            # Node: before 'connect' a held write fails; after, it completes, behind the 'error'.
            if callback is not None and self._tls_state is PLAIN and not self._peer():
                self._defer(callback, ERR_SOCKET_CLOSED_BEFORE_CONNECTION())
            elif callback is not None:
                self._defer(self._defer, callback)
        super()._close_handle()

    def __repr__(self) -> str:
        where = self._peer() or self.address()
        return f'<greennet.tls.TLSSocket {self.ready_state} {self._tls_state} {where}>'
