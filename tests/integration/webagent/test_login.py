"""Login in Chromium against the real agency: each refusal its own message; a good login shows
Ready and the unit's queue lists the workplace."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from testkit.webagent_operator import (
    TIMEOUT_MS,
    log_in,
    logged_in,
    open_login,
    ready,
)
from testkit.webagent_site import Site

pytestmark = pytest.mark.integration


def error_text(page: Any) -> str:
    locator = page.get_by_test_id("login-error")
    expect(locator).to_be_visible(timeout=TIMEOUT_MS)
    return str(locator.inner_text())


def test_wrong_password_and_unknown_workplace_have_their_own_messages(
    webagent_site: Site, agent_browser: Any
) -> None:
    page = open_login(agent_browser, webagent_site)
    log_in(page, "101", "not-the-password")
    assert error_text(page) == "Wrong agent number or password."

    other = open_login(agent_browser, webagent_site, mac="02-00-00-00-00-99")
    log_in(other, "101")
    assert error_text(other) == (
        "This workplace (02:00:00:00:00:99) is not registered. Ask the administrator to add it."
    )

    bad = open_login(agent_browser, webagent_site, mac="not-a-mac")
    assert "is not a MAC address" in error_text(bad)
    expect(bad.get_by_role("button", name="Log in")).to_be_disabled()


def test_maintenance_refuses_logins_in_the_operators_language(
    webagent_site: Site, agent_browser: Any
) -> None:
    agency = webagent_site.agency
    status, _ = agency.request("PUT", "/api/mode", {"mode": "maintenance"}, agency.token)
    assert status == 200
    page = open_login(agent_browser, webagent_site, lang="ru")
    log_in(page, "101")
    assert error_text(page) == "Контакт-центр на обслуживании. Вход закрыт; попробуйте позже."


@pytest.mark.parametrize("webagent_site", [{"max_operators": 1}], indirect=True)
def test_the_licenses_operator_limit_is_told_plainly(
    webagent_site: Site, agent_browser: Any
) -> None:
    logged_in(agent_browser, webagent_site, agent="102", mac="E8-03-9A-B5-E0-CA")
    page = open_login(agent_browser, webagent_site)
    log_in(page, "101")
    assert error_text(page) == (
        "The license allows no more operators to log in now. Ask the supervisor."
    )


def test_login_shows_ready_and_the_queue_lists_the_workplace(
    webagent_site: Site, agent_browser: Any
) -> None:
    page = ready(agent_browser, webagent_site)
    expect(page.get_by_test_id("state")).to_contain_text("Ready")
    expect(page.get_by_test_id("operator")).to_contain_text("101")
    queue = webagent_site.unit.cli("queue show sales")
    assert "PJSIP/1001" in queue, queue
    assert "(paused" not in queue.split("PJSIP/1001")[1].splitlines()[0], queue

    page.get_by_test_id("btn-logout").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=TIMEOUT_MS)
    assert "PJSIP/1001" not in webagent_site.unit.cli("queue show sales")
