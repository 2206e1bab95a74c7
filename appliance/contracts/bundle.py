"""The revision bundle: what the admin renders for a PBX unit and the unit's uzor-confgen fetches.

A bundle is one JSON object, stored, served and hashed as its canonical bytes
(``bundle_bytes``)::

    {"format": 1, "unit": "pbx1", "revision": 7, "created_at": "...",
     "files": {"extensions.conf": "...", ...},            # names match FILE_NAME_RE
     "sounds": {"hold-0123456789ab.wav": "<sha256>", ...}} # names match SOUND_NAME_RE

The files may hold placeholders uzor-confgen replaces on the unit (``SOUNDS_PLACEHOLDER``,
``VOICEMAIL_PLACEHOLDER``, ``CONFGEN_PLACEHOLDER``, ``host_addresses_placeholder`` lines).
No line of a file may start with ``#`` (after blanks): Asterisk reads such a line as a
directive, and ``#exec`` runs a shell command as Asterisk, ``#include`` reads any file; the
admin never renders one (``check_files``).

**Signature.** The admin signs each bundle when it creates the revision, with its ed25519 key
(callcenter/bundle_signing.py): the signature is over ``signed_message(data)`` (``SIGNATURE_
CONTEXT`` followed by the bundle's exact canonical bytes, so a signature made for a bundle can
mean nothing else), base64, stored with the revision and sent as ``signature`` in the answer to
``current``. The unit verifies it with the admin's public key that ``uzor-pbx-setup`` pinned
(a file holding the 32 raw bytes in base64, ``public_key_from_text``); a hash alone proves
nothing, since whoever alters a bundle recomputes its hash too.

The admin writes bundles (callcenter/dialplan/revisions.py) and serves them
(callcenter/confgen/views.py); uzor-confgen (appliance/pbx/confgen.py) verifies them with
``check_bundle`` and appliance/contracts/ed25519.py.

Standard library only, and nothing but the standard library: appliance/pbx/build.py inlines this
module into the one-file uzor-confgen that runs on PBX units, where only ``python3`` exists.
"""

from __future__ import annotations

import base64
import binascii
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
RECORDINGS_PLACEHOLDER = "@UZOR_RECORDINGS_DIR@"  # where MixMonitor records calls
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

# A call recording: <RECORDINGS_PLACEHOLDER>/<epoch>_<linkedid>_<uniqueid>_<direction>_<topic>_
# <agent>.wav (callcenter/dialplan/recording.py builds it from FILTER-ed values only), which
# uzor-confgen --recording uploads (at most MAX_RECORDING bytes) and the admin stores.
RECORDING_NAME_RE = re.compile(
    r"^([0-9]{1,12})_([-.0-9A-Za-z]{1,64})_([-.0-9A-Za-z]{1,64})_(inbound|outbound|)"
    r"_([0-9]{0,32})_([0-9]{0,20})\.wav$"
)
MAX_RECORDING = 512 * 1024 * 1024  # 8 kHz 16-bit mono: over 9 hours


SIGNATURE_CONTEXT = b"uzor revision bundle 1\n"


class BundleError(Exception):
    """A bundle that does not verify; str() is one line saying what."""


def signed_message(data: bytes) -> bytes:
    """What the admin's signature covers: the context, then the bundle's exact bytes."""
    return SIGNATURE_CONTEXT + data


def public_key_from_text(text: str) -> bytes:
    """The 32 raw bytes of an ed25519 public key written as base64 (one line)."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise BundleError("the admin's signing key is not base64") from None
    if len(raw) != 32:
        raise BundleError(f"the admin's signing key has {len(raw)} bytes, not 32")
    return raw


def signature_from_text(text: str) -> bytes:
    """The 64 bytes of a base64 signature (BundleError when it is not one)."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise BundleError("the bundle's signature is not base64") from None
    if len(raw) != 64:
        raise BundleError(f"the bundle's signature has {len(raw)} bytes, not 64")
    return raw


def directive_line(text: str) -> int | None:
    """The number of the first line of ``text`` that Asterisk would read as a directive (it
    starts with ``#`` after blanks), else None. Every line break Python knows counts, more than
    Asterisk's, so no line hides behind a carriage return or a form feed."""
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            return number
    return None


def check_files(files: dict[str, Any]) -> None:
    """Refuse file names that are not generated files and lines starting with ``#``."""
    for name, text in files.items():
        if not FILE_NAME_RE.match(name) or not isinstance(text, str):
            raise BundleError("bundle has a bad file list")
        number = directive_line(text)
        if number is not None:
            raise BundleError(
                f"{name}:{number}: a line starting with '#' (an Asterisk #include or #exec)"
            )


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
    if not isinstance(files, dict):
        raise BundleError("bundle has a bad file list")
    check_files(files)
    if not isinstance(sounds, dict) or not all(SOUND_NAME_RE.match(n) for n in sounds):
        raise BundleError("bundle has a bad sound list")
    return bundle
