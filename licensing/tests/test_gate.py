"""The daemons' gate: refuse to start with one clear line, a log record and exit status 3."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from licensing import License
from licensing.gate import GATE_EXIT_CODE, require_valid_license
from licensing.keys import generate_keypair, load_private_key
from licensing.server_id import (
    HardwareFacts,
    collect_facts,
    current_server_id,
    format_server_id,
)
from licensing.tests.conftest import ISSUED, LicenseFactory, raw_facts, with_payload

NOW = ISSUED + timedelta(days=1)


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "keys"
    generate_keypair(directory)
    (directory / "vendor.key").rename(tmp_path / "vendor.key")  # only .pub files stay
    return directory


@pytest.fixture
def shipped_key(tmp_path: Path, key_dir: Path) -> Ed25519PrivateKey:
    return load_private_key(tmp_path / "vendor.key")


def refuse(license_path: Path, key_dir: Path, **kwargs: object) -> str:
    """Run the gate expecting a refusal; return what it printed."""
    stderr = io.StringIO()
    server = kwargs.get("server", raw_facts())
    assert isinstance(server, HardwareFacts)
    with pytest.raises(SystemExit) as caught:
        require_valid_license(
            "uzor-agency",
            license_path,
            key_dir,
            server=server,
            now=kwargs.get("now", NOW),  # type: ignore[arg-type]
            stderr=stderr,
        )
    assert caught.value.code == GATE_EXIT_CODE != 0
    output = stderr.getvalue()
    assert output.count("\n") == 1
    assert output.startswith("uzor-agency will not start: ")
    assert output.rstrip().endswith(f"This server's ID: {format_server_id(server)}")
    return output


def test_it_returns_a_valid_license(
    make_license: LicenseFactory,
    shipped_key: Ed25519PrivateKey,
    key_dir: Path,
    write_license: Callable[[License], Path],
) -> None:
    path = write_license(make_license(key=shipped_key))
    license = require_valid_license("uzor-agency", path, key_dir, server=raw_facts(), now=NOW)
    assert license.limits.max_operators == 25


def test_it_reads_the_env_overrides(
    make_license: LicenseFactory,
    shipped_key: Ed25519PrivateKey,
    key_dir: Path,
    write_license: Callable[[License], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_license(make_license(key=shipped_key))
    monkeypatch.setenv("UZOR_LICENSE_PATH", str(path))
    monkeypatch.setenv("UZOR_LICENSE_PUBKEYS", str(key_dir / "vendor.pub"))
    license = require_valid_license("uzor-admin", server=raw_facts(), now=NOW)
    assert license.license_id == "LIC-0001"


def test_it_refuses_without_a_license_and_logs_it(
    tmp_path: Path, key_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="uzor.licensing"):
        output = refuse(tmp_path / "license.key", key_dir)
    assert "There is no license file at" in output
    assert [r.getMessage() for r in caplog.records] == [output.strip()]


def test_it_refuses_a_malformed_license(
    write_license: Callable[[str], Path], key_dir: Path
) -> None:
    assert "damaged" in refuse(write_license("-----BEGIN UZOR LICENSE-----\nKey-Id: x"), key_dir)


def test_it_refuses_a_tampered_license(
    make_license: LicenseFactory,
    shipped_key: Ed25519PrivateKey,
    key_dir: Path,
    write_license: Callable[[License], Path],
) -> None:
    license = make_license(key=shipped_key)
    data = json.loads(license.payload)
    data["limits"]["max_operators"] = 9999
    path = write_license(with_payload(license, json.dumps(data).encode()))
    assert "signature" in refuse(path, key_dir)


def test_it_refuses_an_unknown_key(
    make_license: LicenseFactory, key_dir: Path, write_license: Callable[[License], Path]
) -> None:
    assert "does not know" in refuse(write_license(make_license()), key_dir)


def test_it_refuses_another_server(
    make_license: LicenseFactory,
    shipped_key: Ed25519PrivateKey,
    key_dir: Path,
    write_license: Callable[[License], Path],
) -> None:
    other = raw_facts(machine_id=None, dmi_uuid=None, macs=("00:16:3e:00:00:01",))
    output = refuse(write_license(make_license(key=shipped_key)), key_dir, server=other)
    assert "another server" in output
    assert format_server_id(other) in output


def test_it_refuses_an_expired_license(
    make_license: LicenseFactory,
    shipped_key: Ed25519PrivateKey,
    key_dir: Path,
    write_license: Callable[[License], Path],
) -> None:
    path = write_license(make_license(key=shipped_key))
    assert "expired" in refuse(path, key_dir, now=ISSUED + timedelta(days=400))


def test_it_refuses_a_clock_set_back(
    make_license: LicenseFactory,
    shipped_key: Ed25519PrivateKey,
    key_dir: Path,
    write_license: Callable[[License], Path],
) -> None:
    path = write_license(make_license(key=shipped_key))
    assert "clock" in refuse(path, key_dir, now=ISSUED - timedelta(days=3))


def test_it_refuses_when_the_vendor_keys_are_missing(
    make_license: LicenseFactory, tmp_path: Path, write_license: Callable[[License], Path]
) -> None:
    output = refuse(write_license(make_license()), tmp_path / "no-keys")
    assert "uzor-common" in output


def test_it_speaks_russian_when_the_locale_says_so(
    tmp_path: Path, key_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from licensing import i18n

    monkeypatch.setenv("LANGUAGE", "")
    monkeypatch.setenv("LC_ALL", "ru_RU.UTF-8")
    i18n.set_language(None)
    stderr = io.StringIO()
    with pytest.raises(SystemExit) as caught:
        require_valid_license(
            "uzor-agency", tmp_path / "license.key", key_dir, server=raw_facts(), stderr=stderr
        )
    assert caught.value.code == GATE_EXIT_CODE
    assert stderr.getvalue().startswith("uzor-agency не запустится: Нет файла лицензии ")
    assert f"Идентификатор этого сервера: {format_server_id(raw_facts())}" in stderr.getvalue()


def test_the_defaults_are_the_installed_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    from licensing.gate import license_path_or_default, public_keys_or_default

    monkeypatch.delenv("UZOR_LICENSE_PATH", raising=False)
    monkeypatch.delenv("UZOR_LICENSE_PUBKEYS", raising=False)
    assert license_path_or_default() == Path("/etc/uzor/license.key")
    assert public_keys_or_default() == Path("/usr/share/uzor/keys")


GATE_SCRIPT = (
    "from licensing.gate import require_valid_license; "
    "print(require_valid_license('uzor-agency').license_id)"
)


def run_gate_process(license_path: Path, key_dir: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "UZOR_LICENSE_PATH": str(license_path),
        "UZOR_LICENSE_PUBKEYS": str(key_dir),
        "LANGUAGE": "en",
    }
    return subprocess.run(
        [sys.executable, "-c", GATE_SCRIPT], capture_output=True, text=True, env=env, check=False
    )


def test_a_daemon_process_starts_with_a_license_for_this_machine(
    make_license: LicenseFactory,
    shipped_key: Ed25519PrivateKey,
    key_dir: Path,
    write_license: Callable[[License], Path],
) -> None:
    path = write_license(make_license(key=shipped_key, server=collect_facts(), issued_at=None))
    result = run_gate_process(path, key_dir)
    assert (result.returncode, result.stdout, result.stderr) == (0, "LIC-0001\n", "")


def test_a_daemon_process_exits_3_without_a_license(tmp_path: Path, key_dir: Path) -> None:
    result = run_gate_process(tmp_path / "license.key", key_dir)
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.startswith("uzor-agency will not start: There is no license file at ")
    assert result.stderr.rstrip().endswith(current_server_id())


def test_the_typed_check_raises_the_refusal_with_its_reason_and_this_servers_id(
    tmp_path: Path, key_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from licensing.errors import LicenseMissing
    from licensing.gate import LicenseRefusedError, require_license

    with (
        caplog.at_level(logging.ERROR, logger="uzor.licensing"),
        pytest.raises(LicenseRefusedError) as caught,
    ):
        require_license("uzor-agency", tmp_path / "none.key", key_dir, server=raw_facts())
    refused = caught.value
    assert isinstance(refused.reason, LicenseMissing)
    assert refused.server_id == format_server_id(raw_facts())
    assert refused.message == str(refused)
    assert refused.message.startswith("uzor-agency will not start: There is no license file")
    assert [r.getMessage() for r in caplog.records] == [refused.message]
