"""The AMI codec: a pure parser (bytes in, messages out) and the action encoder; no I/O.

An AMI message is ``Key: Value`` lines separated by CRLF and ended by an empty line. A message
is returned as a ``dict[str, str]``. Facts of real Asterisk 22 streams the parser accepts:

- some messages are followed by an extra CRLF, so a message may start with empty lines;
- headers with an empty value (``Value:``, ``AppData:``) are kept with the value ``""``;
- a header may repeat (``Output:`` of ``Command``, ``ChanVariable:``): the values are joined
  with LF in order (a value never contains LF); :func:`values` splits them again;
- a line without a colon (the body of an old ``Response: Follows``) is skipped.

A key ends at the line's first ``": "``, or at its first ``":"`` in a line without ``": "``;
the rest of the line is the value, which may itself contain ``": "``.

Text is decoded as UTF-8 once per read, only complete messages, so a character split between
two reads is decoded whole; undecodable bytes become U+FFFD rather than failing the stream.

Speed: real traffic repeats a few dozen layouts (the same first line and keys in the same
order). A message of a new layout is read with C-level loops (``str.split`` mapped over its
lines, ``dict()`` refusing any line without ``": "``, a slower path for such lines), and if all
its lines are ``Key: Value`` its event layout is remembered (a bounded number) as a compiled
pattern spelling out every key, with a group per value named after its key. A later message of
that layout takes one ``fullmatch`` and ``groupdict()``: its dict is built in C over the
pattern's own key strings, hashed once and shared by every such message. The pattern allows
exactly what the line-by-line reading would read the same way, so both give equal dicts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import repeat
from typing import NamedTuple

Message = dict[str, str]

# Reading bounds of both clients: a greeting line longer than MAX_BANNER bytes, or a message
# longer than MAX_MESSAGE bytes, ends the connection with a ProtocolError (never a buffer
# that grows for as long as a peer sends bytes without a line or message end).
BANNER = "Asterisk Call Manager"
MAX_BANNER = 1024
MAX_MESSAGE = 4 * 1024 * 1024

_END = b"\r\n\r\n"
_BLANK_LINE = "\r\n\r\n"
# Endless arguments for ``map(str.split, lines, _SEPARATOR, _ONCE)``: line.split(": ", 1).
_SEPARATOR = repeat(": ")
_ONCE = repeat(1)
_split = str.split


class AMIParser:
    """Incremental parser: :meth:`feed` takes any slice of the stream."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = b""

    def feed_text(self, data: bytes) -> str:
        """The text of the messages completed by ``data``, blank-line separated, without the
        last blank line (``""`` if none); the rest waits for more bytes."""
        buffer = self._buffer + data if self._buffer else data
        end = buffer.rfind(_END)
        if end < 0:
            self._buffer = buffer
            return ""
        self._buffer = buffer[end + 4 :]
        with memoryview(buffer) as view:  # decoded in place: no copy of the slice
            return str(view[:end], "utf-8", "replace")

    def feed(self, data: bytes) -> list[Message]:
        """Messages completed by ``data`` (possibly none)."""
        text = self.feed_text(data)
        return parse_block(text) if text else []

    def feed_raw(self, data: bytes) -> list[str]:
        """Like :meth:`feed` but the messages' raw texts, for :func:`parse_message` later."""
        text = self.feed_text(data)
        return text.split(_BLANK_LINE) if text else []

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the end of a message."""
        return len(self._buffer)


def parse_block(text: str) -> list[Message]:
    """Messages in ``text``: whole messages separated by blank lines, without the last one."""
    return [message for message in map(parse_message, text.split(_BLANK_LINE)) if message]


def parse_message(block: str) -> Message:
    """One message from its raw text (see :meth:`AMIParser.feed_raw`); ``{}`` for a blank.

    A message laid out like one seen before (the same first line and keys) is read by that
    layout's pattern in one C-level match, into a dict keyed by the layout's own key strings.
    """
    end = block.find("\r\n")
    first = block if end < 0 else block[:end]
    shapes = _SHAPES.get(first)
    if shapes is not None:
        for pattern, keys in shapes:
            match = pattern.fullmatch(block)
            if match is not None:
                if keys is None:  # the keys are the pattern's group names
                    message: Message = match.groupdict()
                    return message
                return _join_repeated(keys, match.groups())
    return _parse_new(block, first)


class _Shape(NamedTuple):
    """A message layout: a pattern taking the values of its lines and, unless the pattern
    names its groups after the keys (the usual case), the keys in order."""

    pattern: re.Pattern[str]
    keys: tuple[str, ...] | None


_SHAPES: dict[str, list[_Shape]] = {}  # by the first line, such as "Event: VarSet"
_SHAPES_PER_FIRST_LINE = 8
_MAX_SHAPES = 256
_MAX_SHAPE_LINES = 100
_learned: list[_Shape] = []


def _parse_new(block: str, first: str) -> Message:
    lines = block.split("\r\n")
    try:
        message = dict(map(_split, lines, _SEPARATOR, _ONCE))
    except ValueError:  # a line without ": " (empty, "Key:", text) gave dict() a 1-item list
        return _parse_careful(lines)
    if len(message) == len(lines):
        _learn(first, tuple(message))
        return message
    keys, values = zip(*map(_split, lines, _SEPARATOR, _ONCE), strict=True)
    _learn(first, keys)
    return _join_repeated(keys, values)


def _learn(first: str, keys: tuple[str, ...]) -> None:
    """Remember an event's layout of lines that are all ``Key: Value``, within bounds."""
    shapes = _SHAPES.get(first, [])
    if (
        not first.startswith("Event: ")
        or len(keys) > _MAX_SHAPE_LINES
        or len(_learned) >= _MAX_SHAPES
        or len(shapes) >= _SHAPES_PER_FIRST_LINE
        or any(_keys(shape) == keys for shape in shapes)  # a value held a lone LF
    ):
        return
    # A value is what follows ": " up to the line's end; "." never matches LF, so a value
    # holding one fails the match and is read line by line again. Groups named after the keys
    # give the dict in one call; a key that cannot name a group, or repeats, is zipped.
    named = len(set(keys)) == len(keys) and all(key.isidentifier() for key in keys)
    group = "(?P<{}>.*)" if named else "(.*)"
    pattern = re.compile("\r\n".join(f"{re.escape(key)}: {group.format(key)}" for key in keys))
    shape = _Shape(pattern, None if named else keys)
    _SHAPES[first] = [*shapes, shape]
    _learned.append(shape)


