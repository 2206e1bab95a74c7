"""A pure AMI parser: bytes in, messages out; no I/O.

An AMI message is ``Key: Value`` lines separated by CRLF and ended by an empty line. A message
is returned as a ``dict[str, str]``. Facts of real Asterisk 22 streams the parser accepts:

- some messages are followed by an extra CRLF, so a message may start with empty lines;
- headers with an empty value (``Value:``, ``AppData:``) are kept with the value ``""``;
- a header may repeat (``Output:`` of ``Command``, ``ChanVariable:``): the values are joined
  with LF in order (a value never contains LF); :func:`values` splits them again.

Text is decoded as UTF-8; undecodable bytes become U+FFFD rather than failing the stream.
The fast path handles a message with a few C-level string operations; the rare messages above
take a slower, careful path.
"""

from __future__ import annotations

Message = dict[str, str]

_END = b"\r\n\r\n"


class AMIParser:
    """Incremental parser: :meth:`feed` takes any slice of the stream."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> list[Message]:
        """Messages completed by ``data`` (possibly none); the rest waits for more bytes."""
        buffer = self._buffer + data if self._buffer else data
        end = buffer.rfind(_END)
        if end < 0:
            self._buffer = buffer
            return []
        self._buffer = buffer[end + 4 :]
        return parse_block(buffer[:end].decode("utf-8", "replace"))

    def feed_raw(self, data: bytes) -> list[str]:
        """Like :meth:`feed` but the messages' raw texts, for :func:`parse_message` later."""
        buffer = self._buffer + data if self._buffer else data
        end = buffer.rfind(_END)
        if end < 0:
            self._buffer = buffer
            return []
        self._buffer = buffer[end + 4 :]
        return buffer[:end].decode("utf-8", "replace").split("\r\n\r\n")

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the end of a message."""
        return len(self._buffer)


def parse_block(text: str) -> list[Message]:
    """Messages in ``text``: whole messages separated by blank lines, without the last one.

    Fast path: each message becomes ``key, value, key, value, ...`` with two C-level string
    operations and one ``dict(zip(...))``. It is only trusted when it found exactly one key per
    line and no key twice; anything else (an extra CRLF, ``Key:`` without a space, ``": "``
    inside a value, a repeated header) takes the careful line-by-line path.
    """
    # A line "Key:" without a space could hide a ": " inside another value from the counts.
    suspicious = ":\r\n" in text or text[-1:] == ":"
    messages: list[Message] = []
    append = messages.append
    for block in text.split("\r\n\r\n"):
        parts = block.replace("\r\n", ": ").split(": ")
        pairs = iter(parts)
        message = dict(zip(pairs, pairs, strict=False))  # an odd count is caught below
        if (
            len(parts) != 2 * len(message)
            or len(message) != block.count("\n") + 1
            or (suspicious and (":\r\n" in block or block[-1:] == ":"))
        ):
            message = _parse_careful(block)
            if not message:
                continue
        append(message)
    return messages


def parse_message(block: str) -> Message:
    """One message from its raw text (see :meth:`AMIParser.feed_raw`); ``{}`` for a blank."""
    parts = block.replace("\r\n", ": ").split(": ")
    pairs = iter(parts)
    message = dict(zip(pairs, pairs, strict=False))
    if (
        len(parts) != 2 * len(message)
        or len(message) != block.count("\n") + 1
        or ":\r\n" in block
        or block[-1:] == ":"
    ):
        return _parse_careful(block)
    return message


def _parse_careful(block: str) -> Message:
    message: Message = {}
    for line in block.split("\r\n"):
        if not line:
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        if value[:1] == " ":
            value = value[1:]
        if key in message:
            message[key] = f"{message[key]}\n{value}"
        else:
            message[key] = value
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
