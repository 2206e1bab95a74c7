"""Fixtures for the licensing unit tests: ephemeral vendor keys and license builders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from licensing import i18n
from licensing.issue import issue_license
from licensing.keys import key_id
from licensing.model import License
from licensing.server_id import HardwareFacts, facts_from_raw

ISSUED = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)


def raw_facts(
    machine_id: str | None = "0123456789abcdef0123456789abcdef",
    dmi_uuid: str | None = "4c4c4544-0042-3510-8051-b4c04f4e3732",
    macs: tuple[str, ...] = ("52:54:00:12:34:56", "52:54:00:ab:cd:ef"),
    hostname: str = "pbx1.example",
) -> HardwareFacts:
    return facts_from_raw(machine_id, dmi_uuid, list(macs), hostname)


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> object:
    """Tests assert on English text unless they switch language themselves."""
    monkeypatch.setenv("LANGUAGE", "en")  # child processes and set_language(None) too
    i18n.set_language("en")
    yield None
    i18n.set_language(None)  # back to the locale environment for whatever runs next


@pytest.fixture
def vendor_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def public_keys(vendor_key: Ed25519PrivateKey) -> dict[str, Ed25519PublicKey]:
    return {key_id(vendor_key.public_key()): vendor_key.public_key()}


@pytest.fixture
def server() -> HardwareFacts:
    return raw_facts()


LicenseFactory = Callable[..., License]


@pytest.fixture
def make_license(vendor_key: Ed25519PrivateKey, server: HardwareFacts) -> LicenseFactory:
    def build(**overrides: object) -> License:
        fields: dict[str, object] = {
            "server": server,
            "customer": "ACME Call Center",
            "max_operators": 25,
            "max_pbx_units": 2,
            "not_after": ISSUED + timedelta(days=365),
            "modules": ("recorder",),
            "license_id": "LIC-0001",
            "issued_at": ISSUED,
        }
        fields.update(overrides)
        signer = fields.pop("key", vendor_key)
        assert isinstance(signer, Ed25519PrivateKey)
        return issue_license(signer, **fields)  # type: ignore[arg-type]

    return build


@pytest.fixture
def write_license(tmp_path: Path) -> Callable[[License | str], Path]:
    def write(license: License | str) -> Path:
        path = tmp_path / "license.key"
        path.write_text(license if isinstance(license, str) else license.armoured())
        return path

    return write


def with_payload(license: License, payload: bytes) -> License:
    """The same signature and key id over different payload bytes (a tampered license)."""
    return replace(license, payload=payload)
