"""Call records on a unit configured ONLY by the admin's Apply Dialplan: carrier calls to the
topic's DID reach operators on registered phones driven through ACP, and the agency's
``agency_call`` rows say what happened (answered with hold and wrap-up, abandoned in the queue,
blind-transferred to a colleague, a carrier number added as a conference, an operator's
outbound call, outside working hours), their times within a second of what
the test saw; an agency restart and an Asterisk restart mid-call each leave exactly one
complete record."""

from __future__ import annotations

import asyncio
import datetime
import time
from collections.abc import Iterator
from datetime import UTC
from typing import Any

import aiohttp
import pymysql
import pymysql.cursors
import pytest

from testkit.agency_site import (  # isort: split
    DID,
    TOPIC,
    Site,
    colleague_logged_in,
    logged_in,
)

from appliance.admin.callcenter.models import WeeklyRange
from appliance.contracts.call_records import TABLE
from testkit.agency import Terminal, until
from testkit.workplace_sipp import call_as_workplace
from tests.integration.agency_on_admin.test_call_control_on_admin import (
    apply_now,
    bridged,
    second,
    states_until_ready,
)

pytestmark = pytest.mark.integration
CARRIER_NUMBER = "89005551234"  # reached through outbound topic 111 and route _89.
__all__ = ["second"]  # the fixture, used here
CALLER = '"Petrov" <79161234567>'
CLOSE = 1.0  # seconds: a record's time and the one the test saw


