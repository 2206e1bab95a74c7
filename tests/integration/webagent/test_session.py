"""The session in Chromium against the real agency: a reload resumes it, an agency restart is
survived with the banner meanwhile, an Asterisk restart mid-call leaves no ghost call and the
phone registers again, a second tab takes over and the first says so, the pause limit logs out,
an offline task is recorded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from testkit.webagent_operator import (
    TIMEOUT_MS,
    AcpFrames,
    log_in,
    logged_in,
    open_login,
    ready,
    ring,
    wait_phone_registered,
    wait_state,
)
from testkit.webagent_site import DID, PASSWORD, Site

pytestmark = pytest.mark.integration

# A registration (WebSocket, REGISTER, challenge, REGISTER) on loopback, with room for a loaded
# machine; shorter than JsSIP's longest back-off, which the phone no longer waits out.
PHONE_BACK_MS = 10_000


def test_a_reload_resumes_the_same_session(webagent_site: Site, agent_browser: Any) -> None:
    page = logged_in(agent_browser, webagent_site)
    page.get_by_test_id("pause-reason").select_option("lunch")
    wait_state(page, "pause")
    page.reload()
    wait_state(page, "pause")  # no login form: the tab's session was resumed
    expect(page.get_by_test_id("state")).to_contain_text("Lunch")
    wait_phone_registered(page)


def test_an_agency_restart_shows_the_banner_and_the_page_recovers_by_itself(
    webagent_site: Site, agent_browser: Any
) -> None:
    site = webagent_site
    page = ready(agent_browser, site)
    site.agency.stop()
    expect(page.get_by_test_id("banner-lost")).to_contain_text("server", timeout=TIMEOUT_MS)
    site.agency.start()
    expect(page.get_by_test_id("banner-lost")).to_have_count(0, timeout=TIMEOUT_MS)
    wait_state(page, "ready")
    assert "PJSIP/1001" in site.unit.cli("queue show sales")
    page.get_by_test_id("pause-reason").select_option("break")  # the link works again
    wait_state(page, "pause")


def test_the_tab_keeps_a_resume_token_and_a_refused_one_brings_back_the_login_form(
    webagent_site: Site, agent_browser: Any
) -> None:
    site = webagent_site
    page = ready(agent_browser, site)
    kept = page.evaluate("sessionStorage.getItem('uzor.session')")
    assert PASSWORD not in kept and json.loads(kept)["token"], kept  # never the password
    site.agency.stop()
    expect(page.get_by_test_id("banner-lost")).to_contain_text("server", timeout=TIMEOUT_MS)
    with site.database.connect() as connection, connection.cursor() as cursor:
        cursor.execute("DELETE FROM agency_session")  # the agency comes back without the session
        connection.commit()
    site.agency.start()
    error = page.get_by_test_id("login-error")
    expect(error).to_contain_text("Your session has ended", timeout=TIMEOUT_MS)
    assert page.evaluate("sessionStorage.getItem('uzor.session')") is None
    log_in(page)  # the password, once: no loop before it
    wait_state(page, "ready")


def test_a_second_tab_takes_over_and_the_first_says_which_one_is_live(
    webagent_site: Site, agent_browser: Any
) -> None:
    first = logged_in(agent_browser, webagent_site)
    ready(agent_browser, webagent_site)
    expect(first.get_by_test_id("ended")).to_contain_text("another tab", timeout=TIMEOUT_MS)


@pytest.mark.parametrize("webagent_site", [{"pause_limit": 4}], indirect=True)
def test_the_pause_limit_counts_down_and_logs_out(webagent_site: Site, agent_browser: Any) -> None:
    page = logged_in(agent_browser, webagent_site)
    page.get_by_test_id("pause-reason").select_option("break")
    wait_state(page, "pause")
    expect(page.get_by_test_id("state-timer")).to_contain_text("left")
    expect(page.get_by_test_id("ended")).to_be_visible(timeout=TIMEOUT_MS)
    assert "PJSIP/1001" not in webagent_site.unit.cli("queue show sales")
    login = open_login(agent_browser, webagent_site)  # and one can log in again
    expect(login.get_by_role("button", name="Log in")).to_be_enabled()


def test_an_offline_task_is_started_finished_and_recorded(
    webagent_site: Site, agent_browser: Any
) -> None:
    site = webagent_site
    page = logged_in(agent_browser, site)
    page.get_by_test_id("mode-offline").click()
    wait_state(page, "task_waiting")
    expect(page.get_by_test_id("btn-dial-window")).to_have_count(0)  # no calls in Offline mode
    page.get_by_test_id("task-project").fill("PRJ-7")
    page.get_by_test_id("task-activity").select_option("email")
    page.get_by_test_id("btn-task-start").click()
    wait_state(page, "task")
    expect(page.get_by_test_id("task-current")).to_contain_text("PRJ-7")
    page.get_by_test_id("btn-task-finish").click()
    wait_state(page, "task_waiting")
    with site.database.connect() as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT mode, state, project, activity FROM agency_interval"
            " WHERE agent = '101' AND state = 'task'"
        )
        rows = cursor.fetchall()
    assert [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows] == [
        ("offline", "task", "PRJ-7", "email")
    ]


def test_an_asterisk_restart_mid_call_leaves_no_ghost_call_and_the_phone_comes_back(
    webagent_site: Site, agent_browser: Any
) -> None:
    site = webagent_site
    page = open_login(agent_browser, site)
    acp = AcpFrames(page)
    log_in(page)
    wait_phone_registered(page)
    wait_state(page, "ready")
    call = ring(page, site, hold=60)
    page.keyboard.press("F3")
    wait_state(page, "talking")
    acp.clear()
    site.unit.restart()
    expect(page.get_by_test_id("no-call")).to_be_visible(timeout=TIMEOUT_MS)  # no ghost call
    call.wait_ended(30)
    # the agency reconnects to the unit and says it is back; the phone registers at once then,
    # not at the next turn of JsSIP's own back-off (up to 15 s between tries)
    acp.wait_for("pbx_available")
    assert acp.names.index("pbx_unavailable") < acp.names.index("pbx_available"), acp.names
    wait_phone_registered(
        page, PHONE_BACK_MS, why="of the agency's word that the unit is back (pbx_available)"
    )
    expect(page.get_by_test_id("banner-lost")).to_have_count(0, timeout=TIMEOUT_MS)
    wait_state(page, "ready", timeout_ms=60_000)  # after the wrap-up of the lost call

    again = site.carrier.start_call(DID, caller_id='"Petrov" <79161234567>', hold=30)
    wait_state(page, "ringing", timeout_ms=60_000)
    page.keyboard.press("F3")
    wait_state(page, "talking")
    page.keyboard.press("F4")
    wait_state(page, "wrapup")
    assert again.wait_ended(30).answered
