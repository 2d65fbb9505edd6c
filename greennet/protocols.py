"""Built-in handlers: the small Internet protocols that need no code.

``echo`` (RFC 862), ``discard`` (RFC 863), ``daytime`` (RFC 867) and
``chargen`` (RFC 864), registered under those names.
"""
from __future__ import annotations

import time
from typing import Any

from .registry import register

__all__ = ['echo', 'discard', 'daytime', 'chargen', 'chargen_lines']


def echo(socket: Any) -> None:
    """Echo (RFC 862): send back everything received."""
    socket.on('error', _ignore)
    socket.pipe(socket)


def discard(socket: Any) -> None:
    """Discard (RFC 863): read and throw away everything received."""
    socket.on('error', _ignore)
    socket.resume()


def daytime(socket: Any) -> None:
    """Daytime (RFC 867): send the date and time as text, then close."""
    socket.on('error', _ignore)
    socket.resume()
    socket.end(time.strftime('%A, %B %d, %Y %H:%M:%S-%Z') + '\r\n')


#: The 95 printable ASCII characters chargen rotates through.
_PRINTABLE = bytes(range(32, 127))


def chargen_lines(count: int = 95) -> bytes:
    """``count`` lines of RFC 864's pattern: 72 characters each, starting one
    character further along the printable set each line, then CR LF."""
    ring = _PRINTABLE * 2
    size = len(_PRINTABLE)
    return b''.join(ring[i % size:i % size + 72] + b'\r\n' for i in range(count))


_BLOCK = chargen_lines()


def chargen(socket: Any) -> None:
    """Character generator (RFC 864): send the rotating pattern until the
    peer closes, paced by ``'drain'``; input is discarded."""
    socket.on('error', _ignore)
    socket.resume()

    def pump() -> None:
        while not socket.destroyed and socket.writable:
            if not socket.write(_BLOCK):
                return  # 'drain' calls again
    socket.on('drain', pump)
    socket.on('end', socket.destroy)
    pump()


def _ignore(err: BaseException) -> None:
    """A peer's reset is the end of the conversation, not a failure."""


for _name, _listener in (('echo', echo), ('discard', discard), ('daytime', daytime),
                         ('chargen', chargen)):
    register(_name, _listener, origin='greennet (built-in)')
