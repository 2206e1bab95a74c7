"""A hostile AMI peer (testkit/hostile_ami.py: garbage, an HTTP greeting, a greeting or a
header line without an end, a huge header, a truncated response, a silent peer, a stall in the
middle of a frame) as a second PBX unit of the real agency, next to a real Asterisk 22 unit:
the agency logs each fault, connects again, and the healthy unit's operator keeps working
throughout (every pause and Ready reaches the real unit's queue). The fault is a fake peer;
the agency, the healthy unit, MariaDB and the license are real."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from testkit.acp_fuzz import CONTROL, fuzz_model
from testkit.agency import Agency, Terminal, make_license, write_agency
from testkit.hostile_ami import FAULTS, HostileAMI
from testkit.tools import free_port

pytestmark = pytest.mark.integration
HOSTILE = "zz-hostile"  # sorted after unit1: logins go to the healthy unit


@pytest.fixture
def two_units(admin_database: Any, asterisk_unit: Any, tmp_path: Path) -> Iterator[Any]:
    from appliance.admin.callcenter.models import PbxUnit

    unit = asterisk_unit({"queues.d/fuzz.conf": "[fuzz]\nstrategy = rrmemory\n"})
    port = free_port()
    with fuzz_model(unit, operators=0):
        hostile = PbxUnit.objects.create(
            name=HOSTILE, address="127.0.0.1", ami_port=port, ami_user="agency", ami_secret="s3cret"
        )
        license_files = make_license(tmp_path, max_pbx_units=2)
        running = write_agency(tmp_path, admin_database, license_files)
        try:
            yield running, unit, port
        finally:
            running.stop()
            hostile.delete()
            with admin_database.connect() as connection, connection.cursor() as cursor:
                cursor.execute(
                    "DROP TABLE IF EXISTS agency_interval, agency_session, agency_disposition,"
                    " agency_call"
                )


def member_line(unit: Any) -> str:
    lines = [line for line in unit.cli("queue show fuzz").splitlines() if "PJSIP/201" in line]
    return lines[0] if lines else ""


async def until(check: Any, what: str, agency: Agency, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await asyncio.to_thread(check):
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{agency.tail(60)}")
        await asyncio.sleep(0.2)


def unit_status(agency: Agency, name: str) -> dict[str, Any]:
    return next(u for u in agency.status(agency.token)["units"] if u["name"] == name)


async def test_a_hostile_unit_is_logged_and_reconnected_and_blocks_no_other(two_units) -> None:
    agency, unit, port = two_units
    peer = HostileAMI("s3cret")
    await peer.start(port)
    try:
        await asyncio.to_thread(agency.start)
        async with aiohttp.ClientSession() as http:
            terminal = Terminal(await http.ws_connect(f"{agency.url}/ws"))
            reply = await terminal.call("login", CONTROL.login())
            assert reply["name"] == "login.result", reply
            await until(lambda: "PJSIP/201" in member_line(unit), "the queue member", agency)
            round_trips = 0
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 240
            while not (peer.served["healthy"] and unit_status(agency, HOSTILE)["link"] == "up"):
                assert loop.time() < deadline, (peer.served, unit_status(agency, HOSTILE))
                pause = round_trips % 2 == 0
                data = {"state": "pause", "reason": "fuzz"} if pause else {"state": "ready"}
                reply = await terminal.call("set_state", data)
                assert reply["name"] == "set_state.result", reply
                await until(
                    lambda p=pause: ("paused" in member_line(unit)) == p,
                    "the state on the healthy unit",
                    agency,
                )
                round_trips += 1
            assert [e for e in terminal.events if e["name"] == "logged_out"] == []
            await terminal.ws.close()
    finally:
        await peer.stop()
    assert all(peer.served[fault] == 1 for fault in FAULTS), peer.served
    assert round_trips >= 2
    assert agency.process is not None and agency.process.poll() is None
    healthy = unit_status(agency, "unit1")
    assert (healthy["link"], healthy["reconnects"]) == ("up", 0), healthy
    log = agency.log.read_text(errors="replace")
    for reason in (
        "not an Asterisk manager: greeting 'HTTP/1.1 400 Bad Request'",
        "not an Asterisk manager: no greeting line",
        "an AMI message longer than 4194304 bytes",
        f"AMI {HOSTILE}: Ping: no response",
    ):
        assert reason in log, f"{reason!r} not logged:\n{agency.tail(80)}"
