"""Benchmark (not a test; run by bench/webagent_ring.py): calls from the carrier to the DID, the
operator in Chromium answering with F3 and hanging up with F4. Per call: Asterisk dials the
workplace (AMI AgentCalled's Timestamp) -> the page shows Ringing (a MutationObserver's clock,
same machine clock), and F3 -> the first RTP packet received (the page polls getStats)."""

from __future__ import annotations

import os
import statistics
from typing import Any

from testkit.webagent_operator import ready, wait_state
from testkit.webagent_site import DID, Site

WATCH = """() => {
  window.__rings = [];
  const pill = document.querySelector('[data-testid=state]');
  new MutationObserver(() => {
    const now = performance.timeOrigin + performance.now();
    if (pill.getAttribute('data-state') === 'ringing') window.__rings.push(now);
  }).observe(pill, {attributes: true, attributeFilter: ['data-state']});
}"""
# the carrier talks from its answer (the unit answers before the queue) until well past F3
TALK = "&".join(["hello-world"] * 8)
FIRST_PACKET = """async () => {
  const start = performance.now();
  document.dispatchEvent(new KeyboardEvent('keydown', {key: 'F3', bubbles: true}));
  window.dispatchEvent(new KeyboardEvent('keydown', {key: 'F3'}));
  for (;;) {
    const s = await window.uzorDiagnostics.rtpStats();
    if (s.inbound > 0) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 5));
    if (performance.now() - start > 10000) return -1;
  }
}"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def test_ring_and_first_audio_latency(webagent_site: Site, agent_browser: Any) -> None:
    site = webagent_site
    rounds = int(os.environ.get("UZOR_BENCH_CALLS", "30"))
    page = ready(agent_browser, site)
    page.evaluate(WATCH)
    rings: list[float] = []
    audio: list[float] = []
    with site.unit.ami(events="call,agent") as ami:
        for n in range(rounds):
            mark = ami.mark()
            call = site.carrier.start_call(DID, hold=30, playback=TALK)
            dialed = ami.wait_event(
                lambda e: e.name == "AgentCalled" and e.get("Interface") == "PJSIP/1001",
                30,
                mark,
            )
            wait_state(page, "ringing")
            shown = page.evaluate("window.__rings.at(-1)") / 1000
            rings.append((shown - float(dialed["Timestamp"])) * 1000)
            audio.append(page.evaluate(FIRST_PACKET))
            wait_state(page, "talking")
            page.keyboard.press("F4")
            call.wait_ended(30)
            wait_state(page, "wrapup")
            page.get_by_test_id("btn-ready").click()
            wait_state(page, "ready")
            print(
                f"call {n + 1}: ring shown after {rings[-1]:.0f} ms, first audio {audio[-1]:.0f} ms"
            )
    heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
    nodes = page.evaluate("document.getElementsByTagName('*').length")
    print(f"calls: {rounds}")
    print(
        f"offered -> ringing shown: p50 {statistics.median(rings):.0f} ms, "
        f"p95 {percentile(rings, 0.95):.0f} ms"
    )
    print(
        f"F3 -> first RTP packet: p50 {statistics.median(audio):.0f} ms, "
        f"p95 {percentile(audio, 0.95):.0f} ms"
    )
    print(f"after the calls: JS heap {heap / 1e6:.1f} MB, {nodes} DOM elements")
    assert all(a >= 0 for a in audio), audio
