"""A report page in real Chromium, in Russian: from the admin's index, the superuser picks a
report and a period in the form, sees the table and the SVG chart, and downloads the
XLSX export, which openpyxl reads back. The admin runs as installed (uzor-admin runserver) on a
real MariaDB whose agency tables hold a few days of generated calls."""

import random
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from appliance.agency.database import SCHEMA
from testkit import call_history
from testkit.browser import ARTIFACTS

from .test_admin_in_browser import ROOT_PASSWORD, admin_site, admin_site_database, log_in

pytestmark = pytest.mark.integration
__all__ = ["admin_site", "admin_site_database"]  # the fixtures, used here


@pytest.fixture
def history(admin_site_database):
    now = datetime.now(UTC).replace(tzinfo=None)
    start = datetime.combine(now.date() - timedelta(days=4), datetime.min.time())
    rng = random.Random(5)
    agents = call_history.agents(4)
    calls = [r for r in call_history.call_rows(rng, start, 5, 60, agents) if r[15] <= now]
    with admin_site_database.connect() as conn, conn.cursor() as cursor:
        for ddl in SCHEMA:
            cursor.execute(ddl)
        call_history.insert(cursor, "agency_call", call_history.CALL_COLUMNS, calls)
        conn.commit()
    return calls


def test_a_report_in_chromium_in_russian_with_its_xlsx_export(
    browser, admin_site, history, tmp_path
):
    url = admin_site
    browser.set_extra_http_headers({"Accept-Language": "ru-RU,ru;q=0.9"})
    page = browser.new_page()
    log_in(page, url, "root", ROOT_PASSWORD)
    page.locator("#content-main a[href='/admin/callcenter/callday/']").first.click()
    page.wait_for_url(f"{url}/admin/callcenter/callday/")
    page.select_option("#id_report", "queues")
    first = (datetime.now(UTC).date() - timedelta(days=4)).isoformat()
    page.fill("#id_first", first)
    page.click("#uzor-report-form button[type=submit]")
    page.wait_for_url("**report=queues**", timeout=5000)
    assert page.inner_text("#uzor-report-title") == "Входящие звонки по очередям"
    assert page.locator("svg.uzor-chart rect").count() > 3
    groups = page.locator("#uzor-report-table tbody tr td:first-child").all_inner_texts()
    assert groups == sorted({row[7] for row in history if row[5] == "in"})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-report-queues-ru.png"), full_page=True)
    with page.expect_download() as download_info:
        page.click("a[data-format=xlsx]")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "очередь (группа)"
    assert [row[0] for row in rows[1:]] == groups
