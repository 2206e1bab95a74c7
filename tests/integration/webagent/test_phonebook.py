"""The dial window's phone book in Chromium against the real unit and agency: operator 101 sees
operator 102 (workplace 1002) with the state the agency reports, kept fresh while the window is
open, and a click puts the colleague's workplace number in the number field."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from testkit.webagent_operator import TIMEOUT_MS, logged_in, ready, wait_state
from testkit.webagent_site import SECOND_MAC, Site

pytestmark = pytest.mark.integration


def background(page: Page, test_id: str) -> str:
    element = page.get_by_test_id(test_id).first
    return str(element.evaluate("e => getComputedStyle(e).backgroundColor"))


def test_the_dial_window_lists_a_logged_in_colleague_and_a_click_fills_the_workplace(
    webagent_site: Site, agent_browser: Any
) -> None:
    site = webagent_site
    colleague = ready(agent_browser, site, agent="102", mac=SECOND_MAC)
    page = logged_in(agent_browser, site)
    page.get_by_test_id("mode-outbound").click()
    wait_state(page, "pause")
    page.get_by_test_id("btn-dial-window").click()

    book = page.get_by_test_id("colleagues")
    entry = book.locator("li[data-agent='102']")
    expect(entry).to_contain_text("1002", timeout=TIMEOUT_MS)
    expect(entry.get_by_test_id("colleague-state")).to_have_attribute("data-state", "ready")
    expect(entry.get_by_test_id("colleague-state")).to_have_text("Ready")
    expect(book.locator("li[data-agent='101']")).to_have_count(0)  # not oneself

    # the window refreshes while open: the colleague's pause shows up, coloured like its pill
    colleague.get_by_test_id("pause-reason").select_option("lunch")
    wait_state(colleague, "pause")
    expect(entry.get_by_test_id("colleague-state")).to_have_attribute(
        "data-state", "pause", timeout=TIMEOUT_MS
    )
    expect(entry.get_by_test_id("colleague-state")).to_have_text("Pause")
    assert background(page, "colleague-state") == background(colleague, "state")

    page.get_by_test_id("colleague-102").click()
    expect(page.get_by_test_id("dial-number")).to_have_value("1002")
    expect(page.get_by_test_id("btn-dial")).to_be_enabled()
