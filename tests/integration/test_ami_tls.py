"""AMI over TLS where the admin and the agency are not on the unit's host (issue 13, item 6):
``uzor-pbx-setup`` runs for real in an overlay of the PBX root (a chroot), makes the unit's
self-signed certificate and manager.conf's TLS settings; a real unit takes what it wrote (the
unit's address towards the app node is played by 127.0.0.2). The admin's Apply client and the
agency's manager, with the certificate the admin stores on the PBX unit (the agency reads it
from the real MariaDB), reach AMI over TLS only; another certificate and plain TCP on that
address are refused."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from testkit.admin import configure_django

configure_django()

from appliance.admin.callcenter.apply import UnitTarget, reload_unit  # noqa: E402
from appliance.admin.callcenter.models import PbxUnit  # noqa: E402
from appliance.agency.config import AmiConfig  # noqa: E402
from appliance.ami.dispatch import Dispatcher  # noqa: E402
from appliance.ami.manager import AMIManager, Snapshot, UnitAccess  # noqa: E402
from appliance.ami.tests.certificates import make_identity  # noqa: E402
from appliance.ami.tls import fingerprint  # noqa: E402
from testkit.agency import agency_database  # noqa: E402
from testkit.ami_users import SETUP  # noqa: E402
from testkit.pbx_configs import UNIT_DIR, manager_conf  # noqa: E402
from testkit.pbx_setup import run_pbx_setup  # noqa: E402
from testkit.pbx_setup import setup_root as pbx_setup_root  # noqa: E402
from testkit.tools import free_port  # noqa: E402

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:The 'reconnect' argument is deprecated:DeprecationWarning"),
]

PACKAGED_MANAGER = SETUP.parents[2] / "etc/asterisk/manager.conf.uzor"
UNIT_ADDRESS = "127.0.0.2"  # the unit's address towards the app node
REVISION = 7
EVERY = ".".join("0" * 4)  # every address, for the firewalled case
TIMINGS = AmiConfig(
    connect_timeout=5,
    keepalive_interval=5,
    keepalive_timeout=5,
    action_timeout=10,
    reconnect_min=0.2,
    reconnect_max=1,
)


@pytest.fixture
def setup_root(pbx_rootfs: Path) -> Iterator[Path]:
    with pbx_setup_root(pbx_rootfs, "uzor-ami-tls.") as root:
        yield root


def _setup(root: Path, *extra: str):
    done = run_pbx_setup(root, *extra)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _settings(root: Path) -> dict[str, str]:
    lines = (root / "etc/asterisk/uzor/ami_bind.conf").read_text().splitlines()
    return dict(line.split(" = ", 1) for line in lines if " = " in line)


def _secrets(text: str) -> dict[str, str]:
    found, user = {}, ""
    for line in text.splitlines():
        if line.startswith("["):
            user = line.strip("[]")
        elif line.startswith("secret = "):
            found[user] = line.removeprefix("secret = ")
    return found


def test_uzor_pbx_setup_makes_amis_certificate_and_keeps_plain_ami_on_loopback(setup_root):
    done = _setup(setup_root, "--ami-permit", "127.0.0.0/8", "--ami-bind", UNIT_ADDRESS)
    assert _settings(setup_root) == {"bindaddr": UNIT_ADDRESS}  # loopback: plain, no TLS
    assert not (setup_root / "etc/asterisk/uzor/ami-tls.crt").exists()

    done = _setup(
        setup_root,
        *("--ami-permit", "127.0.0.0/8", "--ami-bind", UNIT_ADDRESS),
        *("--ami-tls", "--ami-cert-out", "/root/ami.pem"),
    )
    assert _settings(setup_root) == {
        "bindaddr": "127.0.0.1",
        "tlsenable": "yes",
        "tlsbindaddr": f"{UNIT_ADDRESS}:5039",
        "tlscertfile": "/etc/asterisk/uzor/ami-tls.crt",
        "tlsprivatekey": "/etc/asterisk/uzor/ami-tls.key",
    }
    pem = (setup_root / "root/ami.pem").read_text()
    assert pem == (setup_root / "etc/asterisk/uzor/ami-tls.crt").read_text()
    assert f"SHA-256 fingerprint {fingerprint(pem)}" in done.stdout, done.stdout
    assert f"on {UNIT_ADDRESS}:5039 over TLS (plain AMI on 127.0.0.1:5038 only)" in done.stdout
    key = setup_root / "etc/asterisk/uzor/ami-tls.key"
    assert key.stat().st_mode & 0o777 == 0o640
    assert "PRIVATE KEY" not in pem

    # Every address (behind a firewall) is not loopback: TLS without being asked; the
    # certificate the admin pinned stays the same across runs.
    _setup(setup_root, "--ami-permit", "127.0.0.0/8", "--ami-bind", EVERY, "--ami-bind-any")
    assert _settings(setup_root)["tlsbindaddr"] == f"{EVERY}:5039"
    assert _settings(setup_root)["bindaddr"] == "127.0.0.1"
    assert (setup_root / "etc/asterisk/uzor/ami-tls.crt").read_text() == pem


@dataclass
class TlsUnit:
    asterisk: object
    tls_port: int
    pem: str
    admin_secret: str
    agency_secret: str


@pytest.fixture
def tls_unit(setup_root, asterisk_unit) -> TlsUnit:
    """A real unit with uzor-pbx's manager.conf and what uzor-pbx-setup --ami-tls wrote."""
    _setup(
        setup_root,
        *("--ami-permit", "127.0.0.0/8", "--ami-bind", UNIT_ADDRESS),
        *("--ami-tls", "--ami-secret-out", "/root/ami-users"),
    )
    unit = asterisk_unit(start=False)
    tls_port = free_port()
    packaged = PACKAGED_MANAGER.read_text().replace("port = 5038\n", f"port = {unit.ami_port}\n")
    unit.write_config("manager.conf", packaged)
    test_user = manager_conf(unit.ami_port, unit.ami_user, unit.ami_secret).split("\n\n")[1]
    unit.write_config("manager.d/uzor-test.conf", test_user + "\n")
    etc = setup_root / "etc/asterisk"
    unit.write_config("manager.d/uzor.conf", (etc / "manager.d/uzor.conf").read_text())
    pem = (etc / "uzor/ami-tls.crt").read_text()
    unit.write_config("uzor/ami-tls.crt", pem)
    unit.write_config("uzor/ami-tls.key", (etc / "uzor/ami-tls.key").read_text())
    written = (etc / "uzor/ami_bind.conf").read_text()
    unit.write_config(
        "uzor/ami_bind.conf",
        written.replace(":5039", f":{tls_port}").replace("/etc/asterisk/", f"{UNIT_DIR}/etc/"),
    )
    unit.write_config("extensions.d/uzor-tls.conf", f"UZOR_REVISION = {REVISION}\n")
    unit.write_config("features.conf", "[general]\n")  # Apply reloads it (features)
    unit.write_config("cli.conf", "[startup_commands]\n")  # Apply reads it (GetConfig) first
    unit.start()
    settings = unit.cli("manager show settings")
    assert f"TCP Bindaddress:           127.0.0.1:{unit.ami_port}" in settings, settings
    assert f"{UNIT_ADDRESS}:{tls_port}" in settings, settings
    users = _secrets((setup_root / "root/ami-users").read_text())
    return TlsUnit(unit, tls_port, pem, users["uzor-admin"], users["uzor-agency"])


