"""This server's license as the admin shows and enforces it.

The index page shows it (customer, limits, expiry, days left) and warns when it ends within
``WARN_DAYS``; enabling a PBX unit or applying the dialplan beyond the license's
``max_pbx_units`` is refused with a message that says what to do. The license is read and
verified on every call (a few file reads), so a license replaced by the configurator counts at
once. Without a valid license (only possible with ``license.required: false`` in admin.yaml, or
once it expired while the admin runs) no limit is enforced here: the daemons refuse to start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils.translation import ngettext

from licensing.errors import LicenseError
from licensing.gate import check_license

WARN_DAYS = 30


class LicenseLimitError(Exception):
    """Applying or enabling would exceed the license; the message says what to do."""


@dataclass(frozen=True)
class LicenseStatus:
    valid: bool
    customer: str = ""
    license_id: str = ""
    max_operators: int | None = None
    max_pbx_units: int | None = None
    not_after: datetime | None = None
    error: str = ""
    now: datetime | None = None

    @property
    def days_left(self) -> int | None:
        if self.not_after is None or self.now is None:
            return None
        return max(0, (self.not_after - self.now).days)

    @property
    def expiring(self) -> bool:
        days = self.days_left
        return days is not None and days <= WARN_DAYS


def _location() -> Mapping[str, Any]:
    configured = getattr(settings, "UZOR_LICENSE", None)
    if callable(configured):
        configured = configured()
    return configured or {}


def current_license(now: datetime | None = None) -> LicenseStatus:
    location = _location()
    moment = now or datetime.now(UTC)
    try:
        license = check_license(location.get("path"), location.get("public_keys"), now=moment)
    except LicenseError as error:
        return LicenseStatus(valid=False, error=str(error), now=moment)
    return LicenseStatus(
        valid=True,
        customer=license.customer,
        license_id=license.license_id,
        max_operators=license.limits.max_operators,
        max_pbx_units=license.limits.max_pbx_units,
        not_after=license.not_after,
        now=moment,
    )


def pbx_unit_limit() -> int | None:
    """How many PBX units may be enabled; None when no valid license is there to say."""
    status = current_license()
    return status.max_pbx_units if status.valid else None


def enable_refusal(limit: int) -> str:
    return ngettext(
        "The license allows %(count)d enabled PBX unit. Disable another unit first, or ask the "
        "vendor for a license with more units.",
        "The license allows %(count)d enabled PBX units. Disable another unit first, or ask the "
        "vendor for a license with more units.",
        limit,
    ) % {"count": limit}


def check_apply_allowed(enabled: int) -> None:
    """Raise LicenseLimitError when ``enabled`` units are more than the license allows."""
    limit = pbx_unit_limit()
    if limit is None or enabled <= limit:
        return
    raise LicenseLimitError(
        ngettext(
            "Nothing was applied: the license allows %(count)d enabled PBX unit and %(enabled)d "
            "are enabled. Disable the units you do not need, then apply again.",
            "Nothing was applied: the license allows %(count)d enabled PBX units and %(enabled)d "
            "are enabled. Disable the units you do not need, then apply again.",
            limit,
        )
        % {"count": limit, "enabled": enabled}
    )
