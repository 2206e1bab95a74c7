"""The consulted party's channel is followed through Local channel optimization, so complete,
cancel and conference act on the channel that really exists."""

import pytest

from appliance.agency.acp.messages import Action
from appliance.agency.operators.calls import _consulted_channel
from appliance.agency.operators.session import CallLeg
from appliance.agency.operators.tests.fakes import (
    PASSWORD,
    FakeNotifier,
    FakeStore,
    FakeUnit,
    make_client,
    shut_down,
    wired_service,
)

OPERATOR = "PJSIP/201-00000002"
LOCAL_1, LOCAL_2 = "Local/1002@Outbound-00000000;1", "Local/1002@Outbound-00000000;2"
TARGET = "PJSIP/1002-00000004"


@pytest.fixture
async def consulting():
    unit = FakeUnit()
    service = wired_service(FakeStore(), unit, FakeNotifier())
    login = {"agent": "101", "password": PASSWORD, "workplace": "E8:03:9A:B5:E0:C9"}
    await service.login(make_client(), Action("login", login, 1))
    session = service.sessions["101"]
    session.consult = CallLeg("L1-consult", peer="PJSIP/sipnet-00000001")
    yield unit, session
    await shut_down(service)


def enter(unit: FakeUnit, bridge: str, channel: str) -> None:
    unit.emit({"Event": "BridgeEnter", "BridgeUniqueid": bridge, "Channel": channel})


def leave(unit: FakeUnit, bridge: str, channel: str) -> None:
    unit.emit({"Event": "BridgeLeave", "BridgeUniqueid": bridge, "Channel": channel})


async def test_the_target_taking_the_local_channels_place_is_followed(consulting) -> None:
    unit, session = consulting
    enter(unit, "X", LOCAL_1)
    enter(unit, "X", OPERATOR)
    assert session.consult.channel == LOCAL_1
    enter(unit, "X", TARGET)  # swapped in for Local;1
    leave(unit, "X", LOCAL_1)
    assert session.consult.channel == TARGET


async def test_the_operator_moved_to_the_targets_bridge_keeps_the_target(consulting) -> None:
    unit, session = consulting
    enter(unit, "X", LOCAL_1)
    enter(unit, "X", OPERATOR)
    enter(unit, "Y", TARGET)
    enter(unit, "Y", LOCAL_2)
    leave(unit, "X", OPERATOR)
    enter(unit, "Y", OPERATOR)  # swapped in for Local;2
    assert session.consult.channel == TARGET


def channels(*rows: tuple[str, str]) -> list[dict[str, str]]:
    return [{"Event": "CoreShowChannel", "Channel": c, "BridgeId": b} for c, b in rows]


@pytest.mark.parametrize(
    "listed",
    [
        channels((OPERATOR, "X"), (TARGET, "X"), ("PJSIP/sipnet-00000001", "H")),
        channels((OPERATOR, "X"), (LOCAL_1, "X"), (LOCAL_2, "Y"), (TARGET, "Y")),
    ],
    ids=["optimized", "not-yet-optimized"],
)
async def test_the_consulted_party_is_the_one_behind_the_local_pair(consulting, listed) -> None:
    unit, session = consulting
    session.consult.channel = LOCAL_1
    held = CallLeg("L1", channel=OPERATOR, peer="PJSIP/sipnet-00000001")
    unit.listed["CoreShowChannels"] = listed
    assert await _consulted_channel(unit, held, session.consult) == TARGET


async def test_a_consultation_still_ringing_is_its_local_channel(consulting) -> None:
    unit, session = consulting
    session.consult.channel = LOCAL_1
    held = CallLeg("L1", channel=OPERATOR, peer="PJSIP/sipnet-00000001")
    unit.listed["CoreShowChannels"] = channels((OPERATOR, ""), (LOCAL_1, ""), (LOCAL_2, ""))
    assert await _consulted_channel(unit, held, session.consult) == LOCAL_1
