"""The agency's MariaDB connection on a real server: a connection that answered moments ago is
used without a ping (no extra round trip per statement under load); one idle for longer is
pinged first; one dropped under a statement fails that statement only, and the next statement
is made on a new connection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pymysql
import pytest

from appliance.agency import database
from testkit.agency import agency_database

pytestmark = pytest.mark.integration


async def test_a_busy_connection_is_not_pinged_an_idle_or_broken_one_is(
    mariadb_database: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[int] = []
    ping = pymysql.connections.Connection.ping

    def counted(self: Any, reconnect: bool = True) -> None:
        pings.append(self.thread_id())
        ping(self, reconnect)

    monkeypatch.setattr(pymysql.connections.Connection, "ping", counted)
    store = agency_database(mariadb_database, tmp_path)
    try:
        [first] = await store.query("SELECT CONNECTION_ID() AS id")
        for _ in range(5):
            await store.query("SELECT 1")
        assert pings == []

        monkeypatch.setattr(database, "PING_AFTER_IDLE", 0.0)  # every connection now "idle"
        await store.query("SELECT 1")
        assert pings == [first["id"]]
        monkeypatch.setattr(database, "PING_AFTER_IDLE", 3600.0)

        killer = agency_database(mariadb_database, tmp_path)
        try:
            await killer.query(f"KILL CONNECTION {int(first['id'])}")
        finally:
            killer.close()
        with pytest.raises(pymysql.err.Error):
            await store.query("SELECT 1")  # the statement the link broke under
        [second] = await store.query("SELECT CONNECTION_ID() AS id")
        assert second["id"] != first["id"]
        assert pings[-1] == first["id"]  # the failed link was pinged, then made anew
    finally:
        store.close()


@pytest.mark.parametrize("chunk", ["one query", "a query each"])
async def test_statements_collected_from_writes_run_as_one_batch_up_to_a_refused_one(
    mariadb_database: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: str
) -> None:
    if chunk == "a query each":
        monkeypatch.setattr(database, "BATCH_BYTES", 1)  # every statement its own query
    queries: list[int] = []
    execute = pymysql.connections.Connection._execute_command

    def counted(self: Any, command: int, sql: Any) -> None:
        queries.append(command)
        execute(self, command, sql)

    monkeypatch.setattr(pymysql.connections.Connection, "_execute_command", counted)
    store = agency_database(mariadb_database, tmp_path)
    try:
        await store.prepare()
        await store.query("DELETE FROM agency_session WHERE agent LIKE %s", "batch-%")
        with store.collect() as collected:
            await store.save_session("batch-1", {"base": "ready"})
            await store.save_session("batch-2", {"base": "pause"})
            assert await store.query("SELECT 1 AS one") == []  # kept, not run
        assert len(collected) == 3
        found = "SELECT agent, data FROM agency_session WHERE agent LIKE %s ORDER BY agent"
        assert await store.query(found, "batch-%") == []
        refused = ("INSERT INTO no_such_table VALUES (%s)", (1,))
        queries.clear()
        done, error = await store.run_batch([*collected[:2], refused, collected[0]])
        assert done == 2 and isinstance(error, pymysql.err.ProgrammingError)
        assert len(queries) == (1 if chunk == "one query" else 3)  # the last never sent
        rows = await store.query(found, "batch-%")
        assert [(r["agent"], r["data"]) for r in rows] == [
            ("batch-1", '{"base": "ready"}'),
            ("batch-2", '{"base": "pause"}'),
        ]
        # a statement with a ';' in its data is one statement; the connection that saw the
        # refusal goes on
        with store.collect() as collected:
            await store.save_session("batch-1", {"base": "a;b'; DELETE FROM agency_session"})
        assert await store.run_batch(collected + collected) == (2, None)
        rows = await store.query(found, "batch-%")
        assert [r["data"] for r in rows] == [
            '{"base": "a;b\'; DELETE FROM agency_session"}',
            '{"base": "pause"}',
        ]
    finally:
        await store.query("DELETE FROM agency_session WHERE agent LIKE %s", "batch-%")
        store.close()
