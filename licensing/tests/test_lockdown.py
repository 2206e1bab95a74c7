"""On an installed appliance (code running from /opt/uzor/venv) no configuration or environment
can change which vendor keys are trusted, or make a license optional; a source checkout (tests,
development) still chooses its keys."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from licensing import gate
from licensing.django_check import ERROR_ID, license_check


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "prefix", "/opt/uzor/venv")


def test_a_checkout_chooses_its_keys_by_argument_or_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not gate.installed_appliance()
    assert gate.public_keys_or_default("/tmp/test-keys") == "/tmp/test-keys"
    monkeypatch.setenv(gate.PUBLIC_KEYS_ENV, "/tmp/env-keys")
    assert gate.public_keys_or_default() == Path("/tmp/env-keys")


@pytest.mark.usefixtures("installed")
def test_an_installed_appliance_trusts_only_the_shipped_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(gate.PUBLIC_KEYS_ENV, "/tmp/attacker-keys")
    assert gate.installed_appliance()
    assert gate.public_keys_or_default("/tmp/attacker-keys") == gate.DEFAULT_PUBLIC_KEYS
    assert gate.public_keys_or_default() == gate.DEFAULT_PUBLIC_KEYS


@pytest.mark.usefixtures("installed")
def test_an_installed_appliance_requires_a_license_whatever_admin_yaml_says(
    tmp_path: Path,
) -> None:
    location = {"path": str(tmp_path / "missing.key"), "required": False}
    problems = license_check(license_location=lambda: location)
    assert [p.id for p in problems] == [ERROR_ID]


def test_the_environment_overrides_a_programs_configured_location(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(gate.LICENSE_PATH_ENV, raising=False)
    monkeypatch.delenv(gate.PUBLIC_KEYS_ENV, raising=False)
    assert gate.configured_location("/etc/l.key", "/etc/keys") == (
        Path("/etc/l.key"),
        Path("/etc/keys"),
    )
    monkeypatch.setenv(gate.LICENSE_PATH_ENV, "/tmp/test.key")
    monkeypatch.setenv(gate.PUBLIC_KEYS_ENV, "/tmp/test-keys")
    assert gate.configured_location("/etc/l.key", "/etc/keys") == (
        Path("/tmp/test.key"),
        Path("/tmp/test-keys"),
    )
    assert gate.environment_overrides({gate.LICENSE_PATH_ENV: ""}) == (None, None)


@pytest.mark.usefixtures("installed")
def test_an_installed_appliance_ignores_a_key_override_of_a_configured_location(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(gate.PUBLIC_KEYS_ENV, "/tmp/attacker-keys")
    assert gate.configured_location("/etc/l.key", "/tmp/configured")[1] == gate.DEFAULT_PUBLIC_KEYS
    assert gate.trusted_keys("/tmp/configured") == gate.DEFAULT_PUBLIC_KEYS
