"""The operator's own ring time: a queue call still ringing after it is taken from the
workplace (its leg hung up as unanswered, cause 19), so the queue rings the next operator."""

import asyncio
from dataclasses import replace

from appliance.agency.operators.tests.fakes import settle
from appliance.agency.operators.tests.test_service import logged_in

CALLED = {
    "Event": "AgentCalled",
    "Interface": "PJSIP/201",
    "MemberName": "101",
    "Queue": "support",
    "Channel": "PJSIP/carrier-01",
    "DestChannel": "PJSIP/201-02",
    "CallerIDNum": "79161234567",
    "Exten": "7100",
    "Linkedid": "L1",
}
HANGUP = ("Hangup", {"Channel": "PJSIP/201-02", "Cause": "19"})


async def test_a_call_ringing_past_the_operators_ring_time_is_taken_away(world) -> None:
    service, store, unit, notifier = world
    store.operators["101"] = replace(store.operators["101"], ring_seconds=0.1)
    await logged_in(service)
    unit.emit(CALLED)
    assert notifier.last("call_incoming")["number"] == "79161234567"
    await asyncio.sleep(0.2)
    await settle()
    assert HANGUP in unit.actions


async def test_an_answered_call_is_left_alone(world) -> None:
    service, store, unit, _ = world
    store.operators["101"] = replace(store.operators["101"], ring_seconds=0.1)
    await logged_in(service)
    unit.emit(CALLED)
    unit.emit({"Event": "AgentConnect", "Interface": "PJSIP/201", "Linkedid": "L1"})
    await asyncio.sleep(0.2)
    await settle()
    assert HANGUP not in unit.actions


async def test_a_call_that_stopped_ringing_is_left_alone(world) -> None:
    service, store, unit, _ = world
    store.operators["101"] = replace(store.operators["101"], ring_seconds=0.1)
    await logged_in(service)
    unit.emit(CALLED)
    unit.emit({"Event": "AgentRingNoAnswer", "Interface": "PJSIP/201", "Linkedid": "L1"})
    await asyncio.sleep(0.2)
    await settle()
    assert HANGUP not in unit.actions
