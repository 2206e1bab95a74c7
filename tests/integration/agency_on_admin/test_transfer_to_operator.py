"""A call flow's transfer to an operator, end to end: the real agency logs operator 101 in on
workplace 1001 and publishes it in a global variable on the unit; the carrier calls the DID,
the topic's flow transfers to operator 101 and the registered workplace rings and answers.
After the logout the global is empty and the same call goes on to the flow's next node."""

from __future__ import annotations

from collections.abc import Iterator

import aiohttp
import pytest

from appliance.admin.callcenter.apply import apply_dialplan
from testkit.agency_site import DID, TOPIC, Site, logged_in
from testkit.ami import AmiError

pytestmark = pytest.mark.integration

FLOW = {
    "version": 1,
    "nodes": [
        {"id": "start", "kind": "start", "next": "op"},
        {
            "id": "op",
            "kind": "transfer",
            "target": "operator",
            "number": "101",
            "ring": 20,
            "next": "bye",
        },
        {"id": "bye", "kind": "hangup", "answer": True},
    ],
}


@pytest.fixture
def flow_site(site: Site) -> Iterator[Site]:
    """The site with its topic following FLOW (applied again on the unit)."""
    site.model.topic.flow = FLOW
    site.model.topic.save()
    results = apply_dialplan()
    assert all(r.ok for r in results), results
    yield site


async def test_the_flow_rings_the_workplace_where_the_agency_logged_the_operator_in(
    flow_site: Site,
) -> None:
    site = flow_site
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(site, http)
        published = site.unit.cli("dialplan show globals")
        with site.unit.ami() as ami:
            site.phone.answer(1)
            mark = ami.mark()
            call = site.carrier.start_call(DID, caller_id='"Petrov" <79161234567>')
            dialed = ami.wait_event(
                lambda e: e.name == "DialEnd" and e.get("DialStatus") == "ANSWER", 30, mark
            )
            call.hangup()
            site.phone.wait()

            assert (await terminal.call("logout"))["name"] == "logout.result"
            withdrawn = site.unit.cli("dialplan show globals")
            mark = ami.mark()
            report = site.carrier.call(DID, hold=30)
            with pytest.raises(AmiError):
                ami.wait_event("DialBegin", 0, mark)

    assert "UZOR_OPERATOR_101=1001" in published, published
    assert dialed["DestChannel"].startswith("PJSIP/1001-")
    assert dialed["Context"] == "Inbound" and dialed["Exten"] == TOPIC
    assert "UZOR_OPERATOR_101=1001" not in withdrawn, withdrawn
    assert report.answered and report.cause == 16  # not logged in: on to the hang-up node
