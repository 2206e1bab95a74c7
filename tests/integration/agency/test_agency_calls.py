"""A carrier call to an inbound topic reaches the operator's workplace through the queue; the
ACP terminal follows it: incoming call with topic and script, answered, ended, wrap-up, Ready.

The workplace's phone is a real SIP endpoint: PJSIP/201 on the unit points at the carrier
unit, which answers it (plays a prompt, waits, hangs up) like an operator's phone would."""

from __future__ import annotations

import asyncio
import time
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
from tests.integration.agency.test_agency import QUEUES, call_center_model

pytestmark = pytest.mark.integration

INBOUND = """\
[from-carrier]
exten => _X.,1,Goto(Inbound,${EXTEN},1)

[Inbound]
exten => 7100,1,Answer()
 same => n,Queue(support,t,,,60)
 same => n,Hangup()

[Outbound]
exten => _111X.,1,Dial(PJSIP/${EXTEN:3}@carrier,20)
 same => n,Hangup()
"""


# Atxfer needs an attended-transfer feature code (the admin's generated features.conf too)
FEATURES = "[general]\n\n[featuremap]\natxfer => *2\n"


def workplace_phone(carrier: Any) -> str:
    return f"""\
[201]
type = endpoint
transport = transport-udp
context = Outbound
disallow = all
allow = ulaw,alaw
aors = 201
direct_media = no

[201]
type = aor
contact = sip:201@{carrier.unit.sip_host}:{carrier.sip_port}
"""


@pytest.fixture
def phone_agency(
    request: pytest.FixtureRequest,
    admin_database: Any,
    asterisk_unit: Any,
    carrier: Any,
    tmp_path: Path,
) -> Iterator[tuple[Agency, Any, Any]]:
    unit = asterisk_unit(
        {
            **QUEUES,
            "extensions.d/inbound.conf": INBOUND,
            "pjsip.d/carrier.conf": carrier.unit_trunk_config(),
            "pjsip.d/workplace.conf": workplace_phone(carrier),
            "features.conf": FEATURES,
        }
    )
    carrier.point_at(unit)
    carrier.set_inbound("answer", playback="beep", hold=1)
    with call_center_model(admin_database, unit, getattr(request, "param", False)):
        agency = write_agency(tmp_path, admin_database, make_license(tmp_path))
        agency.unit = unit
        agency.start()
        try:
            yield agency, unit, carrier
        finally:
            agency.stop()


async def logged_in(agency: Agency, http: aiohttp.ClientSession) -> Terminal:
    return await logged_in_terminal(agency.url, http)


async def test_an_inbound_call_rings_the_workplace_and_ends_in_wrapup_then_ready(
    phone_agency: tuple[Agency, Any, Any],
) -> None:
    agency, _, carrier = phone_agency
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(agency, http)
        call = carrier.start_call("7100", caller_id='"Petrov" <79161234567>', hold=20)

        incoming = await until(terminal, "call_incoming")
        data = incoming["data"]
        assert data["number"] == "79161234567"
        assert data["caller_name"] == "Petrov"
        assert data["topic"]["number"] == "7100"
        assert data["script_url"] == "https://crm.test/script?t=7100"
        assert data["group"] == "support"
        answered = await until(terminal, "call_answered")
        assert answered["data"]["call_id"] == data["call_id"]
        ended = await until(terminal, "call_ended")
        assert ended["data"]["call_id"] == data["call_id"]
        states = []
        while "ready" not in states:
            states.append((await until(terminal, "state_changed"))["data"]["state"])
        assert "talking" in states and "wrapup" in states
        assert states.index("wrapup") < states.index("ready")
        call.wait_ended(30)


@pytest.mark.parametrize("phone_agency", [True], indirect=True)
async def test_a_topic_that_hides_the_number_shows_hidden(
    phone_agency: tuple[Agency, Any, Any],
) -> None:
    agency, _, carrier = phone_agency
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(agency, http)
        call = carrier.start_call("7100", caller_id='"Petrov" <79161234567>', hold=20)
        incoming = await until(terminal, "call_incoming")
        assert incoming["data"]["number"] == "hidden"
        assert incoming["data"]["caller_name"] == ""
        await until(terminal, "call_ended")
        call.wait_ended(30)


