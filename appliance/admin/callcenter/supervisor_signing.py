"""The admin's ed25519 key that signs the wallboard's tokens (contracts/supervisor_token.py).

The private key is admin.yaml ``supervisor_signing_key`` (by default
``/etc/uzor/secrets/supervisor_signing_key``, 0600, the admin's user's), written by the
configurator, or made here on first use; the configurator gives its public half to the agency
(``/etc/uzor/agency/supervisor_key.pub``), which verifies the tokens with it. ``uzor-admin
supervisor_key`` prints the public half.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from appliance.contracts import supervisor_token

from .bundle_signing import load_or_make


def key_path() -> Path:
    return Path(settings.UZOR_SUPERVISOR_SIGNING_KEY)


def signing_key() -> Ed25519PrivateKey:
    return load_or_make(key_path(), "supervisor signing key")


def sign(payload: dict[str, Any]) -> str:
    return supervisor_token.sign(signing_key(), payload)


def public_key_text() -> str:
    return supervisor_token.public_key_text(signing_key())
