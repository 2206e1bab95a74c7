"""End to end: the Ansible collection (ansible/) deploys a site the way a field engineer does,
`ansible-playbook playbooks/site.yml` on this host over SSH to a booted Debian 12 app node and
to a PBX unit (the sid Asterisk root as a chroot with its own sshd): wrong inputs fail before
any change, the first run installs, configures and licenses, the second changes nothing, a
newer bundle upgrades keeping data, an older one is refused, and the PBX-unit role connects
the unit and applies the dialplan on it.

One app node for the module (installing takes minutes); the steps that change it run in order."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from testkit import appliance
from testkit.ansible_site import (
    REPO,
    Controller,
    PlaybookRun,
    server_id_for,
    sign_license,
    start_sshd_in_chroot,
    start_sshd_in_target,
    stop_sshd_in_chroot,
)
from testkit.bundle import Bundle
from testkit.target import (
    Target,
    booted_target,
    host_ports,
    mount_chroot,
    overlay_root,
    run_in_chroot,
    unmount_chroot,
)
from testkit.tools import free_port, require_tool, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

APP, UNIT = "app1", "pbx1"
FIGURES = REPO / "test-artifacts" / "ansible-figures.json"
FAKE_OS_RELEASE = "/root/fake-os-release"
CREATE_GROUP = (
    "from django.contrib.auth.models import Group; Group.objects.create(name='kept-ansible')"
)
COUNT_GROUP = (
    "from django.contrib.auth.models import Group;"
    " print(Group.objects.filter(name='kept-ansible').count())"
)
DID = "74951234567"  # the demo seed's gateway DID, transformed to inbound topic 1000 (queue sales)
GATEWAY_TO_CARRIER = """
from appliance.admin.callcenter.models import Gateway, InboundTopic
Gateway.objects.filter(name="sipnet").update(
    host="127.0.0.1", port={port}, username="", password="", auth_domain=""
)
for topic in InboundTopic.objects.filter(number="1000"):
    topic.non_working_schedules.set([])  # open around the clock, also at weekends
