"""The agency's writes to its own tables (time intervals, saved sessions, dispositions, call
records), kept until the database takes them.

A write that fails because the database is unreachable (stopped, restarting, the connection
dropped) is retried, with back-off, until it succeeds: an interval owed to the reports is never
dropped because MariaDB was away for a minute, and the writes after it wait behind it, so they
reach the database in the order they were made (a session saved, then dropped, stays dropped).
A write the database refuses for another reason (a programming error, bad data) is logged and
dropped, never retried forever. Each write must be idempotent: one whose reply was lost with the
connection is sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable

import pymysql

log = logging.getLogger(__name__)

Write = Callable[[], Awaitable[object]]
# the database is away (connection refused, lost, timed out): worth trying again
UNREACHABLE = (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError, TimeoutError)


class RecordWriter:
    def __init__(self, retry_min: float = 0.5, retry_max: float = 2.0) -> None:
        # one write tried at a time, so a try every 2 s costs nothing and the owed records
        # go within ~2 s of the database being back
        self.retry_min = retry_min
        self.retry_max = retry_max
        self.written = 0
        self.retries = 0
        self.dropped = 0
        self._pending: deque[tuple[str, Write]] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._worker: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        return len(self._pending)

    def write(self, what: str, write: Write) -> None:
        """Queue ``write`` (``what`` names it in the log); it runs after the ones before it."""
        self._pending.append((what, write))
        self._idle.clear()
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.ensure_future(self._run())

    async def flush(self, timeout: float) -> bool:
        """Wait until every queued write is done; False (and the count logged) if the database
        did not take them within ``timeout`` seconds (the agency is stopping)."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            log.error(
                "database unreachable: %d record(s) not written at shutdown", len(self._pending)
            )
            return False
        return True

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker

    async def _run(self) -> None:
        while True:
            if not self._pending:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            what, write = self._pending[0]
            await self._write(what, write)
            self._pending.popleft()

    async def _write(self, what: str, write: Write) -> None:
        failures = 0
        since = time.monotonic()
        while True:
            try:
                await write()
            except UNREACHABLE as exc:
                failures += 1
                self.retries += 1
                if failures == 1:
                    log.warning(
                        "database unreachable (%s): %s and %d more record(s) wait",
                        exc,
                        what,
                        len(self._pending) - 1,
                    )
                delay = min(self.retry_max, self.retry_min * 2 ** (failures - 1))
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter
                continue
            except Exception:
                self.dropped += 1
                log.exception("database refused %s: dropped", what)
                return
            self.written += 1
            if failures:
                log.info(
                    "database reachable again: %s written after %.1f s",
                    what,
                    time.monotonic() - since,
                )
            return
