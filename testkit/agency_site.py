"""The site of the agency-on-admin tests: a unit configured ONLY by the admin's Apply Dialplan
(operator 101, group sales, workplaces 1001 and 1002, inbound topic reached by a DID through a
gateway and a transformation, outbound topic 111, route _89. through the gateway to the carrier),
the agency connected to it, and SIPp registered as workplace 1001's phone (``running_site``;
the ``site`` fixture of tests/integration/agency_on_admin). ``prepare_model`` and
``add_colleague`` are shared with the webagent's site."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from testkit.dialplan import make_confgen_unit  # isort: split

from appliance.admin.callcenter import supervisor_signing
from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.dialplan.tests.model import Model, build_model
from appliance.admin.callcenter.models import Group, Membership, Operator, PbxUnit, Workplace
from testkit.agency import (
    PASSWORD,
    Agency,
    Terminal,
    logged_in_terminal,
    make_license,
    write_agency,
)
from testkit.phone import WorkplacePhone

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


def prepare_model(tmp_path: Path, carrier: Any, *, hide_caller_number: bool = False) -> Model:
    """The walkthrough's call center (tests' model) aimed at ``carrier``, its topic open around
    the clock, plus operator 102 (group support, which no topic rings) and workplace 1002 at
    SECOND_MAC: the transfer target of the call and browser tests. The topic is saved by the
    caller (it may change more first)."""
    model = build_model(tmp_path, gateway_host=carrier.unit.sip_host, gateway_port=carrier.sip_port)
    model.topic.non_working_schedules.set([])  # open around the clock
    model.topic.hide_caller_number = hide_caller_number
    return model


def add_colleague() -> Workplace:
    """Workplace 1002 at SECOND_MAC and operator 102 (wrap-up 7 s) in group support."""
    second = Workplace(number="1002", mac=SECOND_MAC)
    second.save()
    support = Group(name="support")  # operator 102's group: no topic rings it
    support.save()
    colleague = Operator(agent_number="102", wrapup_time=7)
    colleague.set_password(PASSWORD)
    colleague.save()
    Membership(operator=colleague, group=support).save()
    return second


def drop_agency_tables(database: Any) -> None:
    """The tables the agency made in the admin's database (intervals, sessions, dispositions,
    call records)."""
    with database.connect() as connection, connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS agency_interval, agency_session, agency_disposition, agency_call"
        )


@contextlib.contextmanager
def running_site(
    *,
    tmp_path: Path,
    units: Any,
    admin_server: Any,
    admin_database: Any,
    carrier: Any,
    hide_caller_number: bool = False,
) -> Iterator[Site]:
    """The whole site, up; ``units`` makes Asterisk units (the ``asterisk_unit`` fixture)."""
    model = prepare_model(tmp_path, carrier, hide_caller_number=hide_caller_number)
    model.topic.save()
    second = add_colleague()
    unit = make_confgen_unit(units, admin_server, "pbx1")
    PbxUnit.objects.filter(pk=unit.pbx.pk).update(ws_address="wss://uzor.test/sip")
    carrier.point_at(unit.asterisk)
    results = apply_dialplan()
    assert all(r.ok for r in results), results
    ast = unit.asterisk
    phone = WorkplacePhone(ast.sip_host, ast.sip_port, "1001", model.workplace.sip_secret)
    wallboard_key = tmp_path / "supervisor_key.pub"  # as the configurator writes it
    wallboard_key.write_text(supervisor_signing.public_key_text() + "\n")
    agency = write_agency(
        tmp_path, admin_database, make_license(tmp_path), wallboard_key=wallboard_key
    )
    agency.unit = ast
    agency.start()
    try:
        phone.register()
        yield Site(model, ast, agency, phone, carrier, second.sip_secret)
    finally:
        phone.close()
        agency.stop()
        drop_agency_tables(admin_database)


async def logged_in(site: Site, http: aiohttp.ClientSession) -> Terminal:
    return await logged_in_terminal(site.agency.url, http)


async def colleague_logged_in(site: Site, http: aiohttp.ClientSession) -> Terminal:
    """Operator 102 on workplace 1002 (group support), Ready."""
    terminal = Terminal(await http.ws_connect(f"{site.agency.url}/ws"))
    login = {"agent": "102", "password": PASSWORD, "workplace": SECOND_MAC}
    reply = await terminal.call("login", login)
    assert reply["name"] == "login.result", reply
    return terminal
