"""The answer of a consultation (attended transfer, step one) is found among the sessions that
consult, not by looking at every logged-in operator on every DialEnd (thousands of them: the
fan-out benchmark's profile showed that scan)."""

import pytest

from appliance.agency.acp.messages import Action
from appliance.agency.operators.tests.fakes import (
    MAC,
    PASSWORD,
    FakeNotifier,
    FakeStore,
    FakeUnit,
    make_client,
    shut_down,
    wired_service,
)

TARGET = "PJSIP/sipnet-00000009"  # the consulted party's channel, as BridgeEnter reports it


@pytest.fixture
async def world():
    store, unit, notifier = FakeStore(), FakeUnit(), FakeNotifier()
    service = wired_service(store, unit, notifier)
    clients = {"101": make_client(), "102": make_client()}
    for agent, mac in (("101", MAC), ("102", "a0b1c2d3e4f5")):
        login = {"agent": agent, "password": PASSWORD, "workplace": mac}
        await service.login(clients[agent], Action("login", login, 1))
    call = {  # operator 101 (workplace 201) talks to a caller
        "Channel": "PJSIP/sipnet-00000001",
        "Context": "Outbound",
        "Exten": "201",
        "Linkedid": "L1",
        "CallerIDNum": "79001234567",
        "CallerIDName": "",
        "DestChannel": "PJSIP/201-00000002",
        "DestLinkedid": "L2",
    }
    unit.emit({"Event": "DialBegin", **call})
    unit.emit({"Event": "DialEnd", "DialStatus": "ANSWER", **call})
    for channel in (call["Channel"], call["DestChannel"]):  # Dial bridges the two
        unit.emit({"Event": "BridgeEnter", "BridgeUniqueid": "B1", "Channel": channel})
    yield service, unit, notifier, clients
    await shut_down(service)


def answered(unit: FakeUnit, channel: str) -> None:
    unit.emit(
        {
            "Event": "DialEnd",
            "DialStatus": "ANSWER",
            "Channel": "Local/89005551234@Outbound-00000001;2",
            "DestChannel": channel,
            "Linkedid": "L9",
        }
    )


async def consult(service, client) -> str:
    data = {"number": "89005551234"}
    reply = await service.handle(client, Action("transfer_consult", data, 7))
    return str(reply["call_id"])


async def test_the_consulted_party_answering_is_shown_to_the_consulting_operator(world) -> None:
    service, unit, notifier, clients = world
    call_id = await consult(service, clients["101"])
    assert service.consulting == {"101"}
    service.sessions["101"].consult.channel = TARGET
    answered(unit, TARGET)
    assert {"call_id": call_id} in [d for _, _, n, d in notifier.sent if n == "call_answered"]
    state = {c.call_id: c.state.value for c in service.sessions["101"].operator.calls}
    assert state[call_id] == "talking"


async def test_an_ended_consultation_is_forgotten_at_the_next_answer(world) -> None:
    service, unit, _notifier, clients = world
    await consult(service, clients["101"])
    await service.handle(clients["101"], Action("transfer_cancel", {}, 8))
    assert service.sessions["101"].consult is None
    answered(unit, "PJSIP/somebody-00000010")
    assert service.consulting == set()


async def test_an_answer_elsewhere_answers_no_consultation(world) -> None:
    service, unit, notifier, clients = world
    call_id = await consult(service, clients["101"])
    service.sessions["101"].consult.channel = TARGET
    answered(unit, "PJSIP/somebody-00000010")
    assert {"call_id": call_id} not in [d for _, _, n, d in notifier.sent if n == "call_answered"]
    assert service.consulting == {"101"}
