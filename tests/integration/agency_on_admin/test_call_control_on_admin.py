"""Server-side call control on a unit configured ONLY by the admin's Apply Dialplan: hold and
conference after an Apply made while the agency is connected (the reload of pbx_config must not
take the agency's dialplan away), attended transfer to another workplace and to a carrier
number, completed and cancelled."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import aiohttp
import pytest
from django.db import connections

from testkit.agency_site import (  # isort: split
    DID,
    Site,
    colleague_logged_in,
    logged_in,
)

from appliance.admin.callcenter.apply import apply_dialplan
from appliance.contracts.agency_dialplan import AGENCY_DIALPLAN
from testkit.agency import Terminal, until
from testkit.phone import WorkplacePhone

pytestmark = pytest.mark.integration

CARRIER_NUMBER = "89005551234"  # reached through outbound topic 111 and route _89.


@pytest.fixture
def second(site: Site) -> Iterator[WorkplacePhone]:
    """Workplace 1002's phone, registered: the target of transfers between workplaces."""
    phone = WorkplacePhone(site.unit.sip_host, site.unit.sip_port, "1002", site.second_secret)
    try:
        phone.register()
        yield phone
    finally:
        phone.close()


async def apply_now() -> None:
    """Apply Dialplan (reloads pbx_config among others) from a worker thread, as the admin's
    request does, while the agency stays connected."""

    def run() -> None:
        try:
            results = apply_dialplan()
            assert all(r.ok for r in results), results
        finally:
            connections.close_all()

    await asyncio.to_thread(run)


def bridges(site: Site) -> dict[str, str]:
    """Every channel of the unit and the bridge it is in ("" when in none)."""
    with site.unit.ami() as ami:
        _, channels = ami.action_list("CoreShowChannels")
    return {c["Channel"]: c.get("BridgeId", "") for c in channels if "Channel" in c}


async def bridged(site: Site, *prefixes: str, timeout: float = 20) -> dict[str, str]:
    """Wait until one channel of each prefix sits in the same bridge, and nothing else does."""
    shown: dict[str, str] = {}
    for _ in range(int(timeout / 0.2)):
        shown = bridges(site)
        for bridge in {b for b in shown.values() if b}:
            members = [c for c, b in shown.items() if b == bridge]
            if len(members) == len(prefixes) and all(
                any(c.startswith(p) for c in members) for p in prefixes
            ):
                return shown
        await asyncio.sleep(0.2)
    raise AssertionError(f"no bridge of exactly {prefixes}: {shown}")


async def answered_call(site: Site, http: aiohttp.ClientSession, hold: float = 40) -> Terminal:
    """Operator 101 logged in on workplace 1001, talking to a carrier caller (bridged)."""
    return await talking(site, await logged_in(site, http), hold)


async def talking(site: Site, terminal: Terminal, hold: float = 40) -> Terminal:
    """A carrier caller reaches the logged-in operator 101, who answers (legs bridged)."""
    site.phone.answer(1)
    site.carrier.start_call(DID, caller_id='"Petrov" <79161234567>', hold=hold)
    await until(terminal, "call_answered")
    await bridged(site, "PJSIP/1001-", "PJSIP/sipnet-")
    return terminal


async def in_hold_context(site: Site, caller: str, workplace: str) -> None:
    """The caller waits in the agency's hold context (``held``), the workplace's channel too
    (``operator``)."""
    channels: list[str] = []
    for _ in range(50):
        channels = site.unit.cli("core show channels concise").splitlines()
        places = {
            line.split("!")[0].rsplit("-", 1)[0] + "-": line.split("!")[1:3]
            for line in channels
            if "!" in line
        }
        if places.get(caller) == ["uzor-agency-hold", "held"] and places.get(workplace) == [
            "uzor-agency-hold",
            "operator",
        ]:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("\n".join(channels))


async def states_until_ready(terminal: Terminal) -> list[str]:
    states: list[str] = []
    while "ready" not in states:
        states.append((await until(terminal, "state_changed", 40))["data"]["state"])
    return states


