"""End to end: the .run installs a working, licensed, TLS-protected appliance into a freshly
booted Debian 12, non-interactively; checked from outside the container (the host), which
shares the container's network, so this module owns the host's :80, :443 and :3306.

One container for the module: installing takes a minute or two and every check reads the
same installed system. Checks that change it (re-run, license removal) come last."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import ssl
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from cryptography import x509

from installer import demo, demo_pbx
from testkit import appliance, webagent_call
from testkit.bundle import Bundle
from testkit.target import Target, booted_target, host_ports, run_in_chroot
from testkit.tools import require_tool, wait_until
from tests.e2e.test_bundle import extract, repack

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

UZOR_UNITS = ("uzor-admin.socket", "uzor-admin.service", "uzor-agency@1.service")
UNITS = ("nginx.service", "mariadb.service", *UZOR_UNITS)
LEGACY_DROPIN = "/etc/systemd/system/uzor-agency@.service.d/uzor-legacy-user.conf"


@dataclass
class Installed:
    target: Target
    bundle: Bundle
    superuser: appliance.Credentials
    base: str
    context: ssl.SSLContext
    first_output: str
    rerun_output: str
    kept_after_rerun: str
    license_output: str


CREATE_GROUP = "from django.contrib.auth.models import Group; Group.objects.create(name='kept-e2e')"
COUNT_GROUP = (
    "from django.contrib.auth.models import Group;"
    " print(Group.objects.filter(name='kept-e2e').count())"
)


@pytest.fixture(scope="module")
def installed(bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """Install with an answers file, create an object, re-run the bundle, then license it."""
    if os.geteuid() != 0:
        pytest.skip("booting a target system needs root")
    require_tool("systemd-nspawn", "systemd-container")
    work = tmp_path_factory.mktemp("install")
    superuser = appliance.Credentials("root", secrets.token_urlsafe(12))
    with host_ports(), booted_target("uzor-e2e-install") as target:
        answers = appliance.put_answers(target, superuser)
        first = appliance.run_bundle(target, bundle.run, "--answers", answers)
        target.run(["uzor-admin", "shell", "-c", CREATE_GROUP])
        rerun = appliance.run_bundle(target, bundle.run, "--answers", answers)
        kept = target.run(["uzor-admin", "shell", "-c", COUNT_GROUP]).stdout.split()[-1]
        license_file = appliance.sign_license_for(
            target, bundle.vendor_key, work / "license.key", "E2E test"
        )
        licensed = appliance.install_license(target, license_file, superuser)
        certificate = work / "uzor.crt"
        shutil.copy(target.path("/etc/uzor/tls/uzor.crt"), certificate)
        yield Installed(
            target,
            bundle,
            superuser,
            f"https://{appliance.server_address()}",
            appliance.tls_context(certificate),
            first.stdout,
            rerun.stdout,
            kept,
            licensed,
        )


def test_the_installer_shows_progress_and_the_signing_key(installed: Installed):
    assert installed.bundle.fingerprint in installed.first_output
    assert "[2/5] Installing distribution packages" in installed.first_output
    assert "Uzor is installed" in installed.first_output


def test_https_serves_the_admin_login_with_the_server_address_in_the_certificate(
    installed: Installed,
):
    with urllib.request.urlopen(  # noqa: S310 - an https URL built here
        f"{installed.base}/admin/login/", context=installed.context, timeout=30
    ) as page:
        assert page.status == 200
        assert 'name="username"' in page.read().decode()
    cert = x509.load_pem_x509_certificate(
        installed.target.path("/etc/uzor/tls/uzor.crt").read_bytes()
    )
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    addresses = {str(ip) for ip in sans.get_values_for_type(x509.IPAddress)}
    assert appliance.server_address() in addresses


def test_security_headers_are_sent_once(installed: Installed):
    for path in ("/admin/login/", "/agency/status"):
        with urllib.request.urlopen(  # noqa: S310 - an https URL built here
            f"{installed.base}{path}", context=installed.context, timeout=30
        ) as page:
            for header in ("X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"):
                assert len(page.headers.get_all(header) or []) <= 1, (path, header)
            assert page.headers.get_all("X-Content-Type-Options") == ["nosniff"], path


def test_http_redirects_to_https(installed: Installed):
    opener = urllib.request.build_opener(appliance.NoRedirect)
    host = installed.base.removeprefix("https://")
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(f"http://{host}/admin/", timeout=30)
    redirect.value.close()
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"] == f"https://{host}/admin/"


def test_the_superuser_logs_in(installed: Installed):
    status, location = appliance.admin_login(installed.base, installed.context, installed.superuser)
    assert (status, location) == (302, "/admin/")
    wrong = appliance.Credentials(installed.superuser.username, "not-the-password")
    status, _ = appliance.admin_login(installed.base, installed.context, wrong)
    assert status == 200


def test_the_agency_answers_its_status_endpoint_with_the_license(installed: Installed):
    url = f"{installed.base}/agency/status"
    try:
        with urllib.request.urlopen(url, context=installed.context, timeout=30) as public:  # noqa: S310
            assert json.loads(public.read())["status"] == "running"
    except urllib.error.HTTPError as exc:
        exc.close()
        pytest.fail(f"{exc}\n{installed.target.journal('uzor-agency@1.service', 80)}")
    token = installed.target.path("/etc/uzor/agency/secrets/api_token").read_text().strip()
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, context=installed.context, timeout=30) as full:  # noqa: S310
        status = json.loads(full.read())
    assert status["license"]["customer"] == "E2E test"
    assert status["license"]["max_operators"] == 10


def test_every_migration_is_applied(installed: Installed):
    plan = installed.target.run(["uzor-admin", "showmigrations", "--plan"]).stdout
    assert "[X]" in plan
    assert "[ ]" not in plan


def test_every_unit_is_active(installed: Installed):
    for unit in UNITS:
        state = installed.target.run(["systemctl", "is-active", unit], check=False).stdout
        assert state.strip() == "active", f"{unit}: {state}\n{installed.target.journal(unit)}"


def test_no_error_line_about_the_dmi_uuid_where_there_is_none(installed: Installed):
    if installed.target.run(
        ["test", "-r", "/sys/class/dmi/id/product_uuid"], check=False
    ).returncode:
        for unit in ("uzor-admin.service", "uzor-agency@1.service"):
            assert "product_uuid" not in installed.target.journal(unit, 200), unit


def test_no_uzor_or_database_process_runs_as_root(installed: Installed):
    processes = installed.target.run(["ps", "-eo", "user:32=,unit:80=,comm="]).stdout
    by_unit: dict[str, list[str]] = {}
    for line in processes.splitlines():
        user, unit, _command = line.split(None, 2)
        by_unit.setdefault(unit, []).append(user)
    for unit in ("uzor-admin.service", "uzor-agency@1.service", "mariadb.service"):
        assert by_unit.get(unit), f"no process of {unit}:\n{processes}"
        assert "root" not in by_unit[unit], f"{unit} runs as root: {by_unit[unit]}"
    # the admin and the agency as different users (docs/security.md, separation)
    assert set(by_unit["uzor-admin.service"]) == {"uzor"}
    assert set(by_unit["uzor-agency@1.service"]) == {"uzor-agency"}
    # nginx's master keeps root to bind :443 and read the key; its workers do not.
    assert sorted(set(by_unit["nginx.service"])) == ["root", "www-data"]
    assert by_unit["nginx.service"].count("root") == 1


def test_secret_files_are_0600_and_owned_by_the_service_user(installed: Installed):
    listing = installed.target.shell("stat -c '%a %U %n' /etc/uzor/secrets/*").stdout
    lines = listing.strip().splitlines()
    assert len(lines) >= 2, listing
    for line in lines:
        mode, owner, _ = line.split(" ", 2)
        assert (mode, owner) == ("600", "uzor"), line
    key = installed.target.shell("stat -c '%a' /etc/uzor/tls/uzor.key").stdout.strip()
    assert key == "600"
    directory = installed.target.shell("stat -c '%a %U %G' /etc/uzor/secrets").stdout.strip()
    assert directory == "750 root uzor"  # as docs/installer.md says
    agency = installed.target.shell("stat -c '%a %U %n' /etc/uzor/agency/secrets/*").stdout
    assert sorted(line.split(" ", 2)[2] for line in agency.strip().splitlines()) == [
        "/etc/uzor/agency/secrets/api_token",
        "/etc/uzor/agency/secrets/db_password",
    ]
    for line in agency.strip().splitlines():
        assert line.split(" ", 2)[:2] == ["600", "uzor-agency"], line
    directory = installed.target.shell("stat -c '%a %U %G' /etc/uzor/agency/secrets").stdout
    assert directory.strip() == "700 uzor-agency uzor-agency"


def readable_by(installed: Installed, user: str, path: str) -> bool:
    result = installed.target.run(["runuser", "-u", user, "--", "cat", path], check=False)
    assert result.returncode == 0 or "Permission denied" in result.stderr, result.stderr
    return result.returncode == 0


def test_the_agencys_user_cannot_read_the_admins_secrets_nor_the_admin_the_agencys(
    installed: Installed,
):
    for admins in ("secrets/django_secret_key", "secrets/db_password", "admin.yaml"):
        assert not readable_by(installed, "uzor-agency", f"/etc/uzor/{admins}"), admins
        assert readable_by(installed, "uzor", f"/etc/uzor/{admins}"), admins
    for agencys in ("secrets/db_password", "secrets/api_token"):
        assert not readable_by(installed, "uzor", f"/etc/uzor/agency/{agencys}"), agencys
        assert readable_by(installed, "uzor-agency", f"/etc/uzor/agency/{agencys}"), agencys
    vendor_key = installed.target.shell("ls -d /usr/share/uzor/keys/* | head -1").stdout.strip()
    for both in ("/etc/uzor/license.key", vendor_key):
        assert readable_by(installed, "uzor", both) and readable_by(installed, "uzor-agency", both)


def test_the_agencys_database_account_reads_only_its_tables(installed: Installed):
    def as_agency(sql: str) -> tuple[int, str]:
        result = installed.target.shell(
            'MYSQL_PWD="$(cat /etc/uzor/agency/secrets/db_password)" '
            f'mariadb --user=uzor_agency --batch uzor -e "{sql}"',
            check=False,
        )
        return result.returncode, result.stdout + result.stderr

    assert as_agency("SELECT COUNT(*) FROM callcenter_operator")[0] == 0
    assert as_agency("SELECT COUNT(*) FROM agency_session")[0] == 0
    for refused in (
        "SELECT password FROM auth_user",
        "SELECT session_key FROM django_session",
        "UPDATE callcenter_operator SET is_active = 1",
    ):
        status, output = as_agency(refused)
        assert status != 0 and "denied" in output, (refused, output)


def agency_units(installed: Installed) -> dict[str, str]:
    token = installed.target.path("/etc/uzor/agency/secrets/api_token").read_text().strip()
    request = urllib.request.Request(  # noqa: S310 - an https URL built here
        f"{installed.base}/agency/status", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, context=installed.context, timeout=30) as response:  # noqa: S310
        return {u["name"]: u["link"] for u in json.loads(response.read())["units"]}


@dataclass
class Unit:
    root: Path
    applied: str
    operator: appliance.OperatorLogin  # added before the unit existed
    refused_before: dict[str, object]  # its ACP login then


@pytest.fixture(scope="module")
def pbx1(installed: Installed, pbx_rootfs: Path) -> Iterator[Unit]:
    """The manual's walkthrough objects (make demo's seed), then PBX unit pbx1 from the same
    bundle (--role pbx in the sid root with Asterisk 22), registered and Apply Dialplan run."""
    print(demo.seed_walkthrough(installed.target, secrets.token_urlsafe(10)))
    # The order on the running appliance, no service restarted: an operator and a
    # workplace (refused at ACP login: no unit yet), then the unit, Apply, and the login works.
    operator = appliance.OperatorLogin("301", secrets.token_urlsafe(12), "e8:03:9a:b5:e0:d1")
    appliance.add_operator(installed.target, operator)
    refused = asyncio.run(appliance.acp_login(installed.base, installed.context, operator))
    state: dict[str, object] = {}
    work = Path(tempfile.mkdtemp(prefix="uzor-e2e-pbx.", dir="/var/tmp"))
    try:
        applied = demo_pbx.up(installed.target, installed.bundle.run, work, state)
        yield Unit(Path(str(state["root"])), applied, operator, refused)
    finally:
        demo_pbx.down(state)
        shutil.rmtree(work, ignore_errors=True)


def test_a_unit_added_after_the_license_takes_logins_without_a_restart(
    installed: Installed, pbx1: Unit
):
    assert pbx1.refused_before["name"] == "pbx_unavailable", pbx1.refused_before
    assert "applied pbx1 revision" in pbx1.applied, pbx1.applied
    wait_until(lambda: agency_units(installed) == {"pbx1": "up"}, 60, "the agency on pbx1")
    reply = asyncio.run(appliance.acp_login(installed.base, installed.context, pbx1.operator))
    assert reply["name"] == "login.result", reply
    queue = run_in_chroot(pbx1.root, ["asterisk", "-rx", "queue show e2e-line"]).stdout
    assert "PJSIP/3001" in queue, queue


def test_a_pbx_unit_from_the_same_bundle_takes_the_applied_dialplan(
    installed: Installed, pbx1: Unit
):
    assert "applied pbx1 revision" in pbx1.applied, pbx1.applied
    revision = run_in_chroot(pbx1.root, ["asterisk", "-rx", "dialplan show globals"]).stdout
    assert "UZOR_UNIT=pbx1" in revision
    assert "UZOR_REVISION=" in revision
    # uzor-pbx-setup pinned the admin's bundle signing key (fetched over verified HTTPS), and
    # the applied revision was taken because its signature verified with it
    pinned = (pbx1.root / "etc/asterisk/uzor/admin-signing-key").read_text().strip()
    admin_key = installed.target.run(["uzor-admin", "bundle_signing_key"]).stdout.strip()
    assert pinned == admin_key and len(pinned) == 44, (pinned, admin_key)


def test_the_agency_gui_works_behind_nginx_under_agency(installed: Installed):
    token = installed.target.path("/etc/uzor/agency/secrets/api_token").read_text().strip()
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=installed.context),
        urllib.request.HTTPCookieProcessor(jar),
    )
    with opener.open(f"{installed.base}/agency/gui/", timeout=30) as login_form:
        assert login_form.url == f"{installed.base}/agency/gui/login"
    form = urllib.parse.urlencode({"token": token}).encode()
    with opener.open(f"{installed.base}/agency/gui/login", data=form, timeout=30) as listing:
        assert listing.url == f"{installed.base}/agency/gui/"
        assert "Connected terminals" in listing.read().decode()
    assert [(c.name, c.path, c.secure) for c in jar] == [("uzor_agency_gui", "/agency/gui/", True)]


def test_nginx_serves_the_webagent_with_caching_and_gzip_over_https_only(installed: Installed):
    page_url = f"{installed.base}/agent/?host={demo.WORKPLACE_MAC}"
    with urllib.request.urlopen(page_url, context=installed.context, timeout=30) as page:  # noqa: S310
        html = page.read().decode()
        assert page.headers["Cache-Control"] == "no-cache"
        assert page.headers["X-Content-Type-Options"] == "nosniff"
    script = re.search(r'src="(assets/app-[^"]+\.js)"', html)
    assert script, html
    request = urllib.request.Request(  # noqa: S310 - an https URL built here
        f"{installed.base}/agent/{script.group(1)}", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request, context=installed.context, timeout=30) as asset:  # noqa: S310
        assert asset.headers["Content-Encoding"] == "gzip"
        assert "immutable" in asset.headers["Cache-Control"]
        assert gzip.decompress(asset.read())
    opener = urllib.request.build_opener(appliance.NoRedirect)
    host = installed.base.removeprefix("https://")
    with pytest.raises(urllib.error.HTTPError) as plain:
        opener.open(f"http://{host}/agent/", timeout=30)
    plain.value.close()
    assert (plain.value.code, plain.value.headers["Location"]) == (301, f"https://{host}/agent/")


def test_nginx_proxies_sip_for_each_unit_the_admin_knows(installed: Installed, pbx1: Unit):
    generated = installed.target.path("/var/lib/uzor/nginx/sip-units.conf").read_text()
    assert "location = /sip/pbx1 {" in generated
    assert "proxy_pass http://127.0.0.1:8088/ws;" in generated
    timer = installed.target.run(["systemctl", "is-enabled", "uzor-sip-proxies.timer"])
    assert timer.stdout.strip() == "enabled"
    # what the timer runs works in its sandbox (and changes nothing: the file is up to date)
    run = installed.target.run(["systemctl", "start", "uzor-sip-proxies.service"], check=False)
    assert run.returncode == 0, installed.target.journal("uzor-sip-proxies.service")
    assert installed.target.path("/var/lib/uzor/nginx/sip-units.conf").read_text() == generated
    with pytest.raises(urllib.error.HTTPError) as unknown:
        urllib.request.urlopen(f"{installed.base}/sip/nope", context=installed.context, timeout=30)  # noqa: S310
    unknown.value.close()
    assert unknown.value.code == 404


def test_an_operator_logs_in_at_the_agent_url_and_takes_a_carrier_call_through_sip(
    installed: Installed, pbx1: Unit, asterisk_unit, browser
):
    carrier = webagent_call.start_carrier(asterisk_unit)
    try:
        applied = webagent_call.aim_gateway_at(installed.target, carrier)
        assert "applied pbx1" in applied, applied
        token = installed.target.path("/etc/uzor/agency/secrets/api_token").read_text().strip()
        wait_until(
            lambda: [(u["name"], u["link"]) for u in _units(installed, token)] == [("pbx1", "up")],
            60,
            "the agency's link to pbx1",
        )
        address = installed.base.removeprefix("https://")
        page = browser.new_page()  # type: ignore[attr-defined]
        page.add_init_script(webagent_call.RECORD_CONNECTIONS)
        page.goto(demo.agent_url(address))
        page.fill("input[name=agent]", demo.OPERATOR)
        page.fill("input[name=password]", demo.OPERATOR_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=state][data-state=ready]", timeout=60_000)
        wait_until(
            lambda: f"wss://{address}/sip/pbx1" in page.evaluate(webagent_call.SEEN_SOCKETS),
            30,
            "the phone's SIP WebSocket through nginx",
            lambda: str(page.evaluate(webagent_call.SEEN_SOCKETS)),
        )
        call = carrier.start_call("74951234567", playback="hello-world&hello-world", hold=30)
        page.wait_for_selector("[data-testid=btn-answer]", timeout=60_000)
        assert page.text_content("[data-testid=caller-number]") == "74950000000"
        page.keyboard.press("F3")
        assert call.wait_answered(30)
        wait_until(lambda: page.evaluate(webagent_call.AUDIO_PACKETS_IN) > 0, 30, "audio in")
        page.click("[data-testid=btn-hangup]")
        assert call.wait_ended(30).answered
        page.wait_for_selector("[data-testid=no-call]", timeout=30_000)
        # the agency wrote the call's record on the installed appliance (issue 17 item 1)
        wait_until(
            lambda: _answered_records(installed, demo.OPERATOR) == [("in", "pbx1", "74950000000")],
            30,
            "the call's record in agency_call",
            lambda: str(_answered_records(installed, demo.OPERATOR)),
        )
    finally:
        carrier.close()


def _answered_records(installed: Installed, agent: str) -> list[tuple[str, ...]]:
    """The installed agency's answered call records taken by ``agent`` (ended, with talk time)."""
    sql = (
        "SELECT direction, unit, caller FROM agency_call"
        f" WHERE agent = '{int(agent)}' AND result = 'answered'"
        " AND ended_at IS NOT NULL AND talk_seconds > 0"
    )
    result = installed.target.run(["mariadb", "--batch", "--skip-column-names", "uzor", "-e", sql])
    return [tuple(line.split("\t")) for line in result.stdout.splitlines()]


