"""Pause reasons and dispositions from the admin in Chromium, with the real agency, unit and
carrier: the pause menu lists the offered reasons (the admin's names, following the UI
language), and after an answered call the wrap-up shows the disposition picker, marked
required, with Ready disabled until a disposition is chosen; the agency records it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import expect

from testkit.tools import wait_until
from testkit.webagent_operator import TIMEOUT_MS, ready, ring, wait_state
from testkit.webagent_site import Site

pytestmark = pytest.mark.integration


def define_codes() -> None:
    """What the administrator defines, in a worker thread: Django must not run in the thread
    of Playwright's event loop. Each save moves the change counter the agency polls."""
    from django.db import connection

    from appliance.admin.callcenter.models import Disposition, Group, PauseReason

    try:
        sales = Group.objects.get(name="sales")
        lunch = PauseReason(code="lunch-out", name_ru="Обед вне офиса", name_en="Lunch out")
        lunch.save()
        PauseReason(code="smoke", name_ru="Перекур", name_en="Smoke", max_seconds=300).save()
        lunch.groups.add(sales)
        Disposition(code="sale", name_ru="Продажа", name_en="Sale", ordering=1).save()
        Disposition(code="callback", name_ru="Перезвонить", name_en="Call back").save()
        sales.disposition_required = True
        sales.save()
    finally:
        connection.close()


def in_worker(job: Any) -> None:
    with ThreadPoolExecutor(1) as pool:
        pool.submit(job).result()


def dispositions(site: Site) -> list[tuple[Any, ...]]:
    with site.database.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT agent, code FROM agency_disposition")
        return list(cursor.fetchall())


def test_the_admin_s_reasons_and_a_required_disposition_in_the_workplace(
    webagent_site: Site, agent_browser: Any
) -> None:
    site = webagent_site
    page = ready(agent_browser, site)
    menu = page.get_by_test_id("pause-reason").locator("option")
    expect(menu).to_have_text(
        ["Pause…", "Break", "Lunch", "Training", "Meeting", "Technical problem"]
    )

    in_worker(define_codes)
    expect(menu).to_have_text(["Pause…", "Lunch out", "Smoke"], timeout=TIMEOUT_MS)
    page.get_by_test_id("pause-reason").select_option("smoke")
    wait_state(page, "pause")
    expect(page.get_by_test_id("state")).to_contain_text("Smoke")
    page.get_by_test_id("btn-settings").click()
    page.get_by_test_id("lang-ru").click()
    expect(page.get_by_test_id("state")).to_contain_text("Перекур")
    expect(menu).to_have_text(["Пауза…", "Обед вне офиса", "Перекур"])
    page.get_by_test_id("lang-en").click()
    page.get_by_test_id("btn-ready").click()
    wait_state(page, "ready")

    call = ring(page, site, hold=3)
    expect(page.get_by_test_id("disposition-panel")).to_have_count(0)  # not during the call
    page.keyboard.press("F3")
    wait_state(page, "talking")
    assert call.wait_answered(20)
    assert call.wait_ended(30).answered
    wait_state(page, "wrapup")
    picker = page.get_by_test_id("disposition")
    expect(page.get_by_test_id("disposition-required")).to_have_text("(required)")
    expect(picker.locator("option")).to_have_text(["Choose…", "Call back", "Sale"])
    expect(page.get_by_test_id("btn-ready")).to_be_disabled()
    expect(page.get_by_test_id("btn-ready")).to_have_attribute(
        "title", "Choose a disposition for the call first"
    )
    expect(page.get_by_test_id("pause-reason")).to_be_disabled()

    picker.select_option("sale")
    expect(page.get_by_test_id("disposition-panel")).to_have_count(0, timeout=TIMEOUT_MS)
    if page.get_by_test_id("state").get_attribute("data-state") == "wrapup":
        expect(page.get_by_test_id("btn-ready")).to_be_enabled()
        page.get_by_test_id("btn-ready").click()
    wait_state(page, "ready")
    wait_until(lambda: dispositions(site) != [], 10, "the disposition recorded")
    assert dispositions(site) == [("101", "sale")]
