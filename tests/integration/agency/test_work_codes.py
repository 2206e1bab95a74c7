"""Pause reasons and dispositions from the admin on the real agency, a real Asterisk unit and
MariaDB: the admin's change reaches a logged-in terminal, the pause is limited to the offered
reasons (with the reason's own limit, and its reason in ``queue show``), and a call answered at
the workplace waits in wrap-up for the disposition its group requires, which the agency records
with the call's id, in the call's record too."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from testkit.agency import Agency, logged_in_terminal, until
from tests.integration.agency.test_agency import member_line, wait_for
from tests.integration.agency.test_agency_calls import phone_agency

pytestmark = pytest.mark.integration
__all__ = ["phone_agency"]  # the fixture, used here


@pytest.fixture
def work_codes(phone_agency: tuple[Agency, Any, Any]) -> Iterator[tuple[Agency, Any, Any]]:
    yield phone_agency
    from appliance.admin.callcenter.models import Disposition, Group, PauseReason

    PauseReason.objects.all().delete()
    Disposition.objects.all().delete()
    Group.objects.filter(name="support").update(disposition_required=False)


def define_codes() -> None:
    """What an administrator defines (each save moves the change counter the agency polls)."""
    from django.db import connection

    from appliance.admin.callcenter.models import Disposition, Group, PauseReason

    support = Group.objects.get(name="support")
    PauseReason(code="lunch", name_ru="Обед", name_en="Lunch", ordering=1).save()
    smoke = PauseReason(code="smoke", name_ru="Перекур", name_en="Smoke", max_seconds=300)
    smoke.save()
    smoke.groups.add(support)
    PauseReason(code="training", name_ru="Учёба", name_en="Training", active=False).save()
    Disposition(code="sale", name_ru="Продажа", name_en="Sale").save()
    support.disposition_required = True
    support.save()
    connection.close()  # this thread's own connection (the test's loop runs in another)


def disposition_rows(db: Any) -> list[tuple[Any, ...]]:
    with db.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT agent, code, call_id, group_name FROM agency_disposition")
        return list(cursor.fetchall())


async def test_the_admin_s_codes_limit_pauses_and_a_call_waits_for_its_disposition(
    work_codes: tuple[Agency, Any, Any], admin_database: Any
) -> None:
    agency, unit, carrier = work_codes
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in_terminal(agency.url, http)
        free = await terminal.call("set_state", {"state": "pause", "reason": "anything"})
        assert free["data"]["reason"] == "anything", free  # nothing defined: free reasons
        await terminal.call("set_state", {"state": "ready"})

        await asyncio.to_thread(define_codes)
        offered = (await until(terminal, "work_codes"))["data"]
        while not offered["disposition_required"] or len(offered["pause_reasons"]) < 2:
            offered = (await until(terminal, "work_codes"))["data"]  # the saves, one by one
        assert offered["pause_reasons"] == [
            {
                "code": "smoke",
                "name": "Smoke",
                "names": {"ru": "Перекур", "en": "Smoke"},
                "max_seconds": 300,
            },
            {
                "code": "lunch",
                "name": "Lunch",
                "names": {"ru": "Обед", "en": "Lunch"},
                "max_seconds": None,
            },
        ]
        assert offered["dispositions"] == [
            {"code": "sale", "name": "Sale", "names": {"ru": "Продажа", "en": "Sale"}}
        ]

        refused = await terminal.call("set_state", {"state": "pause", "reason": "anything"})
        assert refused["name"] == "not_allowed", refused
        assert "choose one of: smoke, lunch" in refused["data"]["message"]
        paused = await terminal.call("set_state", {"state": "pause", "reason": "smoke"})
        assert 0 < paused["data"]["limit_seconds"] <= 300, paused
        await wait_for(lambda: "paused:smoke" in member_line(unit), what="pause with its reason")
        await terminal.call("set_state", {"state": "ready"})
        await wait_for(lambda: "paused" not in member_line(unit), what="unpaused")

        call = carrier.start_call("7100", caller_id='"Petrov" <79161234567>', hold=20)
        call_id = (await until(terminal, "call_incoming"))["data"]["call_id"]
        await until(terminal, "call_ended")
        state = (await until(terminal, "state_changed"))["data"]
        while state["state"] != "wrapup":
            state = (await until(terminal, "state_changed"))["data"]
        assert state["disposition_needed"] is True and state["disposition_call"] == call_id
        await wait_for(lambda: "paused:wrapup" in member_line(unit), what="wrap-up pause")
        ready = await terminal.call("set_state", {"state": "ready"})
        assert ready["name"] == "not_allowed", ready
        assert "choose a disposition" in ready["data"]["message"]
        wrong = await terminal.call("set_disposition", {"code": "no-sale"})
        assert wrong["name"] == "not_allowed", wrong

        given = await terminal.call("set_disposition", {"code": "sale"})
        assert given["name"] == "set_disposition.result", given
        assert given["data"]["disposition_call"] is None
        if given["data"]["state"] == "wrapup":  # within the operator's wrap-up time (2 s)
            ready = await terminal.call("set_state", {"state": "ready"})
            assert ready["data"]["state"] == "ready", ready
        await wait_for(lambda: "paused" not in member_line(unit), what="Ready after the call")
        call.wait_ended(30)

    await wait_for(lambda: disposition_rows(admin_database) != [], what="the disposition row")
    assert disposition_rows(admin_database) == [("101", "sale", call_id, "support")]
    with admin_database.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT state, reason FROM agency_interval WHERE agent = '101'")
        intervals = set(cursor.fetchall())
    assert {("pause", "smoke"), ("wrapup", "wrapup")} <= intervals  # wrap-up: its own reason

    def call_record() -> tuple[Any, ...] | None:
        with admin_database.connect() as connection, connection.cursor() as cursor:
            cursor.execute(
                "SELECT agent, result, topic, group_name, disposition, wrapup_seconds"
                " FROM agency_call WHERE call_id = %s",
                (call_id,),
            )
            found = cursor.fetchall()
        return found[0] if found and found[0][5] is not None else None

    await wait_for(lambda: call_record() is not None, what="the call's record with its wrap-up")
    record = call_record()
    assert record is not None and record[:5] == ("101", "answered", "7100", "support", "sale")
    assert record[5] > 0  # the wrap-up lasted until the disposition (and Ready)
