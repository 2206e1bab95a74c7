"""The installed entry points against a real MariaDB: uzor-admin (manage.py) and gunicorn."""

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from testkit.admin import write_site_config
from testkit.tools import free_port, wait_until

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def site(mariadb, tmp_path_factory):
    """A database, admin.yaml and secret files as the configurator writes them."""
    db = mariadb.create_database()
    base = tmp_path_factory.mktemp("admin-site")
    config = write_site_config(base, db, secure_cookies=False)  # urllib over plain HTTP
    yield base, config
    mariadb.drop_database(db)


def run_admin(config, *args, **env):
    return subprocess.run(
        [str(BIN / "uzor-admin"), *args],
        env={**os.environ, "UZOR_ADMIN_CONFIG": str(config), **env},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_uzor_admin_migrates_collects_static_and_creates_a_superuser(site):
    base, config = site
    result = run_admin(config, "migrate", "--no-input")
    assert result.returncode == 0, result.stderr
    assert "Applying callcenter.0001_initial... OK" in result.stdout
    again = run_admin(config, "migrate", "--no-input")
    assert again.returncode == 0 and "No migrations to apply" in again.stdout
    result = run_admin(config, "collectstatic", "--no-input")
    assert result.returncode == 0, result.stderr
    assert (base / "static" / "admin" / "css" / "base.css").is_file()
    result = run_admin(
        config,
        "createsuperuser",
        "--no-input",
        "--username",
        "root",
        "--email",
        "r@example.com",
        DJANGO_SUPERUSER_PASSWORD="root-Pass-2026",
    )
    assert result.returncode == 0, result.stderr


def test_a_broken_config_is_one_clear_error(tmp_path):
    bad = tmp_path / "admin.yaml"
    bad.write_text("databse: {}\n")
    result = run_admin(bad, "check")
    assert result.returncode == 2
    assert result.stderr == f"uzor-admin: {bad}: unknown key 'databse'\n"
    good = bad.read_text().replace("databse: {}", f"secret_key_file: {tmp_path / 'none'}")
    bad.write_text(good)
    result = run_admin(bad, "check")
    assert result.returncode == 2 and "cannot read the Django secret key" in result.stderr
    assert "Traceback" not in result.stderr


def start_gunicorn(config, port, **env):
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "appliance.admin.uzor_admin.wsgi:application",
        ],
        env={**os.environ, "UZOR_ADMIN_CONFIG": str(config), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(proc):
    proc.terminate()
    try:
        return proc.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[0]


def ensure_root(config):
    assert run_admin(config, "migrate", "--no-input").returncode == 0
    result = run_admin(
        config,
        "createsuperuser",
        "--no-input",
        "--username",
        "root",
        "--email",
        "r@example.com",
        DJANGO_SUPERUSER_PASSWORD="root-Pass-2026",
    )
    assert result.returncode == 0 or "already taken" in result.stderr, result.stderr


def test_gunicorn_serves_the_admin_and_a_user_logs_in(site):
    _, config = site
    ensure_root(config)
    port = free_port()
    proc = start_gunicorn(config, port)
    base_url = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def up():
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited: {proc.communicate()[0]}")
        try:
            return opener.open(f"{base_url}/admin/login/", timeout=5).status == 200
        except OSError:
            return False

    try:
        wait_until(up, 60, "gunicorn to serve /admin/login/")
        request = urllib.request.Request(  # noqa: S310 - http to the local test server
            f"{base_url}/admin/login/", headers={"Accept-Language": "ru"}
        )
        page = opener.open(request, timeout=10).read().decode()
        assert "Администрирование Узор" in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": "root",
                "password": "root-Pass-2026",
                "next": "/admin/",
            }
        ).encode()
        index = opener.open(f"{base_url}/admin/login/", data=form, timeout=10)
        body = index.read().decode()
        assert index.url.endswith("/admin/") and "Callcenter" in body
    finally:
        output = stop(proc)
    assert '"GET /admin/login/" 200' in output  # the access log


def test_without_a_valid_license_every_page_says_how_to_install_one(site, tmp_path):
    _, config = site
    _, public_key = issue_license(tmp_path)  # the vendor's key is there, the license is not
    strict = tmp_path / "admin.yaml"
    strict.write_text(
        config.read_text().replace(
            "license: {required: false}",
            f"license: {{required: true, path: {tmp_path / 'absent.key'}, "
            f"public_keys: {public_key}}}",
        )
    )
    port = free_port()
    proc = start_gunicorn(strict, port)

    def page(path, language="en"):
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited: {proc.communicate()[0]}")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Accept-Language": language}
        )
        try:
            urllib.request.urlopen(request, timeout=5)  # noqa: S310
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read().decode()
        except OSError:
            return None, ""
        return 200, ""

    try:
        wait_until(lambda: page("/admin/")[0] is not None, 60, "gunicorn to answer")
        status, english = page("/admin/login/")
        _, russian = page("/admin/callcenter/operator/", "ru")
    finally:
        output = stop(proc)
    assert status == 503
    assert "A license is needed" in english and "/opt/uzor/configurator.sh" in english
    assert "There is no license file at" in english  # the reason
    server_id = subprocess.run(
        [str(BIN / "uzor-license"), "server-id"], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert server_id in english
    assert "Нужна лицензия" in russian and "/opt/uzor/configurator.sh" in russian
    assert "uzor.E001" in output  # logged as before


def issue_license(directory):
    """A real license for this machine, issued with the vendor CLI."""
    cli = str(BIN / "uzor-license")
    keys = directory / "keys"
    subprocess.run([cli, "keygen", "--out", str(keys)], check=True, capture_output=True)
    server_id = subprocess.run(
        [cli, "server-id"], check=True, capture_output=True, text=True
    ).stdout.strip()
    license_file = directory / "license.key"
    subprocess.run(
        [
            cli,
            "sign",
            "--key",
            str(keys / "vendor.key"),
            "--server-id",
            server_id,
            "--customer",
            "Test",
            "--max-operators",
            "10",
            "-o",
            str(license_file),
        ],
        check=True,
        capture_output=True,
    )
    (keys / "vendor.key").unlink()
    return license_file, keys / "vendor.pub"


def test_gunicorn_starts_with_a_valid_license(site, tmp_path):
    _, config = site
    ensure_root(config)
    license_file, public_key = issue_license(tmp_path)
    licensed = tmp_path / "admin.yaml"
    licensed.write_text(
        config.read_text().replace(
            "license: {required: false}",
            f"license: {{required: true, path: {license_file}, public_keys: {public_key}}}",
        )
    )
    port = free_port()
    proc = start_gunicorn(licensed, port)

    def up():
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited: {proc.communicate()[0]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=5) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        wait_until(up, 60, "gunicorn with a valid license to serve /admin/login/")
    finally:
        output = stop(proc)
    assert "uzor.E001" not in output


def test_gunicorn_refuses_to_start_without_sox(site):
    _, config = site
    proc = start_gunicorn(config, free_port(), PATH=str(BIN))  # the venv only: no sox
    try:
        output = proc.communicate(timeout=120)[0]
    except subprocess.TimeoutExpired:
        output = stop(proc)
        pytest.fail(f"gunicorn kept running without sox:\n{output}")
    assert proc.returncode != 0
    assert "uzor.E010" in output and "sox" in output
