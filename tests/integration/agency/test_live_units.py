"""The running agency picks up PBX units added, disabled and removed in the admin's table, with
no restart: the real agency, the admin's model in a real MariaDB (saved with its Django models,
as the admin does), real Asterisk 22 units."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from testkit.agency import (
    PASSWORD,
    WORKPLACE_MAC,
    Agency,
    Terminal,
    make_license,
    until,
    write_agency,
)
from tests.integration.agency.test_agency import QUEUES, member_line, wait_for

pytestmark = pytest.mark.integration

SECOND_MAC = "E8-03-9A-B5-E0-CA"


@contextlib.contextmanager
def operators_without_units(db: Any) -> Iterator[None]:
    """Operators 101 (workplace 201) and 102 (workplace 202) in group support; no PBX unit."""
    from appliance.admin.callcenter.models import Group, Membership, Operator, Workplace

    made: list[Any] = [Group.objects.create(name="support", description="Support line")]
    for agent, number, mac in (("101", "201", WORKPLACE_MAC), ("102", "202", SECOND_MAC)):
        operator = Operator(agent_number=agent, first_name="Op" + agent, wrapup_time=2)
        operator.set_password(PASSWORD)
        operator.save()
        Membership.objects.create(operator=operator, group=made[0], priority=1)
        made += [operator, Workplace.objects.create(number=number, mac=mac)]
    try:
        yield
    finally:
        from appliance.admin.callcenter.models import PbxUnit

        PbxUnit.objects.all().delete()
        for obj in reversed(made):
            obj.delete()
        with db.connect() as connection, connection.cursor() as cursor:
            cursor.execute(
                "DROP TABLE IF EXISTS agency_interval, agency_session, agency_disposition"
            )


def in_admin(job: Any, *args: Any) -> Any:
    """Run a Django ORM job off the event loop (Django refuses to run in an async context)."""
    return asyncio.to_thread(job, *args)


def register_unit(name: str, unit: Any) -> Any:
    """The PBX unit row as the admin's form saves it."""
    from appliance.admin.callcenter.models import PbxUnit

    pbx = PbxUnit(
        name=name,
        address=unit.ami_host,
        ami_port=unit.ami_port,
        ami_user=unit.ami_user,
        ami_secret=unit.ami_secret,
        ws_address=f"wss://uzor.test/sip-{name}",
    )
    pbx.save()
    return pbx


@pytest.fixture
def bare_agency(admin_database: Any, tmp_path: Path) -> Iterator[Agency]:
    with operators_without_units(admin_database):
        license = make_license(tmp_path, max_pbx_units=2)
        agency = write_agency(tmp_path, admin_database, license)
        agency.start()
        try:
            yield agency
        finally:
            agency.stop()


async def login(http: aiohttp.ClientSession, agency: Agency, agent: str, mac: str) -> Any:
    terminal = Terminal(await http.ws_connect(f"{agency.url}/ws"))
    reply = await terminal.call("login", {"agent": agent, "password": PASSWORD, "workplace": mac})
    return terminal, reply


def in_queue(unit: Any, interface: str) -> bool:
    return interface in unit.cli("queue show support")


def unit_links(agency: Agency) -> dict[str, str]:
    return {u["name"]: u["link"] for u in agency.status(agency.token)["units"]}


async def test_a_unit_added_after_the_start_takes_logins_without_a_restart(
    bare_agency: Agency, asterisk_unit: Any
) -> None:
    agency = bare_agency
    unit = asterisk_unit(QUEUES)
    async with aiohttp.ClientSession() as http:
        _, refused = await login(http, agency, "101", WORKPLACE_MAC)
        assert refused["name"] == "pbx_unavailable", refused

        await in_admin(register_unit, "pbx1", unit)
        await wait_for(
            lambda: unit_links(agency) == {"pbx1": "up"},
            agency=agency,
            what="the new unit connected",
        )
        terminal, reply = await login(http, agency, "101", WORKPLACE_MAC)
        assert reply["name"] == "login.result", reply
        assert reply["data"]["sip"]["ws_url"] == "wss://uzor.test/sip-pbx1"
        await wait_for(lambda: "PJSIP/201" in member_line(unit), what="QueueAdd on the new unit")
        assert (await terminal.call("ping"))["name"] == "ping.result"


async def test_a_disabled_or_removed_unit_stops_and_the_other_units_sessions_stay(
    bare_agency: Agency, asterisk_unit: Any
) -> None:
    agency = bare_agency
    first, second = asterisk_unit(QUEUES, name="first"), asterisk_unit(QUEUES, name="second")
    async with aiohttp.ClientSession() as http:
        staying_unit = await in_admin(register_unit, "pbx2", second)
        await wait_for(
            lambda: unit_links(agency) == {"pbx2": "up"}, agency=agency, what="pbx2 connected"
        )
        staying, reply = await login(http, agency, "101", WORKPLACE_MAC)
        assert reply["name"] == "login.result", reply
        going_unit = await in_admin(
            register_unit, "pbx1", first
        )  # logins now go to pbx1 (first by name)
        await wait_for(
            lambda: unit_links(agency) == {"pbx1": "up", "pbx2": "up"},
            agency=agency,
            what="pbx1 connected",
        )
        going, reply = await login(http, agency, "102", SECOND_MAC)
        assert reply["data"]["sip"]["ws_url"] == "wss://uzor.test/sip-pbx1", reply
        await wait_for(lambda: in_queue(first, "PJSIP/202"), what="102 in pbx1's queue")

        going_unit.enabled = False
        await in_admin(going_unit.save)
        ended = await until(going, "logged_out")
        assert ended["data"]["reason"] == "pbx_removed", ended
        await wait_for(
            lambda: unit_links(agency) == {"pbx2": "up"}, agency=agency, what="pbx1 dropped"
        )
        assert not in_queue(first, "PJSIP/202")  # 102 left pbx1's queue before the link closed
        assert in_queue(second, "PJSIP/201")
        assert (await staying.call("ping"))["name"] == "ping.result"
        assert [e for e in staying.events if e["name"] == "logged_out"] == []

        await in_admin(staying_unit.delete)
        ended = await until(staying, "logged_out")
        assert ended["data"]["reason"] == "pbx_removed", ended
        await wait_for(lambda: unit_links(agency) == {}, agency=agency, what="no unit left")
