"""Each report as a ``Table``: its columns (labelled in the request's language), its rows of plain
values (what CSV and XLSX carry) and the chart drawn from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ..models import Disposition, InboundTopic, Operator, OutboundTopic, PauseReason
from ..models.calls import DIRECTION_LABELS
from . import summary
from .periods import Period

PAGE_ROWS = 500  # rows of the abandoned-call list on the page (the export carries more)

STATE_LABELS = {
    "ready": _("Ready"),
    "pause": _("Pause"),
    "wrapup": _("Post-call work"),
    "ringing": _("Phone ringing"),
    "dialing": _("Dialling"),
    "talking": _("Talking"),
    "hold": _("On hold"),
    "task_waiting": _("Waiting for a task"),
    "task": _("Task"),
}
SYSTEM_REASON_LABELS = {
    "wrapup": _("post-call work"),
    "outbound": _("outbound mode"),
    "offline": _("offline mode"),
    "disconnected": _("terminal disconnected"),
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    kind: str = "text"  # text, count, percent, seconds, datetime


@dataclass
class Chart:
    label_column: str
    series: list[str]  # column keys drawn as stacked bars
    rows: list[dict[str, Any]] = field(default_factory=list)  # defaults to the table's rows
    labels: dict[str, str | Promise] = field(default_factory=dict)  # series not among the columns


@dataclass
class Table:
    name: str
    title: str | Promise
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: Chart | None = None
    note: str | Promise = ""

    def values(self) -> list[list[Any]]:
        return [[row.get(c.key) for c in self.columns] for row in self.rows]


@dataclass(frozen=True)
class Viewer:
    """What the person asking may see."""

    sees_hidden_callers: bool


HIDDEN = pgettext_lazy("caller number", "hidden")


# --- names of codes ---


def _topic_names() -> dict[tuple[str, str], str]:
    names = {("in", t.number): str(t) for t in InboundTopic.objects.all()}
    names.update(
        {("out", t.prefix): f"{t.prefix} {t.name}".strip() for t in OutboundTopic.objects.all()}
    )
    return names


def _localized(model: Any) -> dict[str, str]:
    russian = (get_language() or "en").startswith("ru")
    return {w.code: (w.name_ru if russian else w.name_en) or w.code for w in model.objects.all()}


def _operator_names() -> dict[str, str]:
    return {o.agent_number: str(o) for o in Operator.objects.all()}


def _ratio(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _mean(total: float, count: float) -> float | None:
    return round(total / count, 1) if count else None


# --- reports ---


def _call_columns(first: list[Column]) -> list[Column]:
    return [
        *first,
        Column("offered", _("offered"), "count"),
        Column("answered", _("answered"), "count"),
        Column("abandoned", _("abandoned"), "count"),
        Column("other", _("not queued (closed, no route, failed)"), "count"),
        Column("service_level", _("service level, %"), "percent"),
        Column("average_wait", _("average wait of answered, s"), "seconds"),
        Column("average_abandoned_wait", _("average wait of abandoned, s"), "seconds"),
        Column("average_talk", _("average talk, s"), "seconds"),
    ]


def _call_figures(row: dict[str, Any]) -> dict[str, Any]:
    queued = row["answered"] + row["abandoned"]
    inbound = row.get("direction", "in") == "in"
    return {
        "offered": row["offered"],
        "answered": row["answered"],
        "abandoned": row["abandoned"],
        "other": row["closed"] + row["no_route"] + row["failed"],
        "service_level": _ratio(row["answered_in_sl"], queued) if inbound else None,
        "average_wait": _mean(row["answered_wait"], row["answered"]),
        "average_abandoned_wait": _mean(row["abandoned_wait"], row["abandoned"]),
        "average_talk": _mean(row["talk"], row["answered"]),
    }


_CALL_SERIES = ["answered", "abandoned", "other"]
SL_NOTE = _(
    "Service level: calls answered within the topic's threshold, in per cent of the calls that "
    "reached the queue (answered and abandoned). Transfers and conferences are counted once, "
    "with the call they belong to."
)


def calls_per_topic(period: Period, viewer: Viewer) -> Table:
    names = _topic_names()
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for row in summary.call_rows(period):
        entry = grouped.setdefault(
            (row["direction"], row["topic"]),
            {"direction": row["direction"]} | dict.fromkeys(summary.CALL_COUNTS, 0),
        )
        for name in summary.CALL_COUNTS:
            entry[name] += row[name]
    rows = [
        {
            "direction": str(DIRECTION_LABELS.get(direction, direction)),
            "topic": names.get((direction, topic), topic or "-"),
            **_call_figures(entry),
        }
        for (direction, topic), entry in sorted(grouped.items())
    ]
    columns = _call_columns([Column("direction", _("direction")), Column("topic", _("topic"))])
    return Table(
        "topics", _("Calls per topic"), columns, rows, Chart("topic", _CALL_SERIES), SL_NOTE
    )


def calls_per_queue(period: Period, viewer: Viewer) -> Table:
    grouped: dict[str, dict[str, Any]] = {}
    for row in summary.call_rows(period):
        if row["direction"] != "in":
            continue
        entry = grouped.setdefault(row["group_name"], dict.fromkeys(summary.CALL_COUNTS, 0))
        for name in summary.CALL_COUNTS:
            entry[name] += row[name]
    rows = [
        {"group": group or "-", **_call_figures(entry)} for group, entry in sorted(grouped.items())
    ]
    columns = _call_columns([Column("group", _("queue (group)"))])
    return Table(
        "queues", _("Inbound calls per queue"), columns, rows, Chart("group", _CALL_SERIES), SL_NOTE
    )


def abandoned_calls(period: Period, viewer: Viewer, limit: int = PAGE_ROWS) -> Table:
    names = _topic_names()
    rows = []
    for call in summary.abandoned_calls(period, limit):
        hidden = call["caller_hidden"] and not viewer.sees_hidden_callers
        rows.append(
            {
                "offered_at": _local(call["offered_at"]),
                "topic": names.get((call["direction"], call["topic"] or ""), call["topic"] or "-"),
                "group": call["group_name"] or "-",
                "did": call["did"] or "",
                "callback": str(HIDDEN) if hidden else (call["caller"] or ""),
                "caller_name": "" if hidden else (call["caller_name"] or ""),
                "wait": round(call["wait_seconds"] or 0.0, 1),
                "call_id": call["call_id"],
            }
        )
    per_topic: dict[str, int] = {}
    for row in summary.call_rows(period):
        if row["abandoned"]:
            label = names.get((row["direction"], row["topic"]), row["topic"] or "-")
            per_topic[label] = per_topic.get(label, 0) + row["abandoned"]
    chart = Chart(
        "topic",
        ["abandoned"],
        [{"topic": k, "abandoned": v} for k, v in sorted(per_topic.items())],
    )
    columns = [
        Column("offered_at", _("time"), "datetime"),
        Column("topic", _("topic")),
        Column("group", _("queue (group)")),
        Column("did", _("dialled number")),
        Column("callback", _("callback number")),
        Column("caller_name", _("caller name")),
        Column("wait", _("waited, s"), "seconds"),
        Column("call_id", _("call")),
    ]
    note = _("Newest first; the page shows at most %(rows)s calls, the export at most %(all)s.") % {
        "rows": PAGE_ROWS,
        "all": summary.ABANDONED_LIMIT,
    }
    return Table("abandoned", _("Abandoned calls"), columns, rows, chart, note)


def operator_time(period: Period, viewer: Viewer) -> Table:
    operators = _operator_names()
    reasons = {**{k: str(v) for k, v in SYSTEM_REASON_LABELS.items()}, **_localized(PauseReason)}
    data = summary.agent_time_rows(period)
    totals: dict[str, float] = {}
    for row in data:
        totals[row["agent"]] = totals.get(row["agent"], 0.0) + row["seconds"]
    rows = []
    per_state: dict[str, float] = {}
    for row in sorted(data, key=lambda r: (r["agent"], r["state"], r["reason"])):
        state = str(STATE_LABELS.get(row["state"], row["state"]))
        reason = reasons.get(row["reason"], row["reason"]) if row["reason"] else ""
        label = f"{state}: {reason}" if reason else state
        per_state[label] = per_state.get(label, 0.0) + row["seconds"]
        rows.append(
            {
                "operator": operators.get(row["agent"], row["agent"]),
                "state": state,
                "reason": reason,
                "seconds": round(row["seconds"], 1),
                "hours": _clock(row["seconds"]),
                "intervals": row["intervals"],
                "share": _ratio(row["seconds"], totals[row["agent"]]),
            }
        )
    chart = Chart(
        "state",
        ["hours_total"],
        [{"state": k, "hours_total": round(v / 3600, 1)} for k, v in sorted(per_state.items())],
        {"hours_total": _("hours")},
    )
    columns = [
        Column("operator", _("operator")),
        Column("state", _("state")),
        Column("reason", _("reason")),
        Column("hours", _("time, h:mm:ss")),
        Column("seconds", _("time, s"), "seconds"),
        Column("intervals", _("times"), "count"),
        Column("share", _("share of the operator's time, %"), "percent"),
    ]
    note = _("An interval counts on the day it started. The chart: hours per state, all operators.")
    return Table("operators", _("Operator time per state and reason"), columns, rows, chart, note)


def dispositions_per_topic(period: Period, viewer: Viewer) -> Table:
    names = _topic_names()
    codes = _localized(Disposition)
    data = summary.disposition_rows(period)
    totals: dict[tuple[str, str], int] = {}
    for row in data:
        key = (row["direction"], row["topic"])
        totals[key] = totals.get(key, 0) + row["calls"]
    rows: list[dict[str, Any]] = []
    per_code: dict[str, int] = {}
    for row in sorted(data, key=lambda r: (r["direction"], r["topic"], -r["calls"])):
        key = (row["direction"], row["topic"])
        name = codes.get(row["disposition"], row["disposition"])
        per_code[name] = per_code.get(name, 0) + row["calls"]
        rows.append(
            {
                "direction": str(DIRECTION_LABELS.get(row["direction"], row["direction"])),
                "topic": names.get(key, row["topic"] or "-"),
                "code": row["disposition"],
                "disposition": name,
                "calls": row["calls"],
                "share": _ratio(row["calls"], totals[key]),
            }
        )
    chart = Chart(
        "disposition",
        ["calls"],
        [{"disposition": k, "calls": v} for k, v in sorted(per_code.items())],
    )
    columns = [
        Column("direction", _("direction")),
        Column("topic", _("topic")),
        Column("code", _("code")),
        Column("disposition", _("disposition")),
        Column("calls", _("calls"), "count"),
        Column("share", _("share of the topic's dispositions, %"), "percent"),
    ]
    return Table("dispositions", _("Dispositions per topic"), columns, rows, chart)


def _local(moment: datetime) -> datetime:
    """A stored UTC time as the admin's local time, to the second (naive: CSV and XLSX)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return timezone.localtime(aware).replace(tzinfo=None, microsecond=0)


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


REPORTS: dict[str, tuple[str | Promise, Callable[[Period, Viewer], Table]]] = {
    "topics": (_("Calls per topic"), calls_per_topic),
    "queues": (_("Inbound calls per queue"), calls_per_queue),
    "abandoned": (_("Abandoned calls"), abandoned_calls),
    "operators": (_("Operator time"), operator_time),
    "dispositions": (_("Dispositions per topic"), dispositions_per_topic),
}
