"""A workplace dialled by its number (another operator's transfer): the operator there sees the
call ring, be answered and end like a queue call, without a topic."""

from dataclasses import replace

import pytest

from appliance.agency.acp.messages import Action
from appliance.agency.operators.tests.fakes import (
    PASSWORD,
    FakeNotifier,
    FakeStore,
    FakeUnit,
    make_client,
    settle,
    shut_down,
    wired_service,
)
from appliance.agency.operators.topics import TopicCache


@pytest.fixture
async def world():
    store, unit, notifier = FakeStore(), FakeUnit(), FakeNotifier()
    store.operators["102"] = replace(store.operators["102"], wrapup_seconds=15)
    service = wired_service(store, unit, notifier)
    client = make_client()
    login = {"agent": "102", "password": PASSWORD, "workplace": "a0:b1:c2:d3:e4:f5"}
    await service.login(client, Action("login", login, 1))
    yield service, unit, notifier
    await shut_down(service)


def dial(name: str, context: str = "Outbound", exten: str = "202", **extra: str) -> dict:
    return {
        "Event": name,
        "Channel": "Local/202@Outbound-00000001;2",
        "Context": context,
        "Exten": exten,
        "Linkedid": "L5",
        "CallerIDNum": "201",
        "CallerIDName": "Ivan",
        "DestChannel": "PJSIP/202-0000000a",
        "DestLinkedid": "L7",
        **extra,
    }


async def test_a_transfer_to_the_workplace_rings_is_answered_and_ends_in_wrapup(world) -> None:
    _, unit, notifier = world
    unit.emit(dial("DialBegin"))
    assert notifier.last("call_incoming") == {
        "call_id": "L7",
        "caller_name": "Ivan",
        "number": "201",
    }
    assert notifier.last("state_changed")["state"] == "ringing"
    unit.emit(dial("DialEnd", DialStatus="ANSWER"))
    assert notifier.last("call_answered") == {"call_id": "L7"}
    assert notifier.last("state_changed")["state"] == "talking"
    unit.emit({"Event": "Hangup", "Channel": "PJSIP/202-0000000a", "Linkedid": "L7"})
    await settle()
    assert notifier.last("call_ended")["call_id"] == "L7"
    assert notifier.last("state_changed")["state"] == "wrapup"


async def test_a_transfer_not_answered_ends_the_ringing_call(world) -> None:
    service, unit, notifier = world
    unit.emit(dial("DialBegin"))
    unit.emit(dial("DialEnd", DialStatus="NOANSWER"))
    await settle()
    assert notifier.last("call_ended") == {"call_id": "L7", "cause": "noanswer"}
    assert service.sessions["102"].operator.calls == ()


@pytest.mark.parametrize(("context", "exten"), [("Inbound", "74950000001"), ("Outbound", "203")])
async def test_queue_calls_and_other_numbers_are_not_direct_calls(world, context, exten) -> None:
    _, unit, notifier = world
    unit.emit(dial("DialBegin", context, exten))
    assert "call_incoming" not in notifier.names()


async def test_the_caller_transferred_in_becomes_the_peer_that_hold_acts_on(world) -> None:
    service, unit, _ = world
    unit.emit(dial("DialBegin"))
    unit.emit(dial("DialEnd", DialStatus="ANSWER"))
    for channel, linkedid in (
        ("PJSIP/202-0000000a", "L7"),
        ("Local/202@Outbound-00000001;2", "L5"),
        ("PJSIP/sipnet-00000000", "L1"),
    ):
        unit.emit(
            {
                "Event": "BridgeEnter",
                "BridgeUniqueid": "Z",
                "Channel": channel,
                "Linkedid": linkedid,
            }
        )
    unit.emit(
        {"Event": "BridgeLeave", "BridgeUniqueid": "Z", "Channel": "Local/202@Outbound-00000001;2"}
    )
    client = service.sessions["102"].client
    reply = await service.handle(client, Action("hold", {}, 2))
    assert reply == {}
    redirect = [h for a, h in unit.actions if a == "Redirect"][-1]
    assert redirect["Channel"] == "PJSIP/sipnet-00000000"
    assert redirect["ExtraChannel"] == "PJSIP/202-0000000a"


