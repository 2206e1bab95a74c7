"""A topic that hides the caller's number keeps it hidden from the operator a call is transferred
to: a colleague must not learn by a blind transfer what the first operator was not shown."""

from __future__ import annotations

import aiohttp
import pytest

from testkit.agency import until
from testkit.agency_site import (
    DID,
    Site,
    colleague_logged_in,
    logged_in,
)
from testkit.phone import WorkplacePhone

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("site", [True], indirect=True)  # the topic hides the number
async def test_a_hidden_number_stays_hidden_after_a_blind_transfer(site: Site) -> None:
    second = WorkplacePhone(site.unit.sip_host, site.unit.sip_port, "1002", site.second_secret)
    try:
        second.register()
        async with aiohttp.ClientSession() as http:
            colleague = await colleague_logged_in(site, http)  # operator 102 on workplace 1002
            terminal = await logged_in(site, http)
            site.phone.answer(1)
            second.answer(1)
            call = site.carrier.start_call(DID, caller_id='"Petrov" <79161234567>', hold=12)
            incoming = (await until(terminal, "call_incoming"))["data"]
            assert incoming["number"] == "hidden"
            await until(terminal, "call_answered")
            reply = await terminal.call("transfer_blind", {"number": "1002"})
            assert reply["name"] == "transfer_blind.result", reply

            transferred = (await until(colleague, "call_incoming"))["data"]
            assert transferred["number"] == "hidden"
            assert transferred["caller_name"] == ""
            await until(colleague, "call_answered")
            call.wait_ended(30)
            second.wait()
            site.phone.wait()
    finally:
        second.close()
