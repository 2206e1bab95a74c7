"""The agency's dialplan is added again when the unit reports a reload of pbx_config."""

import pytest

from appliance.agency.operators.tests.fakes import (
    FakeStore,
    FakeUnit,
    settle,
    shut_down,
    wired_service,
)
from appliance.contracts.agency_dialplan import AGENCY_DIALPLAN


@pytest.fixture
async def unit():
    unit = FakeUnit()
    service = wired_service(FakeStore(), unit)
    yield unit
    await shut_down(service)


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


async def test_a_least_privileged_ami_user_leaves_the_dialplan_to_the_admin(unit, caplog) -> None:
    """uzor-agency may not add dialplan (no system right): the admin's extensions.conf has the
    agency's contexts, so the refusal is no warning and the resync goes on."""
    unit.refused.add("DialplanExtensionAdd")
    caplog.set_level("INFO")
    await unit.snapshot([], [])
    assert installed(unit) == []
    assert "the agency's dialplan is the admin's" in caplog.text
    assert "agency dialplan not installed" not in caplog.text
