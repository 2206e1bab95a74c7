"""Uzor licensing: hardware-bound server IDs and ed25519-signed licenses.

Public API (README.md, "Licensing"): `load_license`, `load_public_keys`, `verify`, the `License`
model and the `LicenseError` family; `licensing.server_id` for server IDs; `licensing.gate`
for the daemons; `licensing.store.save_license` for the configurator (verify, then write);
`licensing.signing` for detached file signatures.
"""

from licensing.errors import (
    BadSignature,
    Expired,
    LicenseError,
    LicenseMalformed,
    LicenseMissing,
    MalformedServerId,
    NotYetValid,
    PublicKeyError,
    UnknownKey,
    WrongServer,
)
from licensing.keys import load_public_keys
from licensing.model import License, Limits, load_license, parse_license_text
from licensing.server_id import HardwareFacts
from licensing.verify import verify

__all__ = [
    "BadSignature",
    "Expired",
    "HardwareFacts",
    "License",
    "LicenseError",
    "LicenseMalformed",
    "LicenseMissing",
    "Limits",
    "MalformedServerId",
    "NotYetValid",
    "PublicKeyError",
    "UnknownKey",
    "WrongServer",
    "load_license",
    "load_public_keys",
    "parse_license_text",
    "verify",
]
