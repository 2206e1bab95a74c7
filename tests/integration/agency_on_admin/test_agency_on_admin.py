"""The agency against a unit configured ONLY by the admin's Apply Dialplan: the model made with
the admin's Django models (operator, group, workplace, inbound topic reached by a DID through a
gateway and a transformation, outbound topic 111, route _89. through the gateway to the
carrier), served to the unit through uzor-confgen. The workplace's phone is SIPp registered as
the workplace endpoint; the terminal is the Python ACP client."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.integration.dialplan.support import make_confgen_unit  # isort: split

from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.dialplan.tests.model import Model, build_model
from appliance.admin.callcenter.models import PbxUnit, Workplace
from tests.integration.agency.harness import Agency, Terminal, make_license, write_agency
from tests.integration.agency_on_admin.phone import WorkplacePhone

pytestmark = pytest.mark.integration

DID = "74951234567"  # the gateway's DID; its context's transformation sends it to the topic
TOPIC = "74950000001"


@dataclass
class Site:
    model: Model
    unit: Any  # the Asterisk unit
    agency: Agency
    phone: WorkplacePhone
    carrier: Any
    second_secret: str  # SIP password of workplace 1002, the transfer target


@pytest.fixture
def site(
    request: pytest.FixtureRequest,
    *,
    tmp_path: Path,
    asterisk_unit: Any,
    admin_server: Any,
    admin_database: Any,
    carrier: Any,
) -> Iterator[Site]:
    model = build_model(tmp_path, gateway_host=carrier.unit.sip_host, gateway_port=carrier.sip_port)
    model.topic.non_working_schedules.set([])  # open around the clock
    model.topic.hide_caller_number = getattr(request, "param", False)
    model.topic.save()
    second = Workplace(number="1002", mac="E8-03-9A-B5-E0-CA")
    second.save()
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1")
    PbxUnit.objects.filter(pk=unit.pbx.pk).update(ws_address="wss://uzor.test/sip")
    carrier.point_at(unit.asterisk)
    results = apply_dialplan()
    assert all(r.ok for r in results), results
    ast = unit.asterisk
    phone = WorkplacePhone(ast.sip_host, ast.sip_port, "1001", model.workplace.sip_secret)
    agency = write_agency(tmp_path, admin_database, make_license(tmp_path))
    agency.unit = ast
    agency.start()
    try:
        phone.register()
        yield Site(model, ast, agency, phone, carrier, second.sip_secret)
    finally:
        phone.close()
        agency.stop()
        with admin_database.connect() as connection, connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS agency_interval, agency_session")


async def until(terminal: Terminal, name: str, timeout: float = 30) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for event in terminal.events:
            if event["name"] == name:
                terminal.events.remove(event)
                return event
        terminal.events.append(await terminal.next(max(0.1, deadline - loop.time())))


async def logged_in(site: Site, http: aiohttp.ClientSession) -> Terminal:
    terminal = Terminal(await http.ws_connect(f"{site.agency.url}/ws"))
    reply = await terminal.login()
    assert reply["name"] == "login.result", reply
    assert reply["data"]["sip"], reply
    return terminal


async def test_a_carrier_call_to_the_did_rings_the_workplace_and_ends_in_wrapup_then_ready(
    site: Site,
) -> None:
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(site, http)
        queue = site.unit.cli("queue show sales")
        assert "PJSIP/1001" in queue, queue
        site.phone.answer(1)
        call = site.carrier.start_call(DID, caller_id='"Petrov" <79161234567>', hold=8)

        incoming = (await until(terminal, "call_incoming"))["data"]
        assert incoming["number"] == "79161234567"
        assert incoming["caller_name"] == "Petrov"
        assert incoming["topic"]["number"] == TOPIC
        assert incoming["script_url"] == "https://crm.example/s?id=1"
        assert incoming["group"] == "sales"
        answered = await until(terminal, "call_answered")
        assert answered["data"]["call_id"] == incoming["call_id"]
        ended = await until(terminal, "call_ended")
        assert ended["data"]["call_id"] == incoming["call_id"]
        states: list[str] = []
        while "ready" not in states:
            states.append((await until(terminal, "state_changed", 40))["data"]["state"])
        assert "talking" in states and "wrapup" in states
        assert states.index("wrapup") < states.index("ready")
        assert call.wait_ended(30).answered
        site.phone.wait()

        assert (await terminal.call("logout"))["name"] == "logout.result"
        assert "PJSIP/1001" not in site.unit.cli("queue show sales")


@pytest.mark.parametrize("site", [True], indirect=True)
async def test_a_topic_that_hides_the_number_shows_hidden(site: Site) -> None:
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(site, http)
        site.phone.answer(1)
        call = site.carrier.start_call(DID, caller_id='"Petrov" <79161234567>', hold=6)
        incoming = (await until(terminal, "call_incoming"))["data"]
        assert incoming["number"] == "hidden"
        assert incoming["caller_name"] == ""
        assert incoming["topic"]["number"] == TOPIC
        await until(terminal, "call_ended")
        call.wait_ended(30)
        site.phone.wait()


async def test_click_to_dial_reaches_the_carrier_with_the_routes_caller_id(site: Site) -> None:
    site.carrier.set_inbound("answer", playback="beep", hold=2)
    since = site.carrier.events.mark()
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(site, http)
        mode = await terminal.call("set_mode", {"mode": "outbound", "topic": "111"})
        assert mode["name"] == "set_mode.result", mode
        site.phone.answer(1, ring_ms=200)
        reply = await terminal.call("dial", {"number": "89001234567"})
        assert reply["name"] == "dial.result", reply

        received = site.carrier.wait_for_call(timeout=30, since=since)
        assert received.number == "89001234567"
        assert received.caller_id_num == "74951112233"  # the route's caller ID
        answered = await until(terminal, "call_answered")
        assert answered["data"]["call_id"] == reply["data"]["call_id"]
        await until(terminal, "call_ended")
        site.phone.wait()


async def test_a_blind_transfer_sends_the_caller_to_another_workplace(site: Site) -> None:
    second = WorkplacePhone(site.unit.sip_host, site.unit.sip_port, "1002", site.second_secret)
    try:
        second.register()
        await blind_transfer_to(site, second)
    finally:
        second.close()


async def blind_transfer_to(site: Site, second: WorkplacePhone) -> None:
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(site, http)
        site.phone.answer(1)
        second.answer(1)
        call = site.carrier.start_call(DID, caller_id='"Petrov" <79161234567>', hold=15)
        incoming = (await until(terminal, "call_incoming"))["data"]
        await until(terminal, "call_answered")
        with site.unit.ami() as ami:
            mark = ami.mark()
            reply = await terminal.call("transfer_blind", {"number": "1002"})
            assert reply["name"] == "transfer_blind.result", reply
            done = ami.wait_event(lambda e: e.name == "BlindTransfer", 20, mark)
            assert done["Result"] == "Success"
            assert done["TransfereeChannel"].startswith("PJSIP/sipnet-")  # the caller
            bridged = ami.wait_event(
                lambda e: e.name == "DialEnd" and e.get("DestChannel", "")[:11] == "PJSIP/1002-",
                20, mark,
            )  # fmt: skip
            assert bridged["DialStatus"] == "ANSWER"
        ended = await until(terminal, "call_ended")
        assert ended["data"]["call_id"] == incoming["call_id"]
        site.phone.wait()  # the first workplace was released
        assert call.wait_ended(30).answered
        second.wait()  # the second workplace talked to the caller until the caller hung up
