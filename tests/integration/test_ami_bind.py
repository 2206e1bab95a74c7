"""AMI listens only where the admin and the agency connect (issue 13, item 6): uzor-pbx's
manager.conf binds loopback until ``uzor-pbx-setup`` writes ``uzor/ami_bind.conf``, then only the
address set up. The script runs for real in an overlay of the PBX root (a chroot), and a real
unit takes the file it wrote."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.ami_users import SETUP
from testkit.pbx_configs import manager_conf
from testkit.pbx_setup import run_pbx_setup
from testkit.pbx_setup import setup_root as pbx_setup_root

pytestmark = pytest.mark.integration

PACKAGED_MANAGER = SETUP.parents[2] / "etc/asterisk/manager.conf.uzor"
EVERY_ADDRESS = ".".join("0" * 4)  # AMI must not listen there


@pytest.fixture
def setup_root(pbx_rootfs: Path) -> Iterator[Path]:
    with pbx_setup_root(pbx_rootfs, "uzor-ami-bind.") as root:
        yield root


def _setup(root: Path, *extra: str):
    return run_pbx_setup(root, *extra, timeout=60)


def _ami_bind(root: Path) -> str:
    return (root / "etc/asterisk/uzor/ami_bind.conf").read_text()


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=5):
            return True
    except OSError:
        return False


def test_uzor_pbx_setup_writes_amis_bind_address_and_refuses_bad_ones(setup_root):
    done = _setup(setup_root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _ami_bind(setup_root).splitlines()[-1] == "bindaddr = 127.0.0.1"
    assert "for 127.0.0.1/32 on 127.0.0.1:5038" in done.stdout

    done = _setup(setup_root, "--ami-permit", "127.0.0.2/32", "--ami-bind", "127.0.0.2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _ami_bind(setup_root).splitlines()[-1] == "bindaddr = 127.0.0.2"

    for bad, message in (
        (EVERY_ADDRESS, f"--ami-bind {EVERY_ADDRESS} makes AMI listen on every address"),
        ("192.0.2.99", "--ami-bind 192.0.2.99 is not an address of this host"),
        (f"127.0.0.1\nbindaddr = {EVERY_ADDRESS}", "--ami-bind must be an IPv4 address"),
    ):
        refused = _setup(setup_root, "--ami-bind", bad)
        assert refused.returncode == 1, refused.stdout
        assert message in refused.stderr, refused.stderr
    assert _ami_bind(setup_root).splitlines()[-1] == "bindaddr = 127.0.0.2"  # unchanged

    done = _setup(setup_root, "--ami-bind", EVERY_ADDRESS, "--ami-bind-any")
    assert done.returncode == 0, done.stdout + done.stderr
    # every address is not loopback: AMI over TLS there, plain AMI on loopback only
    # (tests/integration/test_ami_tls.py)
    written = _ami_bind(setup_root).splitlines()
    assert f"tlsbindaddr = {EVERY_ADDRESS}:5039" in written
    assert "bindaddr = 127.0.0.1" in written


def test_the_units_ami_listens_only_where_uzor_pbx_setup_says(setup_root, asterisk_unit):
    """A real unit with uzor-pbx's manager.conf: loopback before set-up; after it, only the
    address uzor-pbx-setup wrote (here 127.0.0.2, standing for the unit's address towards the
    app node): a connection to another address of the unit is refused."""
    unit = asterisk_unit(start=False)
    packaged = PACKAGED_MANAGER.read_text()
    assert "port = 5038\n" in packaged
    packaged = packaged.replace("port = 5038\n", f"port = {unit.ami_port}\n")
    unit.write_config("manager.conf", packaged)
    test_user = manager_conf(unit.ami_port, unit.ami_user, unit.ami_secret).split("\n\n")[1]
    unit.write_config("manager.d/uzor-test.conf", test_user + "\n")
    unit.start()
    settings = unit.cli("manager show settings")
    assert f"TCP Bindaddress:           127.0.0.1:{unit.ami_port}" in settings, settings

    done = _setup(setup_root, "--ami-permit", "127.0.0.2/32", "--ami-bind", "127.0.0.2")
    assert done.returncode == 0, done.stdout + done.stderr
    unit.write_config("uzor/ami_bind.conf", _ami_bind(setup_root))
    unit.cli("manager reload")
    settings = unit.cli("manager show settings")
    assert f"TCP Bindaddress:           127.0.0.2:{unit.ami_port}" in settings, settings
    assert _accepts("127.0.0.2", unit.ami_port)
    assert not _accepts("127.0.0.1", unit.ami_port)
