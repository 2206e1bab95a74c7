"""The agency's dialplan is added again when the unit reports a reload of pbx_config."""

import pytest

from appliance.agency.config import OperatorsConfig
from appliance.agency.operators.calls import AGENCY_DIALPLAN
from appliance.agency.operators.events import CallEvents
from appliance.agency.operators.service import OperatorService
from appliance.agency.operators.tests.fakes import FakeStore, FakeUnit, settle
from appliance.agency.operators.topics import TopicCache


@pytest.fixture
async def unit():
    store, unit = FakeStore(), FakeUnit()
    settings = OperatorsConfig(pause_limit=600, reconnect_grace=60)
    service = OperatorService(settings, store, {"unit1": unit})  # type: ignore[arg-type, dict-item]
    CallEvents(service, TopicCache(store)).attach(unit)  # type: ignore[arg-type]
    yield unit
    await service.drain()


def installed(unit: FakeUnit) -> list[tuple[str, str, str, str, str]]:
    return [
        (h["Context"], h["Extension"], h["Priority"], h["Application"], h["ApplicationData"])
        for a, h in unit.actions
        if a == "DialplanExtensionAdd" and h["Replace"] == "yes"
    ]


@pytest.mark.parametrize("module", ["pbx_config.so", "pbx_config", "All"])
async def test_a_dialplan_reload_installs_the_agency_dialplan_again(unit, module) -> None:
    unit.emit({"Event": "Reload", "Module": module, "Status": "0"})
    await settle()
    assert installed(unit) == list(AGENCY_DIALPLAN)


@pytest.mark.parametrize("module", ["app_queue.so", "res_pjsip.so", "features", ""])
async def test_other_reloads_leave_the_dialplan_alone(unit, module) -> None:
    unit.emit({"Event": "Reload", "Module": module, "Status": "0"})
    await settle()
    assert unit.actions == []


async def test_a_unit_that_is_down_gets_it_at_the_next_resync(unit, caplog) -> None:
    unit.up = False
    unit.emit({"Event": "Reload", "Module": "pbx_config.so", "Status": "0"})
    await settle()
    assert "agency dialplan not installed" in caplog.text
    unit.up = True
    await unit.snapshot([], [])
    assert installed(unit) == list(AGENCY_DIALPLAN)
