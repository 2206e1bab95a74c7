"""Vendor keys: ed25519 only (one fixed algorithm; nothing in a license can choose another).

Public key files (`*.pub`) hold either a PEM SubjectPublicKeyInfo block or the raw 32-byte key
in base64 on one line. The key id is the first 16 hex digits of the SHA-256 of the raw 32-byte
public key. The private key is an unencrypted PKCS#8 PEM file, mode 0600, that is meant to stay
on the vendor's offline machine: never in a package, a repository or a log.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from licensing.errors import PrivateKeyError, PublicKeyError
from licensing.i18n import _

KEY_ID_LENGTH = 16
PRIVATE_KEY_NAME = "vendor.key"
PUBLIC_KEY_NAME = "vendor.pub"
_MAX_KEY_FILE = 16 * 1024

PublicKeys = Mapping[str, Ed25519PublicKey]


def raw_public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """The first 16 hex digits of the SHA-256 of the raw public key."""
    return hashlib.sha256(raw_public_bytes(key)).hexdigest()[:KEY_ID_LENGTH]


def parse_public_key(data: bytes) -> Ed25519PublicKey:
    """Parse a PEM or raw-base64 ed25519 public key; raises ValueError saying what is wrong."""
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text)
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise ValueError(_("not a readable PEM public key")) from exc
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(_("the key is not an ed25519 key"))
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(_("neither PEM nor base64")) from exc
    if len(raw) != 32:
        raise ValueError(
            _("a raw ed25519 public key has 32 bytes, this one has {n}").format(n=len(raw))
        )
    return Ed25519PublicKey.from_public_bytes(raw)


def load_public_keys(path: str | os.PathLike[str]) -> dict[str, Ed25519PublicKey]:
    """Load one `.pub` file, or every `*.pub` file of a directory, keyed by key id.

    Raises PublicKeyError when the path is missing, holds no key, or a key file is unreadable."""
    location = Path(path)
    if location.is_dir():
        files = sorted(p for p in location.glob("*.pub") if p.is_file())
        if not files:
            raise PublicKeyError(path=location, reason=_("the directory holds no *.pub file"))
    elif location.is_file():
        files = [location]
    else:
        raise PublicKeyError(path=location, reason=_("no such file or directory"))
    keys: dict[str, Ed25519PublicKey] = {}
    for file in files:
        key = _read_public_key_file(file)
        keys[key_id(key)] = key
    return keys


def _read_public_key_file(file: Path) -> Ed25519PublicKey:
    try:
        data = _read_limited(file)
        return parse_public_key(data)
    except OSError as exc:
        raise PublicKeyError(path=file, reason=exc.strerror or str(exc)) from exc
    except ValueError as exc:
        raise PublicKeyError(path=file, reason=str(exc)) from exc


def _read_limited(file: Path) -> bytes:
    with file.open("rb") as handle:
        data = handle.read(_MAX_KEY_FILE + 1)
    if len(data) > _MAX_KEY_FILE:
        raise ValueError(_("the file is too large for a key"))
    return data


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """Load the vendor's private key; raises PrivateKeyError saying what is wrong."""
    file = Path(path)
    try:
        data = _read_limited(file)
        key = serialization.load_pem_private_key(data, password=None)
    except OSError as exc:
        raise PrivateKeyError(path=file, reason=exc.strerror or str(exc)) from exc
    except TypeError as exc:
        raise PrivateKeyError(path=file, reason=_("the key is protected by a passphrase")) from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise PrivateKeyError(path=file, reason=_("not a readable PEM private key")) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise PrivateKeyError(path=file, reason=_("the key is not an ed25519 key"))
    return key


def generate_keypair(directory: str | os.PathLike[str]) -> tuple[Path, Path, str]:
    """Write DIR/vendor.key (0600) and DIR/vendor.pub; never overwrites an existing key.

    Returns (private path, public path, key id)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    private_path, public_path = out / PRIVATE_KEY_NAME, out / PUBLIC_KEY_NAME
    for existing in (private_path, public_path):
        if existing.exists():
            raise FileExistsError(existing)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.chmod(private_path, 0o600)
    public_path.write_bytes(public_key_pem(key.public_key()))
    return private_path, public_path, key_id(key.public_key())
