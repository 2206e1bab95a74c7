"""Connected terminals: each with a bounded outgoing queue and its own writer task.

``Client.send`` never waits: when the queue is full the terminal is too slow and is dropped
(its connection aborted), so one slow or dead terminal never stalls the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

log = logging.getLogger(__name__)
_ids = itertools.count(1)


@dataclass
class Client:
    ws: web.WebSocketResponse
    transport: asyncio.BaseTransport | None
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

    def __post_init__(self) -> None:
        self._queue = asyncio.Queue(self.queue_size)

    @property
    def logged_in(self) -> bool:
        return self.agent is not None

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write(), name=f"acp-writer-{self.id}")

    def send(self, text: str) -> bool:
        """Queue one message; False (and the client dropped) when its queue is full."""
        if self.closed_reason is not None:
            return False
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            self.drop("too slow: outgoing queue full")
            return False
        return True

    def drop(self, reason: str) -> None:
        """Abort the connection at once (a slow client cannot block a close handshake)."""
        if self.closed_reason is not None:
            return
        self.closed_reason = reason
        log.warning("ACP client %s (%s) dropped: %s", self.id, self.remote, reason)
        if isinstance(self.transport, asyncio.Transport):
            self.transport.abort()
        if self._writer is not None:
            self._writer.cancel()
        self.on_drop(self, reason)

    async def close(self, reason: str) -> None:
        """Send what is queued, then close the WebSocket normally."""
        if self.closed_reason is None:
            self.closed_reason = reason
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
                try:
                    await self.ws.send_str(text)
                except UnicodeEncodeError:  # a lone surrogate: no UTF-8 text, never sent
                    log.error("ACP client %s: a message is no UTF-8 text; not sent", self.id)
                    continue
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
            "queued": self._queue.qsize(),
            "sent": self.sent,
        }
