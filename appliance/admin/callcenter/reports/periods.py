"""Local days and their UTC bounds; which days are settled (summarized) and which are live.

Days are the admin's time zone's (``TIME_ZONE``); the agency writes UTC. A day is *settled*
``SETTLE`` after its end: by then its calls have ended and its intervals were written, so its
summary is final. Newer days (today, and yesterday for the first hours) are recounted live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

SETTLE = timedelta(hours=3)
MAX_DAYS = 3 * 366  # the longest period a report accepts


def day_start(day: date) -> datetime:
    """The UTC instant (naive, as the agency stores it) the local day starts at."""
    local = datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())
    return local.astimezone(UTC).replace(tzinfo=None)


def local_day(moment: datetime) -> date:
    return moment.astimezone(timezone.get_current_timezone()).date()


@dataclass(frozen=True)
class Period:
    first: date  # inclusive
    last: date  # inclusive

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("the period ends before it starts")
        if (self.last - self.first).days >= MAX_DAYS:
            raise ValueError("the period is too long")

    @property
    def start(self) -> datetime:
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        return day_start(self.last + timedelta(days=1))

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def split(self, now: datetime) -> tuple[list[date], Period | None]:
        """The settled days (from the summaries) and the rest of the period (counted live)."""
        settled = [
            d for d in self.days() if day_start(d + timedelta(days=1)) + SETTLE <= _naive(now)
        ]
        if len(settled) == len(self.days()):
            return settled, None
        first_live = self.first + timedelta(days=len(settled))
        return settled, Period(first_live, self.last)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)
