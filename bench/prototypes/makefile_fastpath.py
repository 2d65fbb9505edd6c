"""Prototype of the fix proposed in docs/benchmark.md ("Line protocol"): not a
benchmark server and not part of greennet. It patches greennet.straight.SocketIO.readinto
in this process only, then runs the given server script:

    PYTHONPATH=. python bench/prototypes/makefile_fastpath.py bench/servers/greennet_lines_straight.py PORT

On the socket's own strand, with nothing buffered and no other reader ('data',
another 'readable', onread, a decoder), readinto recv_into()s the caller's buffer
directly; on EAGAIN it waits leanly (read watcher on, its wakeup as the pump,
woken by _on_readable's poke) and reads again. Anything else due goes through
the existing path (pump()).
"""
import runpy, sys
import greennet.straight as S
from greennet.reading import READ
from greennet.state import OPEN, R_OPEN

orig = S.SocketIO.readinto


def readinto(self, b):
    sock = self._sock
    ev = sock._events
    if (self._rest or not self._reading or self.closed or sock._buf_len or sock._conn is not OPEN
            or sock._rstate is not R_OPEN or sock._onread is not None or sock._decoder is not None
            or ev.get('data') or len(ev.get('readable') or ()) > 1 or not S.on_own_strand(sock)):
        return orig(self, b)
    self._listen(True)
    view = memoryview(b).cast('B')
    rs = sock._rs
    wakeup = self._wakeup
    while True:
        if sock._tasks or (sock._stalled & ~READ):
            return orig(self, b)          # something is due: the full pump
        try:
            n = sock._handle.recv_into(view)
        except BlockingIOError:
            sock._sync_reading()          # the read watcher on; _on_readable stalls it and pokes us
            outer, rs.pump = rs.pump, wakeup
            wakeup.woken = False
            try:
                wakeup.sleep()
            finally:
                rs.pump = outer
            sock._stalled &= ~READ        # we read it ourselves
            continue
        except OSError as err:
            sock._fail(err, 'read')
            return orig(self, b)
        if not n:
            sock._on_eof()
            return orig(self, b)
        sock._bytes_read += n
        if sock._timeout_ms:
            sock._touch()
        return n


S.SocketIO.readinto = readinto
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