async def test_click_to_dial_goes_out_through_the_topic_prefix(
    phone_agency: tuple[Agency, Any, Any],
) -> None:
    agency, _, carrier = phone_agency
    since = carrier.events.mark()
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(agency, http)
        refused = await terminal.call("dial", {"number": "89001234567", "topic": "111"})
        assert refused["name"] == "not_allowed"  # Inbound mode dials from Pause only
        await terminal.call("set_mode", {"mode": "outbound", "topic": "111"})
        reply = await terminal.call("dial", {"number": "89001234567"})
        assert reply["name"] == "dial.result", reply
        call_id = reply["data"]["call_id"]
        wait_for_number(carrier, "89001234567", since)
        answered = await until(terminal, "call_answered")
        assert answered["data"]["call_id"] == call_id
        ended = await until(terminal, "call_ended")
        assert ended["data"]["call_id"] == call_id


def wait_for_number(carrier: Any, number: str, since: int = 0) -> None:
    """The carrier (fresh for each test) received a call for ``number``."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if any(call.number == number for call in carrier.received_calls()):
            return
        time.sleep(0.1)
    raise AssertionError(f"the carrier received no call for {number}")


async def answered_inbound(agency: Agency, carrier: Any, http: aiohttp.ClientSession) -> Terminal:
    """A caller talking to the operator: answered, and the two legs bridged on the unit."""
    carrier.set_inbound("answer", playback="beep", hold=30)
    terminal = await logged_in(agency, http)
    carrier.start_call("7100", caller_id='"Petrov" <79161234567>', hold=60)
    await until(terminal, "call_answered")
    for _ in range(50):
        if any(" 2 " in line for line in agency.unit.cli("bridge show all").splitlines()):
            break
        await asyncio.sleep(0.1)
    return terminal


async def consulting(agency: Agency, carrier: Any, http: aiohttp.ClientSession) -> Terminal:
    """The operator talks to a caller and consults a carrier number (answered)."""
    terminal = await answered_inbound(agency, carrier, http)
    since = carrier.events.mark()
    reply = await terminal.call("transfer_consult", {"number": "11189005551234"})
    assert reply["name"] == "transfer_consult.result", reply
    wait_for_number(carrier, "89005551234", since)
    answered = await until(terminal, "call_answered")
    assert answered["data"]["call_id"] == reply["data"]["call_id"]
    return terminal


async def test_attended_transfer_consults_then_completes(
    phone_agency: tuple[Agency, Any, Any],
) -> None:
    agency, unit, carrier = phone_agency
    with unit.ami() as ami:
        mark = ami.mark()
        async with aiohttp.ClientSession() as http:
            terminal = await consulting(agency, carrier, http)
            assert (await terminal.call("transfer_complete"))["name"] == "transfer_complete.result"
            done = ami.wait_event(lambda e: e.name == "AttendedTransfer", 20, mark)
            assert done["Result"] == "Success"
            states = []
            while "ready" not in states:
                states.append((await until(terminal, "state_changed"))["data"]["state"])
            assert "wrapup" in states


async def test_attended_transfer_can_be_cancelled(phone_agency: tuple[Agency, Any, Any]) -> None:
    agency, unit, carrier = phone_agency
    async with aiohttp.ClientSession() as http:
        terminal = await consulting(agency, carrier, http)
        cancelled = await terminal.call("transfer_cancel")
        assert cancelled["name"] == "transfer_cancel.result", cancelled
        for _ in range(50):
            channels = unit.cli("core show channels concise")
            if "Local/" not in channels:
                break
            await asyncio.sleep(0.2)
        assert "Local/" not in channels and "PJSIP/201-" in channels
        session = (await terminal.call("ping"), agency.get("/api/clients", agency.token)[1])[1]
        assert session["clients"][0]["session"]["state"] == "talking"


async def wait_conference(unit: Any, room: str, members: int) -> str:
    shown = ""
    for _ in range(75):
        shown = unit.cli(f"confbridge list {room}")
        if sum(1 for line in shown.splitlines() if "PJSIP/" in line or "Local/" in line) >= members:
            return shown
        await asyncio.sleep(0.2)
    raise AssertionError(f"conference {room} has not {members} members:\n{shown}")


async def test_conference_with_a_number(phone_agency: tuple[Agency, Any, Any]) -> None:
    agency, unit, carrier = phone_agency
    async with aiohttp.ClientSession() as http:
        terminal = await answered_inbound(agency, carrier, http)
        since = carrier.events.mark()
        reply = await terminal.call("conference", {"number": "11189005551234"})
        assert reply["name"] == "conference.result", reply
        wait_for_number(carrier, "89005551234", since)
        shown = await wait_conference(unit, "2010", 3)
        assert "PJSIP/201-" in shown and "PJSIP/carrier-00000000" in shown  # the caller


async def test_conference_of_the_held_call_and_the_consulted_party(
    phone_agency: tuple[Agency, Any, Any],
) -> None:
    agency, unit, carrier = phone_agency
    async with aiohttp.ClientSession() as http:
        terminal = await consulting(agency, carrier, http)
        reply = await terminal.call("conference")
        assert reply["name"] == "conference.result", reply
        shown = await wait_conference(unit, "2010", 3)  # the consulted party is the third
        assert "PJSIP/201-" in shown and "PJSIP/carrier-00000000" in shown


async def reload_dialplan(unit: Any) -> None:
    """``module reload pbx_config.so`` drops the contexts added over AMI; the agency, told by
    the Reload event, adds them again."""
    unit.cli("module reload pbx_config.so")
    for _ in range(50):
        if "'held' =>" in unit.cli("dialplan show uzor-agency-hold"):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the agency did not add its hold context again after the reload")


@pytest.mark.parametrize("reload", [False, True], ids=["plain", "after-a-dialplan-reload"])
async def test_hold_plays_music_to_the_caller_and_unhold_reconnects(
    phone_agency: tuple[Agency, Any, Any], reload: bool
) -> None:
    agency, unit, carrier = phone_agency
    if reload:
        await reload_dialplan(unit)
    async with aiohttp.ClientSession() as http:
        terminal = await answered_inbound(agency, carrier, http)
        assert (await terminal.call("hold"))["name"] == "hold.result"
        assert (await until(terminal, "call_held"))["data"]["call_id"]
        # the test unit has no music-on-hold files: the caller waits in the hold context
        channels = ""
        for _ in range(50):
            channels = unit.cli("core show channels concise")
            if "PJSIP/carrier-00000000!uzor-agency-hold!held!" in channels:
                break
            await asyncio.sleep(0.2)
        assert "PJSIP/carrier-00000000!uzor-agency-hold!held!" in channels, channels
        assert "PJSIP/201-00000001!uzor-agency-hold!operator!" in channels, channels
        assert (await terminal.call("unhold"))["name"] == "unhold.result"
        await until(terminal, "call_unheld")
        for _ in range(50):
            bridges = unit.cli("bridge show all")
            if any(" 2 " in line for line in bridges.splitlines()[1:]):
                break
            await asyncio.sleep(0.2)
        assert any(" 2 " in line for line in bridges.splitlines()[1:]), bridges
        session = agency.get("/api/clients", agency.token)[1]["clients"][0]["session"]
        assert session["state"] == "talking"


async def test_blind_transfer_sends_the_caller_to_the_number(
    phone_agency: tuple[Agency, Any, Any],
) -> None:
    agency, unit, carrier = phone_agency
    with unit.ami() as ami:
        mark = ami.mark()
        async with aiohttp.ClientSession() as http:
            terminal = await answered_inbound(agency, carrier, http)
            since = carrier.events.mark()
            reply = await terminal.call("transfer_blind", {"number": "11189005551234"})
            assert reply["name"] == "transfer_blind.result", reply
            wait_for_number(carrier, "89005551234", since)
            done = ami.wait_event(lambda e: e.name == "BlindTransfer", 20, mark)
            assert done["Result"] == "Success"
            assert done["TransfereeChannel"].startswith("PJSIP/carrier-00000000")
            await until(terminal, "call_ended")


async def test_dtmf_reaches_the_caller(phone_agency: tuple[Agency, Any, Any]) -> None:
    agency, _, carrier = phone_agency
    with carrier.unit.ami() as far_end:
        async with aiohttp.ClientSession() as http:
            terminal = await answered_inbound(agency, carrier, http)
            mark = far_end.mark()
            reply = await terminal.call("dtmf", {"digits": "42#"})
            assert reply["name"] == "dtmf.result", reply

            def received() -> list[str]:
                return [
                    e["Digit"]
                    for e in list(far_end.events)[mark:]
                    if e.name == "DTMFEnd" and e.get("Direction") == "Received"
                ]

            for _ in range(100):
                if len(received()) >= 3:
                    break
                await asyncio.sleep(0.2)
            assert received()[:3] == ["4", "2", "#"]
