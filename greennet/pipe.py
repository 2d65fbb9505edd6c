"""``readable.pipe(destination)`` for sockets: Node's ``Readable.prototype.pipe``.

Everything the source reads is written to the destination; when the
destination's ``write()`` returns ``False`` the source pauses until its
``'drain'``; the destination is ended when the source ends (unless
``end=False``); a destination that closes or finishes is unpiped, and a
source left with no pipe pauses.
"""
from __future__ import annotations

from typing import Any

from .errors import ERR_INVALID_ARG_TYPE

__all__ = ['Pipe']


class Pipe:
    """One ``source.pipe(destination)``: Node's ``Readable.prototype.pipe``."""

    __slots__ = ('source', 'destination', 'end')

    def __init__(self, source: Any, destination: Any, end: bool) -> None:
        if not (callable(getattr(destination, 'write', None))
                and callable(getattr(destination, 'on', None))):
            raise ERR_INVALID_ARG_TYPE('destination', 'stream.Writable', destination)
        self.source = source
        self.destination = destination
        self.end = end
        if source._pipes is None:
            source._pipes = []
        source._pipes.append(self)
        source.on('data', self.ondata)
        destination.on('drain', self.ondrain)
        if end:
            source.on('end', self.onend)
        destination.on('close', self.cleanup)
        destination.on('finish', self.cleanup)
        if hasattr(destination, 'emit'):
            destination.emit('pipe', source)
        if not source._flowing:
            source.resume()

    def ondata(self, chunk: Any) -> None:
        if self.destination.write(chunk) is False:
            self.source.pause()

    def ondrain(self) -> None:
        source = self.source
        if source._flowing is False:
            source.resume()

    def onend(self) -> None:
        self.destination.end()
        self.cleanup()

    def cleanup(self, *_: Any) -> None:
        source, destination = self.source, self.destination
        if source._pipes and self in source._pipes:
            source._pipes.remove(self)
            if not source._pipes:
                source.pause()
        for emitter, event, listener in ((source, 'data', self.ondata), (source, 'end', self.onend),
                                         (destination, 'drain', self.ondrain),
                                         (destination, 'close', self.cleanup),
                                         (destination, 'finish', self.cleanup)):
            try:
                emitter.remove_listener(event, listener)
            except KeyError:
                pass
