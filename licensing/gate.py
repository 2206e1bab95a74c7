"""The license gate every appliance daemon (admin, agency) passes at start-up (LIC-4).

    from licensing.gate import require_valid_license
    license = require_valid_license("uzor-agency", config.license.path, config.license.public_keys)

Without a valid license for this server it prints one line saying why and what to do (with
this server's ID, which is what the vendor needs), logs it, and exits with status 3 before the
daemon starts anything else.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TextIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from licensing.errors import LicenseError
from licensing.i18n import _
from licensing.keys import load_public_keys
from licensing.model import License, load_license
from licensing.server_id import HardwareFacts, collect_facts, format_server_id
from licensing.verify import verify

DEFAULT_LICENSE_PATH = Path("/etc/uzor/license.key")
DEFAULT_PUBLIC_KEYS = Path("/usr/share/uzor/keys")
LICENSE_PATH_ENV = "UZOR_LICENSE_PATH"
PUBLIC_KEYS_ENV = "UZOR_LICENSE_PUBKEYS"
INSTALLED_PREFIX = Path("/opt/uzor/venv")  # uzor-common's virtualenv on an appliance
GATE_EXIT_CODE = 3

logger = logging.getLogger("uzor.licensing")

KeySource = str | os.PathLike[str] | Mapping[str, Ed25519PublicKey]


def license_path_or_default(license_path: str | os.PathLike[str] | None = None) -> Path:
    """The explicit path, else $UZOR_LICENSE_PATH, else /etc/uzor/license.key."""
    if license_path is not None:
        return Path(license_path)
    return Path(os.environ.get(LICENSE_PATH_ENV) or DEFAULT_LICENSE_PATH)


def installed_appliance(prefix: str | None = None) -> bool:
    """Running from the appliance's own virtualenv (the packages), not a source checkout: then
    which keys are trusted, and that a license is required, are fixed, whatever the daemons'
    configuration or environment say (tests run from a checkout and choose their keys)."""
    return Path(prefix or sys.prefix) == INSTALLED_PREFIX


def public_keys_or_default(public_keys: KeySource | None = None) -> KeySource:
    """The explicit keys or path, else $UZOR_LICENSE_PUBKEYS, else /usr/share/uzor/keys; on an
    installed appliance always /usr/share/uzor/keys (the keys its packages ship)."""
    if installed_appliance():
        return DEFAULT_PUBLIC_KEYS
    if public_keys is not None:
        return public_keys
    return Path(os.environ.get(PUBLIC_KEYS_ENV) or DEFAULT_PUBLIC_KEYS)


def check_license(
    license_path: str | os.PathLike[str] | None = None,
    public_keys: KeySource | None = None,
    *,
    server: HardwareFacts | None = None,
    now: datetime | None = None,
) -> License:
    """Load and verify this server's license; raises a LicenseError subclass."""
    keys = public_keys_or_default(public_keys)
    if not isinstance(keys, Mapping):
        keys = load_public_keys(keys)
    license = load_license(license_path_or_default(license_path))
    verify(license, keys, server if server is not None else collect_facts(), now=now)
    return license


def refusal_message(component: str, error: LicenseError, server: HardwareFacts) -> str:
    """The one line a daemon prints when it refuses to start."""
    return _("{component} will not start: {reason} This server's ID: {server_id}").format(
        component=component, reason=error, server_id=format_server_id(server)
    )


def require_valid_license(
    component: str,
    license_path: str | os.PathLike[str] | None = None,
    public_keys: KeySource | None = None,
    *,
    server: HardwareFacts | None = None,
    now: datetime | None = None,
    stderr: TextIO | None = None,
) -> License:
    """Return this server's valid license, or print and log why not and raise SystemExit(3)."""
    facts = server if server is not None else collect_facts()
    try:
        license = check_license(license_path, public_keys, server=facts, now=now)
    except LicenseError as error:
        message = refusal_message(component, error, facts)
        print(message, file=stderr if stderr is not None else sys.stderr, flush=True)
        logger.error("%s", message)
        raise SystemExit(GATE_EXIT_CODE) from error
    logger.info("%s: license %s for %s is valid", component, license.license_id, license.customer)
    return license
