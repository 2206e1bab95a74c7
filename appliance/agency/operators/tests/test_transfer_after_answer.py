"""app_queue reports the answer (AgentConnect) before it bridges the caller and the operator;
a transfer asked for in that moment waits for the bridge instead of Asterisk's "Transfer
invalid" (seen under load: the operator clicked Transfer as the call was answered)."""

import asyncio

import pytest

from appliance.agency.acp.messages import Action
from appliance.agency.operators import calls
from appliance.agency.operators.tests.fakes import MAC, PASSWORD, make_client

CALLER, OPERATOR = "PJSIP/carrier-01", "PJSIP/201-02"


async def answered(service, unit):
    client = make_client()
    await service.login(
        client, Action("login", {"agent": "101", "password": PASSWORD, "workplace": MAC}, 1)
    )
    await service.handle(client, Action("set_state", {"state": "ready"}, 2))
    unit.emit(
        {
            "Event": "AgentCalled",
            "Interface": "PJSIP/201",
            "MemberName": "101",
            "Queue": "support",
            "Channel": CALLER,
            "DestChannel": OPERATOR,
            "CallerIDNum": "79161234567",
            "CallerIDName": "",
            "Exten": "7100",
            "Linkedid": "L1",
        }
    )
    unit.emit({"Event": "AgentConnect", "Interface": "PJSIP/201", "Linkedid": "L1"})
    return client


def bridge(unit) -> None:
    for channel in (CALLER, OPERATOR):
        unit.emit(
            {"Event": "BridgeEnter", "BridgeUniqueid": "B1", "Channel": channel, "Linkedid": "L1"}
        )


@pytest.mark.parametrize(
    ("kind", "sent"), [("transfer_blind", "BlindTransfer"), ("transfer_consult", "Atxfer")]
)
async def test_a_transfer_asked_before_the_bridge_is_sent_once_the_bridge_is_there(
    world, kind, sent
) -> None:
    service, _, unit, _ = world
    client = await answered(service, unit)
    asked = asyncio.create_task(service.handle(client, Action(kind, {"number": "89005551234"}, 3)))
    await asyncio.sleep(0.2)
    assert not asked.done(), asked.result()
    assert sent not in unit.names()
    bridge(unit)
    await asyncio.wait_for(asked, 1)
    assert sent in unit.names()


async def test_a_bridge_that_never_comes_does_not_hold_the_transfer_for_ever(
    world, monkeypatch
) -> None:
    monkeypatch.setattr(calls, "BRIDGE_WAIT", 0.1)
    service, _, unit, _ = world
    client = await answered(service, unit)
    await asyncio.wait_for(
        service.handle(client, Action("transfer_blind", {"number": "89005551234"}, 3)), 1
    )
    assert "BlindTransfer" in unit.names()


async def test_a_bridged_call_is_transferred_at_once(world) -> None:
    service, _, unit, _ = world
    client = await answered(service, unit)
    bridge(unit)
    await asyncio.wait_for(
        service.handle(client, Action("transfer_blind", {"number": "89005551234"}, 3)), 0.1
    )
    assert "BlindTransfer" in unit.names()
