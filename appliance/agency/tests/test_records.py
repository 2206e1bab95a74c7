"""The record writer: writes kept, in order, while the database is unreachable."""

from __future__ import annotations

import asyncio

import pymysql

from appliance.agency.records import RecordWriter


class FlakyTable:
    """A table whose database is down for the first ``down`` attempts."""

    def __init__(self, down: int) -> None:
        self.down = down
        self.rows: list[str] = []
        self.attempts = 0

    def writer(self, row: str):  # type: ignore[no-untyped-def]
        async def write() -> None:
            self.attempts += 1
            if self.attempts <= self.down:
                raise pymysql.err.OperationalError(2003, "Can't connect to MySQL server")
            self.rows.append(row)

        return write


async def test_writes_wait_for_the_database_and_keep_their_order() -> None:
    table = FlakyTable(down=3)
    records = RecordWriter(retry_min=0.001, retry_max=0.002)
    for row in ("a", "b", "c"):
        records.write(row, table.writer(row))
    assert await records.flush(5)
    assert table.rows == ["a", "b", "c"]
    assert (records.written, records.retries, records.dropped) == (3, 3, 0)
    await records.close()


async def test_a_refused_write_is_dropped_and_the_next_ones_go_on() -> None:
    table = FlakyTable(down=0)
    records = RecordWriter(retry_min=0.001, retry_max=0.002)

    async def bad() -> None:
        raise pymysql.err.ProgrammingError(1064, "syntax")

    records.write("bad", bad)
    records.write("good", table.writer("good"))
    assert await records.flush(5)
    assert table.rows == ["good"] and records.dropped == 1
    await records.close()


async def test_flush_gives_up_after_its_timeout_when_the_database_stays_away() -> None:
    table = FlakyTable(down=10**9)
    records = RecordWriter(retry_min=0.001, retry_max=0.002)
    records.write("a", table.writer("a"))
    assert not await records.flush(0.05)
    assert records.pending == 1
    await records.close()
    await asyncio.sleep(0)
