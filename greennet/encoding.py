"""Node's character encodings: ``str`` to bytes for writes, and the
incremental decoders behind ``set_encoding()`` (Node's ``StringDecoder``),
which never split a multi-byte character across ``'data'`` events."""
from __future__ import annotations

import base64
import binascii
import codecs
import re
from typing import Any, Callable

from .errors import ERR_UNKNOWN_ENCODING

__all__ = ['normalize_encoding', 'encode', 'Decoder']

_ALIASES = {
    'utf8': 'utf8', 'utf-8': 'utf8',
    'ascii': 'ascii',
    'latin1': 'latin1', 'binary': 'latin1',
    'hex': 'hex',
    'base64': 'base64', 'base64url': 'base64url',
    'ucs2': 'utf16le', 'ucs-2': 'utf16le', 'utf16le': 'utf16le', 'utf-16le': 'utf16le',
}


def normalize_encoding(encoding: Any) -> str:
    """Node's canonical name for ``encoding``; ``ERR_UNKNOWN_ENCODING`` if none."""
    if encoding is None:
        return 'utf8'
    if isinstance(encoding, str):
        name = _ALIASES.get(encoding) or _ALIASES.get(encoding.lower())
        if name is not None:
            return name
    raise ERR_UNKNOWN_ENCODING(encoding)


#: The first character that is not a hex digit.
_NOT_HEX = re.compile(r'[^0-9a-fA-F]')


def _encode_hex(text: str) -> bytes:
    # Node stops at the first pair that is not hex, and drops an odd last
    # digit. unhexlify (C) takes the whole string when it is all hex (it
    # refuses whitespace and non-ASCII, unlike bytes.fromhex); otherwise
    # only the run of pairs before the first bad one.
    even = text if not len(text) & 1 else text[:-1]
    try:
        return binascii.unhexlify(even)
    except (binascii.Error, ValueError):
        bad = _NOT_HEX.search(even)
        return binascii.unhexlify(even[:bad.start() & ~1] if bad else even)


#: Every byte that is in neither base64 alphabet (Node skips them).
_NOT_BASE64 = bytes(b for b in range(256)
                    if not (chr(b).isascii() and (chr(b).isalnum() or chr(b) in '+/-_')))
#: base64url's two letters as base64's.
_URL_TO_STD = bytes.maketrans(b'-_', b'+/')


def _encode_base64(text: str) -> bytes:
    # Node is lenient: it stops at the first '=', skips what is in neither
    # alphabet (whitespace, non-ASCII), takes both alphabets, needs no
    # padding and drops a dangling last character. All in C.
    cut = text.find('=')
    if cut >= 0:
        text = text[:cut]
    raw = text.encode('ascii', 'ignore').translate(_URL_TO_STD, _NOT_BASE64)
    if len(raw) % 4 == 1:
        raw = raw[:-1]
    return binascii.a2b_base64(raw + b'=' * (-len(raw) % 4))


#: Node's 'latin1' and 'ascii' writes keep the low byte of each character.
def _encode_latin1(text: str) -> bytes:
    try:
        return text.encode('latin-1')
    except UnicodeEncodeError:
        return bytes(ord(c) & 0xff for c in text)


#: Node's 'ascii' decoding clears the high bit of each byte.
_STRIP_HIGH = bytes(b & 0x7f for b in range(256))


_ENCODERS: dict = {
    'utf8': lambda s: s.encode('utf-8', 'surrogatepass'),
    'ascii': _encode_latin1,
    'latin1': _encode_latin1,
    'hex': _encode_hex,
    'base64': _encode_base64,
    'base64url': _encode_base64,
    'utf16le': lambda s: s.encode('utf-16-le', 'surrogatepass'),
}


def encode(text: str, encoding: str | None = None) -> bytes:
    """``Buffer.from(text, encoding)``."""
    if encoding is None or encoding == 'utf8':
        try:
            return text.encode()
        except UnicodeEncodeError:
            return text.encode('utf-8', 'replace')
    return _ENCODERS[normalize_encoding(encoding)](text)


class Decoder:
    """An incremental decoder, as Node's ``StringDecoder``."""

    __slots__ = ('encoding', 'decode', '_pending')

    def __init__(self, encoding: str) -> None:
        self.encoding = normalize_encoding(encoding)
        self._pending = b''
        self.decode: Callable[..., str] = self._make(self.encoding)

    def _make(self, name: str) -> Callable[..., str]:
        if name == 'utf8':
            return codecs.getincrementaldecoder('utf-8')('replace').decode
        if name == 'utf16le':
            return _Utf16Decoder().decode
        if name == 'latin1':
            return lambda b: b.decode('latin-1')
        if name == 'ascii':
            return lambda b: bytes(b).translate(_STRIP_HIGH).decode('ascii')
        if name == 'hex':
            return lambda b: binascii.hexlify(b).decode('ascii')
        return self._decode_base64

    def _decode_base64(self, data: bytes) -> str:
        data = self._pending + bytes(data)
        keep = len(data) % 3
        self._pending = data[len(data) - keep:] if keep else b''
        whole = data[:len(data) - keep]
        return self._b64(whole)

    def _b64(self, data: bytes) -> str:
        if self.encoding == 'base64url':
            return base64.urlsafe_b64encode(data).decode('ascii').rstrip('=')
        return base64.b64encode(data).decode('ascii')

    def end(self) -> str:
        """What is left at the end of the stream."""
        if self.encoding in ('base64', 'base64url'):
            rest, self._pending = self._pending, b''
            return self._b64(rest) if rest else ''
        if self.encoding == 'utf8':
            return self.decode(b'', True)
        if self.encoding == 'utf16le':
            return self.decode.__self__.end()  # type: ignore[attr-defined]
        return ''


class _Utf16Decoder:
    """Node's ``StringDecoder`` for UTF-16LE: an odd byte waits for its
    partner; a high surrogate ending an even chunk waits for the low one
    (elsewhere the halves come apart, as in Node); an odd byte left at the
    end is dropped."""

    __slots__ = ('_last', '_need', '_total')

    def __init__(self) -> None:
        self._last = b''
        self._need = 0
        self._total = 0

    def decode(self, data: bytes) -> str:
        out = ''
        data = bytes(data)
        if self._need:
            take = data[:self._need]
            self._last += take
            self._need -= len(take)
            if self._need:
                return ''
            out = self._last.decode('utf-16-le', 'surrogatepass')
            self._last = b''
            data = data[len(take):]
        if not data:
            return out
        if len(data) % 2:
            self._need, self._total, self._last = 1, 2, data[-1:]
            return out + data[:-1].decode('utf-16-le', 'surrogatepass')
        text = data.decode('utf-16-le', 'surrogatepass')
        if text and 0xD800 <= ord(text[-1]) <= 0xDBFF:
            self._need, self._total, self._last = 2, 4, data[-2:]
            return out + text[:-1]
        return out + text

    def end(self) -> str:
        if not self._need:
            return ''
        kept = self._last[:self._total - self._need]
        self._need, self._last = 0, b''
        return kept[:len(kept) - len(kept) % 2].decode('utf-16-le', 'surrogatepass')
