"""The script page in Chromium: the topic's script (the app's example page, on its own origin)
opens on the call with the call's data, drives the workplace through the postMessage API and
gets its events; the same message from another window is refused."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from testkit.webagent_operator import TIMEOUT_MS, ready, ring, wait_state
from testkit.webagent_site import Site

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("webagent_site", [{"script": True}], indirect=True)
def test_the_script_page_answers_holds_and_hangs_up_through_the_api_from_its_origin_only(
    webagent_site: Site, agent_browser: Any
) -> None:
    site = webagent_site
    page = ready(agent_browser, site)
    call = ring(page, site, hold=60)
    script = page.frame_locator("[data-testid=script-frame]")
    expect(script.locator("#number")).to_have_text("79161234567", timeout=TIMEOUT_MS)
    expect(script.locator("#caller")).to_have_text("Petrov")

    script.get_by_role("button", name="Answer", exact=True).click()
    wait_state(page, "talking")
    assert call.wait_answered(20)
    expect(script.locator("#log")).to_contain_text("event call_answered")

    # the app's own window is not the script: its call is ignored (the call stays up, so the
    # script's hold below still finds it)
    page.evaluate("window.postMessage({uzor: 1, id: 9, method: 'hangup', params: {}}, '*')")
    script.get_by_role("button", name="Hold", exact=True).click()
    wait_state(page, "hold")
    script.get_by_role("button", name="Unhold", exact=True).click()
    wait_state(page, "talking")
    expect(script.locator("#log")).to_contain_text("unhold ok")

    script.get_by_role("button", name="Hang up", exact=True).click()
    wait_state(page, "wrapup")
    expect(script.locator("#log")).to_contain_text("event call_ended")
    assert call.wait_ended(30).answered
    script.get_by_role("button", name="Pause (break)").click()  # early exit from wrap-up
    wait_state(page, "pause")
    expect(page.get_by_test_id("state")).to_contain_text("Break")
