"""The agency against a unit configured ONLY by the admin's Apply Dialplan: the model made with
the admin's Django models (operator, group, workplace, inbound topic reached by a DID through a
gateway and a transformation, outbound topic 111, route _89. through the gateway to the
carrier), served to the unit through uzor-confgen. The workplace's phone is SIPp registered as
the workplace endpoint; the terminal is the Python ACP client."""

from __future__ import annotations

import aiohttp
import pytest

from testkit.agency import until
from testkit.agency_site import (
    DID,
    TOPIC,
    Site,
    colleague_logged_in,
    logged_in,
)
from testkit.phone import WorkplacePhone

pytestmark = pytest.mark.integration


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
        colleague = await colleague_logged_in(site, http)  # operator 102 on workplace 1002
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
                20,
                mark,
            )
            assert bridged["DialStatus"] == "ANSWER"
        ended = await until(terminal, "call_ended")
        assert ended["data"]["call_id"] == incoming["call_id"]
        site.phone.wait()  # the first workplace was released
        assert call.wait_ended(30).answered
        second.wait()  # the second workplace talked to the caller until the caller hung up
        transferred = (await until(colleague, "call_incoming"))["data"]
        assert transferred["number"] == "79161234567"  # operator 102 sees the caller
        assert (await until(colleague, "call_answered"))["data"]["call_id"] == transferred[
            "call_id"
        ]
        assert (await until(colleague, "call_ended"))["data"]["call_id"] == transferred["call_id"]
