"""Toll fraud: nothing but a configured topic prefix and a dialable number reaches a dial string.

The service is called directly (no schema in front of it), as another code path would call it.
"""

import pytest

from appliance.agency.acp.messages import ACPError, Action
from appliance.agency.operators.tests.fakes import FakeUnit
from appliance.agency.operators.tests.test_service import logged_in

SMUGGLED_TOPIC = "11189&PJSIP/00442079460000@sipnet&PJSIP/89"  # the exploit from the review


@pytest.fixture
async def outbound(world):
    service, _store, unit, _notifier = world
    client, _ = await logged_in(service)
    await service.handle(client, Action("set_mode", {"mode": "outbound", "topic": "111"}, 2))
    return service, client, unit


def _originated(unit: FakeUnit) -> list[dict[str, str]]:
    return [headers for action, headers in unit.actions if action == "Originate"]


@pytest.mark.parametrize("topic", [SMUGGLED_TOPIC, "999", "11"])
async def test_dial_through_a_topic_the_admin_does_not_have_is_refused(outbound, topic) -> None:
    service, client, unit = outbound
    with pytest.raises(ACPError) as err:
        await service.handle(client, Action("dial", {"number": "1234567", "topic": topic}, 3))
    assert err.value.code == "invalid_data"
    assert _originated(unit) == []


@pytest.mark.parametrize(
    "number", ["1234567&PJSIP/00442079460000@sipnet", "89001234567,tT", "8900/1", "89@x", "89\n"]
)
async def test_a_number_with_dial_string_syntax_is_refused(outbound, number) -> None:
    service, client, unit = outbound
    with pytest.raises(ACPError) as err:
        await service.handle(client, Action("dial", {"number": number}, 3))
    assert err.value.code == "invalid_data"
    assert _originated(unit) == []


async def test_set_mode_refuses_an_unknown_topic_and_keeps_the_old_one(outbound) -> None:
    service, client, unit = outbound
    with pytest.raises(ACPError) as err:
        await service.handle(client, Action("set_mode", {"mode": "outbound", "topic": "112"}, 4))
    assert err.value.code == "invalid_data"
    await service.handle(client, Action("dial", {"number": "89001234567"}, 5))
    assert _originated(unit)[-1]["Exten"] == "11189001234567"


@pytest.mark.parametrize("action", ["transfer_blind", "transfer_consult", "conference"])
async def test_transfers_and_conferences_refuse_a_number_with_dial_string_syntax(
    outbound, action
) -> None:
    service, client, unit = outbound
    await service.handle(client, Action("dial", {"number": "89001234567"}, 5))
    sent = len(unit.actions)
    with pytest.raises(ACPError) as err:
        await service.handle(client, Action(action, {"number": "1002&PJSIP/0044@sipnet"}, 6))
    assert err.value.code == "invalid_data"
    assert unit.actions[sent:] == []
