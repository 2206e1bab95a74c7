"""A call the workplace's phone places itself (its own dial pad, not the ``dial`` action) is
followed like one started with ``dial``: dialing, answered, ended. The unit is configured only
by Apply Dialplan; SIPp calls as workplace 1001 through the outbound topic's prefix and the
route to the carrier."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from testkit.agency import until
from testkit.agency_site import Site, logged_in
from testkit.workplace_sipp import call_as_workplace

pytestmark = pytest.mark.integration


async def test_a_call_the_phone_dials_itself_is_followed_like_dial(site: Site) -> None:
    site.carrier.set_inbound("answer", playback="beep", hold=5)
    since = site.carrier.events.mark()
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(site, http)
        mode = await terminal.call("set_mode", {"mode": "outbound", "topic": "111"})
        assert mode["name"] == "set_mode.result", mode
        target = (site.unit.sip_host, site.unit.sip_port)
        result = await asyncio.to_thread(
            call_as_workplace,
            target,
            "1001",
            site.model.workplace.sip_secret,
            "11189001234567",
            final=200,
        )
        assert result.returncode == 0, result.stdout[-2000:]
        assert site.carrier.wait_for_call(timeout=30, since=since).number == "89001234567"
        try:
            dialing = (await until(terminal, "call_dialing", 10))["data"]
            assert dialing["number"] == "89001234567"
            assert dialing["topic"] == {"prefix": "111"}
            answered = await until(terminal, "call_answered", 10)
            assert answered["data"]["call_id"] == dialing["call_id"]
            ended = await until(terminal, "call_ended", 10)
            assert ended["data"]["call_id"] == dialing["call_id"]
        except TimeoutError:
            pytest.fail(f"terminal got {terminal.events}\nagency log:\n{site.agency.tail()}")
