"""The operator's call controls in Chromium against the real unit, agency and carrier: an
outbound call from the dial window with the route's caller ID; hold, mute and DTMF heard by
the carrier."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from testkit.webagent_operator import ready, ring, wait_rtp, wait_state
from testkit.webagent_site import DID, Site

pytestmark = pytest.mark.integration


def test_an_outbound_call_from_the_dial_window_reaches_the_carrier_with_the_routes_caller_id(
    webagent_site: Site, agent_browser: Any
) -> None:
    site = webagent_site
    site.carrier.set_inbound("answer", playback="beep", hold=4)
    since = site.carrier.events.mark()
    page = ready(agent_browser, site)
    expect(page.get_by_test_id("btn-dial-window")).to_be_disabled()  # only from Pause
    page.get_by_test_id("mode-outbound").click()
    wait_state(page, "pause")
    expect(page.get_by_test_id("state")).to_contain_text("Outbound")
    expect(page.get_by_test_id("mode-outbound")).to_have_attribute("aria-checked", "true")
    expect(page.get_by_test_id("btn-ready")).to_have_count(0)  # no Ready in Outbound mode

    page.get_by_test_id("btn-dial-window").click()
    page.get_by_test_id("dial-topic").select_option("111")
    page.get_by_test_id("dial-number").fill("89001234567")
    page.get_by_test_id("btn-dial").click()

    received = site.carrier.wait_for_call(timeout=30, since=since)
    assert received.number == "89001234567"
    assert received.caller_id_num == "74951112233"  # the route's caller ID
    wait_state(page, "talking")
    expect(page.get_by_test_id("call-0").get_by_test_id("caller-number")).to_have_text(
        "89001234567"
    )
    stats = wait_rtp(page, inbound=20, outbound=20)
    assert stats["inbound"] > 0
    wait_state(page, "wrapup")  # the carrier hung up
    wait_state(page, "pause")  # after wrap-up Outbound mode returns to its pause
    page.get_by_test_id("btn-dial-window").click()
    expect(page.get_by_test_id("recent")).to_contain_text("89001234567")


def test_hold_mute_and_dtmf_on_an_inbound_call(webagent_site: Site, agent_browser: Any) -> None:
    site = webagent_site
    page = ready(agent_browser, site)
    call = ring(page, site, hold=60)
    page.get_by_test_id("btn-answer").click()
    wait_state(page, "talking")
    assert call.wait_answered(20)
    wait_rtp(page, inbound=0, outbound=20)  # the phone sends; the carrier is silent

    page.get_by_test_id("btn-hold").click()
    wait_state(page, "hold")
    page.get_by_test_id("btn-unhold").click()
    wait_state(page, "talking")

    page.get_by_test_id("btn-mute").click()
    expect(page.get_by_test_id("btn-mute")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.uzorDiagnostics.micEnabled()") is False
    page.get_by_test_id("btn-mute").click()
    assert page.evaluate("window.uzorDiagnostics.micEnabled()") is True

    with site.carrier.unit.ami(events="dtmf") as ami:
        mark = ami.mark()
        page.get_by_test_id("btn-keypad").click()
        page.get_by_test_id("dtmf-5").click()
        heard = ami.wait_event(lambda e: e.name == "DTMFEnd", 20, mark)
        assert heard["Digit"] == "5"

    page.keyboard.press("F4")
    wait_state(page, "wrapup")
    # the caller's call ends too (after hold/unhold it must not be left waiting in the unit)
    assert call.wait_ended(30).answered


def test_auto_answer_takes_the_next_call_without_f3(
    webagent_site: Site, agent_browser: Any
) -> None:
    site = webagent_site
    page = ready(agent_browser, site)
    # a click, then the agency's confirmation: the box shows the agency's state, so Playwright's
    # check() (which wants the state changed at once) would race the round trip
    page.get_by_test_id("auto-answer").click()
    expect(page.get_by_test_id("auto-answer")).to_be_checked()
    call = site.carrier.start_call(DID, caller_id='"Petrov" <79161234567>', hold=30)
    assert call.wait_answered(30)
    wait_state(page, "talking")
    page.keyboard.press("F4")
    wait_state(page, "wrapup")
    assert call.wait_ended(30).answered
