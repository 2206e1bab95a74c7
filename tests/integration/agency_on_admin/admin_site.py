"""The site of the agency-on-admin tests: a unit configured ONLY by the admin's Apply Dialplan
(operator 101, group sales, workplaces 1001 and 1002, inbound topic reached by a DID through a
gateway and a transformation, outbound topic 111, route _89. through the gateway to the carrier),
the agency connected to it, and SIPp registered as workplace 1001's phone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.integration.dialplan.support import make_confgen_unit  # isort: split

from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.dialplan.tests.model import Model, build_model
from appliance.admin.callcenter.models import Group, Membership, Operator, PbxUnit, Workplace
from tests.integration.agency.harness import (
    PASSWORD,
    Agency,
    Terminal,
    logged_in_terminal,
    make_license,
    write_agency,
)
from tests.integration.agency_on_admin.phone import WorkplacePhone

DID = "74951234567"  # the gateway's DID; its context's transformation sends it to the topic
TOPIC = "74950000001"
SECOND_MAC = "E8-03-9A-B5-E0-CA"  # workplace 1002, where operator 102 logs in


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
    second = Workplace(number="1002", mac=SECOND_MAC)
    second.save()
    support = Group(name="support")  # operator 102's group: no topic rings it
    support.save()
    colleague = Operator(agent_number="102", wrapup_time=7)
    colleague.set_password(PASSWORD)
    colleague.save()
    Membership(operator=colleague, group=support).save()
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


async def logged_in(site: Site, http: aiohttp.ClientSession) -> Terminal:
    return await logged_in_terminal(site.agency.url, http)


async def colleague_logged_in(site: Site, http: aiohttp.ClientSession) -> Terminal:
    """Operator 102 on workplace 1002 (group support), Ready."""
    terminal = Terminal(await http.ws_connect(f"{site.agency.url}/ws"))
    login = {"agent": "102", "password": PASSWORD, "workplace": SECOND_MAC}
    reply = await terminal.call("login", login)
    assert reply["name"] == "login.result", reply
    return terminal
