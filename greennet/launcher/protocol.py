"""The master-worker protocol, in one place.

A worker is a fresh interpreter, ``python -m greennet _worker``, given

- its assignment, a :class:`WorkerSpec` as JSON in ``GREENNET_WORKER_SPEC``;
- the listening sockets, shared with the master and the other workers;
- a **status pipe** (worker to master), one line per message:
  ``ready`` once its servers listen, ``fail STATUS MESSAGE`` if it cannot
  start, ``beat CONNECTIONS`` every ``beat`` seconds (its hub is alive);
- a **control pipe** (master to worker): ``retire`` starts the worker's
  drain for a reload; end of file means the master is gone and the worker
  exits at once.

A worker stops gracefully on SIGTERM or SIGINT. On Linux it also gets
SIGKILL from the kernel when the master dies (``PR_SET_PDEATHSIG``), so a
master killed by anything takes its workers (and the port) with it.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import signal
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ['WORKER_SPEC_ENV', 'WorkerSpec', 'worker_command', 'READY', 'FAIL', 'BEAT', 'RETIRE',
           'encode', 'LineReader', 'die_with_parent']

#: The environment variable a worker reads its assignment from.
WORKER_SPEC_ENV = 'GREENNET_WORKER_SPEC'

#: Worker to master.
READY, FAIL, BEAT = 'ready', 'fail', 'beat'
#: Master to worker.
RETIRE = 'retire'

_PR_SET_PDEATHSIG = 1


@dataclass
class WorkerSpec:
    """What a worker serves and how it talks to its master."""

    master: int
    config: dict[str, Any]
    given: list[str]
    source: str | None
    #: ``{'target', 'endpoint', 'fd'}`` per listening socket.
    sockets: list[dict[str, Any]]
    status_fd: int
    control_fd: int
    beat: float
    #: The folder the app's modules are imported from (the master's current one).
    path: str = field(default_factory=os.getcwd)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls, environ: dict[str, str] | Any = os.environ) -> WorkerSpec:
        return cls(**json.loads(environ.pop(WORKER_SPEC_ENV)))


def worker_command() -> list[str]:
    """The command line of a worker."""
    return [sys.executable, '-m', 'greennet', '_worker']


def encode(word: str, *args: Any) -> bytes:
    """One message as a line."""
    return (' '.join([word] + [str(a) for a in args]).replace('\n', ' ') + '\n').encode()


class LineReader:
    """Splits what a pipe delivered into ``(word, rest)`` messages."""

    def __init__(self) -> None:
        self.buffer = b''

    def feed(self, data: bytes) -> list[tuple[str, str]]:
        self.buffer += data
        *lines, self.buffer = self.buffer.split(b'\n')
        messages = []
        for line in lines:
            word, _, rest = line.decode('utf-8', 'replace').partition(' ')
            messages.append((word, rest))
        return messages


def die_with_parent(parent: int) -> bool:
    """Have the kernel SIGKILL this process when ``parent`` dies (Linux);
    exit at once if it is already gone. Whether the kernel will."""
    armed = False
    if sys.platform.startswith('linux'):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6', use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:
        os._exit(1)
    return armed
