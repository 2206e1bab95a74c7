"""Pick up the admin's changes while the agency runs: poll the change counter, re-read on a move.

The admin bumps one counter row (``callcenter_changecounter``) in the transaction of every change
of the call-center model and at the end of every Apply Dialplan. Every ``interval`` seconds the
watch reads it (one primary-key read) and, when it moved, runs ``refresh`` (the PBX units, the
inbound topics, the pause reasons and the dispositions are read again). Whatever the counter
says, ``refresh`` also runs every ``full_refresh`` seconds, so a change made behind the admin's
back (plain SQL), or an admin without the counter, is picked up too. A failed read or refresh
(the database briefly away) is logged and retried at the next poll; what was read before stays
in use.

Why a counter polled by the agency rather than the units' ``Reload`` AMI events: a unit just
added in the admin has no AMI link yet that could carry an event, and disabling or removing a
unit reloads nothing; and why not re-reading the tables at every poll: the counter is one
primary-key read whatever the size of the model, so the poll can be frequent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class AdminWatch:
    def __init__(
        self,
        read_counter: Callable[[], Awaitable[int | None]],
        refresh: Callable[[], Awaitable[None]],
        interval: float,
        full_refresh: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.read_counter = read_counter
        self.refresh = refresh
        self.interval = interval
        self.full_refresh = full_refresh
        self.clock = clock
        self.refreshes = 0
        self._seen: int | None = None
        self._refreshed_at: float | None = None
        self._failing = False

    async def poll(self) -> bool:
        """One look at the counter; refresh when it moved or the full refresh is due."""
        counter = await self.read_counter()
        now = self.clock()
        due = self._refreshed_at is None or now - self._refreshed_at >= self.full_refresh
        if counter == self._seen and not due:
            return False
        await self.refresh()
        self._seen, self._refreshed_at = counter, now
        self.refreshes += 1
        return True

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.poll()
            except Exception as exc:  # the database may be briefly away: keep what was read
                if not self._failing:
                    log.warning("reading the admin's changes failed (retrying): %s", exc)
                self._failing = True
            else:
                if self._failing:
                    log.info("reading the admin's changes works again")
                self._failing = False