@pytest.fixture
def records(site: Site, admin_database: Any) -> Iterator[Site]:
    """The site, its database reachable to read the records (``rows``), none there yet (the
    agency made the table; another module's calls may have left rows in this database)."""
    site.database = admin_database  # type: ignore[attr-defined]
    site.since = time.time()  # type: ignore[attr-defined]
    with admin_database.connect(autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    yield site


def rows(site: Site, call_id: str | None = None) -> list[dict[str, Any]]:
    """The call records (every leg), oldest first."""
    where, args = ("WHERE call_id = %s", (call_id,)) if call_id else ("", ())
    database = site.database  # type: ignore[attr-defined]
    with (
        database.connect(cursorclass=pymysql.cursors.DictCursor) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(f"SELECT * FROM {TABLE} {where} ORDER BY offered_at, leg", args)
        found = list(cursor.fetchall())
    return [r for r in found if epoch(r["offered_at"]) >= site.since]  # type: ignore[attr-defined]


async def ended(
    site: Site, call_id: str, legs: int = 1, wrapup: bool = False
) -> list[dict[str, Any]]:
    """The call's legs once all are written ended (with the wrap-up, if asked)."""
    found: list[dict[str, Any]] = []
    for _ in range(150):
        found = rows(site, call_id)
        done = len(found) >= legs and all(r["ended_at"] is not None for r in found)
        if done and (not wrapup or all(r["wrapup_seconds"] for r in found if r["agent"])):
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"call {call_id}: no {legs} ended leg(s) written: {found}")


def epoch(value: datetime.datetime) -> float:
    return value.replace(tzinfo=UTC).timestamp()


def near(value: datetime.datetime | None, seen: float) -> bool:
    return value is not None and abs(epoch(value) - seen) < CLOSE


async def seen(terminal: Terminal, name: str, timeout: float = 30) -> tuple[dict[str, Any], float]:
    """The terminal's next ``name`` event and when the test saw it."""
    event = await until(terminal, name, timeout)
    return event["data"], time.time()


async def test_each_call_s_record_says_what_happened(records: Site, second: Any) -> None:
    site = records
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(site, http)

        # answered, held for a while, then the caller hangs up; wrap-up follows
        site.phone.answer(1)
        offered = time.time()
        call = site.carrier.start_call(DID, caller_id=CALLER, hold=12)
        call_id = (await seen(terminal, "call_incoming"))[0]["call_id"]
        _, answered = await seen(terminal, "call_answered")
        await bridged(site, "PJSIP/1001-", "PJSIP/sipnet-")
        assert (await terminal.call("hold"))["name"] == "hold.result"
        _, held = await seen(terminal, "call_held")
        await asyncio.sleep(2)
        assert (await terminal.call("unhold"))["name"] == "unhold.result"
        _, unheld = await seen(terminal, "call_unheld")
        _, hung_up = await seen(terminal, "call_ended", 40)
        assert "wrapup" in await states_until_ready(terminal)
        ready = time.time()
        call.wait_ended(30)
        site.phone.wait()
        [row] = await ended(site, call_id, wrapup=True)
        assert {k: row[k] for k in ("kind", "leg", "parent_leg", "unit", "direction")} == {
            "kind": "call",
            "leg": 0,
            "parent_leg": None,
            "unit": "pbx1",
            "direction": "in",
        }
        assert (row["topic"], row["did"], row["group_name"]) == (TOPIC, DID, "sales")
        assert (row["caller"], row["caller_name"], row["caller_hidden"]) == (
            "79161234567",
            "Petrov",
            0,
        )
        assert (row["result"], row["agent"], row["workplace"]) == ("answered", "101", "1001")
        assert near(row["offered_at"], offered), (row, offered)
        assert near(row["answered_at"], answered), (row, answered)
        assert near(row["ended_at"], hung_up), (row, hung_up)
        assert abs(row["talk_seconds"] - (hung_up - answered)) < CLOSE, row
        assert abs(row["hold_seconds"] - (unheld - held)) < CLOSE, (row, unheld - held)
        assert 0 < row["ring_seconds"] <= row["wait_seconds"] < answered - offered + CLOSE, row
        assert abs(row["wrapup_seconds"] - (ready - hung_up)) < CLOSE, row
        assert row["disposition"] is None  # none given (none defined)

        # abandoned in the queue: the only operator is paused, the caller gives up
        paused = await terminal.call("set_state", {"state": "pause", "reason": "lunch"})
        assert paused["data"]["state"] == "pause", paused
        offered = time.time()
        call = site.carrier.start_call(DID, caller_id=CALLER, hold=4)
        report = call.wait_ended(30)
        gone = time.time()
        [row] = [r for r in await all_ended(site, 2) if r["call_id"] != call_id]
        assert (row["result"], row["agent"], row["group_name"]) == ("abandoned", None, "sales")
        assert (row["answered_at"], row["talk_seconds"]) == (None, None)
        assert near(row["offered_at"], offered) and near(row["ended_at"], gone), (row, report)
        assert 0 < row["wait_seconds"] <= epoch(row["ended_at"]) - epoch(row["offered_at"])
        await terminal.call("set_state", {"state": "ready"})

        # blind transfer to operator 102 at workplace 1002: two linked legs
        colleague = await colleague_logged_in(site, http)
        site.phone.answer(1)
        second.answer(1)
        call = site.carrier.start_call(DID, caller_id=CALLER, hold=14)
        transferred_id = (await seen(terminal, "call_incoming"))[0]["call_id"]
        _, answered = await seen(terminal, "call_answered")
        await bridged(site, "PJSIP/1001-", "PJSIP/sipnet-")
        reply = await terminal.call("transfer_blind", {"number": "1002"})
        assert reply["name"] == "transfer_blind.result", reply
        _, left = await seen(terminal, "call_ended")
        _, taken = await seen(colleague, "call_answered")
        await bridged(site, "PJSIP/1002-", "PJSIP/sipnet-")
        _, hung_up = await seen(colleague, "call_ended", 40)
        call.wait_ended(30)
        site.phone.wait()  # 101's phone was hung up by the transfer
        second.wait()
        first, then = await ended(site, transferred_id, legs=2)
        assert (first["kind"], first["agent"], first["result"]) == ("call", "101", "answered")
        assert near(first["answered_at"], answered) and near(first["ended_at"], left), first
        assert {k: then[k] for k in ("leg", "kind", "parent_leg", "agent", "workplace")} == {
            "leg": 1,
            "kind": "transfer",
            "parent_leg": 0,
            "agent": "102",
            "workplace": "1002",
        }
        assert (then["result"], then["topic"], then["caller"]) == ("answered", TOPIC, "79161234567")
        assert near(then["answered_at"], taken) and near(then["ended_at"], hung_up), then
        assert abs(then["talk_seconds"] - (hung_up - taken)) < CLOSE, then

        # a carrier number added to the call as a conference: a conference leg of the call
        await operator_ready(site, "101")
        site.carrier.set_inbound("answer", playback="beep", hold=4)
        site.phone.answer(1)
        call = site.carrier.start_call(DID, caller_id=CALLER, hold=60)
        conference_id = (await seen(terminal, "call_incoming"))[0]["call_id"]
        await seen(terminal, "call_answered")
        await bridged(site, "PJSIP/1001-", "PJSIP/sipnet-")
        since = site.carrier.events.mark()
        reply = await terminal.call("conference", {"number": f"111{CARRIER_NUMBER}"})
        assert reply["name"] == "conference.result", reply
        assert site.carrier.wait_for_call(30, since).number == CARRIER_NUMBER
        for _ in range(100):
            party = rows(site, conference_id)[1:]
            if party and party[0]["ended_at"] is not None:
                break
            await asyncio.sleep(0.2)
        call.hangup()
        first, party_leg = await ended(site, conference_id, legs=2)
        assert (first["kind"], first["agent"]) == ("call", "101")
        assert {k: party_leg[k] for k in ("kind", "parent_leg", "did", "agent", "result")} == {
            "kind": "conference",
            "parent_leg": 0,
            "did": f"111{CARRIER_NUMBER}",
            "agent": None,
            "result": "answered",
        }
        assert epoch(party_leg["ended_at"]) < epoch(first["ended_at"])  # the party left first

        # outbound: operator 102's phone dials a number through topic 111, answered
        site.carrier.set_inbound("answer", playback="beep", hold=3)
        mode = await colleague.call("set_mode", {"mode": "outbound", "topic": "111"})
        assert mode["name"] == "set_mode.result", mode
        dialled = time.time()
        target = (site.unit.sip_host, site.unit.sip_port)
        number = f"111{CARRIER_NUMBER}"
        result = await asyncio.to_thread(
            call_as_workplace, target, "1002", site.second_secret, number, final=200
        )
        assert result.returncode == 0, result.stdout[-2000:]
        out_id = (await seen(colleague, "call_dialing"))[0]["call_id"]
        _, picked_up = await seen(colleague, "call_answered")
        _, hung_up = await seen(colleague, "call_ended")
        [row] = await ended(site, out_id)
        assert {k: row[k] for k in ("direction", "topic", "did", "caller", "agent")} == {
            "direction": "out",
            "topic": "111",
            "did": CARRIER_NUMBER,
            "caller": "1002",
            "agent": "102",
        }
        assert (row["result"], row["workplace"], row["group_name"]) == ("answered", "1002", None)
        assert near(row["offered_at"], dialled) and near(row["answered_at"], picked_up), row
        assert near(row["ended_at"], hung_up), (row, hung_up)

    # outside working hours: the dialplan says so; nobody is rung
    await asyncio.to_thread(close_the_topic, site)
    await apply_now()
    offered = time.time()
    site.carrier.call(DID, caller_id=CALLER, hold=5)
    gone = time.time()
    closed = [r for r in await all_ended(site, 8) if r["result"] == "closed"]
    assert len(closed) == 1, rows(site)
    assert (closed[0]["agent"], closed[0]["topic"], closed[0]["did"]) == (None, TOPIC, DID)
    assert near(closed[0]["offered_at"], offered) and near(closed[0]["ended_at"], gone)
    assert len({(r["call_id"], r["leg"]) for r in rows(site)}) == len(rows(site)) == 8


async def operator_ready(site: Site, agent: str) -> None:
    """Wait until the agency shows ``agent`` Ready (its wrap-up over)."""
    shown: Any = None
    for _ in range(150):
        shown = site.agency.get("/api/clients", site.agency.token)[1]["clients"]
        if any(c["agent"] == agent and c["session"]["state"] == "ready" for c in shown):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"operator {agent} not Ready: {shown}")


