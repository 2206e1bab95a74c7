"""Toll fraud through ACP, played as the review found it: an operator logged in on a registered
workplace asks the real agency to dial with dial-string syntax in the topic or the number, and
then a number outside every route. No call leaves through the trunk: the carrier sees nothing."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from testkit.agency import until
from testkit.agency_site import Site, logged_in

pytestmark = pytest.mark.integration

EXPLOIT = {"number": "1234567", "topic": "11189&PJSIP/00442079460000@sipnet&PJSIP/89"}
TRICKS = [
    EXPLOIT,
    {"number": "1234567", "topic": "999"},  # no such outbound topic
    {"number": "89001234567&PJSIP/00442079460000@sipnet"},
    {"number": "89001234567,tT"},
    {"number": "00442079460000@sipnet"},
    {"number": "89001234567\n"},
]


async def test_dial_string_tricks_and_unrouted_numbers_never_reach_the_carrier(site: Site) -> None:
    site.carrier.set_inbound("answer", playback="beep", hold=2)
    before = len(site.carrier.received_calls())
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(site, http)
        for topic in (EXPLOIT["topic"], "999", "111\n"):
            mode = await terminal.call("set_mode", {"mode": "outbound", "topic": topic})
            assert (mode["type"], mode["name"]) == ("error", "invalid_data"), mode
        mode = await terminal.call("set_mode", {"mode": "outbound", "topic": "111"})
        assert mode["name"] == "set_mode.result", mode
        for data in TRICKS:
            reply = await terminal.call("dial", data)
            assert (reply["type"], reply["name"]) == ("error", "invalid_data"), (data, reply)

        site.phone.answer(1, ring_ms=200)  # the workplace answers; the unit finds no route
        with site.unit.ami() as ami:
            mark = ami.mark()
            reply = await terminal.call("dial", {"number": "00442079460000"})
            assert reply["name"] == "dial.result", reply
            refused = ami.wait_event(
                lambda e: e.name == "Hangup" and e.get("Context") == "uzor-routes", 30, mark
            )
        assert refused["Cause"] == "3"  # no route to destination
        await until(terminal, "call_ended")
        site.phone.wait()

    await asyncio.sleep(2)  # a call through the trunk would have reached the carrier by now
    assert site.carrier.received_calls()[before:] == []
