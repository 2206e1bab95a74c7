"""The real agency re-reads its license file while running (issue 13, item 9): an expired
license put in its place stops new logins (the session already running goes on, its terminal is
told), a valid one put back accepts logins again with its own limits, no restart."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from testkit.agency import Agency, Terminal, logged_in_terminal, until, write_agency
from testkit.licensing import LicenseFiles, issue_test_license, make_license_files
from tests.integration.agency.test_agency import QUEUES, call_center_model

pytestmark = pytest.mark.integration


@pytest.fixture
def licensed(admin_database: Any, asterisk_unit: Any, tmp_path: Path) -> Iterator[Any]:
    unit = asterisk_unit(QUEUES)
    files = make_license_files(tmp_path / "license", max_operators=5, customer="Uzor tests")
    with call_center_model(admin_database, unit):
        agency = write_agency(tmp_path, admin_database, (files.license_path, files.public_keys))
        with agency.config.open("a") as config:
            config.write("license: {recheck_seconds: 0.5}\n")
        agency.start()
        try:
            yield agency, files
        finally:
            agency.stop()


def replace_license(files: LicenseFiles, **terms: Any) -> str:
    """A new license from the same vendor key moved over the file at once; its ID."""
    license = issue_test_license(files.private_key, **{"customer": "Uzor tests", **terms})
    fresh = files.license_path.with_suffix(".new")
    fresh.write_text(license.armoured(), encoding="utf-8")
    os.replace(fresh, files.license_path)
    return license.license_id


async def license_shown(
    agency: Agency, valid: bool, customer: str = "Uzor tests"
) -> dict[str, Any]:
    """The license in /status once it says ``valid`` for ``customer``."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        shown: dict[str, Any] = agency.status(agency.token)["license"]
        if shown["valid"] is valid and shown["customer"] == customer:
            return shown
        await asyncio.sleep(0.2)
    raise AssertionError(f"the license never showed valid={valid}:\n{agency.tail()}")


async def test_a_license_replaced_while_running_governs_new_logins(licensed) -> None:
    agency, files = licensed
    now = datetime.now(UTC)
    async with aiohttp.ClientSession() as http:
        terminal = await logged_in_terminal(agency.url, http)
        replace_license(
            files, issued_at=now - timedelta(days=30), not_after=now - timedelta(days=1)
        )
        notice = await until(terminal, "license")
        assert "expired" in notice["data"]["message"], notice
        await license_shown(agency, valid=False)
        # the session already running keeps working
        paused = await terminal.call("set_state", {"state": "pause", "reason": "lunch"})
        assert paused["data"]["state"] == "pause", paused
        left = await terminal.call("logout")
        assert left["name"] == "logout.result", left
        # a new login is refused with the clear message
        refused = await Terminal(await http.ws_connect(f"{agency.url}/ws")).login()
        assert refused["name"] == "license_expired", refused
        assert "valid license is installed" in refused["data"]["message"]
        # a valid license put back, with other limits: logins again, no restart
        replace_license(files, max_operators=3, max_pbx_units=2, customer="Uzor renewed")
        shown = await license_shown(agency, valid=True, customer="Uzor renewed")
        assert (shown["max_operators"], shown["max_pbx_units"]) == (3, 2)
        await logged_in_terminal(agency.url, http)
