"""Accepting a pasted license on the appliance (the configurator's license step, INS-9).

`save_license` checks the text exactly as the daemons will (signature, this server, time) and
only then writes it, atomically, in canonical form (text around the block is dropped), so a
bad paste never replaces a good license.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from licensing.gate import KeySource, license_path_or_default, public_keys_or_default
from licensing.keys import load_public_keys
from licensing.model import License, parse_license_text
from licensing.server_id import HardwareFacts, collect_facts
from licensing.verify import verify

LICENSE_FILE_MODE = 0o644  # not a secret: it holds hashes and limits, and the daemons read it


def check_license_text(
    text: str,
    public_keys: KeySource | None = None,
    *,
    source: str | None = None,
    server: HardwareFacts | None = None,
    now: datetime | None = None,
) -> License:
    """The license in `text` if it is valid for this server (nothing is written); raises
    LicenseError. `source` names where the text came from in messages."""
    license = parse_license_text(text, source=source)  # a bad paste is named before the keys
    keys = public_keys_or_default(public_keys)
    if not isinstance(keys, Mapping):
        keys = load_public_keys(keys)
    verify(license, keys, server if server is not None else collect_facts(), now=now)
    return license


def save_license(
    text: str,
    license_path: str | os.PathLike[str] | None = None,
    public_keys: KeySource | None = None,
    *,
    source: str | None = None,
    server: HardwareFacts | None = None,
    now: datetime | None = None,
) -> License:
    """Verify `text` for this server and write it to the license path; raises LicenseError
    (nothing is written then) or OSError."""
    license = check_license_text(text, public_keys, source=source, server=server, now=now)
    _write_atomically(license_path_or_default(license_path), license.armoured())
    return license


def _write_atomically(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".license-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, LICENSE_FILE_MODE)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