def test_recordings_are_uploaded_and_purged_by_enabled_timers(installed: Installed, pbx1: Unit):
    purge = installed.target.run(["systemctl", "is-enabled", "uzor-recordings-purge.timer"])
    assert purge.stdout.strip() == "enabled"
    run = installed.target.run(["systemctl", "start", "uzor-recordings-purge.service"], check=False)
    assert run.returncode == 0, installed.target.journal("uzor-recordings-purge.service")
    # the unit's upload retry timer is enabled by its package (a chroot: no systemd to ask)
    wants = pbx1.root / "etc/systemd/system/timers.target.wants/uzor-pbx-recordings.timer"
    assert wants.is_symlink(), sorted(p.name for p in wants.parent.iterdir())
    spool = pbx1.root / "var/lib/uzor-confgen/recordings"
    assert spool.is_dir()


def _units(installed: Installed, token: str) -> list[dict[str, object]]:
    return webagent_call.agency_units(installed.base, token, installed.context)


@contextlib.asynccontextmanager
async def closing_tls_session() -> AsyncIterator[aiohttp.ClientSession]:
    """An aiohttp session whose TLS connections are really closed before the loop ends
    (aiohttp needs a moment after the session closes; else ResourceWarnings follow)."""
    async with aiohttp.ClientSession() as http:
        yield http
    await asyncio.sleep(0.25)


