"""An operator who ends wrap-up early with Ready takes the next call at once.

Found by the load harness (bench/load): the generated queue carried ``wrapuptime`` = the
group's shortest operator wrap-up time, so Asterisk kept an operator out of the queue for that
long even after the agency unpaused them; with a long wrap-up time every operator took one call
and no more. Wrap-up is the agency's pause; the queue adds none of its own."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.models import Operator
from testkit.agency import until
from testkit.agency_site import DID, Site, logged_in

pytestmark = pytest.mark.integration

LONG_WRAPUP = 600  # seconds: far longer than the test waits for the second call


def _give_operator_101_a_long_wrapup() -> None:
    Operator.objects.filter(agent_number="101").update(wrapup_time=LONG_WRAPUP)
    assert all(result.ok for result in apply_dialplan())


async def test_ready_during_a_long_wrapup_makes_the_operator_take_the_next_call(
    site: Site,
) -> None:
    await asyncio.to_thread(_give_operator_101_a_long_wrapup)
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(site, http)
        site.phone.answer(1)
        first = site.carrier.start_call(DID, caller_id='"First" <79160000001>', hold=4)
        assert (await until(terminal, "call_incoming", 30))["data"]["number"] == "79160000001"
        await until(terminal, "call_ended", 40)
        state = ""
        while state != "wrapup":
            state = (await until(terminal, "state_changed", 30))["data"]["state"]
        first.wait_ended(30)
        site.phone.wait()

        ready = await terminal.call("set_state", {"state": "ready"})
        assert ready["data"]["state"] == "ready", ready
        site.phone.answer(1)
        second = site.carrier.start_call(DID, caller_id='"Second" <79160000002>', hold=4)
        incoming = (await until(terminal, "call_incoming", 30))["data"]
        assert incoming["number"] == "79160000002"
        await until(terminal, "call_ended", 40)
        second.wait_ended(30)
        site.phone.wait()