async def test_hold_and_unhold_work_after_an_apply_made_while_the_agency_is_connected(
    site: Site,
) -> None:
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(site, http)
        await apply_now()
        await talking(site, terminal)
        with site.unit.ami() as ami:
            mark = ami.mark()
            assert (await terminal.call("hold"))["name"] == "hold.result"
            await until(terminal, "call_held")
            music = ami.wait_event(
                lambda e: e.name == "MusicOnHoldStart" and e["Channel"].startswith("PJSIP/sipnet-"),
                20,
                mark,
            )
        assert music["Class"] == "uzor-hold"  # the group's hold sound
        await in_hold_context(site, "PJSIP/sipnet-", "PJSIP/1001-")
        assert (await terminal.call("unhold"))["name"] == "unhold.result"
        await until(terminal, "call_unheld")
        await bridged(site, "PJSIP/1001-", "PJSIP/sipnet-")
        session = site.agency.get("/api/clients", site.agency.token)[1]["clients"][0]["session"]
        assert session["state"] == "talking"


def shown_dialplan(site: Site, context: str) -> list[tuple[str, str, str, str, str]]:
    """``dialplan show <context>`` as (context, extension, priority, application, data)."""
    rows, extension = [], ""
    for line in site.unit.cli(f"dialplan show {context}").splitlines():
        found = re.match(r"\s*(?:'([^']+)' =>)?\s+(\d+)\. (\w+)\((.*)\)\s+\[", line)
        if found:
            extension = found[1] or extension
            rows.append((context, extension, found[2], found[3], found[4]))
    return rows


async def test_the_dialplan_file_carries_the_agencys_contexts_through_a_silent_reload(
    site: Site,
) -> None:
    """``dialplan reload`` sends no Reload event, so the agency cannot add its contexts again:
    the admin's extensions.conf must hold them, exactly as the agency defines them."""
    site.unit.cli("dialplan reload")
    contexts = sorted({row[0] for row in AGENCY_DIALPLAN})
    shown = [row for context in contexts for row in shown_dialplan(site, context)]
    assert sorted(shown) == sorted(AGENCY_DIALPLAN)
    async with aiohttp.ClientSession() as http:
        terminal = await answered_call(site, http)
        site.unit.cli("dialplan reload")
        assert (await terminal.call("hold"))["name"] == "hold.result"
        await until(terminal, "call_held")
        for _ in range(50):
            channels = site.unit.cli("core show channels concise")
            if "!uzor-agency-hold!held!" in channels:
                break
            await asyncio.sleep(0.2)
        assert "!uzor-agency-hold!held!" in channels, channels


async def conference_of(site: Site, room: str, *members: str) -> str:
    """Wait until the ConfBridge ``room`` (the workplace's number and 0) shows every member."""
    shown = ""
    for _ in range(100):
        shown = site.unit.cli(f"confbridge list {room}")
        if all(m in shown for m in members):
            return shown
        await asyncio.sleep(0.2)
    raise AssertionError(f"conference {room} lacks one of {members}:\n{shown}")


async def test_a_conference_with_a_carrier_number_after_an_apply(site: Site) -> None:
    site.carrier.set_inbound("answer", playback="beep", hold=30)
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(site, http)
        await apply_now()
        await talking(site, terminal)
        since = site.carrier.events.mark()
        reply = await terminal.call("conference", {"number": f"111{CARRIER_NUMBER}"})
        assert reply["name"] == "conference.result", reply
        assert site.carrier.wait_for_call(30, since).number == CARRIER_NUMBER
        await conference_of(site, "10010", "PJSIP/1001-", "PJSIP/sipnet-", "Local/")


