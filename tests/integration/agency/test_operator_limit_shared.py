"""The license's operator limit across agency instances (issue 13, item 9): several
``uzor-agency@N`` share one MariaDB; their logins count and reserve places in the shared session
table under one database lock, so logins at the same moment on different instances cannot pass
the limit together."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from appliance.agency.database import Database
from testkit.agency import agency_database

pytestmark = pytest.mark.integration

LIMIT = 3


def instance(db: Any, tmp_path: Path) -> Database:
    """One agency instance's own connection to the shared database."""
    return agency_database(db, tmp_path)  # type: ignore[no-any-return]


async def test_logins_at_once_on_two_instances_never_pass_the_limit(
    mariadb_database: Any, tmp_path: Path
) -> None:
    first, second = instance(mariadb_database, tmp_path), instance(mariadb_database, tmp_path)
    try:
        await first.prepare()
        await first.query("DELETE FROM agency_session")
        agents = [f"5{n:02d}" for n in range(12)]
        results = await asyncio.gather(
            *(
                (first if n % 2 else second).reserve_session(agent, LIMIT)
                for n, agent in enumerate(agents)
            )
        )
        assert results.count(True) == LIMIT and results.count(None) == len(agents) - LIMIT
        taken = sorted(await first.sessions()) + [
            r["agent"] for r in await second.query("SELECT agent FROM agency_session")
        ]
        assert len(set(taken)) == LIMIT
        holder = next(a for a, r in zip(agents, results, strict=True) if r)
        # a session already holding a place keeps it (a resumed login), another gets none
        assert await second.reserve_session(holder, LIMIT) is False
        assert await second.reserve_session("599", LIMIT) is None
        await first.drop_session(holder)  # that operator logged out
        assert await second.reserve_session("599", LIMIT) is True
    finally:
        await first.query("DELETE FROM agency_session")
        first.close()
        second.close()
