"""Checking a license key for this server with the ``licensing`` package."""

from __future__ import annotations

import os
from pathlib import Path

from configurator.core.files import file_reason
from configurator.core.paths import Paths
from configurator.i18n import _


class LicenseKeyError(ValueError):
    """Why a license key cannot be used; ``str()`` is the message for the user."""


def server_id() -> str:
    """This server's ID (``1|...``) to send to the vendor."""
    from licensing.server_id import current_server_id

    return current_server_id()


def public_keys_path(paths: Paths) -> Path:
    override = os.environ.get("UZOR_LICENSE_PUBKEYS")
    return Path(override) if override else paths.public_keys


def key_text(answer: str) -> tuple[str, str | None]:
    """The license key itself from what was given (a path to a file, or the pasted key) and
    the file it came from (None when pasted)."""
    candidate = answer.strip()
    if candidate.startswith("/") and "\n" not in candidate:
        try:
            return Path(candidate).read_text().strip() + "\n", candidate
        except OSError as exc:
            raise LicenseKeyError(
                _("Cannot read {path}: {reason}").format(path=candidate, reason=file_reason(exc))
            ) from exc
    return candidate + "\n", None


def verify_key(text: str, paths: Paths, source: str | None = None) -> str:
    """The license in ``text`` in its canonical form (text around the block dropped); raises
    LicenseKeyError unless it is signed by a vendor key and issued for this server.

    ``source`` names where the text came from in messages (a file, or the pasted key)."""
    import licensing
    from licensing.server_id import collect_facts

    try:
        license_ = licensing.parse_license_text(text, source=source or _("the pasted key"))
        keys = licensing.load_public_keys(public_keys_path(paths))
        licensing.verify(license_, keys, collect_facts())
    except licensing.LicenseError as exc:
        raise LicenseKeyError(str(exc)) from exc
    return license_.armoured()


def installed_license_is_valid(paths: Paths) -> bool:
    try:
        verify_key(paths.license_file.read_text(), paths, str(paths.license_file))
    except (OSError, LicenseKeyError):
        return False
    return True
