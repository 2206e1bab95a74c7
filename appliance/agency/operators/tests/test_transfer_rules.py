"""A transfer to a workplace is an inbound call for the operator there: it is refused up front
when that operator could not take it (the manual: one inbound call, only in Inbound mode), so the
caller is never sent to an operator who may not take it."""

import pytest

from appliance.agency.acp.messages import ACPError, Action
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


@pytest.fixture
async def world():
    store, unit, notifier = FakeStore(), FakeUnit(), FakeNotifier()
    service = wired_service(store, unit, notifier)
    clients = {"101": make_client(), "102": make_client()}
    for agent, mac in (("101", MAC), ("102", "a0b1c2d3e4f5")):
        login = {"agent": agent, "password": PASSWORD, "workplace": mac}
        await service.login(clients[agent], Action("login", login, 1))
    # operator 101 (workplace 201) talks to a caller
    call = {
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
    yield service, unit, clients
    await shut_down(service)


async def transfer(service, client, kind: str, number: str) -> dict:
    return await service.handle(client, Action(kind, {"number": number}, 7))


@pytest.mark.parametrize("kind", ["transfer_blind", "transfer_consult"])
async def test_a_workplace_whose_operator_is_in_outbound_mode_is_refused(world, kind) -> None:
    service, unit, clients = world
    await service.handle(clients["102"], Action("set_mode", {"mode": "outbound"}, 2))
    with pytest.raises(ACPError) as err:
        await transfer(service, clients["101"], kind, "202")
    assert err.value.code == "not_allowed"
    assert err.value.message.render("en") == (
        "operator 102 at workplace 202 cannot take the call: no inbound calls in Outbound mode"
    )
    assert err.value.message.render("ru").startswith(
        "оператор 102 на рабочем месте 202 не может принять звонок: "
    )
    assert not {"BlindTransfer", "Atxfer"} & set(unit.names())


@pytest.mark.parametrize("kind", ["transfer_blind", "transfer_consult"])
async def test_a_workplace_whose_operator_may_take_it_is_transferred_to(world, kind) -> None:
    service, unit, clients = world
    await transfer(service, clients["101"], kind, "202")
    assert {"BlindTransfer", "Atxfer"} & set(unit.names())


async def test_a_second_inbound_call_for_the_operator_there_is_refused(world) -> None:
    service, unit, clients = world
    call = {
        "Channel": "PJSIP/sipnet-00000003",
        "Context": "Outbound",
        "Exten": "202",
        "Linkedid": "L3",
        "CallerIDNum": "79007654321",
        "CallerIDName": "",
        "DestChannel": "PJSIP/202-00000004",
        "DestLinkedid": "L4",
    }
    unit.emit({"Event": "DialBegin", **call})
    with pytest.raises(ACPError, match="already has an inbound call"):
        await transfer(service, clients["101"], "transfer_blind", "202")
    assert "BlindTransfer" not in unit.names()


@pytest.mark.parametrize("number", ["203", "89005551234"])
async def test_other_numbers_go_out_as_before(world, number) -> None:
    # 203: a workplace with no session here (it may be served by another agency instance)
    service, unit, clients = world
    await transfer(service, clients["101"], "transfer_blind", number)
    assert "BlindTransfer" in unit.names()
