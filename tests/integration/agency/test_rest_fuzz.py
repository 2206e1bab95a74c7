"""The agency's REST API fuzzed from its own OpenAPI document (schemathesis, testkit/
rest_fuzz.py) against the real agency: positive and negative cases for every operation, each
with the token, without one and with a wrong one. No 5xx, every error in the documented shape
``{error_id, message, details}``, every answer as the document says."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from testkit.acp_fuzz import CONTROL, fuzz_model
from testkit.agency import Agency, Terminal, make_license, write_agency
from testkit.rest_fuzz import fuzz_rest

pytestmark = pytest.mark.integration


@pytest.fixture
def rest_agency(admin_database: Any, asterisk_unit: Any, tmp_path: Path) -> Iterator[Agency]:
    unit = asterisk_unit({"queues.d/fuzz.conf": "[fuzz]\nstrategy = rrmemory\n"})
    with fuzz_model(unit, operators=0):
        running = write_agency(tmp_path, admin_database, make_license(tmp_path))
        running.start()
        try:
            yield running
        finally:
            running.stop()
            with admin_database.connect() as connection, connection.cursor() as cursor:
                cursor.execute(
                    "DROP TABLE IF EXISTS agency_interval, agency_session, agency_disposition,"
                    " agency_call"
                )


async def read_all(terminal: Terminal) -> list[str]:
    names = []
    async for frame in terminal.ws:
        if frame.type is aiohttp.WSMsgType.TEXT:
            names.append(json.loads(frame.data)["name"])
    return names


async def test_the_rest_api_holds_to_its_openapi_document(rest_agency: Agency) -> None:
    async with aiohttp.ClientSession() as http:
        terminal = Terminal(await http.ws_connect(f"{rest_agency.url}/ws"))
        reply = await terminal.call("login", CONTROL.login())
        assert reply["name"] == "login.result", reply
        clients = rest_agency.get("/api/clients", rest_agency.token)[1]["clients"]
        [client_id] = [c["id"] for c in clients]
        reading = asyncio.create_task(read_all(terminal))  # a terminal reads what it is sent
        generated = await asyncio.to_thread(fuzz_rest, rest_agency.url, rest_agency.token, 40, None)
        against_client = await asyncio.to_thread(
            fuzz_rest, rest_agency.url, rest_agency.token, 40, client_id
        )
        await terminal.ws.close()
        ended = await reading
    for report in (generated, against_client):
        print(report.summary())
        assert not report.failures, report.summary()
        assert report.cases >= 200, report.summary()
    statuses = against_client.statuses
    assert statuses["POST /api/clients/{client_id}/message 200"] > 0, statuses
    assert statuses["POST /api/clients/{client_id}/message 400"] > 0, statuses
    assert statuses["DELETE /api/clients/{client_id} 200"] == 1, statuses
    assert "logged_out" in ended, ended
    assert rest_agency.process is not None and rest_agency.process.poll() is None
    assert rest_agency.status()["status"] == "running"
