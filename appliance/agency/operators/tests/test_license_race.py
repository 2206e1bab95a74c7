"""The license's operator limit under logins at the same moment: the check and the session it
admits cannot be separated by the awaits in between (groups from the database, QueueAdd)."""

import asyncio

import pytest

from appliance.agency.acp.messages import ACPError
from appliance.agency.operators.tests.fakes import make_client
from appliance.agency.operators.tests.test_service import login


async def test_two_logins_at_once_cannot_both_pass_a_limit_of_one(world, monkeypatch) -> None:
    service, store, *_ = world
    service.logins.max_operators = 1
    slow = store.groups_of

    async def groups_of_slowly(operator_id: int):  # the database answering after a while
        await asyncio.sleep(0.05)
        return await slow(operator_id)

    monkeypatch.setattr(store, "groups_of", groups_of_slowly)
    results = await asyncio.gather(
        service.login(make_client(), login("101")),
        service.login(make_client(), login("102", mac="a0b1c2d3e4f5")),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, ACPError)]
    assert [r.code for r in refused] == ["license_limit"]
    assert len(service.sessions) == 1


async def test_the_same_agent_logging_in_twice_at_once_gets_one_session(world, monkeypatch):
    service, store, *_ = world
    slow = store.groups_of

    async def groups_of_slowly(operator_id: int):
        await asyncio.sleep(0.05)
        return await slow(operator_id)

    monkeypatch.setattr(store, "groups_of", groups_of_slowly)
    first = asyncio.ensure_future(service.login(make_client(), login("101")))

    async def setting_up() -> None:
        while "101" not in service.logins.starting:
            await asyncio.sleep(0.001)

    await asyncio.wait_for(setting_up(), 5)  # the first login waits for the database
    with pytest.raises(ACPError) as err:
        await service.login(make_client(), login("101"))
    assert err.value.code == "not_allowed"
    await first
    assert list(service.sessions) == ["101"]


async def test_the_limit_counts_the_operators_of_every_agency_instance(world) -> None:
    service, store, unit, _ = world  # max_operators 2
    store.saved["301"] = {"workplace": "elsewhere"}  # logged in on another agency instance
    await service.login(make_client(), login("101"))
    with pytest.raises(ACPError) as err:
        await service.login(make_client(), login("102", mac="a0b1c2d3e4f5"))
    assert err.value.code == "license_limit"
    assert "102" not in store.saved  # no place kept for a refused login
    del store.saved["301"]  # that operator logged out there
    unit.up = False  # this login fails on the PBX: its place goes back
    with pytest.raises(ACPError) as err:
        await service.login(make_client(), login("102", mac="a0b1c2d3e4f5"))
    assert err.value.code == "pbx_unavailable" and "102" not in store.saved
    unit.up = True
    await service.login(make_client(), login("102", mac="a0b1c2d3e4f5"))
    assert set(service.sessions) == {"101", "102"}
