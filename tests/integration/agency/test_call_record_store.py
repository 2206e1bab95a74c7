"""The agency's call-record writes on a real MariaDB: an upsert per leg on (call_id, leg), so a
replay (its reply lost with the connection) never duplicates, and the operator's wrap-up and
disposition survive later writes of the same leg."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from appliance.agency.operators.call_log import Leg
from appliance.contracts.call_records import TABLE
from testkit.agency import agency_database

pytestmark = pytest.mark.integration


async def test_a_replayed_leg_is_one_row_and_keeps_wrapup_and_disposition(
    mariadb_database: Any, tmp_path: Path
) -> None:
    store = agency_database(mariadb_database, tmp_path)
    try:
        await store.prepare()
        await store.query(f"DELETE FROM {TABLE} WHERE call_id LIKE %s", "store-test%")
        leg = Leg("store-test.1", 0, "u1", "in", 1_765_000_000.25, topic="7100", caller="7916")
        await store.record_call(leg.row())
        assert [r["call_id"] for r in await store.open_calls("u1")] == ["store-test.1"]
        leg.answered_at, leg.agent, leg.workplace = 1_765_000_004.5, "101", "1001"
        leg.result = "answered"
        await store.record_call(leg.row())
        await store.record_call_disposition("store-test.1", "101", "sale")
        leg.end(1_765_000_014.5)
        await store.record_call(leg.row())
        await store.record_call(leg.row())  # the replay
        await store.record_call_wrapup("store-test.1", "101", 7.25)
        await store.record_call(leg.row())  # an event after the wrap-up: nothing lost

        [row] = await store.calls("store-test.1")
        assert (row["result"], row["agent"], row["talk_seconds"]) == ("answered", "101", 10.0)
        assert (row["wrapup_seconds"], row["disposition"]) == (7.25, "sale")
        assert row["offered_at"] == datetime(2025, 12, 6, 5, 46, 40, 250000)
        assert row["ended_at"] == datetime(2025, 12, 6, 5, 46, 54, 500000)
        assert await store.open_calls("u1") == []
    finally:
        await store.query(f"DELETE FROM {TABLE} WHERE call_id LIKE %s", "store-test%")
        store.close()
