"""Call records (the agency's ``agency_call``, read here) and the reports' per-day summaries.

``CallRecord`` is unmanaged: the agency owns the table (``appliance.contracts.call_records``)
and the admin only reads it for the call list and the reports. The summaries are the admin's
own: one row per local day and key, filled for settled past days by
``appliance.admin.callcenter.reports.summary`` (``SummarizedDay`` marks a day done), so a
report over a year reads a few thousand summary rows instead of millions of call records.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from appliance.contracts import call_records

RESULT_LABELS = {
    "answered": _("answered"),
    "abandoned": _("abandoned"),
    "closed": _("non-working hours"),
    "no_route": _("no route"),
    "failed": _("failed"),
    "active": _("in progress"),
}
DIRECTION_LABELS = {
    "in": pgettext_lazy("call direction", "inbound"),
    "out": pgettext_lazy("call direction", "outbound"),
}
# the summaries' key columns: codes and numbers, grouped byte-wise (several times faster than
# the database's Unicode collation when a year of operator time is summed)
BINARY = "utf8mb4_bin"


class CallRecord(models.Model):
    """One leg of a call, as the agency recorded it (read-only here)."""

    id = models.BigAutoField(primary_key=True)
    call_id = models.CharField(_("call"), max_length=64)
    leg = models.SmallIntegerField(_("leg"), default=0)
    kind = models.CharField(_("kind"), max_length=12)
    parent_leg = models.SmallIntegerField(_("from leg"), null=True)
    unit = models.CharField(_("PBX unit"), max_length=64)
    direction = models.CharField(
        _("direction"), max_length=3, choices=list(DIRECTION_LABELS.items())
    )
    topic = models.CharField(_("topic"), max_length=64, null=True)
    group_name = models.CharField(_("group"), max_length=80, null=True)
    did = models.CharField(_("dialled number"), max_length=64, null=True)
    caller = models.CharField(_("caller"), max_length=80, null=True)
    caller_name = models.CharField(_("caller name"), max_length=80, null=True)
    caller_hidden = models.BooleanField(_("caller hidden"), default=False)
    result = models.CharField(_("result"), max_length=12, choices=list(RESULT_LABELS.items()))
    agent = models.CharField(_("operator"), max_length=20, null=True)
    workplace = models.CharField(_("workplace"), max_length=20, null=True)
    offered_at = models.DateTimeField(_("offered at"))
    answered_at = models.DateTimeField(_("answered at"), null=True)
    ended_at = models.DateTimeField(_("ended at"), null=True)
    wait_seconds = models.FloatField(_("wait, s"), null=True)
    ring_seconds = models.FloatField(_("ring, s"), null=True)
    talk_seconds = models.FloatField(_("talk, s"), null=True)
    hold_seconds = models.FloatField(_("hold, s"), null=True)
    wrapup_seconds = models.FloatField(_("wrap-up, s"), null=True)
    disposition = models.CharField(_("disposition"), max_length=32, null=True)

    class Meta:
        managed = False
        db_table = call_records.TABLE
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-offered_at", "-id"]
        default_permissions = ("view",)
        permissions = [("view_hidden_caller", _("Can see callers' numbers hidden from operators"))]

    def __str__(self) -> str:
        return f"{self.call_id}/{self.leg}"


class CallDay(models.Model):
    """Calls (first legs) of one local day per direction, topic and group. Also the admin's
    entry for the reports (its one permission, ``view_reports``)."""

    day = models.DateField()
    direction = models.CharField(max_length=3, db_collation=BINARY)
    topic = models.CharField(max_length=64, db_collation=BINARY)  # '' for none
    group_name = models.CharField(max_length=80, db_collation=BINARY)  # '' for none
    offered = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    no_route = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    answered_in_sl = models.PositiveIntegerField(default=0)
    sl_seconds = models.PositiveIntegerField(default=0)  # the threshold answered_in_sl used
    answered_wait = models.FloatField(default=0)  # sum of answered calls' queue wait
    abandoned_wait = models.FloatField(default=0)
    talk = models.FloatField(default=0)  # sum of answered calls' talk time

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        default_permissions = ()
        permissions = [("view_reports", _("Can view reports and export them"))]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "direction", "topic", "group_name"], name="callday_key"
            )
        ]


class AgentTimeDay(models.Model):
    """Operator time of one local day per state and reason (intervals by their start)."""

    day = models.DateField()
    agent = models.CharField(max_length=20, db_collation=BINARY)
    state = models.CharField(max_length=16, db_collation=BINARY)
    reason = models.CharField(max_length=32, db_collation=BINARY)  # '' for none
    seconds = models.FloatField(default=0)
    intervals = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["day", "agent", "state", "reason"], name="agenttimeday_key"
            )
        ]


class AgentTimeMonth(models.Model):
    """``AgentTimeDay`` summed over one whole calendar month (``month``: its first day), made once
    every day of the month is summarized: a year of 200 operators is ~15,000 rows, not ~450,000."""

    month = models.DateField()
    agent = models.CharField(max_length=20, db_collation=BINARY)
    state = models.CharField(max_length=16, db_collation=BINARY)
    reason = models.CharField(max_length=32, db_collation=BINARY)
    seconds = models.FloatField(default=0)
    intervals = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["month", "agent", "state", "reason"], name="agenttimemonth_key"
            )
        ]


class DispositionDay(models.Model):
    """Dispositions of one local day per direction and topic (every leg that has one)."""

    day = models.DateField()
    direction = models.CharField(max_length=3, db_collation=BINARY)
    topic = models.CharField(max_length=64, db_collation=BINARY)
    disposition = models.CharField(max_length=32, db_collation=BINARY)
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["day", "direction", "topic", "disposition"], name="dispositionday_key"
            )
        ]


class SummarizedDay(models.Model):
    """A local day whose summaries are complete (filled after the day settled)."""

    day = models.DateField(primary_key=True)
    summarized_at = models.DateTimeField(auto_now=True)

    class Meta:
        default_permissions = ()