async def all_ended(site: Site, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for _ in range(150):
        found = rows(site)
        if len(found) >= count and all(r["ended_at"] is not None for r in found):
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"no {count} ended legs: {found}")


def close_the_topic(site: Site) -> None:
    """The topic's non-working schedule covers every day, all day."""
    from django.db import connections

    try:
        for weekday in range(6):  # the model's schedule has Sunday (6) already
            WeeklyRange(
                schedule=site.model.schedule,
                weekday=weekday,
                start_time=datetime.time(0, 0),
                end_time=datetime.time(23, 59),
            ).save()
        site.model.topic.non_working_schedules.set([site.model.schedule])
        site.model.topic.save()
    finally:
        connections.close_all()


async def test_an_agency_or_asterisk_restart_mid_call_leaves_exactly_one_record(
    records: Site,
) -> None:
    site = records
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(site, http)
        site.phone.answer(1)
        call = site.carrier.start_call(DID, caller_id=CALLER, hold=15)
        call_id = (await seen(terminal, "call_incoming"))[0]["call_id"]
        _, answered = await seen(terminal, "call_answered")
        await bridged(site, "PJSIP/1001-", "PJSIP/sipnet-")
        for _ in range(50):  # the answer is written before the agency goes
            if rows(site, call_id) and rows(site, call_id)[0]["answered_at"] is not None:
                break
            await asyncio.sleep(0.2)
    site.agency.stop()
    site.agency.start()
    report = call.wait_ended(40)
    gone = time.time()
    assert report.answered
    [row] = await ended(site, call_id)
    assert (row["result"], row["agent"], row["workplace"]) == ("answered", "101", "1001")
    assert near(row["answered_at"], answered), (row, answered)
    assert near(row["ended_at"], gone), (row, gone)
    assert abs(row["talk_seconds"] - (gone - answered)) < CLOSE, row
    assert len(rows(site)) == 1

    # Asterisk stops mid-call: the call ends with it, its record too (once)
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in(site, http)  # the session resumed by the new agency
        site.phone.wait()
        site.phone.answer(1)
        call = site.carrier.start_call(DID, caller_id=CALLER, hold=60)
        call_id = (await seen(terminal, "call_incoming"))[0]["call_id"]
        _, answered = await seen(terminal, "call_answered")
        await bridged(site, "PJSIP/1001-", "PJSIP/sipnet-")
        stopping = time.time()
        site.unit.stop()
        stopped = time.time()
        site.unit.start()
        [row] = await ended(site, call_id)
    assert (row["result"], row["agent"]) == ("answered", "101")
    assert near(row["answered_at"], answered), (row, answered)
    assert stopping - CLOSE < epoch(row["ended_at"]) < stopped + CLOSE, (row, stopping, stopped)
    assert len(rows(site)) == 2
