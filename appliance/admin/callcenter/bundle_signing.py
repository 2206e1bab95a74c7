"""The admin's ed25519 key that signs every revision bundle (issue 13, item 5).

The private key is a PKCS#8 PEM file (admin.yaml ``bundle_signing_key``, by default
``/etc/uzor/secrets/bundle_signing_key``, 0600, the admin's service user's), written by the
configurator or, where it is missing, made here on first use. Its public half is what
``uzor-pbx-setup`` pins on each PBX unit (``GET /admin/confgen/signing-key``, or
``uzor-admin bundle_signing_key`` to copy it by hand); uzor-confgen refuses a bundle it does
not verify. contracts/bundle.py says what the signature covers.
"""

from __future__ import annotations

import base64
import contextlib
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from appliance.contracts.bundle import signed_message

_LOCK = threading.Lock()
_LOADED: dict[Path, Ed25519PrivateKey] = {}


class SigningKeyError(Exception):
    """The signing key cannot be read or made; str() says which file and why."""


def key_path() -> Path:
    return Path(settings.UZOR_BUNDLE_SIGNING_KEY)


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_new_key(path: Path) -> None:
    """Make a key in ``path`` (0600); an existing file is left alone (FileExistsError)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_key_pem(Ed25519PrivateKey.generate()))


def signing_key() -> Ed25519PrivateKey:
    """The admin's key, made on first use when its file does not exist."""
    return load_or_make(key_path(), "bundle signing key")


def load_or_make(path: Path, what: str) -> Ed25519PrivateKey:
    """The ed25519 key in ``path`` (PKCS#8 PEM), made there (0600) when the file is missing."""
    with _LOCK:
        if path in _LOADED:
            return _LOADED[path]
        try:
            if not path.exists():
                with contextlib.suppress(FileExistsError):  # another process made it meanwhile
                    write_new_key(path)
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except OSError as exc:
            raise SigningKeyError(
                f"{path}: cannot read or create the {what} ({exc.strerror})"
            ) from exc
        except ValueError as exc:
            raise SigningKeyError(f"{path}: not a PEM private key ({exc})") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError(f"{path}: the {what} is not an ed25519 key")
        _LOADED[path] = key
        return key


def sign_bundle(data: bytes) -> str:
    """The base64 signature of a bundle's canonical bytes."""
    return base64.b64encode(signing_key().sign(signed_message(data))).decode()


def public_key_text() -> str:
    """The public key as uzor-pbx-setup pins it: its 32 raw bytes in base64, one line."""
    raw = (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode()
