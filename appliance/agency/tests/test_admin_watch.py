"""The admin watch re-reads when the admin's change counter moves, and now and then anyway."""

from __future__ import annotations

import asyncio

import pytest

from appliance.agency.admin_watch import AdminWatch


class Admin:
    def __init__(self) -> None:
        self.counter: int | None = 1
        self.refreshed = 0
        self.fail_reads = False
        self.now = 0.0
        self.reads = 0

    async def read_counter(self) -> int | None:
        self.reads += 1
        if self.fail_reads:
            raise OSError("database away")
        return self.counter

    async def refresh(self) -> None:
        self.refreshed += 1


def watch(admin: Admin) -> AdminWatch:
    return AdminWatch(admin.read_counter, admin.refresh, 2.0, 60.0, clock=lambda: admin.now)


async def test_it_reads_at_the_first_poll_then_only_when_the_counter_moves() -> None:
    admin = Admin()
    w = watch(admin)
    assert await w.poll() and admin.refreshed == 1
    admin.now = 10.0
    assert not await w.poll() and admin.refreshed == 1
    admin.counter = 2
    assert await w.poll() and admin.refreshed == 2


async def test_it_reads_again_after_the_full_refresh_time_whatever_the_counter() -> None:
    admin = Admin()
    admin.counter = None  # an admin without the counter table
    w = watch(admin)
    await w.poll()
    admin.now = 59.0
    assert not await w.poll()
    admin.now = 61.0
    assert await w.poll() and admin.refreshed == 2


async def test_a_failed_refresh_is_retried_at_the_next_poll() -> None:
    admin = Admin()
    w = watch(admin)
    await w.poll()
    admin.counter = 2

    async def broken() -> None:
        raise OSError("database away")

    w.refresh = broken
    with pytest.raises(OSError):
        await w.poll()
    w.refresh = admin.refresh
    assert await w.poll() and admin.refreshed == 2


async def test_the_loop_survives_a_database_that_is_away() -> None:
    admin = Admin()
    admin.fail_reads = True
    w = AdminWatch(admin.read_counter, admin.refresh, 0.001, 60.0, clock=lambda: admin.now)
    task = asyncio.create_task(w.run())
    try:
        while admin.reads < 2:  # failed rounds
            await asyncio.sleep(0.001)
        admin.fail_reads = False
        while w.refreshes == 0:
            await asyncio.sleep(0.001)
        assert not task.done()
    finally:
        task.cancel()