"""
UNIT_STATE = (
    "from appliance.admin.callcenter.models import PbxUnit; u = PbxUnit.objects.get(name='pbx1');"
    " print(u.applied_revision, u.last_apply_ok)"
)


@dataclass
class Site:
    target: Target
    controller: Controller
    bundle: Bundle
    license: Path
    superuser: appliance.Credentials
    port: int
    work: Path

    def app_group(self, run: Path) -> dict[str, object]:
        return {
            "hosts": {APP: {"ansible_host": "127.0.0.1", "ansible_port": self.port}},
            "vars": {
                "appliance_bundle": str(run),
                "appliance_fingerprint": self.bundle.fingerprint,
                "appliance_superuser_username": self.superuser.username,
                "appliance_superuser_email": self.superuser.email,
                "appliance_superuser_password": "{{ vault_superuser_password }}",
                "appliance_license_file": str(self.license),
                "appliance_admin_host": appliance.server_address(),
            },
        }

    def installed_version(self, package: str = "uzor-common") -> str:
        result = self.target.run(["dpkg-query", "-W", "-f", "${Version}", package], check=False)
        return result.stdout.strip() if result.returncode == 0 else ""


def record_figure(name: str, seconds: float) -> None:
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    figures = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    figures[name] = round(seconds, 1)
    FIGURES.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"ansible figure: {name} = {seconds:.1f} s")


@dataclass
class NewerBuild:
    process: subprocess.Popen[bytes]
    run: Path
    log: Path


@pytest.fixture(scope="module")
def newer_build(bundle: Bundle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NewerBuild]:
    """The upgrade step's newer bundle, built in the background from the module's start: the
    build (tens of seconds) overlaps the target's boot and the first runs instead of adding to
    them (``upgraded`` waits for it)."""
    out = tmp_path_factory.mktemp("newer")
    version = f"{bundle.version}+upgrade1"
    log = out / "build.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                *(str(REPO / "installer/build_run.sh"), "--vendor-key", str(bundle.vendor_key)),
                *("--out", str(out), "--version", version),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped whole if the module ends early
        )
    try:
        yield NewerBuild(process, out / f"uzor_{version}.run", log)
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def site(
    bundle: Bundle, newer_build: NewerBuild, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    if os.geteuid() != 0:
        pytest.skip("booting a target system needs root")
    require_tool("systemd-nspawn", "systemd-container")
    require_tool("ssh", "openssh-client")
    work = tmp_path_factory.mktemp("ansible")
    controller = Controller.create(work)
    superuser = appliance.Credentials("engineer", secrets.token_urlsafe(12), "eng@uzor.invalid")
    try:
        with host_ports(), booted_target("uzor-e2e-ansible") as target:
            port = free_port()
            start_sshd_in_target(target, controller, port)
            license_file = sign_license(
                bundle.vendor_key, server_id_for(target), work / "license.key"
            )
            controller.write_vault("uzor_app", {"vault_superuser_password": superuser.password})
            site = Site(target, controller, bundle, license_file, superuser, port, work)
            controller.write_inventory({"uzor_app": site.app_group(bundle.run)})
            target.path(FAKE_OS_RELEASE).write_text('ID=centos\nVERSION_ID="9"\n')
            try:
                yield site
            finally:
                controller.close_connections()
    finally:
        shutil.rmtree(controller.control_dir, ignore_errors=True)


WRONG_INPUTS = {
    "wrong fingerprint": (
        {"appliance_fingerprint": "ab" * 32},
        "not by the expected " + "ab" * 32,
    ),
    "missing license file": (
        {"appliance_license_file": "/nonexistent/uzor.key"},
        "appliance_license_file: '/nonexistent/uzor.key' does not exist on the controller",
    ),
    "unsupported system": (
        {"preflight_os_release": FAKE_OS_RELEASE},
        "Uzor preflight failed on app1: unsupported system 'centos 9': Uzor installs on Debian 12",
    ),
    "bad variable type": (
        {"appliance_database_port": "three"},
        "appliance_database_port",
    ),
}


@pytest.mark.parametrize("case", list(WRONG_INPUTS))
def test_wrong_inputs_fail_before_any_change(site: Site, case: str):
    extra, message = WRONG_INPUTS[case]
    run = site.controller.playbook("--limit", "uzor_app", "-e", json.dumps(extra))
    assert run.returncode != 0, run.output[-3000:]
    assert message in run.output, run.output[-3000:]
    assert run.recap(APP)["failed"] == 1
    assert site.installed_version() == ""
    assert not site.target.path(f"/var/cache/uzor-ansible/{site.bundle.run.name}").exists()
    assert not site.target.path("/var/lib/uzor-ansible/answers.yaml").exists()


@dataclass
class Deployed:
    site: Site
    first: PlaybookRun
    second: PlaybookRun
    certificate: Path


@pytest.fixture(scope="module")
def deployed(site: Site) -> Deployed:
    first = site.controller.playbook("--limit", "uzor_app")
    assert first.returncode == 0, first.output[-5000:]
    record_figure("first run (install, configure, license)", first.seconds)
    second = site.controller.playbook("--limit", "uzor_app")
    assert second.returncode == 0, second.output[-5000:]
    record_figure("second run (same bundle and variables)", second.seconds)
    certificate = site.work / "uzor.crt"
    shutil.copy(site.target.path("/etc/uzor/tls/uzor.crt"), certificate)
    return Deployed(site, first, second, certificate)


def test_the_first_run_installs_configures_and_licenses(deployed: Deployed):
    site = deployed.site
    assert deployed.first.recap(APP)["changed"] > 0
    assert site.installed_version() == site.bundle.version
    assert site.target.path("/etc/uzor/license.key").read_text().startswith("-----BEGIN")
    for unit in ("uzor-admin.service", "uzor-agency@1.service", "nginx.service"):
        assert site.target.run(["systemctl", "is-active", unit]).stdout.strip() == "active"
    address = appliance.server_address()
    assert f"admin: https://{address}/admin/" in deployed.first.output


def test_the_admin_answers_over_https_with_the_configured_superuser(deployed: Deployed):
    context = appliance.tls_context(deployed.certificate)
    base = f"https://{appliance.server_address()}"
    status, location = appliance.admin_login(base, context, deployed.site.superuser)
    assert (status, location) == (302, "/admin/")


def test_the_second_run_changes_nothing(deployed: Deployed):
    assert deployed.second.recap(APP) == {
        "ok": deployed.second.recap(APP)["ok"],
        "changed": 0,
        "unreachable": 0,
        "failed": 0,
    }


def test_secrets_stay_out_of_the_output_and_the_files_are_private(deployed: Deployed):
    site = deployed.site
    license_body = site.license.read_text().splitlines()[1]
    for run in (deployed.first, deployed.second):
        assert site.superuser.password not in run.output
        assert license_body not in run.output
    for name in ("answers.yaml", "license.key"):
        mode = site.target.path(f"/var/lib/uzor-ansible/{name}").stat().st_mode & 0o777
        assert mode == 0o600, name


@dataclass
class Upgraded:
    newer: Path
    run: PlaybookRun
    kept: str
    older: PlaybookRun


@pytest.fixture(scope="module")
def upgraded(deployed: Deployed, newer_build: NewerBuild) -> Upgraded:
    site = deployed.site
    built = newer_build.process.wait(timeout=900)
    assert built == 0, newer_build.log.read_text(errors="replace")[-3000:]
    newer = newer_build.run
    site.target.run(["uzor-admin", "shell", "-c", CREATE_GROUP])
    site.controller.write_inventory({"uzor_app": site.app_group(newer)})
    run = site.controller.playbook("--limit", "uzor_app")
    assert run.returncode == 0, run.output[-5000:]
    kept = site.target.run(["uzor-admin", "shell", "-c", COUNT_GROUP]).stdout.split()[-1]
    site.controller.write_inventory({"uzor_app": site.app_group(site.bundle.run)})
    older = site.controller.playbook("--limit", "uzor_app")
    site.controller.write_inventory({"uzor_app": site.app_group(newer)})
    return Upgraded(newer, run, kept, older)


def test_a_newer_bundle_upgrades_and_keeps_what_was_created(upgraded: Upgraded, site: Site):
    assert upgraded.run.recap(APP)["changed"] > 0
    assert site.installed_version() == upgraded.newer.name.removeprefix("uzor_")[: -len(".run")]
    assert upgraded.kept == "1"


def test_an_older_bundle_is_refused_with_the_reason(upgraded: Upgraded, site: Site):
    assert upgraded.older.returncode != 0
    installed = upgraded.newer.name.removeprefix("uzor_")[: -len(".run")]
    assert (
        f"Uzor {installed} is installed: this bundle ({site.bundle.version}) is older, "
        "refusing to downgrade"
    ) in upgraded.older.output
    assert site.installed_version() == installed


@dataclass
class Unit:
    root: Path
    first: PlaybookRun
    second: PlaybookRun


@pytest.fixture(scope="module")
def unit(upgraded: Upgraded, site: Site, pbx_rootfs: Path) -> Iterator[Unit]:
    work = Path(tempfile.mkdtemp(prefix="uzor-ansible-pbx.", dir="/var/tmp"))
    root = overlay_root(pbx_rootfs, work)
    try:
        mount_chroot(root)
        port = free_port()
        start_sshd_in_chroot(root, site.controller, port)
        pbx_group = {
            "hosts": {
                UNIT: {"ansible_host": "127.0.0.1", "ansible_port": port, "pbx_unit_name": UNIT}
            },
            "vars": {
                "pbx_unit_bundle": str(upgraded.newer),
                "pbx_unit_fingerprint": site.bundle.fingerprint,
                "pbx_unit_admin_host": APP,
                "pbx_unit_admin_url": "https://127.0.0.1",
                "pbx_unit_address": "127.0.0.1",
                "pbx_unit_sip_address": "127.0.0.1:5060",
                "pbx_unit_require_systemd": False,
            },
        }
        site.controller.write_inventory(
            {"uzor_app": site.app_group(upgraded.newer), "uzor_pbx": pbx_group}
        )
        first = site.controller.playbook()
        second = site.controller.playbook()
        yield Unit(root, first, second)
    finally:
        site.controller.close_connections()
        run_in_chroot(root, ["asterisk", "-rx", "core stop now"], timeout=30)
        stop_sshd_in_chroot(root)
        time.sleep(1)  # let the chroot's processes close their files before unmounting
        unmount_chroot(root)
        shutil.rmtree(work, ignore_errors=True)


def test_the_pbx_unit_role_connects_the_unit_and_applies_the_dialplan(unit: Unit, site: Site):
    assert unit.first.returncode == 0, unit.first.output[-6000:]
    assert unit.first.recap(UNIT)["changed"] > 0
    assert unit.first.recap(APP)["changed"] == 0
    revision, ok = site.target.run(["uzor-admin", "shell", "-c", UNIT_STATE]).stdout.split()[-2:]
    assert (revision != "None", ok) == (True, "True")
    assert f"{UNIT}: revision {revision} applied" in unit.first.output
    settings = (unit.root / "etc/asterisk/uzor/confgen.yaml").read_text()
    assert f"unit: {UNIT}" in settings
    token = unit.root / "etc/asterisk/uzor/confgen_token"
    assert token.read_text().strip() not in unit.first.output


def test_a_second_site_run_changes_nothing_on_the_node_or_the_unit(unit: Unit):
    assert unit.second.returncode == 0, unit.second.output[-6000:]
    assert unit.second.recap(APP)["changed"] == 0
    assert unit.second.recap(UNIT)["changed"] == 0


def test_a_carrier_call_to_a_did_reaches_the_queue_through_the_unit(
    unit: Unit, site: Site, carrier
):
    """The admin's walkthrough model (the demo seed) with its gateway aimed at the carrier,
    applied with the same command the role runs; the carrier calls the DID on the unit."""
    seed = appliance.walkthrough_seed()
    password = {"UZOR_DEMO_ADMIN_PASSWORD": secrets.token_urlsafe(12)}
    site.target.run(["uzor-admin", "shell"], input_text=seed, env=password)
    gateway = GATEWAY_TO_CARRIER.format(port=carrier.sip_port)
    site.target.run(["uzor-admin", "shell", "-c", gateway])
    applied = site.target.run(["uzor-admin", "apply_dialplan", UNIT]).stdout
    assert " applied" in applied, applied
    carrier.point_at(("127.0.0.1", 5060))
    call = carrier.start_call(DID, hold=60)

    def queue() -> str:
        return run_in_chroot(unit.root, ["asterisk", "-rx", "queue show sales"], timeout=30).stdout

    try:
        wait_until(lambda: "sales has 1 calls" in queue(), 60, "the call in queue sales", queue)
    finally:
        call.hangup()
