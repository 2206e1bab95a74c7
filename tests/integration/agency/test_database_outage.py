"""MariaDB stopped under a working agency and started again: the operator keeps working, and
every time interval of the outage is written once the database is back (none lost, none twice).

The agency runs on a MariaDB server of this test's own (the session's shared one cannot be
stopped), holding a copy of the admin's model made with ``mariadb-dump``."""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from testkit.agency import Agency, make_license, write_agency
from testkit.mariadb import halt_mariadb, restart_mariadb, start_mariadb, stop_mariadb
from testkit.tools import require_tool
from tests.integration.agency.test_agency import QUEUES, call_center_model, connect, wait_for

pytestmark = pytest.mark.integration


def copy_database(source: Any, target: Any) -> None:
    """``source``'s tables and rows into ``target`` (two databases on two servers)."""
    dump = require_tool("mariadb-dump", "mariadb-client")
    client = require_tool("mariadb", "mariadb-client")
    sql = subprocess.run(
        [
            dump,
            f"--host={source.host}",
            f"--port={source.port}",
            f"--user={source.user}",
            f"--password={source.password}",
            "--single-transaction",
            "--skip-triggers",
            source.name,
        ],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(
        [
            client,
            f"--host={target.host}",
            f"--port={target.port}",
            f"--user={target.user}",
            f"--password={target.password}",
            target.name,
        ],
        input=sql,
        capture_output=True,
        check=True,
    )


@pytest.fixture
def own_server() -> Iterator[list[Any]]:
    """[process, server]: the process is replaced when the test restarts the server."""
    proc, server = start_mariadb()
    held = [proc, server]
    try:
        yield held
    finally:
        stop_mariadb(held[0], server)


@pytest.fixture
def agency_on_own_server(
    own_server: list[Any], admin_database: Any, asterisk_unit: Any, tmp_path: Path
) -> Iterator[tuple[Agency, Any, list[Any]]]:
    unit = asterisk_unit(QUEUES)
    db = own_server[1].create_database()
    with call_center_model(admin_database, unit):
        copy_database(admin_database, db)
    agency = write_agency(tmp_path, db, make_license(tmp_path))
    agency.start()
    try:
        yield agency, db, own_server
    finally:
        agency.stop()


def intervals(db: Any) -> list[tuple[Any, ...]]:
    with db.connect() as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT state, reason, started_at, ended_at FROM agency_interval"
            " WHERE agent = '101' ORDER BY started_at, id"
        )
        return list(cursor.fetchall())


async def test_intervals_of_a_database_outage_are_written_when_it_is_back(
    agency_on_own_server: tuple[Agency, Any, list[Any]],
) -> None:
    agency, db, server = agency_on_own_server
    async with aiohttp.ClientSession() as http:
        terminal = await connect(agency, http)
        assert (await terminal.login())["name"] == "login.result"
        await terminal.call("set_state", {"state": "pause", "reason": "lunch"})
        await wait_for(lambda: len(intervals(db)) == 1, what="the first interval", agency=agency)

        halt_mariadb(server[0])
        for change in (
            {"state": "ready"},
            {"state": "pause", "reason": "meeting"},
            {"state": "ready"},
        ):
            reply = await terminal.call("set_state", change)
            assert reply["name"] == "set_state.result", reply  # the agency keeps working
        server[0] = restart_mariadb(server[0], server[1])

        await wait_for(
            lambda: len(intervals(db)) >= 4,
            timeout=60,
            what="the intervals of the outage written after it",
            agency=agency,
        )
        rows = intervals(db)
        assert [(state, reason) for state, reason, *_ in rows] == [
            ("ready", None),
            ("pause", "lunch"),
            ("ready", None),
            ("pause", "meeting"),
        ]
        for before, after in itertools.pairwise(rows):
            assert after[2] == before[3], "each interval starts where the one before ended"
        assert [e for e in terminal.events if e["name"] == "logged_out"] == []
        records = agency.status(agency.token)["records"]
        assert records["retries"] >= 1 and records["dropped"] == 0, records  # kept, then written
        await terminal.ws.close()