def test_security_headers_are_sent_once_and_no_hsts_with_the_self_signed_certificate(
    installed: Installed,
):
    for path in ("/admin/login/", f"/agent/?host={demo.WORKPLACE_MAC}"):
        with urllib.request.urlopen(  # noqa: S310 - an https URL built here
            f"{installed.base}{path}", context=installed.context, timeout=30
        ) as page:
            assert page.headers.get_all("X-Content-Type-Options") == ["nosniff"], path
            assert page.headers.get_all("Referrer-Policy") == ["same-origin"], path
            # HSTS would take away "proceed anyway" from the self-signed certificate's warning
            assert page.headers.get("Strict-Transport-Security") is None, path


def test_the_admin_answers_only_for_the_servers_own_names(installed: Installed):
    """ALLOWED_HOSTS [auto]: a request naming another host gets 400, not a page built with it."""
    request = urllib.request.Request(  # noqa: S310 - an https URL built here
        f"{installed.base}/admin/login/", headers={"Host": "evil.example"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, context=installed.context, timeout=30)  # noqa: S310
    refused.value.close()
    assert refused.value.code == 400


def test_the_installed_appliance_trusts_only_its_shipped_vendor_keys(installed: Installed):
    """Neither the environment nor an argument (the daemons' configuration) can point the
    installed code at other keys."""
    probe = (
        "from licensing.gate import public_keys_or_default as keys, installed_appliance as inst;"
        " print(inst(), keys('/tmp/attacker-keys'), keys())"
    )
    shown = installed.target.run(
        ["env", "UZOR_LICENSE_PUBKEYS=/tmp/attacker-keys", "/opt/uzor/venv/bin/python", "-c", probe]
    ).stdout.split()
    assert shown == ["True", "/usr/share/uzor/keys", "/usr/share/uzor/keys"]


SIGN_WALLBOARD_TOKEN = (
    "import time; from appliance.admin.callcenter.supervisor_signing import sign;"
    " print(sign({'aud': 'wallboard', 'sub': 'e2e', 'perms': ['view_wallboard'],"
    " 'exp': time.time() + 60}))"
)


def test_the_wallboard_socket_through_nginx_takes_only_a_token_the_admin_signed(
    installed: Installed,
):
    """The configurator gave the agency the public half of the admin's supervisor key: a token
    the installed admin signs opens /agency/wallboard/ws through nginx; another key's does not."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from appliance.contracts import supervisor_token

    token = installed.target.run(["uzor-admin", "shell", "-c", SIGN_WALLBOARD_TOKEN])
    signed = token.stdout.strip().splitlines()[-1]
    forged = supervisor_token.sign(
        Ed25519PrivateKey.generate(),
        {"aud": "wallboard", "sub": "e2e", "perms": ["view_wallboard"], "exp": time.time() + 60},
    )
    url = f"{installed.base.replace('https', 'wss')}/agency/wallboard/ws"

    async def first_answer(token: str) -> tuple[Any, int | None]:
        async with closing_tls_session() as http:
            ws = await http.ws_connect(url, ssl=installed.context)
            await ws.send_json({"type": "auth", "token": token})
            message = await ws.receive(timeout=20)
            await ws.close()
            return message, ws.close_code

    opened, _ = asyncio.run(first_answer(signed))
    assert opened.type is aiohttp.WSMsgType.TEXT, opened
    snapshot = json.loads(opened.data)
    assert snapshot["type"] == "snapshot" and snapshot["can_spy"] is False, snapshot
    refused, code = asyncio.run(first_answer(forged))
    assert refused.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), refused
    assert code == 4401
    assert not readable_by(installed, "uzor-agency", "/etc/uzor/secrets/supervisor_signing_key")
    assert readable_by(installed, "uzor-agency", "/etc/uzor/agency/supervisor_key.pub")


def test_a_client_written_x_real_ip_never_reaches_the_agency(installed: Installed):
    """The agency's login limits count per address: nginx sets X-Real-IP, whatever the client
    sent, so an attacker cannot pose as many addresses."""
    token = installed.target.path("/etc/uzor/agency/secrets/api_token").read_text().strip()
    spoofed = "203.0.113.99"

    async def remotes_while_connected() -> list[str]:
        async with closing_tls_session() as http:
            ws = await http.ws_connect(
                f"{installed.base.replace('https', 'wss')}/agency/ws",
                ssl=installed.context,
                headers={"X-Real-IP": spoofed, "X-Forwarded-For": spoofed},
            )
            try:
                async with http.get(
                    f"{installed.base}/agency/api/clients",
                    ssl=installed.context,
                    headers={"Authorization": f"Bearer {token}"},
                ) as listing:
                    clients = await listing.json()
            finally:
                await ws.close()
        return [c["remote"] for c in clients["clients"]]

    remotes = asyncio.run(remotes_while_connected())
    assert remotes and spoofed not in remotes
    assert appliance.server_address() in remotes


def test_parallel_wrong_operator_logins_through_nginx_are_throttled(installed: Installed):
    """Fifty wrong logins at once through nginx: only the agency's limit of them (10 a minute
    per address) get an answer on the password; a client-written X-Real-IP does not help."""
    wrong = {"agent": "555", "password": "guess", "workplace": "02:00:00:00:00:01"}

    async def attempt(http: aiohttp.ClientSession, headers: dict[str, str]) -> str:
        ws = await http.ws_connect(
            f"{installed.base.replace('https', 'wss')}/agency/ws",
            ssl=installed.context,
            headers=headers,
        )
        try:
            await ws.send_json({"type": "action", "name": "login", "id": 1, "data": wrong})
            return str((await ws.receive_json(timeout=30))["name"])
        finally:
            await ws.close()

    async def flood() -> tuple[list[str], str]:
        async with closing_tls_session() as http:
            answers = await asyncio.gather(*(attempt(http, {}) for _ in range(50)))
            spoofed = await attempt(http, {"X-Real-IP": "198.51.100.1"})
        return list(answers), spoofed

    answers, spoofed = asyncio.run(flood())
    assert answers.count("login_failed") == 10, answers
    assert answers.count("rate_limited") == 40, answers
    assert spoofed == "rate_limited"


def test_open_acp_sockets_from_one_address_are_capped_by_nginx(installed: Installed):
    """nginx caps the ACP WebSockets one address holds open (limit_conn): the shipped cap is
    1,000 (a shift behind one NAT address); lowered to 3 here, a fourth socket is refused with
    429 while three are open, and taken again once one closes."""
    conf = installed.target.path("/usr/share/uzor/nginx/agency.conf")
    shipped = conf.read_text()
    assert "    limit_conn uzor_acp_conn 1000;\n" in shipped
    url = f"{installed.base.replace('https', 'wss')}/agency/ws"

    async def fourth_socket_refused_then_taken() -> int:
        async with closing_tls_session() as http:
            held = [await http.ws_connect(url, ssl=installed.context) for _ in range(3)]
            try:
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(url, ssl=installed.context)
                await held.pop().close()
                for _ in range(20):  # until nginx has seen the closed socket go
                    with contextlib.suppress(aiohttp.WSServerHandshakeError):
                        await (await http.ws_connect(url, ssl=installed.context)).close()
                        return refused.value.status
                    await asyncio.sleep(0.5)
                return -1  # a free place was never given back
            finally:
                for ws in held:
                    await ws.close()

    conf.write_text(shipped.replace("uzor_acp_conn 1000;", "uzor_acp_conn 3;"))
    try:
        installed.target.shell("nginx -t -q && systemctl reload nginx && sleep 1")
        status = asyncio.run(fourth_socket_refused_then_taken())
    finally:
        conf.write_text(shipped)
        installed.target.shell("systemctl reload nginx && sleep 1")
    assert status == 429


def test_admin_logins_are_rate_limited_per_address_by_nginx(installed: Installed):
    """Many user names from one address: django-axes (per user name and address) never locks,
    nginx's limit_req does; an administrator logs in again once the burst has passed. nginx is
    restarted afterwards: the login zone starts empty for the module's later tests."""
    try:
        statuses = []
        for n in range(25):
            guess = appliance.Credentials(f"guess{n}", "not-the-password")
            statuses.append(login_status(installed, guess)[0])
        assert 429 in statuses, statuses
        assert statuses[0] == 200  # the first wrong password is just a wrong password

        # 30 a minute: a token comes back every 2 s, so a login (the form and the POST) gets
        # through about 4 s after the flood; try every 5 s instead of sleeping out the burst
        seen: list[tuple[int, str]] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not seen or seen[-1][0] == 429):
            time.sleep(5)
            seen.append(login_status(installed, installed.superuser))
        assert seen[-1] == (302, "/admin/"), seen
    finally:
        installed.target.run(["systemctl", "restart", "nginx.service"])