def _keys(shape: _Shape) -> tuple[str, ...]:
    return tuple(shape.pattern.groupindex) if shape.keys is None else shape.keys


def _join_repeated(keys: tuple[str, ...], values: tuple[str, ...]) -> Message:
    """The values of each key, joined with LF in order when the key repeats."""
    message: Message = {}
    for key, value in zip(keys, values, strict=True):
        message[key] = f"{message[key]}\n{value}" if key in message else value
    return message


def _parse_careful(lines: list[str]) -> Message:
    """Any lines: empty ones and ones without a colon are skipped."""
    message: Message = {}
    for line in lines:
        key, sep, value = line.partition(": ")
        if not sep:
            key, sep, value = line.partition(":")
            if not sep:
                continue
        message[key] = f"{message[key]}\n{value}" if key in message else value
    return message


def values(message: Message, key: str) -> list[str]:
    """Every value of a header that may repeat, in order (``[]`` when absent)."""
    value = message.get(key)
    return [] if value is None else value.split("\n")


def encode_action(headers: Mapping[str, object]) -> bytes:
    """Bytes of an action (or of any message, for a fake server): ``Key: value`` lines and the
    blank line. A list or tuple value repeats its header once per item (``Variable:`` of
    ``Originate``). CR/LF in a key or value would inject headers, a colon in a key would move
    the key's end: both are refused with ``ValueError``."""
    lines = []
    for key, value in headers.items():
        if "\r" in key or "\n" in key or ":" in key:
            raise ValueError(f"AMI header {key!r} contains a line break or colon")
        for item in value if isinstance(value, list | tuple) else (value,):
            text = str(item)
            if "\r" in text or "\n" in text:
                raise ValueError(f"AMI header {key!r} contains a line break or colon")
            lines.append(f"{key}: {text}\r\n")
    lines.append("\r\n")
    return "".join(lines).encode("utf-8")
