"""The manual's admin walkthrough (section 3) in real Chromium, in Russian, against the admin
served from a real MariaDB: the JavaScript permission picker ("Выбрать все" after filtering by
"callcenter"), a staff user in group support who then sees only Контакт-центр (the manual's
CALLCENTER), and a workplace whose list row links the webagent."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.admin import write_site_config
from testkit.browser import ARTIFACTS
from testkit.tools import free_port, wait_until

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
ROOT_PASSWORD = "root-Pass-2026"
ADMIN_PASSWORD = "Adm1n-pass-2026"


def admin_command(config, *args, **env):
    result = subprocess.run(
        [str(BIN / "uzor-admin"), *args],
        env={**os.environ, "UZOR_ADMIN_CONFIG": str(config), **env},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def admin_site_database(mariadb):
    """The admin site's database (a test may fill the agency's tables in it)."""
    return mariadb.create_database()


@pytest.fixture
def admin_site(mariadb, admin_site_database, tmp_path):
    """The admin on a free port (runserver --insecure also serves the admin's JS and CSS)."""
    db = admin_site_database
    config = write_site_config(tmp_path, db)
    admin_command(config, "migrate", "--no-input")
    admin_command(
        config,
        "createsuperuser",
        "--no-input",
        "--username",
        "root",
        "--email",
        "r@example.com",
        DJANGO_SUPERUSER_PASSWORD=ROOT_PASSWORD,
    )
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "uzor-admin"), "runserver", f"127.0.0.1:{port}", "--insecure", "--noreload"],
        env={**os.environ, "UZOR_ADMIN_CONFIG": str(config)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"

    def up():
        if server.poll() is not None:
            pytest.fail(f"the admin server exited: {server.stderr.read()}")
        import urllib.request

        try:
            with urllib.request.urlopen(f"{url}/admin/login/", timeout=5) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    try:
        wait_until(up, 60, "the admin to serve /admin/login/")
        yield url
    finally:
        server.terminate()
        try:
            server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
        mariadb.drop_database(db)


def log_in(page, url, username, password):
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{url}/admin/")


def test_the_walkthrough_in_chromium_in_russian(browser, admin_site):
    url = admin_site
    browser.set_extra_http_headers({"Accept-Language": "ru-RU,ru;q=0.9"})
    page = browser.new_page()
    log_in(page, url, "root", ROOT_PASSWORD)
    assert "Администрирование Узор" in page.content()

    # Group support: filter the available permissions by "callcenter", "Choose all", save.
    page.goto(f"{url}/admin/auth/group/add/")
    page.fill("#id_name", "support")
    page.locator("#id_permissions_input").press_sequentially("callcenter")
    page.click("#id_permissions_add_all")
    chosen = page.locator("#id_permissions_to option").all_inner_texts()
    assert chosen and all("(callcenter." in text for text in chosen), chosen[:5]
    assert all(text.startswith("Контакт-центр | ") for text in chosen), chosen[:5]
    page.click("input[name=_save]")
    page.wait_for_url(f"{url}/admin/auth/group/")

    # User admin: password twice, "Save and continue editing", staff, group support, save.
    page.goto(f"{url}/admin/auth/user/add/")
    page.fill("#id_username", "admin")
    page.fill("#id_password1", ADMIN_PASSWORD)
    page.fill("#id_password2", ADMIN_PASSWORD)
    page.click("input[name=_continue]")
    page.wait_for_url("**/change/")
    page.check("#id_is_staff")
    page.select_option("#id_groups_from", label="support")
    page.click("#id_groups_add")
    page.click("input[name=_save]")
    page.wait_for_url(f"{url}/admin/auth/user/")

    # Log out, log in as admin: only the call-center section (CALLCENTER in the manual).
    page.click("#logout-form button")
    log_in(page, url, "admin", ADMIN_PASSWORD)
    sections = page.locator("#content-main caption").all_inner_texts()
    assert [s.strip().lower() for s in sections] == ["контакт-центр"], sections
    assert "Рабочие места" in page.content()

    # A workplace with the MAC from the manual; the list links the webagent.
    page.click("text=Рабочие места")
    page.click(".object-tools a.addlink")
    page.fill("#id_number", "1")
    page.fill("#id_mac", "E8-03-9A-B5-E0-C9")
    page.click("input[name=_save]")
    page.wait_for_url(f"{url}/admin/callcenter/workplace/")
    link = page.locator("a[href$='/agent/?host=e8039ab5e0c9']")
    assert link.count() == 1
    assert link.get_attribute("href") == "https://127.0.0.1:" + url.rsplit(":", 1)[1] + (
        "/agent/?host=e8039ab5e0c9"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-workplaces-ru.png"), full_page=True)


def test_the_pbx_unit_list_fits_a_1366_pixel_screen_in_russian(browser, admin_site):
    url = admin_site
    browser.set_extra_http_headers({"Accept-Language": "ru-RU,ru;q=0.9"})
    page = browser.new_page()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, url, "root", ROOT_PASSWORD)
    for name in ("pbx1", "pbx2-reserve"):
        page.goto(f"{url}/admin/callcenter/pbxunit/add/")
        page.fill("#id_name", name)
        page.fill("#id_address", "192.0.2.10")
        page.fill("#id_ami_user", "uzor")
        page.fill("#id_ami_secret", "s3cret-ami")
        page.uncheck("#id_enabled")  # no license here: kept disabled
        page.click("input[name=_save]")
        page.wait_for_selector("text=uzor-pbx-setup")  # the page with the unit's token
    page.goto(f"{url}/admin/callcenter/pbxunit/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "admin-pbx-units-ru-1366.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, f"the page is {width} px wide"
    hidden = page.evaluate(
        "(() => { const r = document.querySelector('#changelist .results');"
        " return r.scrollWidth - r.clientWidth; })()"
    )
    assert hidden <= 0, f"{hidden} px of the unit list are scrolled out of sight"
