"""The wallboard in Chromium on the admin-configured unit with the real agency and the carrier.

One unit for the whole story: operator 101 (logged in over ACP, its workplace 1001 a registered
SIPp phone) goes Ready -> ringing -> talking -> wrap-up on a carrier call as the supervisor's
page watches; the supervisor (``callcenter.barge``) clicks Listen, Whisper and Barge and each
time their own workplace 1002 (another registered phone) is rung and answers a ChanSpy on the
operator's channel with that mode's options; each use is logged; a user with only
``callcenter.view_wallboard`` sees no such button and the admin refuses the request when the
page's script sends it anyway.

The phones are SIPp without DTLS, so Asterisk sends them no RTP (the operator's own phone
neither, ``pjsip show channelstats``): the audio heard is not measured here, only that the
supervisor's answered channel runs ChanSpy on the operator's channel of the call.

The admin is served in-process over plain HTTP here (the page's WebSocket goes to the agency's
ws:// port directly, no nginx): the cookies are not Secure for this test only.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from playwright.sync_api import expect

from appliance.admin.callcenter.models import SupervisionEvent
from testkit.agency_site import DID, Site, logged_in
from testkit.phone import WorkplacePhone
from testkit.wallboard_admin import orm, plain_admin_server, session_cookie

pytestmark = pytest.mark.integration
TIMEOUT_MS = 30_000
TALK = "&".join(["hello-world"] * 10)  # the caller speaks, so the call has audio to listen to


@pytest.fixture
def plain_admin(site: Site) -> Iterator[str]:
    """The admin over plain HTTP on 127.0.0.1, pointing its wallboard at the site's agency."""
    with plain_admin_server(site.agency.port) as base:
        yield base


class LoopThread:
    """An asyncio loop of its own for the ACP terminal (Playwright's sync API owns this one)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def spying(site: Site, workplace: str, options: str, timeout: float = 20) -> str:
    """The data of an answered ChanSpy with ``options`` on a channel of ``workplace`` (``core
    show channels concise``: Channel!Context!Exten!Priority!State!Application!Data!...)."""
    deadline = time.monotonic() + timeout
    listing = ""
    while time.monotonic() < deadline:
        listing = site.unit.cli("core show channels concise")
        for line in listing.splitlines():
            fields = line.split("!")
            answered = len(fields) > 6 and fields[4] == "Up" and fields[5] == "ChanSpy"
            mine = line.startswith(f"PJSIP/{workplace}-")
            if answered and mine and fields[6].endswith(f",{options}"):
                return fields[6]
        time.sleep(0.5)
    raise AssertionError(f"no ChanSpy ({options}) answered on {workplace}:\n{listing}")


def operator_row(page: Any) -> Any:
    return page.locator('#wallboard-operators tr[data-agent="101"]')


def test_the_wallboard_follows_a_call_and_listen_whisper_barge_ring_the_supervisors_phone(
    site: Site, plain_admin: str, browser: Any
) -> None:
    boss = orm(lambda: session_cookie("boss", "view_wallboard", "barge", base=plain_admin))
    viewer = orm(lambda: session_cookie("viewer", "view_wallboard", base=plain_admin))
    loop = LoopThread()
    http = loop.run(_session())
    supervisor_phone = WorkplacePhone(
        site.unit.sip_host, site.unit.sip_port, "1002", site.second_secret
    )
    terminal = None
    try:
        terminal = loop.run(logged_in(site, http))  # operator 101 on workplace 1001, Ready
        browser.add_cookies([boss])
        page = browser.new_page()
        page.goto(f"{plain_admin}/admin/wallboard/")
        expect(page.locator("#wallboard-link")).to_have_class("link-ok", timeout=TIMEOUT_MS)
        expect(operator_row(page)).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        page.select_option("#wallboard-workplace", "1002")

        site.phone.answer(1, ring_ms=3000)
        call = site.carrier.start_call(
            DID, caller_id='"Petrov" <79161234567>', hold=60, playback=TALK
        )
        expect(operator_row(page)).to_have_attribute("data-state", "ringing", timeout=TIMEOUT_MS)
        expect(operator_row(page).locator("td.call")).to_have_text("79161234567")
        expect(operator_row(page)).to_have_attribute("data-state", "talking", timeout=TIMEOUT_MS)

        supervisor_phone.register()
        supervisor_phone.answer(3)
        for mode, options in (("listen", "qE"), ("whisper", "qEw"), ("barge", "qEB")):
            operator_row(page).locator(f"button.spy-{mode}").click()
            expect(page.locator("#wallboard-spy-status")).to_contain_text(
                "Your phone rings", timeout=TIMEOUT_MS
            )
            # the supervisor's phone answered a ChanSpy on the operator's channel of this call
            spied = spying(site, "1002", options)
            assert re.fullmatch(rf"PJSIP/1001-[0-9a-f]{{8}},{options}", spied), spied
        logged = orm(lambda: list(SupervisionEvent.objects.order_by("at", "pk")))
        assert [(e.user, e.agent, e.mode, e.workplace) for e in logged] == [
            ("boss", "101", "listen", "1002"),
            ("boss", "101", "whisper", "1002"),
            ("boss", "101", "barge", "1002"),
        ]

        browser.clear_cookies()
        browser.add_cookies([viewer])
        seen = browser.new_page()
        seen.goto(f"{plain_admin}/admin/wallboard/")
        expect(operator_row(seen)).to_have_attribute("data-state", "talking", timeout=TIMEOUT_MS)
        expect(seen.locator("button.spy-listen")).to_have_count(0)
        expect(seen.locator("#wallboard-workplace")).to_have_count(0)
        refused = seen.evaluate(
            """async () => {
                const root = document.getElementById("wallboard");
                const body = new URLSearchParams({agent: "101", mode: "barge", workplace: "1002"});
                const answer = await fetch("/admin/wallboard/spy/", {method: "POST", body,
                    headers: {"X-CSRFToken": root.dataset.csrf}, credentials: "same-origin"});
                return answer.status;
            }"""
        )
        assert refused == 403
        assert orm(SupervisionEvent.objects.count) == 3

        call.hangup()  # the caller hangs up (the prompt and the hold outlast the steps above)
        expect(operator_row(seen)).to_have_attribute("data-state", "wrapup", timeout=TIMEOUT_MS)
        assert call.wait_ended(30).answered
        site.phone.wait()
        supervisor_phone.wait()
    finally:
        supervisor_phone.close()
        if terminal is not None:
            loop.run(terminal.ws.close())
        loop.run(http.close())
        loop.stop()


async def _session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession()
