"""The license re-read while running (issue 13, item 9): a replaced license takes effect, one
that stops passing the check stops new logins (sessions go on, terminals are told), and a valid
file put back accepts logins again. The gate is a fake: each check returns or raises what the
test put in the "file"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from appliance.agency.acp.messages import ACPError
from appliance.agency.acp.outgoing import Outgoing
from appliance.agency.license_watch import LicenseWatch
from appliance.agency.operators.tests.fakes import make_client
from appliance.agency.operators.tests.test_service import logged_in, login
from appliance.agency.running import Agency, LicenseInfo
from licensing.errors import BadSignature, Expired, LicenseError
from licensing.gate import LicenseRefusedError
from licensing.server_id import collect_facts

FIRST = LicenseInfo("L1", "ACME", None, 2, 1)
SECOND = LicenseInfo("L2", "ACME", "2031-01-01T00:00:00+00:00", 1, 3)


class LicenseFile:
    """What the fake gate finds: a license, or the reason the check refuses it."""

    def __init__(self) -> None:
        self.content: LicenseInfo | LicenseError = FIRST
        self.checks = 0

    def check(self) -> LicenseInfo:
        self.checks += 1
        if isinstance(self.content, LicenseError):
            raise LicenseRefusedError("uzor-agency", self.content, collect_facts())
        return self.content


class Terminals:
    """The ACP server's broadcast, recorded."""

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.clients: dict[int, Any] = {}
        self.max_clients = 10

    def broadcast(self, message: Outgoing) -> None:
        self.sent.append(message)


def watched(service: Any) -> tuple[LicenseFile, Terminals, Agency, LicenseWatch, list[Any]]:
    file, terminals, limits = LicenseFile(), Terminals(), []
    agency = Agency(None, terminals, service, {}, None, None, FIRST, 0.0)  # type: ignore[arg-type]
    return file, terminals, agency, LicenseWatch(file.check, agency, 1.0, limits.append), limits


async def test_a_replaced_license_takes_effect_without_a_restart(world) -> None:
    service, *_ = world
    file, terminals, agency, watch, limits = watched(service)
    await logged_in(service)
    file.content = SECOND
    await watch.recheck()
    assert agency.license == SECOND and agency.describe()["license"]["max_operators"] == 1
    assert service.logins.license_not_after == datetime(2031, 1, 1, tzinfo=UTC)
    assert limits == [SECOND]  # the PBX unit limit goes to the registry
    with pytest.raises(ACPError) as err:  # the new limit (1) holds at once
        await service.login(make_client(), login("102", mac="a0b1c2d3e4f5"))
    assert err.value.code == "license_limit"
    assert terminals.sent == []  # nothing to tell: logins are still accepted
    await watch.recheck()
    assert limits == [SECOND]  # the same file again changes nothing


@pytest.mark.parametrize(
    ("problem", "said"),
    [
        (Expired(license_id="L1", not_after="2026-01-01", now="2026-12-06"), "has expired"),
        (BadSignature(license_id="L1"), "is no longer valid"),
    ],
)
async def test_a_license_that_stops_passing_stops_new_logins_until_a_valid_one_is_back(
    world, problem: LicenseError, said: str
) -> None:
    service, *_ = world
    file, terminals, agency, watch, _ = watched(service)
    await logged_in(service)
    file.content = problem
    await watch.recheck()
    assert agency.describe()["license"]["valid"] is False
    (notice,) = terminals.sent
    assert (notice.kind, notice.name) == ("notification", "license")
    assert said in notice.data["message"].render("en")
    assert "новые входы" in notice.data["message"].render("ru")
    with pytest.raises(ACPError) as err:
        await service.login(make_client(), login("102", mac="a0b1c2d3e4f5"))
    assert err.value.code == "license_expired" and said in str(err.value.message)
    # the session already running goes on, and its terminal may come back
    _, reply = await logged_in(service)
    assert reply["resumed"] is True and "101" in service.sessions
    await watch.recheck()
    assert len(terminals.sent) == 1  # told once, not at every check
    file.content = SECOND
    await watch.recheck()
    assert agency.describe()["license"]["valid"] is True and agency.license == SECOND
    assert terminals.sent[-1].name == "license"
    assert "accepted" in terminals.sent[-1].data["message"].render("en")
    service.logins.max_operators = 2
    await service.login(make_client(), login("102", mac="a0b1c2d3e4f5"))
    assert set(service.sessions) == {"101", "102"}


async def test_a_failing_check_keeps_the_agency_running(world) -> None:
    service, *_ = world
    _, _, agency, watch, _ = watched(service)

    def broken() -> LicenseInfo:
        raise OSError("disk away")

    watch.check = broken
    with pytest.raises(OSError):
        await watch.recheck()  # run() logs it and tries again at the next round
    assert agency.license == FIRST and agency.license_valid
