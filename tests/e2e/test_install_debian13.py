"""End to end on Debian 13 (trixie, Python 3.13): the same .run installs the app node, licensed
and served over TLS. Trixie has no Asterisk package, so role "all" installs the app node and says
where the PBX goes. Owns the host's :80, :443 and :3306 while it runs, like test_install."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from testkit import appliance
from testkit.bundle import Bundle
from testkit.target import Target, booted_target, host_ports
from testkit.tools import require_tool, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@dataclass
class Installed:
    target: Target
    superuser: appliance.Credentials
    base: str
    context: ssl.SSLContext
    output: str


@pytest.fixture(scope="module")
def trixie(bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    if os.geteuid() != 0:
        pytest.skip("booting a target system needs root")
    require_tool("systemd-nspawn", "systemd-container")
    work = tmp_path_factory.mktemp("trixie")
    superuser = appliance.Credentials("root", secrets.token_urlsafe(12))
    with host_ports(), booted_target("uzor-e2e-trixie", suite="trixie") as target:
        answers = appliance.put_answers(target, superuser)
        output = appliance.run_bundle(target, bundle.run, "--answers", answers).stdout
        license_file = appliance.sign_license_for(
            target, bundle.vendor_key, work / "license.key", "Trixie test"
        )
        appliance.install_license(target, license_file, superuser)
        certificate = work / "uzor.crt"
        shutil.copy(target.path("/etc/uzor/tls/uzor.crt"), certificate)
        yield Installed(
            target,
            superuser,
            f"https://{appliance.server_address()}",
            appliance.tls_context(certificate),
            output,
        )


def test_it_is_debian_13_and_the_app_node_is_installed_without_asterisk(trixie: Installed):
    os_release = trixie.target.path("/etc/os-release").read_text()
    assert 'VERSION_ID="13"' in os_release
    assert "This distribution has no Asterisk: installing the app node only." in trixie.output
    assert "Uzor is installed" in trixie.output
    python = trixie.target.run(["/opt/uzor/venv/bin/python", "--version"]).stdout
    assert python.startswith("Python 3.13"), python


def test_the_superuser_logs_into_the_admin_over_https(trixie: Installed):
    status, location = appliance.admin_login(trixie.base, trixie.context, trixie.superuser)
    assert (status, location) == (302, "/admin/")


def test_the_agency_runs_with_the_license(trixie: Installed):
    token = trixie.target.path("/etc/uzor/agency/secrets/api_token").read_text().strip()
    request = urllib.request.Request(  # noqa: S310 - an https URL built here
        f"{trixie.base}/agency/status", headers={"Authorization": f"Bearer {token}"}
    )

    replies: list[dict] = []

    def answered() -> bool:  # the agency may still be starting after the license step
        try:
            with urllib.request.urlopen(request, context=trixie.context, timeout=30) as reply:  # noqa: S310
                replies.append(json.loads(reply.read()))
                return True
        except urllib.error.HTTPError:
            return False

    wait_until(
        answered,
        60,
        "the agency's status endpoint",
        lambda: trixie.target.journal("uzor-agency@1.service", 40),
    )
    status = replies[-1]
    assert status["license"]["customer"] == "Trixie test"
    for unit in ("uzor-admin.service", "uzor-agency@1.service", "nginx.service"):
        state = trixie.target.run(["systemctl", "is-active", unit], check=False).stdout.strip()
        assert state == "active", (unit, trixie.target.journal(unit, 40))
