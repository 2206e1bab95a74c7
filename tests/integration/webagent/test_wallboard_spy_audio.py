"""Listen and Barge from the wallboard reach the supervisor's WebRTC phone. Operator 101 talks
with the carrier's caller in the webagent (Chromium, fake microphone); the supervisor is operator
102, logged in to the webagent on workplace 1002 (group support, which no topic rings), and
clicks Listen, then Barge on the wallboard (the admin in-process over plain HTTP,
testkit/wallboard_admin.py). Each ChanSpy call rings in the supervisor's webagent, which shows
it, and is answered with the webagent's own Answer button; the audio of the operator's call
(the caller's prompt, the operator's fake microphone) then arrives at that call's peer
connection: inbound RTP bytes grow and carry energy (``getStats()``, read through the recorder
of testkit/webagent_call.py). The agency_on_admin wallboard test covers the rest of the board
(states, ChanSpy options, the log, permissions) with SIPp phones, which get no RTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from testkit.wallboard_admin import orm, plain_admin_server, session_cookie
from testkit.webagent_call import RECORD_CONNECTIONS
from testkit.webagent_operator import (
    TIMEOUT_MS,
    log_in,
    ready,
    ring,
    wait_phone_registered,
    wait_state,
)
from testkit.webagent_site import SECOND_MAC, Site

pytestmark = pytest.mark.integration
TALK = "&".join(["hello-world"] * 12)  # the caller speaks all through the listening

# The audio the page's peer connections (from the ``first``) received: RTP payload bytes and
# the energy decoded.
AUDIO_IN = """async (first) => {
    const total = {bytes: 0, energy: 0};
    for (const connection of window.uzorSeen.connections.slice(first)) {
        (await connection.getStats()).forEach((report) => {
            if (report.type === "inbound-rtp" && report.kind === "audio") {
                total.bytes += report.bytesReceived ?? 0;
                total.energy += report.totalAudioEnergy ?? 0;
            }
        });
    }
    return total;
}"""


def audio_in(page: Page, first: int = 0) -> dict[str, float]:
    return dict(page.evaluate(AUDIO_IN, first))


def connections(page: Page) -> int:
    return int(page.evaluate("window.uzorSeen.connections.length"))


def wait_audio(
    page: Page, *, bytes_over: float, first: int = 0, timeout: float = 30
) -> dict[str, float]:
    """Wait until the page's connections from the ``first`` have received more than
    ``bytes_over`` bytes of audio with energy."""
    deadline = time.monotonic() + timeout
    seen = audio_in(page, first)
    while time.monotonic() < deadline:
        seen = audio_in(page, first)
        if seen["bytes"] > bytes_over and seen["energy"] > 0:
            return seen
        time.sleep(0.3)
    raise AssertionError(f"no audio over {bytes_over} bytes arrived: {seen}")


def supervisor_webagent(browser: Any, site: Site) -> Page:
    """Operator 102 logged in on workplace 1002, the page's peer connections recorded."""
    page: Page = browser.new_page()
    page.add_init_script(RECORD_CONNECTIONS)
    page.goto(site.agent_url(SECOND_MAC))
    log_in(page, "102")
    expect(page.get_by_test_id("state")).to_be_visible(timeout=TIMEOUT_MS)
    wait_phone_registered(page)
    return page


def test_listen_and_barge_on_the_wallboard_bring_the_calls_audio_to_the_supervisors_webagent(
    webagent_site: Site, agent_browser: Any
) -> None:
    site = webagent_site
    supervisor = supervisor_webagent(agent_browser, site)
    operator = ready(agent_browser, site)
    call = ring(operator, site, hold=90, playback=TALK)
    operator.keyboard.press("F3")
    wait_state(operator, "talking")
    assert call.wait_answered(20)

    with plain_admin_server(site.agency.port) as admin:
        boss = orm(lambda: session_cookie("boss", "view_wallboard", "barge", base=admin))
        agent_browser.add_cookies([boss])
        board = agent_browser.new_page()
        board.goto(f"{admin}/admin/wallboard/")
        row = board.locator('#wallboard-operators tr[data-agent="101"]')
        expect(row).to_have_attribute("data-state", "talking", timeout=TIMEOUT_MS)
        board.select_option("#wallboard-workplace", "1002")
        assert audio_in(supervisor)["bytes"] == 0  # nothing before Listen
        row.locator("button.spy-listen").click()
        expect(board.locator("#wallboard-spy-status")).to_contain_text(
            "Your phone rings", timeout=TIMEOUT_MS
        )

        supervisor.get_by_test_id("btn-answer").click(timeout=TIMEOUT_MS)
        first = wait_audio(supervisor, bytes_over=0)
        later = wait_audio(supervisor, bytes_over=first["bytes"] + 4000)  # and keeps coming
        assert later["energy"] > first["energy"]
        # the listen is shown as a call the supervisor ends with Hang up; the operator talks on
        expect(supervisor.get_by_test_id("no-call")).to_have_count(0)
        supervisor.get_by_test_id("btn-hangup").click(timeout=TIMEOUT_MS)
        supervisor.wait_for_function(
            "window.uzorDiagnostics.lines().length === 0", timeout=TIMEOUT_MS
        )
        expect(supervisor.get_by_test_id("no-call")).to_be_visible(timeout=TIMEOUT_MS)
        wait_state(operator, "talking")

        # Barge: a second call to the same phone, answered there too, hears the call as well
        listening = connections(supervisor)
        row.locator("button.spy-barge").click()
        supervisor.get_by_test_id("btn-answer").click(timeout=TIMEOUT_MS)
        barged = wait_audio(supervisor, bytes_over=4000, first=listening)
        assert barged["energy"] > 0

        operator.keyboard.press("F4")
        wait_state(operator, "wrapup")
        assert call.wait_ended(30).answered
        # the listening ends with the call it listened to
        supervisor.wait_for_function(
            "window.uzorDiagnostics.lines().length === 0", timeout=TIMEOUT_MS
        )