def login_status(installed: Installed, user: appliance.Credentials) -> tuple[int, str]:
    """``admin_login``'s (status, Location), or the status the login form itself was refused
    with."""
    try:
        return appliance.admin_login(installed.base, installed.context, user)
    except urllib.error.HTTPError as refused:
        refused.close()
        return refused.code, ""


def test_a_tampered_bundle_is_refused_and_changes_nothing(installed: Installed, tmp_path: Path):
    content = extract(installed.bundle.run, tmp_path / "x")
    (deb,) = (content / "debs").glob("uzor-admin_*.deb")
    with deb.open("ab") as handle:
        handle.write(b"tampered")
    evil = repack(content, tmp_path / "evil.run")
    check = appliance.run_bundle(installed.target, evil, "--check", check=False)
    assert check.returncode != 0
    assert "does not match its signed checksum" in check.stderr
    packages = ["dpkg-query", "-W", "-f=${Package} ${Version} ${Status}\n"]
    before = installed.target.run(packages).stdout
    install = appliance.run_bundle(installed.target, evil, "--no-configure", check=False)
    assert install.returncode != 0
    assert "refusing to install" in install.stderr
    assert installed.target.run(packages).stdout == before


def test_rerunning_the_bundle_is_an_in_place_upgrade_that_keeps_data(installed: Installed):
    assert "already trusted here" in installed.rerun_output
    assert "No migrations to apply" in installed.rerun_output
    assert installed.kept_after_rerun == "1"
    status, _ = appliance.admin_login(installed.base, installed.context, installed.superuser)
    assert status == 302


