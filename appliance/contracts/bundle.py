"""The revision bundle: what the admin renders for a PBX unit and the unit's uzor-confgen fetches.

A bundle is one JSON object, stored, served and hashed as its canonical bytes
(``bundle_bytes``)::

    {"format": 1, "unit": "pbx1", "revision": 7, "created_at": "...",
     "files": {"extensions.conf": "...", ...},            # names match FILE_NAME_RE
     "sounds": {"hold-0123456789ab.wav": "<sha256>", ...}} # names match SOUND_NAME_RE

The files may hold placeholders uzor-confgen replaces on the unit (``SOUNDS_PLACEHOLDER``,
``VOICEMAIL_PLACEHOLDER``, ``CONFGEN_PLACEHOLDER``, ``host_addresses_placeholder`` lines).
The admin writes bundles (callcenter/dialplan/revisions.py) and serves them
(callcenter/confgen/views.py); uzor-confgen (appliance/pbx/confgen.py) verifies them with
``check_bundle``.

Standard library only, and nothing but the standard library: appliance/pbx/build.py inlines this
module into the one-file uzor-confgen that runs on PBX units, where only ``python3`` exists.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

BUNDLE_FORMAT = 1
FILE_NAME_RE = re.compile(r"^[a-z][a-z0-9_.-]*\.conf$")
SOUND_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*-[0-9a-f]{12}\.wav$")
MAX_BUNDLE = 64 * 1024 * 1024
MAX_SOUND = 64 * 1024 * 1024

# Replaced by uzor-confgen in every file it prints:
SOUNDS_PLACEHOLDER = "@UZOR_SOUNDS_DIR@"  # the unit's copy of the bundle's sounds
VOICEMAIL_PLACEHOLDER = "@UZOR_VOICEMAIL_DIR@"  # where call flows record voicemail
CONFGEN_PLACEHOLDER = "@UZOR_CONFGEN@"  # uzor-confgen itself with its --config, for System()
# A line "permit = @UZOR_ADDRESSES:<host name>@" (the SIP ACL's entry for a gateway known by
# name): uzor-confgen repeats it once per IPv4 address the name resolves to on the unit, as
# "permit = <address>/32", each time Asterisk reads the file.
HOST_ADDRESSES_RE = re.compile(
    r"^(?P<key>permit) = @UZOR_ADDRESSES:"
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)@$",
    re.MULTILINE,
)


def host_addresses_placeholder(key: str, host: str) -> str:
    """The line uzor-confgen replaces with one ``key = <address>/32`` per address of ``host``."""
    line = f"{key} = @UZOR_ADDRESSES:{host}@"
    if not HOST_ADDRESSES_RE.fullmatch(line):
        raise ValueError(f"not a host name for an address placeholder: {host!r}")
    return line


# A recorded message: <VOICEMAIL_PLACEHOLDER>/<mailbox>/<YYYYmmdd-HHMMSS>-<caller>-<uniqueid>.wav,
# which uzor-confgen --voicemail uploads (at most MAX_VOICEMAIL bytes) and the admin stores.
VOICEMAIL_NAME_RE = re.compile(r"^([0-9]{8}-[0-9]{6})-([0-9]{0,32})-[0-9.]{1,40}\.wav$")
MAX_VOICEMAIL = 32 * 1024 * 1024


class BundleError(Exception):
    """A bundle that does not verify; str() is one line saying what."""


def bundle_bytes(bundle: dict[str, Any]) -> bytes:
    """The canonical bytes of a bundle: what is stored, served and hashed."""
    return json.dumps(bundle, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_bundle(data: bytes, expected_sha256: str, unit: str) -> dict[str, Any]:
    """Parse and verify a bundle; raise BundleError when anything does not match."""
    actual = sha256_hex(data)
    if actual != expected_sha256:
        raise BundleError(f"bundle SHA-256 mismatch: got {actual}, expected {expected_sha256}")
    try:
        bundle = json.loads(data)
    except ValueError as exc:
        raise BundleError(f"bundle is not JSON: {exc}") from exc
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"bundle format is not {BUNDLE_FORMAT}")
    if bundle.get("unit") != unit:
        raise BundleError(f"bundle is for unit {bundle.get('unit')!r}, not {unit!r}")
    files, sounds = bundle.get("files"), bundle.get("sounds")
    if not isinstance(files, dict) or not all(FILE_NAME_RE.match(n) for n in files):
        raise BundleError("bundle has a bad file list")
    if not isinstance(sounds, dict) or not all(SOUND_NAME_RE.match(n) for n in sounds):
        raise BundleError("bundle has a bad sound list")
    return bundle
