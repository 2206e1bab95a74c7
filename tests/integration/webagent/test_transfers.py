"""Transfers and a conference between two operators' browsers (operator 101 on workplace 1001
takes the carrier's call; operator 102 on workplace 1002 is the target), all in Chromium
against the real unit and agency."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from testkit.webagent_operator import TIMEOUT_MS, ready, ring, wait_state
from testkit.webagent_site import SECOND_MAC, Site

pytestmark = pytest.mark.integration


def two_operators_and_a_call(site: Site, browser: Any) -> tuple[Page, Page, Any]:
    colleague = ready(browser, site, agent="102", mac=SECOND_MAC)
    page = ready(browser, site)
    call = ring(page, site, hold=90)
    page.get_by_test_id("btn-answer").click()
    wait_state(page, "talking")
    assert call.wait_answered(20)
    page.get_by_test_id("transfer-number").fill("1002")
    return page, colleague, call


def test_a_blind_transfer_rings_the_colleague_who_takes_the_caller(
    webagent_site: Site, agent_browser: Any
) -> None:
    page, colleague, call = two_operators_and_a_call(webagent_site, agent_browser)
    page.get_by_test_id("btn-transfer").click()
    wait_state(page, "wrapup")
    wait_state(colleague, "ringing")
    expect(colleague.get_by_test_id("call-0").get_by_test_id("caller-number")).to_have_text(
        "79161234567"
    )
    colleague.get_by_test_id("btn-answer").click()
    wait_state(colleague, "talking")
    colleague.get_by_test_id("btn-hangup").click()
    wait_state(colleague, "wrapup")
    assert call.wait_ended(30).answered


def test_an_attended_transfer_with_two_calls_connects_the_caller_to_the_colleague(
    webagent_site: Site, agent_browser: Any
) -> None:
    page, colleague, call = two_operators_and_a_call(webagent_site, agent_browser)
    page.get_by_test_id("btn-consult").click()
    expect(page.get_by_test_id("call-1")).to_be_visible(timeout=TIMEOUT_MS)  # the second call
    expect(page.get_by_test_id("call-0")).to_contain_text("On hold")
    wait_state(colleague, "ringing")
    colleague.get_by_test_id("btn-answer").click()
    wait_state(colleague, "talking")
    expect(page.get_by_test_id("call-1")).to_contain_text("Talking", timeout=TIMEOUT_MS)
    page.get_by_test_id("btn-complete").click()
    wait_state(page, "wrapup")
    wait_state(colleague, "talking")
    colleague.get_by_test_id("btn-hangup").click()
    wait_state(colleague, "wrapup")
    assert call.wait_ended(30).answered


def test_a_conference_of_the_held_caller_and_the_consulted_colleague(
    webagent_site: Site, agent_browser: Any
) -> None:
    site = webagent_site
    page, colleague, call = two_operators_and_a_call(site, agent_browser)
    page.get_by_test_id("btn-consult").click()
    wait_state(colleague, "ringing")
    colleague.get_by_test_id("btn-answer").click()
    wait_state(colleague, "talking")
    expect(page.get_by_test_id("call-1")).to_contain_text("Talking", timeout=TIMEOUT_MS)
    page.get_by_test_id("btn-conference2").click()
    expect(page.get_by_test_id("call-1")).to_have_count(0, timeout=TIMEOUT_MS)
    room = site.unit.cli("confbridge list")
    assert "10010" in room, room  # the conference room of workplace 1001
    call.hangup()
    page.get_by_test_id("btn-hangup").click()
    wait_state(page, "wrapup")
