"""Vendor key files: PEM or raw base64 public keys, key ids, the private key file."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from licensing.errors import PrivateKeyError, PublicKeyError
from licensing.keys import (
    generate_keypair,
    key_id,
    load_private_key,
    load_public_keys,
    public_key_pem,
    raw_public_bytes,
)


def test_the_key_id_is_the_start_of_the_sha256_of_the_raw_key() -> None:
    public = Ed25519PrivateKey.generate().public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert key_id(public) == hashlib.sha256(raw).hexdigest()[:16]


def test_it_loads_pem_and_raw_base64_keys_from_a_directory(tmp_path: Path) -> None:
    first, second = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    (tmp_path / "a.pub").write_bytes(public_key_pem(first.public_key()))
    (tmp_path / "b.pub").write_text(
        base64.b64encode(raw_public_bytes(second.public_key())).decode() + "\n"
    )
    (tmp_path / "README").write_text("not a key")
    keys = load_public_keys(tmp_path)
    assert set(keys) == {key_id(first.public_key()), key_id(second.public_key())}
    assert set(load_public_keys(tmp_path / "a.pub")) == {key_id(first.public_key())}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"hello world", "neither PEM nor base64"),
        (base64.b64encode(b"x" * 31), "32 bytes"),
        (b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "PEM"),
        (b"A" * 20000, "too large"),
    ],
)
def test_it_names_an_unusable_public_key_file(tmp_path: Path, content: bytes, reason: str) -> None:
    (tmp_path / "vendor.pub").write_bytes(content)
    with pytest.raises(PublicKeyError) as caught:
        load_public_keys(tmp_path)
    assert reason in str(caught.value)
    assert "vendor.pub" in str(caught.value)


def test_it_refuses_a_key_of_another_algorithm(tmp_path: Path) -> None:
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    (tmp_path / "ec.pub").write_bytes(
        other.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    with pytest.raises(PublicKeyError, match="not an ed25519 key"):
        load_public_keys(tmp_path / "ec.pub")


def test_it_refuses_a_missing_path_or_an_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(PublicKeyError, match="no such file"):
        load_public_keys(tmp_path / "absent")
    with pytest.raises(PublicKeyError, match=r"no \*\.pub file"):
        load_public_keys(tmp_path)


def test_generated_keys_load_back(tmp_path: Path) -> None:
    private_path, public_path, new_id = generate_keypair(tmp_path / "k")
    private = load_private_key(private_path)
    assert key_id(private.public_key()) == new_id
    assert set(load_public_keys(public_path)) == {new_id}
    with pytest.raises(FileExistsError):
        generate_keypair(tmp_path / "k")


def test_it_names_an_unusable_private_key(tmp_path: Path) -> None:
    with pytest.raises(PrivateKeyError, match="No such file"):
        load_private_key(tmp_path / "absent.key")
    (tmp_path / "bad.key").write_text("garbage")
    with pytest.raises(PrivateKeyError, match="not a readable PEM"):
        load_private_key(tmp_path / "bad.key")
    locked = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    (tmp_path / "locked.key").write_bytes(locked)
    with pytest.raises(PrivateKeyError, match="passphrase"):
        load_private_key(tmp_path / "locked.key")
    ec_key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp_path / "ec.key").write_bytes(ec_key)
    with pytest.raises(PrivateKeyError, match="not an ed25519 key"):
        load_private_key(tmp_path / "ec.key")
