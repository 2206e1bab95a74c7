"""The agency's writes to its own tables (time intervals, saved sessions, dispositions, call
records), kept until the database takes them.

A write that fails because the database is unreachable (stopped, restarting, the connection
dropped) is retried, with back-off, until it succeeds: an interval owed to the reports is never
dropped because MariaDB was away for a minute, and the writes after it wait behind it, so they
reach the database in the order they were made (a session saved, then dropped, stays dropped).
A write the database refuses for another reason (a programming error, bad data) is logged and
dropped, never retried forever. Each write must be idempotent: one whose reply was lost with the
connection is sent again.

Written one by one, each write is a trip to the database's thread. Given the database's
``Batches``, the writes waiting at the head run as one batch of statements instead (up to
``BATCH`` writes, one trip; a write made while the writer is idle waits ``GATHER`` for the
next ones): each write is called with the database collecting its statements instead of
running them, then the batch runs in order. Where it stops, the writes before are written and
the one that failed is handled as above (retried alone while the database is unreachable,
dropped when refused); a write is only ever called again after its statements failed, which
idempotence makes safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

import pymysql

log = logging.getLogger(__name__)

Write = Callable[[], Awaitable[object]]
BATCH = 64  # writes per batch: ~20 ms of statements, what a login's query may wait behind
GATHER = 0.01  # seconds a write waits for others to go in its batch (with Batches)


class Batches(Protocol):
    """What the database offers the writer (``appliance.agency.database.Database``)."""

    def collect(self) -> AbstractContextManager[list[Any]]: ...

    async def run_batch(self, statements: list[Any]) -> tuple[int, Exception | None]: ...


# the database is away (connection refused, lost, timed out): worth trying again
UNREACHABLE = (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError, TimeoutError)


class RecordWriter:
    def __init__(
        self, retry_min: float = 0.5, retry_max: float = 2.0, batches: Batches | None = None
    ) -> None:
        # one write tried at a time, so a try every 2 s costs nothing and the owed records
        # go within ~2 s of the database being back
        self.retry_min = retry_min
        self.retry_max = retry_max
        self.batches = batches
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
            async with asyncio.timeout(timeout):
                await self._idle.wait()
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
                if self.batches is not None:  # the writes of the next moments go as one batch
                    await asyncio.sleep(GATHER)
                continue
            if (
                self.batches is not None
                and len(self._pending) > 1
                and await self._write_batch(self.batches)
            ):
                continue
            what, write = self._pending[0]
            await self._write(what, write)
            self._pending.popleft()

    async def _write_batch(self, batches: Batches) -> bool:
        """The writes at the head as one batch; False when the head is to be written alone
        (its statements failed with the database unreachable, or collecting them failed)."""
        ends: list[int] = []  # where each write's statements end in the batch
        with batches.collect() as statements:
            for _what, write in itertools.islice(self._pending, BATCH):
                try:
                    await write()
                except Exception:  # written alone, where its error is handled as ever
                    del statements[ends[-1] if ends else 0 :]
                    break
                ends.append(len(statements))
        if not ends:
            return False
        done, error = await batches.run_batch(statements)
        for end in ends:
            if end > done:
                break
            self._pending.popleft()
            self.written += 1
        if error is None or isinstance(error, UNREACHABLE):
            return error is None
        what, _write = self._pending.popleft()
        self.dropped += 1
        log.error("database refused %s: dropped", what, exc_info=error)
        return True

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
