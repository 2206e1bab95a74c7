"""The license gate every appliance daemon (admin, agency) passes at start-up (LIC-4).

    from licensing.gate import LicenseRefusedError, configured_location, require_license
    try:
        license = require_license("uzor-agency", *configured_location(path, keys))
    except LicenseRefusedError as refused:
        print(refused.message, file=sys.stderr)
        return NO_LICENSE  # uzor_common.exitcodes

`require_license` is the one typed check: it returns the valid license or raises
`LicenseRefusedError`, whose message says why and what to do (with this server's ID, which is what
the vendor needs). `require_valid_license` does the whole refusal for a simple program: print,
log, exit with `uzor_common.exitcodes.NO_LICENSE` (3).

The environment overrides `$UZOR_LICENSE_PATH` and `$UZOR_LICENSE_PUBKEYS` are read here and
nowhere else (`environment_overrides`); on an installed appliance the trusted keys are fixed.
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
from uzor_common.exitcodes import NO_LICENSE

DEFAULT_LICENSE_PATH = Path("/etc/uzor/license.key")
DEFAULT_PUBLIC_KEYS = Path("/usr/share/uzor/keys")
LICENSE_PATH_ENV = "UZOR_LICENSE_PATH"
PUBLIC_KEYS_ENV = "UZOR_LICENSE_PUBKEYS"
INSTALLED_PREFIX = Path("/opt/uzor/venv")  # uzor-common's virtualenv on an appliance
GATE_EXIT_CODE = NO_LICENSE

logger = logging.getLogger("uzor.licensing")

KeySource = str | os.PathLike[str] | Mapping[str, Ed25519PublicKey]


def environment_overrides(
    environ: Mapping[str, str] | None = None,
) -> tuple[Path | None, Path | None]:
    """$UZOR_LICENSE_PATH and $UZOR_LICENSE_PUBKEYS (None when unset or empty): tests point
    every component at a throwaway license and vendor key with them."""
    env = os.environ if environ is None else environ
    path, keys = env.get(LICENSE_PATH_ENV), env.get(PUBLIC_KEYS_ENV)
    return (Path(path) if path else None), (Path(keys) if keys else None)


def license_path_or_default(license_path: str | os.PathLike[str] | None = None) -> Path:
    """The explicit path, else $UZOR_LICENSE_PATH, else /etc/uzor/license.key."""
    if license_path is not None:
        return Path(license_path)
    return environment_overrides()[0] or DEFAULT_LICENSE_PATH


def configured_location(
    license_path: str | os.PathLike[str], public_keys: str | os.PathLike[str]
) -> tuple[Path, KeySource]:
    """For a program with its own configuration (the agency, the configurator): the
    environment overrides win over the configured license path and keys; on an installed
    appliance the keys are always /usr/share/uzor/keys."""
    return environment_overrides()[0] or Path(license_path), trusted_keys(public_keys)


def trusted_keys(public_keys: str | os.PathLike[str]) -> KeySource:
    """The configured vendor keys unless $UZOR_LICENSE_PUBKEYS overrides them; on an installed
    appliance always /usr/share/uzor/keys."""
    return public_keys_or_default(environment_overrides()[1] or Path(public_keys))


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
    return environment_overrides()[1] or DEFAULT_PUBLIC_KEYS


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


class LicenseRefusedError(Exception):
    """A daemon may not start: ``reason`` is the license problem, ``message`` the one line to
    print (in the active language, with this server's ID)."""

    def __init__(self, component: str, reason: LicenseError, server: HardwareFacts) -> None:
        self.component = component
        self.reason = reason
        self.server_id = format_server_id(server)
        self.message = refusal_message(component, reason, server)
        super().__init__(self.message)


def require_license(
    component: str,
    license_path: str | os.PathLike[str] | None = None,
    public_keys: KeySource | None = None,
    *,
    server: HardwareFacts | None = None,
    now: datetime | None = None,
) -> License:
    """This server's valid license; raises LicenseRefusedError (logged) when there is none."""
    facts = server if server is not None else collect_facts()
    try:
        license = check_license(license_path, public_keys, server=facts, now=now)
    except LicenseError as error:
        refused = LicenseRefusedError(component, error, facts)
        logger.error("%s", refused.message)
        raise refused from error
    logger.info("%s: license %s for %s is valid", component, license.license_id, license.customer)
    return license


def require_valid_license(
    component: str,
    license_path: str | os.PathLike[str] | None = None,
    public_keys: KeySource | None = None,
    *,
    server: HardwareFacts | None = None,
    now: datetime | None = None,
    stderr: TextIO | None = None,
) -> License:
    """`require_license` for a simple program: print and log why not and exit with status 3."""
    try:
        return require_license(component, license_path, public_keys, server=server, now=now)
    except LicenseRefusedError as refused:
        print(refused.message, file=stderr if stderr is not None else sys.stderr, flush=True)
        raise SystemExit(GATE_EXIT_CODE) from refused
