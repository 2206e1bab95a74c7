"""Per-day summaries of the agency's tables, filled for settled days, recounted live for the rest.

Why: a year holds millions of call records; a report over it must answer within a second. The
summaries hold one row per local day and key (direction/topic/group for calls, agent/state/
reason for operator time, direction/topic/code for dispositions): a year is a few thousand
rows for calls and dispositions. Operator time has many more keys (200 operators x states x
reasons: ~450,000 day rows a year), so each whole calendar month is also summed once
(``AgentTimeMonth``) and a period reads its whole months from there, its other days from the
day rows. Each settled day is summarized once, the first time a report covers it (or by
``uzor-admin summarize_reports``), under a server-wide lock; a day whose inbound rows were
counted with another service-level threshold than the topic has now is summarized again.

The fill and the live recount run the same SELECT (``_CALLS``, ``_AGENT_TIME``,
``_DISPOSITIONS``), so a summarized day and a live one count alike. Reads use the agency's
indexes: ``agency_call_offered (offered_at)`` for a day's calls and
``agency_interval_agent_started (agent, started_at)`` (one range per agent) for its intervals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from appliance.contracts import call_records

from ..models import (
    AgentTimeDay,
    AgentTimeMonth,
    CallDay,
    DispositionDay,
    InboundTopic,
    SummarizedDay,
)
from .periods import Period

DEFAULT_SL_SECONDS = 20  # a topic no longer in the admin
LOCK = "uzor-admin-report-summaries"
LOCK_WAIT = 60  # seconds

CALLS, INTERVALS = call_records.TABLE, "agency_interval"
CALL_DAY, AGENT_DAY, DISPOSITION_DAY = (
    CallDay._meta.db_table,
    AgentTimeDay._meta.db_table,
    DispositionDay._meta.db_table,
)
AGENT_MONTH = AgentTimeMonth._meta.db_table
TOPICS = InboundTopic._meta.db_table

CALL_COUNTS = (
    "offered",
    "answered",
    "abandoned",
    "closed",
    "no_route",
    "failed",
    "answered_in_sl",
    "answered_wait",
    "abandoned_wait",
    "talk",
)
SECONDS = frozenset({"answered_wait", "abandoned_wait", "talk"})  # sums of seconds, not counts
_SL = (
    "CASE WHEN c.direction = 'in'"
    f" THEN COALESCE(t.service_level_seconds, {DEFAULT_SL_SECONDS}) ELSE 0 END"
)
# %s: the day to label rows with (or NULL live), the UTC start and end
_CALLS = (
    "SELECT %s, c.direction, COALESCE(c.topic, ''), COALESCE(c.group_name, ''), COUNT(*),"  # noqa: S608 - table names are ours
    " SUM(c.result = 'answered'), SUM(c.result = 'abandoned'), SUM(c.result = 'closed'),"
    " SUM(c.result = 'no_route'), SUM(c.result = 'failed'),"
    f" SUM(c.direction = 'in' AND c.result = 'answered' AND c.wait_seconds <= {_SL}),"
    " COALESCE(SUM(IF(c.result = 'answered', c.wait_seconds, 0)), 0),"
    " COALESCE(SUM(IF(c.result = 'abandoned', c.wait_seconds, 0)), 0),"
    " COALESCE(SUM(IF(c.result = 'answered', c.talk_seconds, 0)), 0),"
    f" MAX({_SL})"
    f" FROM {CALLS} c LEFT JOIN {TOPICS} t ON c.direction = 'in'"
    " AND CAST(t.number AS BINARY) = CAST(c.topic AS BINARY)"  # the tables' collations differ
    " WHERE c.offered_at >= %s AND c.offered_at < %s AND c.leg = 0"
    " GROUP BY c.direction, COALESCE(c.topic, ''), COALESCE(c.group_name, '')"
)
_DISPOSITIONS = (
    "SELECT %s, direction, COALESCE(topic, ''), disposition, COUNT(*)"  # noqa: S608
    f" FROM {CALLS} WHERE offered_at >= %s AND offered_at < %s"
    " AND disposition IS NOT NULL AND disposition <> ''"
    " GROUP BY direction, COALESCE(topic, ''), disposition"
)
# the agents are spelled out so MariaDB reads one (agent, started_at) range per agent; forced,
# as with 200 agents and more its estimate (no index dives) prefers scanning the whole table
_AGENT_TIME = (
    "SELECT %s, agent, state, COALESCE(reason, ''), SUM(seconds), COUNT(*)"  # noqa: S608
    f" FROM {INTERVALS} FORCE INDEX (agency_interval_agent_started)"
    " WHERE agent IN ({agents}) AND started_at >= %s AND started_at < %s"
    " GROUP BY agent, state, COALESCE(reason, '')"
)
CALL_DAY_COLUMNS = ("day", "direction", "topic", "group_name", *CALL_COUNTS, "sl_seconds")


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _execute(sql: str, params: Sequence[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _agents() -> list[str]:
    """Every agent with intervals (a loose scan of the (agent, started_at) index)."""
    return [row[0] for row in _fetch(f"SELECT DISTINCT agent FROM {INTERVALS}", ())]  # noqa: S608


def _agent_time_sql(agents: Sequence[str]) -> str:
    return _AGENT_TIME.format(agents=", ".join(["%s"] * len(agents)))


# --- filling ---


def summarize(days: Iterable[date]) -> int:
    """Summarize the given settled days that are not yet (or were with an outdated service-level
    threshold); return how many were summarized."""
    days = sorted(set(days))
    if not days:
        return 0
    wanted = _unsummarized(days)
    if not wanted:
        return 0
    if _fetch("SELECT GET_LOCK(%s, %s)", (LOCK, LOCK_WAIT))[0][0] != 1:
        raise TimeoutError("the report summaries are being filled by another request")
    try:
        wanted = _unsummarized(days)  # another request may have filled them meanwhile
        agents = _agents()
        for day in wanted:
            _summarize_day(day, agents)
        for month in sorted({day.replace(day=1) for day in wanted}):
            _roll_up_month(month)
        return len(wanted)
    finally:
        _fetch("SELECT RELEASE_LOCK(%s)", (LOCK,))


def _unsummarized(days: list[date]) -> list[date]:
    done = set(
        SummarizedDay.objects.filter(day__gte=days[0], day__lte=days[-1]).values_list(
            "day", flat=True
        )
    )
    stale = _days_with_another_threshold(days[0], days[-1])
    return [d for d in days if d not in done or d in stale]


def _days_with_another_threshold(first: date, last: date) -> set[date]:
    rows = _fetch(
        f"SELECT DISTINCT s.day FROM {CALL_DAY} s LEFT JOIN {TOPICS} t ON t.number = s.topic"  # noqa: S608
        " WHERE s.day >= %s AND s.day <= %s AND s.direction = 'in'"
        f" AND s.sl_seconds <> COALESCE(t.service_level_seconds, {DEFAULT_SL_SECONDS})",
        (first, last),
    )
    return {row[0] for row in rows}


def _summarize_day(day: date, agents: Sequence[str]) -> None:
    period = Period(day, day)
    bounds = (day, period.start, period.end)
    with transaction.atomic():
        for table in (CALL_DAY, AGENT_DAY, DISPOSITION_DAY):
            _execute(f"DELETE FROM {table} WHERE day = %s", (day,))  # noqa: S608
        _execute(f"INSERT INTO {CALL_DAY} ({', '.join(CALL_DAY_COLUMNS)}) {_CALLS}", bounds)
        _execute(
            f"INSERT INTO {DISPOSITION_DAY} (day, direction, topic, disposition, calls)"
            f" {_DISPOSITIONS}",
            bounds,
        )
        if agents:
            _execute(
                f"INSERT INTO {AGENT_DAY} (day, agent, state, reason, seconds, intervals)"
                f" {_agent_time_sql(agents)}",
                (day, *agents, period.start, period.end),
            )
        SummarizedDay.objects.update_or_create(day=day)


def _month_end(month: date) -> date:
    """The last day of the month that starts on ``month``."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _roll_up_month(month: date) -> None:
    """Sum a month's operator time once every day of it is summarized."""
    last = _month_end(month)
    if SummarizedDay.objects.filter(day__gte=month, day__lte=last).count() < last.day:
        return
    with transaction.atomic():
        _execute(f"DELETE FROM {AGENT_MONTH} WHERE month = %s", (month,))  # noqa: S608
        _execute(
            f"INSERT INTO {AGENT_MONTH} (month, agent, state, reason, seconds, intervals)"  # noqa: S608
            f" SELECT %s, agent, state, reason, SUM(seconds), SUM(intervals) FROM {AGENT_DAY}"
            " WHERE day >= %s AND day <= %s GROUP BY agent, state, reason",
            (month, month, last),
        )


