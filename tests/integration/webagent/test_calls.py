"""Calls in Chromium on the admin-configured unit with the real agency and the carrier: an
inbound call rings with its caller and topic, F3 answers with audio both ways, F4 hangs up,
wrap-up counts down to Ready; a hidden number; outbound from the dial window."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from testkit.webagent_operator import (
    TIMEOUT_MS,
    ready,
    ring,
    wait_rtp,
    wait_state,
)
from testkit.webagent_site import TOPIC, Site

pytestmark = pytest.mark.integration
# the carrier talks from the unit's answer (before the queue) until well after F3
TALK = "&".join(["hello-world"] * 8)


def carrier_rx_packets(site: Site) -> int:
    """RTP packets the carrier received on its calls (``pjsip show channelstats``)."""
    out = site.carrier.unit.cli("pjsip show channelstats")
    total = 0
    for line in out.splitlines():
        fields = line.split()
        times = [i for i, f in enumerate(fields) if re.fullmatch(r"\d+:\d\d:\d\d", f)]
        if times and len(fields) > times[0] + 2 and fields[times[0] + 2].isdigit():
            total += int(fields[times[0] + 2])  # UpTime, Codec, then the received count
    return total


def wait_carrier_rx(site: Site, packets: int, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline:
        seen = carrier_rx_packets(site)
        if seen >= packets:
            return seen
        time.sleep(0.5)
    raise AssertionError(
        f"carrier received {seen} RTP packets:\n{site.carrier.unit.cli('pjsip show channelstats')}"
    )


def test_an_inbound_call_rings_is_answered_with_f3_talks_both_ways_and_ends_with_f4(
    webagent_site: Site, agent_browser: Any
) -> None:
    site = webagent_site
    page = ready(agent_browser, site)
    call = ring(page, site, hold=60, playback=TALK)
    card = page.get_by_test_id("call-0")
    expect(card.get_by_test_id("caller-number")).to_have_text("79161234567")
    expect(card.get_by_test_id("caller-name")).to_have_text("Petrov")
    expect(card.get_by_test_id("call-topic")).to_contain_text(TOPIC)
    expect(page.get_by_test_id("btn-answer")).to_be_enabled()

    page.keyboard.press("F3")
    wait_state(page, "talking")
    assert call.wait_answered(20)
    stats = wait_rtp(page, inbound=50, outbound=50)
    assert stats["inbound"] > 0 and stats["outbound"] > 0
    wait_carrier_rx(site, 50)

    page.keyboard.press("F4")
    wait_state(page, "wrapup")
    expect(page.get_by_test_id("state-timer")).to_contain_text("left")
    assert call.wait_ended(30).answered
    expect(page.get_by_test_id("no-call")).to_be_visible()
    wait_state(page, "ready", timeout_ms=TIMEOUT_MS)


@pytest.mark.parametrize("webagent_site", [{"hide": True}], indirect=True)
def test_a_topic_that_hides_the_number_shows_hidden(
    webagent_site: Site, agent_browser: Any
) -> None:
    site = webagent_site
    page = ready(agent_browser, site)
    call = ring(page, site, hold=20)
    card = page.get_by_test_id("call-0")
    expect(card.get_by_test_id("caller-number")).to_have_text("hidden")
    expect(card.get_by_test_id("caller-name")).to_have_text("hidden")
    page.get_by_test_id("btn-hangup").click()  # a ringing call is declined here
    expect(page.get_by_test_id("no-call")).to_be_visible(timeout=TIMEOUT_MS)
    call.hangup()
