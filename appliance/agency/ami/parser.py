"""A pure AMI parser: bytes in, messages out; no I/O.

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
The fast path builds a message's dict in C-level loops (``str.split`` mapped over its lines,
``dict()`` refusing any line without ``": "``); a message with such a line, or a repeated
header, takes a slower path.
"""

from __future__ import annotations

from itertools import repeat

Message = dict[str, str]

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
    """One message from its raw text (see :meth:`AMIParser.feed_raw`); ``{}`` for a blank."""
    lines = block.split("\r\n")
    try:
        message = dict(map(_split, lines, _SEPARATOR, _ONCE))
    except ValueError:  # a line without ": " (empty, "Key:", text) gave dict() a 1-item list
        return _parse_careful(lines)
    if len(message) != len(lines):
        return _join_repeated(lines)
    return message


def _join_repeated(lines: list[str]) -> Message:
    """Every line is ``Key: Value`` and some key repeats."""
    message: Message = {}
    for key, value in map(_split, lines, _SEPARATOR, _ONCE):
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


def encode_action(headers: dict[str, str]) -> bytes:
    """Bytes of an action; CR/LF in a value would inject headers and is refused."""
    lines = []
    for key, value in headers.items():
        text = str(value)
        if "\r" in text or "\n" in text or "\r" in key or "\n" in key or ":" in key:
            raise ValueError(f"AMI header {key!r} contains a line break or colon")
        lines.append(f"{key}: {text}\r\n")
    lines.append("\r\n")
    return "".join(lines).encode("utf-8")
