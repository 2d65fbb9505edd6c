"""A loopback address that never answers, for the autoselect_* scenarios.

A listening socket on 127.0.0.2 with a backlog of 0 whose one queue place is
taken by a connection nobody accepts: Linux drops every further SYN, so a
connect to it neither succeeds nor fails (it would retry for minutes): an
attempt that only its attempt timeout ends.

Python scenarios call ``hole()``; Node's run ``python3 autoselect_hole.py``,
which prints ``ready PORT`` and holds the hole until its stdin closes. The
port is one free on 127.0.0.1 too, for the server the scenario listens with
there (the addresses of one connect share their port).
"""
import socket
import sys

ADDRESS = '127.0.0.2'


def _free_on_loopback(port):
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.bind(('127.0.0.1', port))
        return True
    except OSError:
        return False
    finally:
        probe.close()


def hole(port=0):
    """The listener and the connection filling its queue (close both at the
    end); with ``port`` 0, at a port also free on 127.0.0.1."""
    for _ in range(100):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # an earlier run's TIME_WAIT
        listener.bind((ADDRESS, port))
        if port or _free_on_loopback(listener.getsockname()[1]):
            break
        listener.close()
    port = listener.getsockname()[1]
    listener.listen(0)
    filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    filler.connect((ADDRESS, port))
    return listener, filler


if __name__ == '__main__':
    held = hole(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    sys.stdout.write(f'ready {held[0].getsockname()[1]}\n')
    sys.stdout.flush()
    sys.stdin.read()
    for s in held:
        s.close()