def _whole_months(first: date, last: date) -> list[date]:
    """The calendar months lying wholly within first..last (first days)."""
    month = first if first.day == 1 else _month_end(first) + timedelta(days=1)
    months = []
    while _month_end(month) <= last:
        months.append(month)
        month = _month_end(month) + timedelta(days=1)
    return months


# --- reading: summaries of the settled days plus the live rest ---


def _prepare(period: Period, now: datetime | None) -> tuple[tuple[date, date], Period | None]:
    """Summarize the period's settled days; return the days to read from the summaries (an
    empty range when none) and the live rest of the period."""
    settled, live = period.split(now or timezone.now())
    summarize(settled)
    if not settled:
        return (period.first, period.first - timedelta(days=1)), live
    return (settled[0], settled[-1]), live


def call_rows(period: Period, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per (direction, topic, group_name): the CALL_COUNTS summed over the period."""
    summarized, live = _prepare(period, now)
    sums = ", ".join(f"SUM({name})" for name in CALL_COUNTS)
    rows = _fetch(
        f"SELECT direction, topic, group_name, {sums} FROM {CALL_DAY}"  # noqa: S608
        " WHERE day >= %s AND day <= %s GROUP BY direction, topic, group_name",
        summarized,
    )
    if live is not None:
        rows += [row[1:-1] for row in _fetch(_CALLS, (None, live.start, live.end))]
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row[0], row[1], row[2])
        entry = merged.setdefault(key, dict.fromkeys(CALL_COUNTS, 0))
        for name, value in zip(CALL_COUNTS, row[3:], strict=True):
            entry[name] += float(value or 0) if name in SECONDS else int(value or 0)
    return [{"direction": k[0], "topic": k[1], "group_name": k[2], **v} for k, v in merged.items()]


def agent_time_rows(period: Period, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per (agent, state, reason): seconds and intervals over the period."""
    (first, last), live = _prepare(period, now)
    months = _whole_months(first, last) if first <= last else []
    day_ranges = [(first, last)]
    rows: list[tuple[Any, ...]] = []
    if months:  # whole months from the monthly sums, the days around them from the daily ones
        day_ranges = [
            (first, months[0] - timedelta(days=1)),
            (_month_end(months[-1]) + timedelta(days=1), last),
        ]
        rows += _fetch(
            f"SELECT agent, state, reason, SUM(seconds), SUM(intervals) FROM {AGENT_MONTH}"  # noqa: S608
            " WHERE month >= %s AND month <= %s GROUP BY agent, state, reason",
            (months[0], months[-1]),
        )
    for range_first, range_last in day_ranges:
        if range_first <= range_last:
            rows += _fetch(
                f"SELECT agent, state, reason, SUM(seconds), SUM(intervals) FROM {AGENT_DAY}"  # noqa: S608
                " WHERE day >= %s AND day <= %s GROUP BY agent, state, reason",
                (range_first, range_last),
            )
    if live is not None:
        agents = _agents()
        if agents:
            rows += [
                row[1:]
                for row in _fetch(_agent_time_sql(agents), (None, *agents, live.start, live.end))
            ]
    merged: dict[tuple[str, str, str], list[float]] = {}
    for agent, state, reason, seconds, count in rows:
        entry = merged.setdefault((agent, state, reason), [0.0, 0])
        entry[0] += float(seconds or 0)
        entry[1] += int(count or 0)
    return [
        {"agent": k[0], "state": k[1], "reason": k[2], "seconds": v[0], "intervals": v[1]}
        for k, v in merged.items()
    ]


def disposition_rows(period: Period, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per (direction, topic, disposition): calls over the period."""
    summarized, live = _prepare(period, now)
    rows = _fetch(
        f"SELECT direction, topic, disposition, SUM(calls) FROM {DISPOSITION_DAY}"  # noqa: S608
        " WHERE day >= %s AND day <= %s GROUP BY direction, topic, disposition",
        summarized,
    )
    if live is not None:
        rows += [row[1:] for row in _fetch(_DISPOSITIONS, (None, live.start, live.end))]
    merged: dict[tuple[str, str, str], int] = {}
    for direction, topic, code, calls in rows:
        merged[(direction, topic, code)] = merged.get((direction, topic, code), 0) + int(calls)
    return [
        {"direction": k[0], "topic": k[1], "disposition": k[2], "calls": v}
        for k, v in merged.items()
    ]


ABANDONED_LIMIT = 100_000  # rows an export carries at most; the page shows fewer


def abandoned_calls(period: Period, limit: int) -> list[dict[str, Any]]:
    """The period's abandoned calls, newest first (first legs: what the customer experienced)."""
    rows = _fetch(
        "SELECT call_id, offered_at, direction, topic, group_name, did, caller, caller_name,"  # noqa: S608
        f" caller_hidden, wait_seconds FROM {CALLS}"
        " WHERE offered_at >= %s AND offered_at < %s AND leg = 0 AND result = 'abandoned'"
        " ORDER BY offered_at DESC LIMIT %s",
        (period.start, period.end, min(limit, ABANDONED_LIMIT)),
    )
    names = (
        "call_id",
        "offered_at",
        "direction",
        "topic",
        "group_name",
        "did",
        "caller",
        "caller_name",
        "caller_hidden",
        "wait_seconds",
    )
    return [dict(zip(names, row, strict=True)) for row in rows]
