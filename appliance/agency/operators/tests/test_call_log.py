"""AMI events -> call records (the CallLog on a fake store and clock, the real RecordWriter)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from appliance.agency.operators.call_log import CallLog
from appliance.agency.records import RecordWriter
from appliance.ami.manager import Snapshot

CALL = "1765000000.10"
CALLER = "PJSIP/carrier-00000001"
OP1, OP2 = "PJSIP/1001-00000002", "PJSIP/1002-00000003"
T0 = 1_765_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


class CallStore:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], dict[str, Any]] = {}
        self.writes = 0

    async def record_call(self, row: dict[str, Any]) -> None:
        self.writes += 1
        key = (row["call_id"], row["leg"])
        kept = {k: self.rows.get(key, {}).get(k) for k in ("wrapup_seconds", "disposition")}
        self.rows[key] = {**row, **kept}

    async def record_call_wrapup(self, call_id: str, agent: str, seconds: float) -> None:
        for row in self.rows.values():
            if row["call_id"] == call_id and row["agent"] == agent:
                row["wrapup_seconds"] = seconds

    async def record_call_disposition(self, call_id: str, agent: str, code: str) -> None:
        for row in self.rows.values():
            if row["call_id"] == call_id and row["agent"] == agent:
                row["disposition"] = code

    async def open_calls(self, unit: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows.values() if r["unit"] == unit and r["ended_at"] is None]


@pytest.fixture
async def log() -> Any:
    clock, store = Clock(), CallStore()
    agents = {"1001": "101", "1002": "102"}
    call_log = CallLog(store, RecordWriter(), clock, agents.get, lambda topic: topic == "7200")
    yield call_log, store, clock
    await call_log.writer.close()


def at(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)


def ev(**fields: str) -> dict[str, str]:
    return {"Linkedid": CALL, **fields}


def caller(**fields: str) -> dict[str, str]:
    return ev(Channel=CALLER, Uniqueid=CALL, CallerIDNum="79161234567", **fields)


async def settled(call_log: CallLog) -> None:
    assert await call_log.writer.flush(5)


def offer(call_log: CallLog, topic: str = "7100") -> None:
    call_log.on_user_event(
        "u1",
        caller(UserEvent="UzorCall", Stage="offered", Topic=topic, Did="74951234567", Hidden=""),
    )


async def test_an_answered_call_with_hold_wrapup_and_disposition(log: Any) -> None:
    call_log, store, clock = log
    offer(call_log)
    call_log.on_queue_join("u1", caller(Queue="support", CallerIDName="Petrov"))
    await settled(call_log)
    assert store.rows[(CALL, 0)]["result"] == "active"  # written as soon as it arrives
    clock.now += 3
    call_log.on_agent_called("u1", ev(DestChannel=OP1, Interface="PJSIP/1001"))
    clock.now += 2
    call_log.on_agent_connect("u1", ev(DestChannel=OP1, Channel=CALLER))
    clock.now += 10
    call_log.on_music_start("u1", caller())
    clock.now += 4
    call_log.on_music_stop("u1", caller())
    clock.now += 6
    call_log.on_hangup("u1", ev(Channel=OP1, Uniqueid="x"))
    call_log.wrapup_started("101", CALL, clock.now)
    call_log.on_hangup("u1", caller())
    clock.now += 7
    call_log.disposition("101", CALL, "sale")
    call_log.wrapup_ended("101", clock.now)
    await settled(call_log)

    row = store.rows[(CALL, 0)]
    assert row == {
        "call_id": CALL,
        "leg": 0,
        "kind": "call",
        "parent_leg": None,
        "unit": "u1",
        "direction": "in",
        "topic": "7100",
        "group_name": "support",
        "did": "74951234567",
        "caller": "79161234567",
        "caller_name": None,
        "caller_hidden": False,
        "result": "answered",
        "agent": "101",
        "workplace": "1001",
        "offered_at": at(T0),
        "answered_at": at(T0 + 5),
        "ended_at": at(T0 + 25),
        "wait_seconds": 5.0,
        "ring_seconds": 2.0,
        "talk_seconds": 20.0,
        "hold_seconds": 4.0,
        "wrapup_seconds": 7.0,
        "disposition": "sale",
    }
    assert call_log.calls == {}  # forgotten once over


async def test_abandoned_in_the_queue_and_while_ringing(log: Any) -> None:
    call_log, store, clock = log
    offer(call_log, topic="7200")  # a topic hiding the number: stored, marked hidden
    call_log.on_queue_join("u1", caller(Queue="support"))
    clock.now += 4
    call_log.on_agent_called("u1", ev(DestChannel=OP1))
    clock.now += 3
    call_log.on_queue_abandon("u1", caller())
    call_log.on_hangup("u1", caller())
    await settled(call_log)
    row = store.rows[(CALL, 0)]
    assert (row["result"], row["agent"], row["wait_seconds"], row["ring_seconds"]) == (
        "abandoned",
        None,
        7.0,
        3.0,
    )
    assert (row["caller"], row["caller_hidden"], row["talk_seconds"]) == ("79161234567", True, None)
    assert row["ended_at"] == at(T0 + 7)


@pytest.mark.parametrize("stage", ["closed", "no_route"])
async def test_a_call_that_never_reaches_the_queue(log: Any, stage: str) -> None:
    call_log, store, clock = log
    if stage == "closed":
        offer(call_log)
    call_log.on_user_event("u1", caller(UserEvent="UzorCall", Stage=stage, Did="74950000009"))
    clock.now += 2
    call_log.on_hangup("u1", caller())
    await settled(call_log)
    row = store.rows[(CALL, 0)]
    assert (row["result"], row["ended_at"], row["agent"]) == (stage, at(T0 + 2), None)
    assert row["did"] == ("74951234567" if stage == "closed" else "74950000009")


async def test_another_s_user_event_or_an_unknown_call_is_ignored(log: Any) -> None:
    call_log, store, _ = log
    call_log.on_user_event("u1", caller(UserEvent="Other", Stage="offered"))
    call_log.on_hangup("u1", caller())
    call_log.on_agent_connect("u1", ev(DestChannel=OP1))
    await settled(call_log)
    assert store.rows == {}


async def test_a_blind_transfer_is_a_linked_leg(log: Any) -> None:
    call_log, store, clock = log
    offer(call_log)
    call_log.on_queue_join("u1", caller(Queue="support"))
    call_log.on_agent_called("u1", ev(DestChannel=OP1))
    clock.now += 1
    call_log.on_agent_connect("u1", ev(DestChannel=OP1))
    clock.now += 10
    call_log.on_hangup("u1", ev(Channel=OP1))  # operator 101 transferred and left
    call_log.on_dial_begin("u1", caller(DestChannel=OP2, DestLinkedid=CALL))
    clock.now += 2
    call_log.on_dial_end("u1", caller(DestChannel=OP2, DestLinkedid=CALL, DialStatus="ANSWER"))
    clock.now += 5
    call_log.on_hangup("u1", caller())
    call_log.on_hangup("u1", ev(Channel=OP2))
    await settled(call_log)
    first, second = store.rows[(CALL, 0)], store.rows[(CALL, 1)]
    assert (first["agent"], first["talk_seconds"], first["ended_at"]) == ("101", 10.0, at(T0 + 11))
    assert {k: second[k] for k in ("kind", "parent_leg", "agent", "workplace", "result")} == {
        "kind": "transfer",
        "parent_leg": 0,
        "agent": "102",
        "workplace": "1002",
        "result": "answered",
    }
    assert (second["offered_at"], second["answered_at"], second["ended_at"]) == (
        at(T0 + 11),
        at(T0 + 13),
        at(T0 + 18),
    )
    assert (second["ring_seconds"], second["talk_seconds"], second["topic"]) == (2.0, 5.0, "7100")


async def test_an_outbound_call_answered_and_one_that_failed(log: Any) -> None:
    call_log, store, clock = log
    phone = "PJSIP/1001-00000009"
    dialled = {"Channel": phone, "Uniqueid": "uzor-1", "Linkedid": "uzor-1"}
    call_log.on_user_event(
        "u1", {**dialled, "UserEvent": "UzorCall", "Stage": "dialled", "Topic": "111"}
    )
    trunk = {"DestChannel": "PJSIP/sipnet-0000000a", "DestLinkedid": "uzor-1"}
    call_log.on_dial_begin("u1", {**dialled, **trunk})
    clock.now += 4
    call_log.on_dial_end("u1", {**dialled, **trunk, "DialStatus": "ANSWER"})
    clock.now += 9
    call_log.on_hangup("u1", {"Channel": trunk["DestChannel"], "Linkedid": "uzor-1"})
    call_log.on_hangup("u1", dialled)
    busy = {"Channel": phone, "Uniqueid": "uzor-2", "Linkedid": "uzor-2"}
    call_log.on_user_event("u1", {**busy, "UserEvent": "UzorCall", "Stage": "dialled"})
    call_log.on_dial_end("u1", {**busy, "DestChannel": "PJSIP/sipnet-1", "DialStatus": "BUSY"})
    call_log.on_hangup("u1", busy)
    await settled(call_log)
    row = store.rows[("uzor-1", 0)]
    assert (row["direction"], row["agent"], row["workplace"], row["caller"]) == (
        "out",
        "101",
        "1001",
        "1001",
    )
    assert (row["result"], row["ring_seconds"], row["talk_seconds"]) == ("answered", 4.0, 9.0)
    assert store.rows[("uzor-2", 0)]["result"] == "failed"


async def test_changes_waiting_for_the_database_become_one_write(log: Any) -> None:
    call_log, store, _ = log
    offer(call_log)
    call_log.on_queue_join("u1", caller(Queue="support"))
    call_log.on_agent_called("u1", ev(DestChannel=OP1))
    call_log.on_agent_connect("u1", ev(DestChannel=OP1))
    call_log.on_hangup("u1", caller())
    await settled(call_log)
    assert store.writes == 1 and store.rows[(CALL, 0)]["result"] == "answered"


async def test_after_an_agency_restart_a_call_still_up_is_adopted_and_ends_once(log: Any) -> None:
    call_log, store, clock = log
    offer(call_log)
    call_log.on_queue_join("u1", caller(Queue="support"))
    call_log.on_agent_called("u1", ev(DestChannel=OP1))
    clock.now += 2
    call_log.on_agent_connect("u1", ev(DestChannel=OP1))
    await settled(call_log)
    await call_log.writer.close()

    restarted = CallLog(store, RecordWriter(), clock, {"1001": "101"}.get, lambda _: False)
    clock.now += 30
    channels = [caller(), ev(Channel=OP1, Uniqueid="y")]
    await restarted.resync(Snapshot("u1", [], channels))
    clock.now += 5
    restarted.on_hangup("u1", ev(Channel=OP1))
    restarted.on_hangup("u1", caller())
    assert await restarted.writer.flush(5)
    await restarted.writer.close()
    assert list(store.rows) == [(CALL, 0)]
    row = store.rows[(CALL, 0)]
    assert (row["result"], row["answered_at"], row["ended_at"], row["talk_seconds"]) == (
        "answered",
        at(T0 + 2),
        at(T0 + 37),
        35.0,
    )


async def test_calls_gone_after_a_unit_restart_end_when_the_link_was_lost(log: Any) -> None:
    call_log, store, clock = log
    offer(call_log)
    call_log.on_queue_join("u1", caller(Queue="support"))
    call_log.on_agent_connect("u1", ev(DestChannel=OP1))
    clock.now += 8
    call_log.link_lost("u1")
    clock.now += 20
    await call_log.resync(Snapshot("u1", [], []))
    await settled(call_log)
    row = store.rows[(CALL, 0)]
    assert (row["result"], row["ended_at"], row["talk_seconds"]) == ("answered", at(T0 + 8), 8.0)
    assert call_log.calls == {}


async def test_rows_left_open_by_an_agency_gone_end_at_the_resync(log: Any) -> None:
    call_log, store, clock = log
    offer(call_log)
    await settled(call_log)
    restarted = CallLog(store, RecordWriter(), clock, lambda _: None, lambda _: False)
    clock.now += 60
    queued = {
        "Event": "QueueEntry",
        "Queue": "support",
        "Linkedid": "1765000100.1",
        "Channel": "PJSIP/carrier-5",
        "CallerIDNum": "79160000000",
        "Wait": "12",
    }
    await restarted.resync(Snapshot("u1", [queued], [{"Channel": "PJSIP/carrier-5"}]))
    assert await restarted.writer.flush(5)
    await restarted.writer.close()
    gone = store.rows[(CALL, 0)]
    assert (gone["result"], gone["ended_at"]) == ("abandoned", at(T0 + 60))
    adopted = store.rows[("1765000100.1", 0)]
    assert (adopted["result"], adopted["group_name"], adopted["offered_at"]) == (
        "active",
        "support",
        at(T0 + 48),
    )


def test_the_log_is_subscribed_to_every_event_it_reads() -> None:
    from appliance.ami.dispatch import Dispatcher

    class Unit:
        def __init__(self) -> None:
            self.unit = type("U", (), {"name": "u1"})()
            self.dispatcher = Dispatcher()
            self.lost: list[Any] = []
            self.resyncs: list[Any] = []

        def on_lost(self, listener: Any) -> None:
            self.lost.append(listener)

        def on_resync(self, listener: Any) -> None:
            self.resyncs.append(listener)

    async def run() -> dict[tuple[str, int], dict[str, Any]]:
        store = CallStore()
        call_log = CallLog(store, RecordWriter(), Clock(), lambda _: None, lambda _: False)
        unit = Unit()
        call_log.attach(unit)
        unit.dispatcher({"Event": "UserEvent", **caller(UserEvent="UzorCall", Stage="closed")})
        unit.dispatcher({"Event": "Hangup", **caller()})
        assert await call_log.writer.flush(5)
        await call_log.writer.close()
        assert len(unit.lost) == 1 and len(unit.resyncs) == 1
        return store.rows

    assert asyncio.run(run())[(CALL, 0)]["result"] == "closed"


def answered(call_log: CallLog, clock: Clock) -> None:
    offer(call_log)
    call_log.on_queue_join("u1", caller(Queue="support"))
    call_log.on_agent_called("u1", ev(DestChannel=OP1))
    clock.now += 1
    call_log.on_agent_connect("u1", ev(DestChannel=OP1))


async def test_a_number_added_to_a_conference_is_a_conference_leg(log: Any) -> None:
    call_log, store, clock = log
    answered(call_log, clock)
    clock.now += 5
    for channel in (CALLER, OP1):  # the agency's conference: the call moved into a room
        call_log.on_conference_join("u1", ev(Channel=channel, Conference="10010"))
    added = {"Linkedid": "1765000000.20", "Conference": "10010"}
    dialled = {**added, "UserEvent": "UzorCall", "Stage": "dialled", "Topic": "111"}
    call_log.on_user_event("u1", {**dialled, "Channel": "Local/11189005551234@Outbound-1;2"})
    clock.now += 3
    call_log.on_conference_join("u1", {**added, "Channel": "Local/11189005551234@Outbound-1;1"})
    clock.now += 2
    call_log.on_hangup("u1", {**added, "Channel": "Local/11189005551234@Outbound-1;1"})
    clock.now += 4
    call_log.on_hangup("u1", {**added, "Channel": "PJSIP/sipnet-0000000b"})  # the party left
    clock.now += 1
    call_log.on_hangup("u1", caller())
    await settled(call_log)
    assert sorted(store.rows) == [(CALL, 0), (CALL, 1)]  # the party's dial: no call of its own
    party = store.rows[(CALL, 1)]
    assert (party["kind"], party["parent_leg"], party["did"], party["agent"]) == (
        "conference",
        0,
        "11189005551234",
        None,
    )
    assert (party["answered_at"], party["ended_at"], party["talk_seconds"]) == (
        at(T0 + 9),
        at(T0 + 15),
        6.0,
    )
    assert store.rows[(CALL, 0)]["ended_at"] == at(T0 + 16)


async def test_a_consulted_colleague_brought_into_a_conference_is_a_conference_leg(
    log: Any,
) -> None:
    call_log, store, clock = log
    answered(call_log, clock)
    consult = "Local/1002@Outbound-00000004;2"
    call_log.on_dial_begin("u1", ev(Channel=consult, DestChannel=OP2, DestLinkedid=CALL))
    clock.now += 2
    call_log.on_dial_end(
        "u1", ev(Channel=consult, DestChannel=OP2, DestLinkedid=CALL, DialStatus="ANSWER")
    )
    for channel in (CALLER, OP1, OP2):
        call_log.on_conference_join("u1", ev(Channel=channel, Conference="10010"))
    clock.now += 5
    call_log.on_hangup("u1", caller())
    await settled(call_log)
    colleague = store.rows[(CALL, 1)]
    assert (colleague["kind"], colleague["parent_leg"], colleague["agent"]) == (
        "conference",
        0,
        "102",
    )
    assert colleague["talk_seconds"] == 5.0


async def test_a_call_answered_while_the_agency_was_away_is_adopted(log: Any) -> None:
    call_log, store, clock = log
    clock.now = T0 + 100
    channels = [
        {**caller(), "Duration": "00:01:05", "BridgeId": "b1", "CallerIDName": "Petrov"},
        {**ev(Channel=OP1, Uniqueid="1765000000.11"), "Duration": "00:00:40", "BridgeId": "b1"},
        {"Channel": "Local/89001@Outbound-1;1", "Uniqueid": "m", "Linkedid": "m"},
    ]
    await call_log.resync(Snapshot("u1", [], channels))
    clock.now += 5
    call_log.on_hangup("u1", caller())
    await settled(call_log)
    assert list(store.rows) == [(CALL, 0)]  # the Local channel's call: not placed, left alone
    row = store.rows[(CALL, 0)]
    assert (row["direction"], row["caller"], row["caller_name"]) == ("in", "79161234567", "Petrov")
    assert (row["result"], row["agent"], row["workplace"]) == ("answered", "101", "1001")
    assert (row["offered_at"], row["answered_at"], row["ended_at"]) == (
        at(T0 + 35),
        at(T0 + 60),
        at(T0 + 105),
    )


async def test_a_call_transferred_into_another_queue_keeps_its_first_group(log: Any) -> None:
    call_log, store, clock = log
    answered(call_log, clock)
    clock.now += 10
    call_log.on_hangup("u1", ev(Channel=OP1))
    call_log.on_queue_join("u1", caller(Queue="billing"))
    clock.now += 3
    call_log.on_agent_called("u1", ev(DestChannel=OP2))
    clock.now += 1
    call_log.on_agent_connect("u1", ev(DestChannel=OP2))
    call_log.on_hangup("u1", caller())
    await settled(call_log)
    first, then = store.rows[(CALL, 0)], store.rows[(CALL, 1)]
    assert (first["group_name"], then["group_name"]) == ("support", "billing")
    assert (then["kind"], then["wait_seconds"], then["ring_seconds"]) == ("transfer", 4.0, 1.0)
