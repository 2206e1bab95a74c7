"""The operator's hands in the browser: log in, read the screen, wait for a state, read the
phone's RTP counters (the app's diagnostics handle) — the Playwright calls the tests share."""

from __future__ import annotations

import json
import time
from typing import Any

from playwright.sync_api import Page, expect

from testkit.webagent_site import DID, PASSWORD, Site

TIMEOUT_MS = 30_000
CALLER = '"Petrov" <79161234567>'  # the carrier's caller in the call tests


def open_login(browser: Any, site: Site, mac: str | None = None, lang: str = "en") -> Page:
    page: Page = browser.new_page()
    page.on("console", lambda m: print(f"[page] {m.type}: {m.text}"))
    page.on("pageerror", lambda e: print(f"[page] error: {e}"))
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(site.agent_url(mac, lang) if mac else site.agent_url(lang=lang))
    return page


def log_in(page: Page, agent: str = "101", password: str = PASSWORD) -> None:
    page.fill("input[name=agent]", agent)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")


def logged_in(browser: Any, site: Site, agent: str = "101", mac: str | None = None) -> Page:
    page = open_login(browser, site, mac)
    log_in(page, agent)
    expect(page.get_by_test_id("state")).to_be_visible(timeout=TIMEOUT_MS)
    wait_phone_registered(page)
    return page


def wait_phone_registered(page: Page, timeout_ms: int = TIMEOUT_MS, *, why: str = "") -> None:
    """Wait for the phone's registration; ``why`` says in the failure what it should follow."""
    try:
        page.wait_for_function(
            "window.uzorDiagnostics.state().phone === 'registered'", timeout=timeout_ms
        )
    except Exception as exc:
        phone = page.evaluate("window.uzorDiagnostics.state().phone")
        within = f" within {timeout_ms / 1000:g} s {why}" if why else ""
        raise AssertionError(f"the phone did not register{within} (status {phone!r})") from exc


class AcpFrames:
    """The names of the ACP messages the page receives from the agency. Watch from before the
    login (the app opens its ACP WebSocket then); the phone's SIP frames are not JSON: skipped."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.names: list[str] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        try:
            message = json.loads(payload)
        except ValueError:
            return
        if isinstance(message, dict) and isinstance(message.get("name"), str):
            self.names.append(message["name"])

    def wait_for(self, name: str, timeout_ms: int = TIMEOUT_MS) -> None:
        """Wait until the page got a message ``name`` (since the last :meth:`clear`)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while name not in self.names:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the agency sent no {name!r} within {timeout_ms / 1000:g} s "
                    f"(the page got {self.names[-12:]})"
                )
            self.page.wait_for_timeout(100)  # Playwright delivers the frames meanwhile

    def clear(self) -> None:
        self.names.clear()


def state_of(page: Page) -> str:
    return str(page.get_by_test_id("state").get_attribute("data-state"))


def wait_state(page: Page, state: str, timeout_ms: int = TIMEOUT_MS) -> None:
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", state, timeout=timeout_ms)


def rtp(page: Page) -> dict[str, int]:
    return dict(page.evaluate("window.uzorDiagnostics.rtpStats()"))


def wait_rtp(page: Page, inbound: int, outbound: int, timeout: float = 20) -> dict[str, int]:
    """Wait until the phone has received and sent at least that many RTP packets."""
    deadline = time.monotonic() + timeout
    stats = rtp(page)
    while time.monotonic() < deadline:
        stats = rtp(page)
        if stats["inbound"] >= inbound and stats["outbound"] >= outbound:
            return stats
        time.sleep(0.3)
    raise AssertionError(f"RTP never reached in={inbound} out={outbound}: {stats}")


def ready(browser: Any, site: Site, agent: str = "101", mac: str | None = None) -> Page:
    """Operator ``agent`` logged in on the page and Ready."""
    page = logged_in(browser, site, agent, mac)
    wait_state(page, "ready")
    return page


def ring(page: Page, site: Site, *, hold: float, playback: str = "") -> Any:
    """A carrier call to the site's DID from CALLER, ringing on ``page``; the OutboundCall."""
    call = site.carrier.start_call(DID, caller_id=CALLER, hold=hold, playback=playback)
    wait_state(page, "ringing")
    return call