def test_the_license_signed_for_this_server_is_accepted(installed: Installed):
    assert "License key written to /etc/uzor/license.key" in installed.license_output
    check = installed.target.run(["uzor-admin", "check", "--tag", "uzor"], check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_without_a_license_the_agency_refuses_to_start_and_the_admin_says_what_to_do(
    installed: Installed,
):
    target = installed.target
    target.run(["mv", "/etc/uzor/license.key", "/root/license.moved"])
    try:
        agency = "uzor-agency@1.service"
        restart = target.run(["systemctl", "restart", agency], check=False)
        assert restart.returncode != 0  # Type=notify: the start itself fails
        assert target.run(["systemctl", "is-active", agency], check=False).stdout.strip() in {
            "failed",
            "inactive",
        }
        assert "There is no license file at /etc/uzor/license.key" in target.journal(agency, 100)

        target.run(["systemctl", "restart", "uzor-admin.service"])
        assert "uzor-admin: uzor.E001" in target.journal("uzor-admin.service", 100)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(  # noqa: S310 - an https URL built here
                f"{installed.base}/admin/", context=installed.context, timeout=30
            )
        with refused.value as page:
            assert page.code == 503
            body = page.read().decode()
        assert "A license is needed" in body and "/opt/uzor/configurator.sh" in body
        assert "There is no license file at /etc/uzor/license.key" in body
    finally:
        target.run(["mv", "/root/license.moved", "/etc/uzor/license.key"])
        target.run(
            ["systemctl", "restart", "uzor-admin.service", "uzor-agency@1.service"], check=False
        )


def agency_user(installed: Installed) -> str:
    """The agency's process's user; on failure what systemd and the journal say instead."""
    unit = "uzor-agency@1.service"
    pid = installed.target.run(
        ["systemctl", "show", "--property=MainPID", "--value", unit]
    ).stdout.strip()
    if pid == "0":
        status = installed.target.run(["systemctl", "status", "--no-pager", unit], check=False)
        return f"not running:\n{status.stdout}\n{installed.target.journal(unit, 40)}"
    return installed.target.run(["ps", "-o", "user=", "-p", pid]).stdout.strip()


def test_an_agency_configured_before_its_own_user_keeps_running_until_the_configurator_separates_it(
    installed: Installed,
):
    """An upgrade from a version whose agency ran as uzor with the admin's database account:
    the package keeps it running as uzor (a drop-in), the configurator of the upgrade gives it
    its own user and account and keeps its API token."""
    target = installed.target
    token = target.path("/etc/uzor/agency/secrets/api_token").read_text()
    config = target.path("/etc/uzor/agency/1.yaml")
    old = yaml.safe_load(config.read_text())  # what the configurator of that version wrote
    old["database"].update(user="uzor", password_file="/etc/uzor/secrets/db_password")
    old["api"]["token_file"] = "/etc/uzor/secrets/agency_api_token"
    config.write_text(yaml.safe_dump(old))
    target.shell(
        "install -o uzor -g uzor -m 0600 /etc/uzor/agency/secrets/api_token"
        " /etc/uzor/secrets/agency_api_token && rm -r /etc/uzor/agency/secrets"
        " && chgrp uzor /etc/uzor/agency/1.yaml"
    )
    reconfigure = target.run(["dpkg-reconfigure", "uzor-agency"])
    assert "run /opt/uzor/configurator.sh again" in reconfigure.stdout + reconfigure.stderr
    assert target.path(LEGACY_DROPIN).is_file()
    assert agency_user(installed) == "uzor", reconfigure.stdout + reconfigure.stderr

    answers = "/root/answers.yaml"
    appliance.run_bundle(target, installed.bundle.run, "--answers", answers)

    assert not target.path(LEGACY_DROPIN).exists()
    assert agency_user(installed) == "uzor-agency"
    assert target.path("/etc/uzor/agency/secrets/api_token").read_text() == token
    assert not target.path("/etc/uzor/secrets/agency_api_token").exists()
    assert yaml.safe_load(config.read_text())["database"]["user"] == "uzor_agency"
    with urllib.request.urlopen(  # noqa: S310 - an https URL built here
        urllib.request.Request(  # noqa: S310
            f"{installed.base}/agency/status", headers={"Authorization": f"Bearer {token.strip()}"}
        ),
        context=installed.context,
        timeout=30,
    ) as response:
        assert json.loads(response.read())["status"] == "running"
