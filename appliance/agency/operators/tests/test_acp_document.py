"""What terminals get matches the ACP document (docs/acp.md): placeholders, since, errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from appliance.agency.acp.messages import ACPError, Action
from appliance.agency.acp.tests.schema_check import assert_valid
from appliance.agency.operators.tests.fakes import (
    FakeNotifier,
    FakeStore,
    FakeUnit,
    make_client,
    shut_down,
    wired_service,
)
from appliance.agency.operators.topics import TopicCache
from appliance.ami.errors import AMIError


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def world() -> Any:
    store, unit, notifier, clock = FakeStore(), FakeUnit(), FakeNotifier(), Clock()
    topics = TopicCache(store)  # type: ignore[arg-type]
    await topics.refresh()
    service = wired_service(store, unit, notifier, topics, clock=clock)
    yield service, unit, notifier, clock
    await shut_down(service)


LOGIN = Action("login", {"agent": "101", "password": "s3cret-pass", "workplace": "e8039ab5e0c9"}, 7)


def called(name: str = "Petrov", number: str = "79161234567") -> dict[str, str]:
    return {
        "Event": "AgentCalled",
        "Interface": "PJSIP/201",
        "Queue": "support",
        "Channel": "PJSIP/carrier-01",
        "DestChannel": "PJSIP/201-02",
        "CallerIDNum": number,
        "CallerIDName": name,
        "Exten": "7100",
        "Linkedid": "L1",
    }


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


async def test_asterisks_unknown_caller_name_and_number_are_not_shown(world) -> None:
    service, unit, notifier, _ = world
    await service.login(make_client(), LOGIN)
    unit.emit(called(name="<unknown>", number="<unknown>"))
    incoming = notifier.last("call_incoming")
    assert incoming["caller_name"] == "" and incoming["number"] == "unknown"


async def test_ringing_and_talking_carry_their_own_since(world) -> None:
    service, unit, notifier, clock = world
    reply = await service.login(make_client(), LOGIN)
    ready_since = reply["session"]["since"]
    clock.now += 30
    unit.emit(called())
    ringing = notifier.last("state_changed")
    assert ringing["state"] == "ringing" and ringing["since"] == iso(clock.now) != ready_since
    assert ringing["state_seconds"] == 0
    clock.now += 5
    unit.emit({"Event": "AgentConnect", "Interface": "PJSIP/201", "Linkedid": "L1"})
    talking = notifier.last("state_changed")
    assert talking["state"] == "talking" and talking["since"] == iso(clock.now)


async def test_a_refused_action_on_a_dead_unit_echoes_the_id_and_names_the_unit(world) -> None:
    service, unit, _, _ = world
    client = make_client()
    await service.login(client, LOGIN)
    unit.up = False
    with pytest.raises(ACPError) as refused:
        await service.handle(client, Action("set_mode", {"mode": "offline"}, 9))
    assert (refused.value.code, refused.value.id) == ("pbx_unavailable", 9)
    assert refused.value.details == {"unit": "unit1"}
    assert_valid(refused.value.to_message())


async def test_a_login_while_the_unit_is_down_is_pbx_unavailable(world) -> None:
    service, unit, _, _ = world
    unit.up = False
    with pytest.raises(ACPError) as refused:
        await service.login(make_client(), LOGIN)
    assert (refused.value.code, refused.value.id) == ("pbx_unavailable", 7)
    assert refused.value.details == {"unit": "unit1"}
    assert "101" not in service.sessions


async def test_a_lost_link_warns_the_units_operators(world) -> None:
    service, unit, notifier, _ = world
    client = make_client()
    await service.login(client, LOGIN)
    for listener in unit.lost:
        listener()
    warned = [(c, k, n, d) for c, k, n, d in notifier.sent if n == "pbx_unavailable"]
    assert [(c, k) for c, k, _, _ in warned] == [(client, "warning")]
    assert warned[0][3]["unit"] == "unit1" and "unit1" in str(warned[0][3]["message"])


async def test_the_resync_after_a_lost_link_tells_the_units_operators_it_is_back(world) -> None:
    service, unit, notifier, _ = world
    client = make_client()
    await service.login(client, LOGIN)
    unit.emit(called())  # ringing when the unit went away
    for listener in unit.lost:
        listener()
    await unit.snapshot([], [])  # back: the call is gone
    told = [(c, k, n, d) for c, k, n, d in notifier.sent if n == "pbx_available"]
    assert [(c, k) for c, k, _, _ in told] == [(client, "notification")]
    assert told[0][3]["unit"] == "unit1" and "unit1" in str(told[0][3]["message"])
    names = notifier.names(client)
    assert names.index("pbx_unavailable") < names.index("call_ended") < names.index("pbx_available")
    assert names[-1] == "pbx_available"  # after the state the resync left


async def test_a_resync_cut_short_by_the_link_dropping_again_does_not_say_it_is_back(
    world,
) -> None:
    service, unit, notifier, _ = world
    await service.login(make_client(), LOGIN)
    unit.up = False  # its actions fail: the listener is cut short (the manager logs it)
    with pytest.raises(AMIError):
        await unit.snapshot([], [])
    assert "pbx_available" not in notifier.names()


async def test_the_operators_of_another_unit_are_not_told(world) -> None:
    service, unit, notifier, _ = world
    await service.login(make_client(), LOGIN)
    service.sessions["101"].unit = "unit2"
    await unit.snapshot([], [])
    assert "pbx_available" not in notifier.names()


async def test_a_call_the_phone_dials_itself_is_followed_like_dial(world) -> None:
    service, unit, notifier, _ = world
    client = make_client()
    await service.login(client, LOGIN)
    await service.handle(client, Action("set_mode", {"mode": "outbound", "topic": "111"}, 8))
    unit.emit(
        {
            "Event": "Newchannel",
            "Channel": "PJSIP/201-05",
            "Context": "Outbound",
            "Exten": "11189001234567",
            "Uniqueid": "P1",
            "Linkedid": "P1",
        }
    )
    assert notifier.last("call_dialing") == {
        "call_id": "P1",
        "number": "89001234567",
        "topic": {"prefix": "111"},
    }
    assert notifier.last("state_changed")["state"] == "dialing"
    unit.emit(
        {
            "Event": "DialEnd",
            "Channel": "PJSIP/201-05",
            "DestChannel": "PJSIP/gw-06",
            "DialStatus": "ANSWER",
            "Linkedid": "P1",
        }
    )
    assert notifier.last("call_answered") == {"call_id": "P1"}
    unit.emit(
        {
            "Event": "Hangup",
            "Channel": "PJSIP/201-05",
            "Linkedid": "P1",
            "Cause-txt": "Normal Clearing",
        }
    )
    assert notifier.last("call_ended") == {"call_id": "P1", "cause": "Normal Clearing"}
    assert service.sessions["101"].operator.calls == ()


async def test_the_agencys_own_dial_and_a_ringing_phone_are_not_taken_for_the_phones_call(
    world,
) -> None:
    service, unit, notifier, _ = world
    client = make_client()
    await service.login(client, LOGIN)
    await service.handle(client, Action("set_mode", {"mode": "outbound", "topic": "111"}, 8))
    own = "uzor-0a1b"  # the agency's Originate (dial)
    unit.emit(
        {
            "Event": "Newchannel",
            "Channel": "PJSIP/201-07",
            "Context": "Outbound",
            "Exten": "11189001234567",
            "Uniqueid": own,
            "Linkedid": own,
        }
    )
    unit.emit(
        {
            "Event": "Newchannel",
            "Channel": "PJSIP/201-08",
            "Context": "Outbound",
            "Exten": "201",
            "Uniqueid": "C2",
            "Linkedid": "C1",
        }
    )
    assert "call_dialing" not in notifier.names()
