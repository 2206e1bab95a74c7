"""End to end: the .run installs a working, licensed, TLS-protected appliance into a freshly
booted Debian 12, non-interactively; checked from outside the container (the host), which
shares the container's network, so this module owns the host's :80, :443 and :3306.

One container for the module: installing takes a minute or two and every check reads the
same installed system. Checks that change it (re-run, license removal) come last."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import ssl
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509

from installer import demo_pbx
from tests.e2e import appliance
from tests.e2e.conftest import Bundle
from tests.e2e.test_bundle import extract, repack
from tests.fixtures.target import Target, booted_target, host_ports, run_in_chroot
from tests.fixtures.tools import require_tool, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

UZOR_UNITS = ("uzor-admin.socket", "uzor-admin.service", "uzor-agency@1.service")
UNITS = ("nginx.service", "mariadb.service", *UZOR_UNITS)


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
    token = installed.target.path("/etc/uzor/secrets/agency_api_token").read_text().strip()
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


def agency_units(installed: Installed) -> dict[str, str]:
    token = installed.target.path("/etc/uzor/secrets/agency_api_token").read_text().strip()
    request = urllib.request.Request(  # noqa: S310 - an https URL built here
        f"{installed.base}/agency/status", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, context=installed.context, timeout=30) as response:  # noqa: S310
        return {u["name"]: u["link"] for u in json.loads(response.read())["units"]}


def test_a_pbx_unit_added_after_the_license_takes_the_dialplan_and_operators_log_in(
    installed: Installed, pbx_rootfs: Path
):
    # The walkthrough's order on the running appliance, with no restart of any service: an
    # operator and a workplace, then a PBX unit (--role pbx from the same bundle in the sid root
    # with Asterisk 22) registered in the admin, Apply Dialplan, and the operator's ACP login.
    login = appliance.OperatorLogin("301", secrets.token_urlsafe(12), "e8:03:9a:b5:e0:d1")
    appliance.add_operator(installed.target, login)
    refused = asyncio.run(appliance.acp_login(installed.base, installed.context, login))
    assert refused["name"] == "pbx_unavailable", refused
    state: dict[str, object] = {}
    work = Path(tempfile.mkdtemp(prefix="uzor-e2e-pbx.", dir="/var/tmp"))
    try:
        applied = demo_pbx.up(installed.target, installed.bundle.run, work, state)
        assert "applied pbx1 revision" in applied, applied
        root = Path(str(state["root"]))
        revision = run_in_chroot(root, ["asterisk", "-rx", "dialplan show globals"]).stdout
        assert "UZOR_UNIT=pbx1" in revision
        assert "UZOR_REVISION=" in revision
        wait_until(lambda: agency_units(installed) == {"pbx1": "up"}, 60, "the agency on pbx1")
        reply = asyncio.run(appliance.acp_login(installed.base, installed.context, login))
        assert reply["name"] == "login.result", reply
        queue = run_in_chroot(root, ["asterisk", "-rx", "queue show e2e-line"]).stdout
        assert "PJSIP/3001" in queue, queue
    finally:
        demo_pbx.down(state)
        shutil.rmtree(work, ignore_errors=True)


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
