"""The unit registry keeps the running units in step with the admin's table (fakes for AMI)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from appliance.agency.acp.messages import ACPError, Action
from appliance.agency.operators.service import OperatorService
from appliance.agency.operators.tests.fakes import (
    PASSWORD,
    FakeNotifier,
    FakeStore,
    FakeUnit,
    make_client,
    shut_down,
    wired_service,
)
from appliance.agency.units import UnitRegistry
from appliance.ami.manager import UnitAccess


def access(name: str, host: str = "10.0.0.5", **changes: Any) -> UnitAccess:
    return replace(FakeUnit(name, host).unit, **changes)


class Wiring:
    def __init__(self, service: OperatorService | None = None) -> None:
        self.units: dict[str, FakeUnit] = {}
        self.made: list[FakeUnit] = []
        self.attached: list[FakeUnit] = []
        self.removed: list[str] = []
        self.service = service
        self.registry = UnitRegistry(self.units, self.make, self.attached.append, self.on_removed)

    def make(self, unit_access: UnitAccess) -> FakeUnit:
        unit = FakeUnit(unit_access.name, unit_access.host)
        unit.unit = unit_access
        self.made.append(unit)
        return unit

    async def on_removed(self, name: str) -> None:
        self.removed.append(name)
        if self.service is not None:
            await self.service.drop_unit(name)


async def test_a_unit_added_while_running_is_wired_and_started_at_once() -> None:
    wiring = Wiring()
    await wiring.registry.sync([])
    wiring.registry.start()
    changes = await wiring.registry.sync([access("pbx1")])
    assert changes.added == ["pbx1"]
    unit = wiring.units["pbx1"]
    assert unit.started and wiring.attached == [unit]


async def test_units_found_before_the_start_wait_for_it() -> None:
    wiring = Wiring()
    await wiring.registry.sync([access("pbx1")])
    assert not wiring.units["pbx1"].started
    wiring.registry.start()
    assert wiring.units["pbx1"].started


async def test_an_unchanged_unit_keeps_its_manager() -> None:
    wiring = Wiring()
    wiring.registry.start()
    await wiring.registry.sync([access("pbx1"), access("pbx2")])
    first = dict(wiring.units)
    changes = await wiring.registry.sync([access("pbx2"), access("pbx1")])
    assert not changes
    assert wiring.units == first and not any(u.stopped for u in first.values())


async def test_a_changed_ami_address_reconnects_with_the_new_one() -> None:
    wiring = Wiring()
    wiring.registry.start()
    await wiring.registry.sync([access("pbx1")])
    old = wiring.units["pbx1"]
    changes = await wiring.registry.sync([access("pbx1", host="10.0.0.9")])
    assert changes.reconnected == ["pbx1"] and wiring.removed == []
    assert old.stopped
    assert wiring.units["pbx1"].unit.host == "10.0.0.9" and wiring.units["pbx1"].started


async def test_a_newly_pinned_ami_certificate_reconnects_with_it() -> None:
    wiring = Wiring()
    wiring.registry.start()
    await wiring.registry.sync([access("pbx1")])
    old = wiring.units["pbx1"]
    pem = "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"
    changes = await wiring.registry.sync([access("pbx1", port=5039, tls_certificate=pem)])
    assert changes.reconnected == ["pbx1"] and old.stopped
    assert wiring.units["pbx1"].unit.tls_certificate == pem and wiring.units["pbx1"].started
    changes = await wiring.registry.sync([access("pbx1", tls_certificate=pem.replace(".", "x"))])
    assert changes.reconnected == ["pbx1"]


async def test_a_changed_websocket_address_is_taken_over_without_reconnecting() -> None:
    wiring = Wiring()
    wiring.registry.start()
    await wiring.registry.sync([access("pbx1")])
    unit = wiring.units["pbx1"]
    changes = await wiring.registry.sync([access("pbx1", ws_url="wss://new/sip")])
    assert changes.updated == ["pbx1"]
    assert wiring.units["pbx1"] is unit and not unit.stopped
    assert unit.unit.ws_url == "wss://new/sip"


async def test_the_license_bounds_the_units_connected() -> None:
    wiring = Wiring()
    wiring.registry.max_units = 1
    await wiring.registry.sync([access("pbx2"), access("pbx1")])
    assert list(wiring.units) == ["pbx1"]
    wiring.registry.start()
    await wiring.registry.sync([access("pbx0"), access("pbx1")])
    assert list(wiring.units) == ["pbx1"]  # a unit added later never displaces a connected one
    await wiring.registry.sync([access("pbx0")])
    assert list(wiring.units) == ["pbx0"]


def login(agent: str, mac: str) -> Action:
    return Action("login", {"agent": agent, "password": PASSWORD, "workplace": mac}, 1)


@pytest.fixture
async def two_units() -> Any:
    store, first, second, notifier = (
        FakeStore(),
        FakeUnit("unit1"),
        FakeUnit("unit2"),
        FakeNotifier(),
    )
    service = wired_service(store, first, notifier)
    wiring = Wiring(service)
    wiring.units.update(unit1=first, unit2=second)
    service.units = wiring.units  # the registry's dict, as app.py wires it
    wiring.registry.start()
    yield service, wiring, first, second, notifier
    await shut_down(service)


async def test_removing_a_unit_logs_out_only_its_operators_and_stops_it(two_units) -> None:
    service, wiring, first, second, notifier = two_units
    on_first, on_second = make_client(), make_client()
    await service.login(on_first, login("101", "E8:03:9A:B5:E0:C9"))
    first.up = False  # the next login goes to the unit that is up
    await service.login(on_second, login("102", "a0b1c2d3e4f5"))
    first.up = True
    assert service.sessions["101"].unit == "unit1" and service.sessions["102"].unit == "unit2"

    changes = await wiring.registry.sync([second.unit])

    assert changes.removed == ["unit1"] and first.stopped and not second.stopped
    assert "101" not in service.sessions and "102" in service.sessions
    assert notifier.last("logged_out")["reason"] == "pbx_removed"
    assert "logged_out" not in notifier.names(on_second)
    assert ("QueueRemove", {"Queue": "support", "Interface": "PJSIP/201"}) in first.actions
    assert wiring.units == {"unit2": second}


async def test_an_operator_logs_in_on_a_unit_added_after_the_start() -> None:
    store, notifier = FakeStore(), FakeNotifier()
    placeholder = FakeUnit("unit1")
    service = wired_service(store, placeholder, notifier)
    wiring = Wiring(service)
    service.units = wiring.units
    wiring.registry.start()
    await wiring.registry.sync([])
    with pytest.raises(ACPError) as refused:
        await service.login(make_client(), login("101", "E8:03:9A:B5:E0:C9"))
    assert refused.value.code == "pbx_unavailable" and refused.value.id == 1
    await wiring.registry.sync([access("pbx1")])
    reply = await service.login(make_client(), login("101", "E8:03:9A:B5:E0:C9"))
    assert service.sessions["101"].unit == "pbx1" and reply["sip"]["username"] == "201"
    await shut_down(service)
