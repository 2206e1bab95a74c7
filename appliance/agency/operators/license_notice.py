"""The ``license`` notification: told at login when the license ends within the warning days."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from appliance.agency.i18n import _

DAY = 86400.0


def parse_not_after(text: str | None) -> datetime | None:
    """The license's end as an aware datetime (naive text is UTC); None when perpetual."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def expiry_notice(not_after: datetime | None, warn_days: int, now: float) -> dict[str, Any] | None:
    """The notification's data when the license ends within ``warn_days`` of ``now``, else None
    (a perpetual license, or ``warn_days`` 0, never warns)."""
    if not_after is None or warn_days <= 0:
        return None
    left = not_after.timestamp() - now
    if left > warn_days * DAY:
        return None
    end = not_after.astimezone(UTC)
    if left <= 0:
        message = _(
            "the license expired on {date}; ask the administrator to renew it",
            date=f"{end:%Y-%m-%d}",
        )
    else:
        message = _(
            "the license expires on {date} UTC (days left: {days}); ask the "
            "administrator to renew it",
            date=f"{end:%Y-%m-%d %H:%M}",
            days=math.ceil(left / DAY),
        )
    return {"message": message, "not_after": end.isoformat()}


def license_expired(not_after: datetime | None, now: float) -> bool:
    """The license ended while the agency runs (it was valid when it started)."""
    return not_after is not None and now >= not_after.timestamp()