async def test_an_attended_transfer_to_another_workplace_completes(
    site: Site, second: WorkplacePhone
) -> None:
    async with aiohttp.ClientSession() as http:
        colleague = await colleague_logged_in(site, http)  # operator 102 on workplace 1002
        terminal = await answered_call(site, http, hold=20)
        second.answer(1)
        with site.unit.ami() as ami:
            mark = ami.mark()
            reply = await terminal.call("transfer_consult", {"number": "1002"})
            assert reply["name"] == "transfer_consult.result", reply
            answered = await until(terminal, "call_answered")
            assert answered["data"]["call_id"] == reply["data"]["call_id"]
            await bridged(site, "PJSIP/1001-", "Local/1002@Outbound-")  # A consults B
            incoming = (await until(colleague, "call_incoming"))["data"]
            assert incoming["number"] == "1001", incoming  # B sees A calling
            assert (await until(colleague, "call_answered"))["data"] == {
                "call_id": incoming["call_id"]
            }
            done = await terminal.call("transfer_complete")
            assert done["name"] == "transfer_complete.result", done
            transfer = ami.wait_event(lambda e: e.name == "AttendedTransfer", 20, mark)
            assert transfer["Result"] == "Success"
        await bridged(site, "PJSIP/sipnet-", "PJSIP/1002-")  # the caller talks to B
        states = await states_until_ready(terminal)
        assert "wrapup" in states  # A is free
        site.phone.wait()  # A's phone was hung up
        assert (await colleague.call("hold"))["name"] == "hold.result"  # B controls the call
        await until(colleague, "call_held")
        await in_hold_context(site, "PJSIP/sipnet-", "PJSIP/1002-")
        assert (await colleague.call("unhold"))["name"] == "unhold.result"
        await bridged(site, "PJSIP/sipnet-", "PJSIP/1002-")
        second.wait()  # B talked to the caller until the caller hung up
        ended = (await until(colleague, "call_ended"))["data"]
        assert ended["call_id"] == incoming["call_id"]
        assert "wrapup" in await states_until_ready(colleague)


async def test_an_attended_transfer_to_a_carrier_number_can_be_cancelled(site: Site) -> None:
    site.carrier.set_inbound("answer", playback="beep", hold=30)
    async with aiohttp.ClientSession() as http:
        terminal = await answered_call(site, http)
        since = site.carrier.events.mark()
        reply = await terminal.call("transfer_consult", {"number": f"111{CARRIER_NUMBER}"})
        assert reply["name"] == "transfer_consult.result", reply
        assert site.carrier.wait_for_call(30, since).number == CARRIER_NUMBER
        answered = await until(terminal, "call_answered")
        assert answered["data"]["call_id"] == reply["data"]["call_id"]
        cancelled = await terminal.call("transfer_cancel")
        assert cancelled["name"] == "transfer_cancel.result", cancelled
        shown = await bridged(site, "PJSIP/1001-", "PJSIP/sipnet-")  # A is back with the caller
        for _ in range(50):
            if not any(c.startswith("Local/") for c in shown):
                break
            await asyncio.sleep(0.2)
            shown = bridges(site)
        assert not any(c.startswith("Local/") for c in shown), shown  # the consultation ended
        session = site.agency.get("/api/clients", site.agency.token)[1]["clients"][0]["session"]
        assert session["state"] == "talking"
        assert [c["state"] for c in session["calls"]] == ["talking"]


async def test_a_conference_of_the_held_caller_and_the_consulted_workplace(
    site: Site, second: WorkplacePhone
) -> None:
    async with aiohttp.ClientSession() as http:
        terminal = await answered_call(site, http)
        second.answer(1)
        reply = await terminal.call("transfer_consult", {"number": "1002"})
        assert reply["name"] == "transfer_consult.result", reply
        await until(terminal, "call_answered")
        conference = await terminal.call("conference")
        assert conference["name"] == "conference.result", conference
        shown = await conference_of(site, "10010", "PJSIP/1001-", "PJSIP/sipnet-", "/1002")
        assert "PJSIP/1002-" in shown or "Local/1002@Outbound-" in shown, shown


async def test_a_transfer_to_a_colleague_in_outbound_mode_is_refused_and_the_call_stays(
    site: Site,
) -> None:
    async with aiohttp.ClientSession() as http:
        colleague = await colleague_logged_in(site, http)  # operator 102 on workplace 1002
        mode = await colleague.call("set_mode", {"mode": "outbound"})
        assert mode["name"] == "set_mode.result", mode
        terminal = await answered_call(site, http)
        for kind in ("transfer_blind", "transfer_consult"):
            reply = await terminal.call(kind, {"number": "1002"})
            assert reply["name"] == "not_allowed", reply
            assert "Outbound" in reply["data"]["message"], reply
        await bridged(site, "PJSIP/1001-", "PJSIP/sipnet-")  # still talking to the caller
