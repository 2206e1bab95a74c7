"""License payload fields: exactly the agreed ones, strictly typed; and loading the file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from licensing import armour, load_license
from licensing.errors import LicenseMalformed, LicenseMissing
from licensing.keys import key_id
from licensing.model import License
from licensing.tests.conftest import ISSUED, LicenseFactory


def signed_armour(key: Ed25519PrivateKey, payload: bytes) -> str:
    return armour.encode(armour.LICENSE_LABEL, key_id(key.public_key()), key.sign(payload), payload)


@pytest.fixture
def payload_of(make_license: LicenseFactory) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        data: dict[str, Any] = json.loads(make_license().payload)
        return data

    return build


def test_the_payload_holds_the_agreed_fields(make_license: LicenseFactory) -> None:
    license = make_license()
    assert json.loads(license.payload) == {
        "format": 1,
        "license_id": "LIC-0001",
        "customer": "ACME Call Center",
        "server": license.server.to_json_dict(),
        "issued_at": "2026-01-15T12:00:00Z",
        "not_after": "2027-01-15T12:00:00Z",
        "limits": {"max_operators": 25, "max_pbx_units": 2},
        "modules": ["recorder"],
    }
    assert license.issued_at == ISSUED
    assert license.limits.max_operators == 25


def test_a_perpetual_license_has_no_expiry(make_license: LicenseFactory) -> None:
    license = make_license(not_after=None)
    assert json.loads(license.payload)["not_after"] is None
    assert license.not_after is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.update(algorithm="none"), "unknown field(s) algorithm"),
        (lambda d: d.update(extra=1), "unknown field(s) extra"),
        (lambda d: d.pop("customer"), "the field(s) customer are missing"),
        (lambda d: d.pop("not_after"), "the field(s) not_after are missing"),
        (lambda d: d["limits"].update(max_calls=5), "unknown field(s) max_calls"),
        (lambda d: d["limits"].pop("max_pbx_units"), "the field(s) max_pbx_units are missing"),
        (lambda d: d["server"].update(cpu="x"), "exactly the fields"),
        (lambda d: d.update(format=2), "format 2 is not supported"),
        (lambda d: d.update(format=True), "not supported"),
        (lambda d: d.update(format=2, seats=3), "format 2 is not supported: update Uzor"),
        (lambda d: d["limits"].update(max_operators=True), "max_operators"),
        (lambda d: d["limits"].update(max_operators=0), "max_operators"),
        (lambda d: d["limits"].update(max_operators="5"), "max_operators"),
        (lambda d: d.update(issued_at="2026-01-15 12:00"), "issued_at"),
        (lambda d: d.update(not_after="2027-1-5T00:00:00Z"), "not_after"),
        (lambda d: d.update(customer=""), "customer"),
        (lambda d: d.update(customer="A\nB"), "control characters"),
        (lambda d: d.update(license_id="../etc"), "license_id"),
        (lambda d: d.update(modules=["Recorder!"]), "module name"),
        (lambda d: d.update(modules=["ivr", "ivr"]), "twice"),
        (lambda d: d.update(modules="ivr"), "modules"),
    ],
)
def test_it_rejects_a_signed_payload_with_wrong_fields(
    vendor_key: Ed25519PrivateKey,
    payload_of: Callable[[], dict[str, Any]],
    write_license: Callable[[str], Path],
    change: Callable[[dict[str, Any]], object],
    reason: str,
) -> None:
    data = payload_of()
    change(data)
    path = write_license(signed_armour(vendor_key, json.dumps(data).encode()))
    with pytest.raises(LicenseMalformed) as caught:
        load_license(path)
    assert reason in str(caught.value)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\xff\xfe", "UTF-8"),
        (b"{not json", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (b'{"format": NaN}', "NaN"),
        (b'{"format": 1, "format": 1}', "appears twice"),
        (b"[" * 100_000, "JSON"),
        (b'{"format": 1' + b"1" * 5000 + b"}", "JSON"),
    ],
)
def test_it_rejects_a_payload_that_is_not_a_json_object(
    vendor_key: Ed25519PrivateKey,
    write_license: Callable[[str], Path],
    payload: bytes,
    reason: str,
) -> None:
    with pytest.raises(LicenseMalformed, match=reason):
        load_license(write_license(signed_armour(vendor_key, payload)))


def test_loading_a_missing_file_raises_license_missing(tmp_path: Path) -> None:
    with pytest.raises(LicenseMissing) as caught:
        load_license(tmp_path / "license.key")
    message = str(caught.value)
    assert "license.key" in message
    assert "server's ID" in message


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (b"\xff\x00\xfe", "not a text file"),
        (b"A" * 300_000, "too large"),
    ],
)
def test_loading_an_unusable_file_raises_license_malformed(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "license.key"
    path.write_bytes(content)
    with pytest.raises(LicenseMalformed, match=reason):
        load_license(path)


def test_loading_a_directory_raises_license_malformed(tmp_path: Path) -> None:
    with pytest.raises(LicenseMalformed, match="directory"):
        load_license(tmp_path)


def test_it_loads_a_license_file(
    make_license: LicenseFactory, write_license: Callable[[License], Path]
) -> None:
    license = make_license()
    assert load_license(write_license(license)) == license


def test_issuing_refuses_fields_the_appliance_would_refuse(make_license: LicenseFactory) -> None:
    with pytest.raises(ValueError, match="customer"):
        make_license(customer="x" * 201)
    with pytest.raises(ValueError, match="max_operators"):
        make_license(max_operators=0)
