"""The record writer: writes kept, in order, while the database is unreachable."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

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


class FakeDatabase:
    """Batches over a list of rows: statements are row names; ``fail`` maps a row to the error
    its statement raises (once, or always when ``sticky``)."""

    def __init__(self, fail: dict[str, Exception] | None = None, sticky: bool = False) -> None:
        self.rows: list[str] = []
        self.batches: list[list[str]] = []
        self.fail = dict(fail or {})
        self.sticky = sticky
        self.collecting: list[str] | None = None

    @contextlib.contextmanager
    def collect(self) -> Iterator[list[str]]:
        self.collecting = []
        try:
            yield self.collecting
        finally:
            self.collecting = None

    async def insert(self, row: str) -> None:  # what a store method does: a query
        if self.collecting is not None:
            self.collecting.append(row)
            return
        await self.run_row(row)

    async def run_row(self, row: str) -> None:
        error = self.fail.get(row) if self.sticky else self.fail.pop(row, None)
        if error is not None:
            raise error
        self.rows.append(row)

    async def run_batch(self, statements: list[str]) -> tuple[int, Exception | None]:
        self.batches.append(list(statements))
        for done, row in enumerate(statements):
            try:
                await self.run_row(row)
            except Exception as exc:
                return done, exc
        return len(statements), None


def _queue(records: RecordWriter, db: FakeDatabase, rows: str) -> None:
    for row in rows:
        records.write(row, lambda row=row: db.insert(row))


async def test_waiting_writes_go_to_the_database_as_one_batch_in_order() -> None:
    db = FakeDatabase()
    records = RecordWriter(batches=db)
    _queue(records, db, "abcde")
    assert await records.flush(5)
    assert db.rows == list("abcde") and db.batches == [list("abcde")]
    assert (records.written, records.dropped) == (5, 0)
    await records.close()


async def test_a_batch_stopped_by_an_unreachable_database_keeps_the_rest_in_order() -> None:
    db = FakeDatabase(fail={"c": pymysql.err.OperationalError(2013, "Lost connection")})
    records = RecordWriter(retry_min=0.001, retry_max=0.002, batches=db)
    _queue(records, db, "abcde")
    assert await records.flush(5)
    assert db.rows == list("abcde")  # c tried alone again, then d and e
    assert db.batches[0] == list("abcde") and (records.retries, records.dropped) == (0, 0)
    assert records.written == 5
    await records.close()


async def test_a_refused_write_in_a_batch_is_dropped_and_the_rest_written() -> None:
    db = FakeDatabase(fail={"b": pymysql.err.ProgrammingError(1064, "syntax")}, sticky=True)
    records = RecordWriter(batches=db)
    _queue(records, db, "abcd")
    assert await records.flush(5)
    assert db.rows == ["a", "c", "d"] and (records.written, records.dropped) == (3, 1)
    await records.close()


async def test_a_write_that_fails_before_its_statements_is_dropped_alone() -> None:
    db = FakeDatabase()
    records = RecordWriter(batches=db)

    async def broken() -> None:
        raise ValueError("a bug")

    records.write("a", lambda: db.insert("a"))
    records.write("broken", broken)
    records.write("c", lambda: db.insert("c"))
    assert await records.flush(5)
    assert db.rows == ["a", "c"] and records.dropped == 1
    await records.close()


async def test_a_write_that_fails_after_a_statement_leaves_it_out_of_the_batch() -> None:
    db = FakeDatabase()
    records = RecordWriter(batches=db)

    async def half() -> None:
        await db.insert("b1")
        raise ValueError("a bug after the first statement")

    records.write("a", lambda: db.insert("a"))
    records.write("half", half)
    records.write("c", lambda: db.insert("c"))
    assert await records.flush(5)
    assert db.batches[0] == ["a"]  # b1 is not run with the batch, then again alone
    assert db.rows == ["a", "b1", "c"] and records.dropped == 1
    await records.close()
