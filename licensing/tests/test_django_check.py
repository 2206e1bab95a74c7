"""The admin's Django system check uzor.E001 (Django is imported only when it runs)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from licensing import License
from licensing.django_check import license_check
from licensing.keys import generate_keypair, load_private_key
from licensing.server_id import collect_facts, current_server_id
from licensing.tests.conftest import LicenseFactory


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    generate_keypair(tmp_path / "keys")
    return tmp_path / "keys"


def location(path: Path, keys: Path, required: bool = True) -> Callable[[], dict[str, object]]:
    return lambda: {"path": str(path), "public_keys": str(keys), "required": required}


def test_a_valid_license_gives_no_message(
    make_license: LicenseFactory, key_dir: Path, write_license: Callable[[License], Path]
) -> None:
    key: Ed25519PrivateKey = load_private_key(key_dir / "vendor.key")
    path = write_license(make_license(key=key, server=collect_facts(), issued_at=None))
    assert license_check(None, license_location=location(path, key_dir)) == []


def test_a_missing_license_is_error_uzor_e001(tmp_path: Path, key_dir: Path) -> None:
    messages = license_check(None, license_location=location(tmp_path / "none", key_dir))
    assert [m.id for m in messages] == ["uzor.E001"]
    assert "no license file" in messages[0].msg
    assert current_server_id() in messages[0].hint
    assert messages[0].is_serious()


def test_an_optional_license_is_only_a_warning(tmp_path: Path, key_dir: Path) -> None:
    messages = license_check(
        None, license_location=location(tmp_path / "none", key_dir, required=False)
    )
    assert [m.id for m in messages] == ["uzor.W001"]
    assert not messages[0].is_serious()


def test_an_expired_license_is_error_uzor_e001(
    make_license: LicenseFactory, key_dir: Path, write_license: Callable[[License], Path]
) -> None:
    from datetime import UTC, datetime

    key = load_private_key(key_dir / "vendor.key")
    issued = datetime.now(UTC) - timedelta(days=30)
    path = write_license(
        make_license(key=key, server=collect_facts(), issued_at=issued, not_after=issued)
    )
    messages = license_check(None, license_location=location(path, key_dir))
    assert [m.id for m in messages] == ["uzor.E001"]
    assert "expired" in messages[0].msg


SETTINGS_SCRIPT = """
import sys
from django.conf import settings
settings.configure(UZOR_LICENSE=eval(sys.argv[1]))
from licensing.django_check import license_check
print(",".join(m.id for m in license_check(None)))
"""


def test_it_reads_the_location_from_django_settings(tmp_path: Path, key_dir: Path) -> None:
    # In a child process: configuring Django settings here would leak into other tests.
    def ids(setting: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", SETTINGS_SCRIPT, setting],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    absent, keys = str(tmp_path / "none"), str(key_dir)
    assert ids(f"{{'path': {absent!r}, 'public_keys': {keys!r}}}") == "uzor.E001"
    assert ids(f"lambda: {{'path': {absent!r}, 'required': False}}") == "uzor.W001"


def test_importing_licensing_does_not_import_django() -> None:
    code = (
        "import sys, licensing, licensing.gate, licensing.django_check, licensing.cli; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