async def test_a_hidden_callers_number_stays_hidden_when_the_call_is_transferred() -> None:
    store, unit, notifier = FakeStore(), FakeUnit(), FakeNotifier()
    topics = TopicCache(store)  # type: ignore[arg-type]
    await topics.refresh()
    service = wired_service(store, unit, notifier, topics)
    login = {"agent": "102", "password": PASSWORD, "workplace": "a0:b1:c2:d3:e4:f5"}
    await service.login(make_client(), Action("login", login, 1))
    try:
        # another operator (not on this agency) takes the call of the hiding topic 7200 ...
        unit.emit(
            {
                "Event": "AgentCalled",
                "Interface": "PJSIP/201",
                "Linkedid": "L5",
                "Exten": "7200",
                "CallerIDNum": "79161234567",
                "CallerIDName": "Petrov",
                "Channel": "PJSIP/sipnet-00000001",
                "DestChannel": "PJSIP/201-00000002",
                "Queue": "support",
            }
        )
        # ... and transfers the caller to workplace 202
        caller = {"Channel": "PJSIP/sipnet-00000001", "CallerIDName": "Petrov"}
        unit.emit(
            dial("DialBegin", Linkedid="L5", DestLinkedid="L5", CallerIDNum="79161234567", **caller)
        )
        assert notifier.last("call_incoming") == {
            "call_id": "L5",
            "caller_name": "",
            "number": "hidden",
        }
    finally:
        await shut_down(service)


CALLER = {
    "Event": "CoreShowChannel",
    "Channel": "PJSIP/sipnet-00000001",
    "Uniqueid": "L5",
    "Linkedid": "L5",
    "Context": "uzor-flow-2",
    "Exten": "s",  # a topic's text flow: the topic's number is no longer the extension
    "Application": "Queue",
}


@pytest.mark.parametrize(
    ("channel", "variables", "shown"),
    [
        # the admin's dialplan set the variable on the caller's channel
        (CALLER, {("PJSIP/sipnet-00000001", "UZOR_CALLER_HIDDEN"): "1"}, "hidden"),
        # the caller still in the hiding topic's extension
        ({**CALLER, "Context": "Inbound", "Exten": "7200"}, {}, "hidden"),
        # a call of a topic that shows the number
        ({**CALLER, "Context": "Inbound", "Exten": "7100"}, {}, "79161234567"),
    ],
)
async def test_a_hidden_number_stays_hidden_when_transferred_after_an_agency_restart(
    channel: dict, variables: dict, shown: str
) -> None:
    store, unit, notifier = FakeStore(), FakeUnit(), FakeNotifier()
    topics = TopicCache(store)  # type: ignore[arg-type]
    await topics.refresh()
    # the agency restarted during the call: nothing remembered, the unit's snapshot tells
    service = wired_service(store, unit, notifier, topics)
    unit.variables = variables
    login = {"agent": "102", "password": PASSWORD, "workplace": "a0:b1:c2:d3:e4:f5"}
    await service.login(make_client(), Action("login", login, 1))
    try:
        agent_leg = {**CALLER, "Channel": "PJSIP/201-00000002", "Uniqueid": "L6"}
        await unit.snapshot([], [channel, agent_leg])
        assert [h["Channel"] for a, h in unit.actions if a == "Getvar"] in (
            ["PJSIP/sipnet-00000001"],
            [],
        )  # one look per call, at its first channel, only when the topic does not tell
        caller = {"Channel": "PJSIP/sipnet-00000001", "CallerIDName": "Petrov"}
        unit.emit(
            dial("DialBegin", Linkedid="L5", DestLinkedid="L5", CallerIDNum="79161234567", **caller)
        )
        assert notifier.last("call_incoming")["number"] == shown
    finally:
        await shut_down(service)
