"""installer/preflight.sh: the system rules the bootstrap and the Ansible preflight role share,
run with bash here (the functions are sourced, os-release files are fakes)."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from testkit.tools import free_port

PREFLIGHT = Path(__file__).resolve().parents[2] / "installer" / "preflight.sh"


def bash(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f". {PREFLIGHT}; {script}"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", **env},
    )


def os_release(tmp_path: Path, text: str) -> str:
    path = tmp_path / "os-release"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ('ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n', "all"),
        ('ID=debian\nVERSION_ID="13"\n', "app"),
        ("ID=debian\nVERSION_CODENAME=trixie\n", "all"),
        ('ID=ubuntu\nVERSION_ID="24.04"\n', "all"),
        ("ID=debian\nVERSION_CODENAME=sid\n", "pbx"),
    ],
)
def test_supported_systems_pass(tmp_path: Path, text: str, role: str):
    result = bash(f"os_supported {role}", UZOR_OS_RELEASE=os_release(tmp_path, text))
    assert (result.returncode, result.stdout) == (0, "")


@pytest.mark.parametrize(
    ("text", "role", "named"),
    [
        ('ID=centos\nVERSION_ID="9"\n', "all", "'centos 9'"),
        ('ID=debian\nVERSION_ID="11"\n', "pbx", "'debian 11'"),
        ("ID=debian\nVERSION_CODENAME=sid\n", "app", "'debian sid'"),
        ('ID=ubuntu\nVERSION_ID="22.04"\n', "all", "'ubuntu 22.04'"),
    ],
)
def test_unsupported_systems_are_named(tmp_path: Path, text: str, role: str, named: str):
    result = bash(f"os_supported {role}", UZOR_OS_RELEASE=os_release(tmp_path, text))
    assert result.returncode == 1
    assert result.stdout == (
        f"unsupported system {named}: Uzor installs on Debian 12, Debian 13 or Ubuntu 24.04"
    )


def test_the_reason_speaks_russian(tmp_path: Path):
    release = os_release(tmp_path, 'ID=centos\nVERSION_ID="9"\n')
    result = bash("os_supported all", UZOR_OS_RELEASE=release, UZOR_LANG="ru")
    assert result.stdout.startswith("неподдерживаемая система «centos 9»")


def test_the_standalone_run_lists_every_failed_rule_and_exits_1(tmp_path: Path):
    release = os_release(tmp_path, 'ID=centos\nVERSION_ID="9"\n')
    result = subprocess.run(
        ["bash", str(PREFLIGHT), "--role", "pbx", "--bundle-version", "0.1.0"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "UZOR_OS_RELEASE": release},
    )
    assert result.returncode == 1
    assert "unsupported system 'centos 9'" in result.stdout.splitlines()[0]


def test_bad_options_are_refused():
    result = subprocess.run(
        ["bash", str(PREFLIGHT), "--role", "everything"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "--role must be all, app or pbx" in result.stderr


def test_a_listening_port_names_its_process():
    port = free_port()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        holder = bash(f"port_holder {port}").stdout.strip()
    assert holder.startswith(("python", "pytest"))
    assert bash(f"port_holder {port}").stdout == ""
