"""Connected terminals: each with a bounded outgoing queue and its own writer task.

``Client.send`` never waits: when the queue is full the terminal is too slow and is dropped
(its connection aborted), so one slow or dead terminal never stalls the others.

A terminal that keeps up (nothing queued, its socket's buffer below ``HIGH_WATER``) gets its
messages without the writer task: the frames sent to it in one moment (a call's event and the
state it brings, a reply and its state) go out together in one write to the socket, right
after that moment. A terminal that falls behind gets them through the queue, where the writer
waits for its socket to drain.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

log = logging.getLogger(__name__)
_ids = itertools.count(1)
HIGH_WATER = 64 * 1024  # bytes waiting in a terminal's socket buffer that make it "behind"


@dataclass
class Client:
    ws: web.WebSocketResponse
    transport: asyncio.Transport | None
    remote: str
    queue_size: int
    on_drop: Callable[[Client, str], None]
    id: str = field(default_factory=lambda: f"c{next(_ids)}")
    connected_at: float = field(default_factory=time.time)
    agent: str | None = None
    workplace: str | None = None
    lang: str = "en"  # the language of the texts sent to this terminal
    host: str = ""  # the Host it connected to (behind nginx: the one the browser used)
    sent: int = 0
    closed_reason: str | None = None
    _queue: asyncio.Queue[str | None] = field(init=False)
    _writer: asyncio.Task[None] | None = field(default=None, init=False)
    _writing: bool = field(default=False, init=False)  # the writer is sending a queued one
    _moment: list[bytes] = field(default_factory=list, init=False)  # frames of this moment

    def __post_init__(self) -> None:
        self._queue = asyncio.Queue(self.queue_size)

    @property
    def logged_in(self) -> bool:
        return self.agent is not None

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write(), name=f"acp-writer-{self.id}")

    def send(self, text: str) -> bool:
        """Send one message; False (and the client dropped) when its queue is full."""
        if self.closed_reason is not None:
            return False
        if self._keeps_up():
            try:
                frame = _text_frame(text)
            except UnicodeEncodeError:  # a lone surrogate: no UTF-8 text, never sent
                log.error("ACP client %s: a message is no UTF-8 text; not sent", self.id)
                return True
            if not self._moment:
                asyncio.get_running_loop().call_soon(self._flush)
            self._moment.append(frame)
            return True
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            self.drop("too slow: outgoing queue full")
            return False
        return True

    def _keeps_up(self) -> bool:
        """Nothing waits in the queue and the socket takes what it is given (frames written
        here, uncompressed: a terminal with permessage-deflate goes through the writer)."""
        transport = self.transport
        return (
            not self._writing
            and self._queue.empty()
            and transport is not None
            and not self.ws.compress
            and transport.get_write_buffer_size() < HIGH_WATER
        )

    def _flush(self) -> None:
        """The frames of the moment, in one write."""
        frames, self._moment = self._moment, []
        transport = self.transport
        if not frames or transport is None or transport.is_closing() or self.ws.closed:
            return  # gone, or closing (no data after a close frame)
        transport.write(frames[0] if len(frames) == 1 else b"".join(frames))
        self.sent += len(frames)

    def drop(self, reason: str) -> None:
        """Abort the connection at once (a slow client cannot block a close handshake)."""
        if self.closed_reason is not None:
            return
        self.closed_reason = reason
        log.warning("ACP client %s (%s) dropped: %s", self.id, self.remote, reason)
        if self.transport is not None:
            self.transport.abort()
        if self._writer is not None:
            self._writer.cancel()
        self.on_drop(self, reason)

    async def close(self, reason: str) -> None:
        """Send what is queued, then close the WebSocket normally."""
        if self.closed_reason is None:
            self.closed_reason = reason
        self._flush()  # what this moment sent goes before the close frame
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)
        await self.finish()

    async def finish(self) -> None:
        """Wait for the writer to end (after a close or when the socket is gone)."""
        if self._writer is None:
            return
        if self._writer.done() or self.ws.closed:
            self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer

    async def _write(self) -> None:
        try:
            while (text := await self._queue.get()) is not None:
                self._writing = True
                try:
                    await self.ws.send_str(text)
                except UnicodeEncodeError:  # a lone surrogate: no UTF-8 text, never sent
                    log.error("ACP client %s: a message is no UTF-8 text; not sent", self.id)
                    continue
                finally:
                    self._writing = False
                self.sent += 1
            await self.ws.close()
        except (ConnectionError, RuntimeError) as exc:
            log.info("ACP client %s: write failed: %s", self.id, exc)

    def describe(self) -> dict[str, object]:
        return {
            "id": self.id,
            "remote": self.remote,
            "connected_at": self.connected_at,
            "agent": self.agent,
            "workplace": self.workplace,
            "queued": self._queue.qsize() + len(self._moment),
            "sent": self.sent,
        }


def _text_frame(text: str) -> bytes:
    """One final, unmasked text frame (RFC 6455 5.2), as a server sends it."""
    payload = text.encode("utf-8")
    size = len(payload)
    if size < 126:
        return struct.pack("!BB", 0x81, size) + payload
    if size < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, size) + payload
    return struct.pack("!BBQ", 0x81, 127, size) + payload
