"""Detached file signatures for the installer's bundle manifest."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from licensing import armour
from licensing.errors import FileSignatureInvalid, LicenseMalformed, SignatureMalformed
from licensing.model import parse_license_text
from licensing.signing import file_message, sign_file, verify_file
from licensing.tests.conftest import LicenseFactory

Keys = dict[str, Ed25519PublicKey]


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "MANIFEST.sha256"
    path.write_bytes(b"e3b0c44298fc1c14  debs/uzor-common.deb\n" * 1000)
    return path


def test_a_signed_file_verifies(
    manifest: Path, vendor_key: Ed25519PrivateKey, public_keys: Keys
) -> None:
    signature = sign_file(manifest, vendor_key)
    assert signature.startswith("-----BEGIN UZOR SIGNATURE-----\n")
    assert verify_file(manifest, signature, public_keys) == next(iter(public_keys))


def test_a_changed_file_fails(
    manifest: Path, vendor_key: Ed25519PrivateKey, public_keys: Keys
) -> None:
    signature = sign_file(manifest, vendor_key)
    manifest.write_bytes(manifest.read_bytes() + b"evil  payload\n")
    with pytest.raises(FileSignatureInvalid, match="changed"):
        verify_file(manifest, signature, public_keys)


def test_an_untrusted_key_fails(manifest: Path, public_keys: Keys) -> None:
    signature = sign_file(manifest, Ed25519PrivateKey.generate())
    with pytest.raises(FileSignatureInvalid, match="not a trusted key"):
        verify_file(manifest, signature, public_keys)


@pytest.mark.parametrize(
    "text", ["", "garbage", "-----BEGIN UZOR SIGNATURE-----\n-----END UZOR SIGNATURE-----"]
)
def test_a_malformed_signature_fails(manifest: Path, public_keys: Keys, text: str) -> None:
    with pytest.raises(SignatureMalformed):
        verify_file(manifest, text, public_keys, signature_source="MANIFEST.sig")


def test_a_license_signature_is_no_file_signature(
    tmp_path: Path, make_license: LicenseFactory, public_keys: Keys
) -> None:
    license = make_license()
    payload_file = tmp_path / "payload.json"
    payload_file.write_bytes(license.payload)
    forged = armour.encode(armour.SIGNATURE_LABEL, license.key_id, license.signature)
    with pytest.raises(FileSignatureInvalid):
        verify_file(payload_file, forged, public_keys)


def test_a_file_signature_is_no_license_signature(
    manifest: Path, vendor_key: Ed25519PrivateKey
) -> None:
    message = file_message(manifest)
    assert message.startswith(b"UZOR-FILE-SIGNATURE-V1\x00")
    text = armour.encode(
        armour.LICENSE_LABEL, "0123456789abcdef", vendor_key.sign(message), message
    )
    with pytest.raises(LicenseMalformed, match="JSON"):
        parse_license_text(text)
