"""A full shift's walk in both languages, by keyboard where the operator would use it (login
with Enter, F3, F4, controls by focus + Enter, ? for the help): every state is screenshotted at
1366x768. ``make webagent-screenshots`` writes them into docs/webagent/; otherwise they go to
test-artifacts/webagent/."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from testkit.webagent_operator import (
    TIMEOUT_MS,
    log_in,
    open_login,
    wait_phone_registered,
    wait_state,
)
from testkit.webagent_site import DID, REPO, Site

pytestmark = pytest.mark.integration
SHOTS = Path(os.environ.get("UZOR_WEBAGENT_SHOTS", REPO / "test-artifacts" / "webagent"))


def shot(page: Page, lang: str, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # let the pill's pulse and fonts settle (not a test of timing)
    path = SHOTS / f"{lang}-{name}.png"
    page.screenshot(path=str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def press(page: Page, testid: str) -> None:
    """Keyboard: focus the control, then Enter (every control is reachable and operable)."""
    page.get_by_test_id(testid).focus()
    page.keyboard.press("Enter")


@pytest.mark.parametrize("webagent_site", [{"script": True}], indirect=True)
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_shift_by_keyboard_with_a_screenshot_of_every_state(
    webagent_site: Site, agent_browser: Any, lang: str
) -> None:
    site = webagent_site
    page = open_login(agent_browser, site, lang=lang)
    shot(page, lang, "01-login")
    log_in(page, "101", "wrong-password")
    expect(page.get_by_test_id("login-error")).to_be_visible(timeout=TIMEOUT_MS)
    shot(page, lang, "02-login-error")
    log_in(page, "101")
    wait_state(page, "ready")
    wait_phone_registered(page)
    shot(page, lang, "03-ready")

    call = site.carrier.start_call(
        DID, caller_id='"Petrov" <79161234567>', hold=90, playback="hello-world"
    )
    wait_state(page, "ringing")
    expect(page.frame_locator("[data-testid=script-frame]").locator("#number")).to_have_text(
        "79161234567", timeout=TIMEOUT_MS
    )
    shot(page, lang, "04-ringing")
    page.keyboard.press("F3")
    wait_state(page, "talking")
    shot(page, lang, "05-talking")
    press(page, "btn-hold")
    wait_state(page, "hold")
    shot(page, lang, "06-hold")
    press(page, "btn-unhold")
    wait_state(page, "talking")
    press(page, "btn-keypad")
    expect(page.get_by_test_id("keypad")).to_be_visible()
    shot(page, lang, "07-keypad")
    page.keyboard.press("Escape")
    page.keyboard.press("F4")
    wait_state(page, "wrapup")
    shot(page, lang, "08-wrapup")
    assert call.wait_ended(30).answered

    page.get_by_test_id("pause-reason").focus()
    page.get_by_test_id("pause-reason").select_option("lunch")
    wait_state(page, "pause")
    shot(page, lang, "09-pause")
    press(page, "mode-outbound")
    wait_state(page, "pause")
    press(page, "btn-dial-window")
    expect(page.get_by_test_id("dial-window")).to_be_visible()
    shot(page, lang, "10-outbound-dial")
    page.keyboard.press("Escape")
    press(page, "mode-offline")
    wait_state(page, "task_waiting")
    shot(page, lang, "11-offline-waiting")
    page.get_by_test_id("task-project").fill("PRJ-7")
    press(page, "btn-task-start")
    wait_state(page, "task")
    shot(page, lang, "12-offline-task")
    page.locator("body").focus()
    page.keyboard.press("?")
    expect(page.get_by_test_id("help")).to_be_visible()
    shot(page, lang, "13-help")
    page.keyboard.press("Escape")

    site.agency.stop()
    expect(page.get_by_test_id("banner-lost")).to_be_visible(timeout=TIMEOUT_MS)
    shot(page, lang, "14-connection-lost")
    site.agency.start()
    expect(page.get_by_test_id("banner-lost")).to_have_count(0, timeout=TIMEOUT_MS)
    press(page, "btn-logout")
    expect(page.locator("input[name=agent]")).to_be_visible(timeout=TIMEOUT_MS)
