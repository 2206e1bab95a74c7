"""Schedules as dialplan conditions: each becomes a subroutine that returns 1 in closed time.

Weekly ranges use ``GotoIfTime`` (the unit's local time; the end minute is included, as in
Asterisk). Specific dates carry a year, which ``GotoIfTime`` cannot express, so they compare
the current ``YYYYMMDDHHMM`` as a number.
"""

from __future__ import annotations

from datetime import time

from .snapshot import OneDate, ScheduleData, Weekly

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def schedule_context(schedule_id: int) -> str:
    return f"uzor-schedule-{schedule_id}"


def _hhmm(value: time) -> str:
    return f"{value:%H:%M}"


def weekly_condition(weekly: Weekly) -> str:
    times = f"{_hhmm(weekly.start)}-{_hhmm(weekly.end)}"
    return f"GotoIfTime({times},{WEEKDAYS[weekly.weekday]},*,*?closed)"


def date_condition(one: OneDate) -> str:
    start = one.start or time(0, 0)
    end = one.end or time(23, 59)
    low = f"{one.day:%Y%m%d}{start:%H%M}"
    high = f"{one.day:%Y%m%d}{end:%H%M}"
    return f"GotoIf($[${{UZOR_NOW}} >= {low} & ${{UZOR_NOW}} <= {high}]?closed)"


def schedule_lines(schedule: ScheduleData) -> list[str]:
    """The priorities after ``s,1`` of the schedule's subroutine, in order."""
    lines = [weekly_condition(w) for w in schedule.weekly]
    if schedule.dates:
        lines.append("Set(UZOR_NOW=${STRFTIME(${EPOCH},,%Y%m%d%H%M)})")
        lines.extend(date_condition(d) for d in schedule.dates)
    return lines
