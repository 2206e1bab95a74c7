"""ACP as its document says, against a real Asterisk 22 unit and the real agency: the hangup
action ends the call, a pause past its limit logs the operator out of the unit's queues, no
WebSocket extension is negotiated, caller ID placeholders never reach the terminal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from testkit.agency import (
    Agency,
    Terminal,
    logged_in_terminal,
    make_license,
    until,
    write_agency,
)
from tests.integration.agency.test_agency import callcenter, member_line, wait_for
from tests.integration.agency.test_agency_calls import phone_agency

pytestmark = pytest.mark.integration
__all__ = ["callcenter", "phone_agency"]  # fixtures used here


@pytest.fixture
def short_pause_agency(callcenter: tuple[Any, Any], tmp_path: Path) -> Iterator[Agency]:
    db, unit = callcenter
    agency = write_agency(tmp_path, db, make_license(tmp_path))
    agency.config.write_text(
        agency.config.read_text().replace("pause_limit: 600", "pause_limit: 2")
    )
    agency.unit = unit
    agency.start()
    try:
        yield agency
    finally:
        agency.stop()


async def test_a_pause_past_its_limit_logs_out_of_the_units_queues(
    short_pause_agency: Agency,
) -> None:
    unit = short_pause_agency.unit
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in_terminal(short_pause_agency.url, http)
        await wait_for(lambda: "PJSIP/201" in member_line(unit), what="QueueAdd")
        reply = await terminal.call("set_state", {"state": "pause", "reason": "lunch"})
        assert reply["data"]["limit_seconds"] <= 2, reply
        ended = await until(terminal, "logged_out", 30)
        assert ended["data"]["reason"] == "pause_timeout"
        assert ended["data"]["message"]
        await wait_for(lambda: member_line(unit) == "", what="QueueRemove after the logout")
        assert (await terminal.call("ping"))["name"] == "not_logged_in"


async def test_the_hangup_action_ends_the_answered_call(
    phone_agency: tuple[Agency, Any, Any],
) -> None:
    agency, _, carrier = phone_agency
    carrier.set_inbound("answer", playback="beep", hold=60)  # the phone would stay on the line
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in_terminal(agency.url, http)
        call = carrier.start_call("7100", caller_id='"Petrov" <79161234567>', hold=60)
        incoming = (await until(terminal, "call_incoming"))["data"]
        await until(terminal, "call_answered")
        reply = await terminal.call("hangup", {"call_id": incoming["call_id"]})
        assert reply["name"] == "hangup.result", reply
        ended = await until(terminal, "call_ended")
        assert ended["data"]["call_id"] == incoming["call_id"]
        report = call.wait_ended(30)
        assert report.answered and report.duration < 60


async def test_a_caller_without_a_name_shows_an_empty_name(
    phone_agency: tuple[Agency, Any, Any],
) -> None:
    agency, _, carrier = phone_agency
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in_terminal(agency.url, http)
        call = carrier.start_call("7100", caller_id="79161234567", hold=5)
        incoming = (await until(terminal, "call_incoming"))["data"]
        assert incoming["caller_name"] == "" and incoming["number"] == "79161234567"
        await until(terminal, "call_ended")
        call.wait_ended(30)


async def test_no_websocket_extension_is_negotiated(short_pause_agency: Agency) -> None:
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"{short_pause_agency.url}/ws", compress=15)  # offers deflate
        try:
            assert ws.compress == 0
            terminal = Terminal(ws)
            assert (await terminal.call("ping"))["name"] == "not_logged_in"
        finally:
            await ws.close()