def _target(unit: TlsUnit, pem: str) -> UnitTarget:
    return UnitTarget(
        1, "pbx1", UNIT_ADDRESS, unit.tls_port, "uzor-admin", unit.admin_secret, REVISION, pem
    )


def test_apply_reloads_the_unit_over_tls_and_nothing_else_gets_in(tls_unit):
    # (a) the admin's client: login, Reload of every module Apply reloads, read-back
    result = reload_unit(_target(tls_unit, tls_unit.pem), timeout=20)
    assert result.ok and result.running == REVISION, result.message

    # (c) a client pinning another certificate is refused before it sends its secret
    other = make_identity("uzor-ami pbx1").pem
    refused = reload_unit(_target(tls_unit, other), timeout=20)
    assert not refused.ok
    assert "did not show the AMI certificate pinned" in refused.message, refused.message

    # (d) plain TCP: nothing listens on the unit's address but TLS, and plain AMI to the TLS
    # port gets no greeting
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((UNIT_ADDRESS, tls_unit.asterisk.ami_port), timeout=5).close()
    plain = reload_unit(_target(tls_unit, ""), timeout=3)
    assert not plain.ok and "greeting" in plain.message, plain.message


def _agency_units(admin_database, tmp_path) -> dict[str, UnitAccess]:
    """The units as the agency reads them from the admin's table (appliance/agency/app.py)."""
    store = agency_database(admin_database, tmp_path)
    try:
        records = asyncio.run(store.units())
    finally:
        store.close()
    return {
        r.name: UnitAccess(
            r.name, r.host, r.port, r.username, r.secret, tls_certificate=r.tls_certificate
        )
        for r in records
    }


async def _run_manager(unit: UnitAccess) -> tuple[list[Snapshot], str | None]:
    """Start the agency's manager for ``unit``; its first resync, or the error it gives up on."""
    manager = AMIManager(unit, TIMINGS, Dispatcher())
    snapshots: list[Snapshot] = []

    async def record(snapshot: Snapshot) -> None:
        snapshots.append(snapshot)

    manager.on_resync(record)
    manager.start()
    try:
        for _ in range(300):
            if snapshots or manager.last_error is not None:
                break
            await asyncio.sleep(0.1)
        return snapshots, manager.last_error
    finally:
        await manager.stop()


def test_the_agency_logs_in_over_tls_with_the_certificate_the_admin_holds(
    tls_unit, committed_admin_db, admin_database, tmp_path
):
    PbxUnit(
        name="pbx1",
        address=UNIT_ADDRESS,
        ami_port=tls_unit.tls_port,
        ami_user="uzor-admin",
        ami_secret=tls_unit.admin_secret,
        agency_ami_user="uzor-agency",
        agency_ami_secret=tls_unit.agency_secret,
        ami_tls_certificate=tls_unit.pem,
    ).save()
    PbxUnit(
        name="pbx2",
        address=UNIT_ADDRESS,
        ami_port=tls_unit.tls_port,
        ami_user="uzor-admin",
        ami_secret=tls_unit.admin_secret,
        agency_ami_user="uzor-agency",
        agency_ami_secret=tls_unit.agency_secret,
        ami_tls_certificate=make_identity("uzor-ami pbx1").pem,
    ).save()
    units = _agency_units(admin_database, tmp_path)
    assert units["pbx1"].tls_certificate.strip() == tls_unit.pem.strip()

    # (b) the agency's manager logs in as uzor-agency over TLS and resyncs
    snapshots, error = asyncio.run(_run_manager(units["pbx1"]))
    assert snapshots and snapshots[0].unit == "pbx1", error
    assert error is None

    # (c) pinning another certificate: refused, never up
    snapshots, error = asyncio.run(_run_manager(units["pbx2"]))
    assert not snapshots
    assert error is not None and "not the pinned one" in error, error
