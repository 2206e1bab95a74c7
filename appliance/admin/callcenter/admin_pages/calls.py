"""The call list ("Звонки"): the agency's call records, read-only, filtered by period, direction,
topic, group, operator and result. A caller hidden from operators is shown only to users with
``callcenter.view_hidden_caller``.

Links into it (e.g. from recordings): ``reverse("admin:callcenter_callrecord_changelist")`` with
``?q=<call_id>`` (every leg of one call), ``?from=YYYY-MM-DD&to=YYYY-MM-DD``, ``topic=in:<number>``
or ``out:<prefix>``, ``group=<name>``, ``agent=<number>``, ``direction=in|out``,
``result=<result>``; ``caller_shown(request, record)`` is the caller as the user may see it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, timedelta
from functools import cached_property
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import CallRecord, Group, InboundTopic, Operator, OutboundTopic, Recording
from ..reports.definitions import HIDDEN
from ..reports.periods import day_start
from .base import ReadOnlyAdmin
from .recordings import may_listen, recording_url

HIDDEN_CALLER_PERMISSION = "callcenter.view_hidden_caller"
COUNT_CAP = 10_000  # the list counts this many rows at most ("more than ...")


def caller_shown(request: HttpRequest, record: CallRecord) -> str:
    if record.caller_hidden and not request.user.has_perm(HIDDEN_CALLER_PERMISSION):
        return str(HIDDEN)
    return record.caller or ""


class PeriodFilter(admin.ListFilter):
    """Offered between two local dates (inclusive); the default is no limit."""

    title = _("period")
    template = "admin/callcenter/callrecord/period_filter.html"
    parameters = ("from", "to")

    def __init__(self, request: HttpRequest, params: dict[str, Any], model: Any, model_admin: Any):
        super().__init__(request, params, model, model_admin)
        self.values: dict[str, str] = {}
        for name in self.parameters:
            if name in params:
                value = params.pop(name)
                self.values[name] = str(value[-1] if isinstance(value, list) else value)

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str | None]:
        return list(self.parameters)

    def choices(self, changelist: Any) -> Iterator[Any]:
        keep = [
            (key, value)
            for key, values in changelist.params.items()
            if key not in self.parameters
            for value in (values if isinstance(values, list) else [values])
        ]
        yield {"from": self.values.get("from", ""), "to": self.values.get("to", ""), "keep": keep}

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        try:
            first = date.fromisoformat(self.values["from"]) if self.values.get("from") else None
            last = date.fromisoformat(self.values["to"]) if self.values.get("to") else None
        except ValueError as exc:
            raise IncorrectLookupParameters(exc) from exc
        if first:
            queryset = queryset.filter(offered_at__gte=day_start(first).replace(tzinfo=UTC))
        if last:
            queryset = queryset.filter(
                offered_at__lt=day_start(last + timedelta(days=1)).replace(tzinfo=UTC)
            )
        return queryset


class _ChoiceFilter(admin.SimpleListFilter):
    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(**self.lookup(value)) if value else queryset

    def lookup(self, value: str) -> dict[str, Any]:
        raise NotImplementedError


class TopicFilter(_ChoiceFilter):
    title = _("topic")
    parameter_name = "topic"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        inbound = [(f"in:{t.number}", str(t)) for t in InboundTopic.objects.all()]
        outbound = [(f"out:{t.prefix}", str(t)) for t in OutboundTopic.objects.all()]
        return inbound + outbound

    def lookup(self, value: str) -> dict[str, Any]:
        direction, _sep, topic = value.partition(":")
        if direction not in ("in", "out") or not topic:
            raise IncorrectLookupParameters(value)
        return {"direction": direction, "topic": topic}


class GroupFilter(_ChoiceFilter):
    title = _("group")
    parameter_name = "group"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(g.name, g.name) for g in Group.objects.order_by("name")]

    def lookup(self, value: str) -> dict[str, Any]:
        return {"group_name": value}


class OperatorFilter(_ChoiceFilter):
    title = _("operator")
    parameter_name = "agent"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(o.agent_number, str(o)) for o in Operator.objects.order_by("agent_number")]

    def lookup(self, value: str) -> dict[str, Any]:
        return {"agent": value}


class CappedPaginator(Paginator):  # type: ignore[type-arg]  # stubs-only generic
    """Counts at most COUNT_CAP + 1 rows: a year of calls must not be counted on every page."""

    @cached_property
    def count(self) -> int:
        object_list: Any = self.object_list
        return int(object_list[: COUNT_CAP + 1].count())


@admin.register(CallRecord)
class CallRecordAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]  # stubs-only generic
    list_filter = (
        PeriodFilter,
        "direction",
        TopicFilter,
        GroupFilter,
        OperatorFilter,
        "result",
    )
    list_display_links = None
    list_per_page = 50
    show_full_result_count = False
    paginator = CappedPaginator
    search_fields = ("call_id",)  # the search itself is get_search_results
    search_help_text = _("A call's ID, the caller's or the dialled number, or an agent number.")

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return [
            "offered_at",
            "direction",
            "topic",
            "group_name",
            "did",
            _caller_column(request),
            "agent",
            "result",
            "wait_seconds",
            "talk_seconds",
            "disposition",
            "call_id",
            "leg",
            "kind",
            *([_recording_column()] if may_listen(request) else []),
        ]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[CallRecord], search_term: str
    ) -> tuple[QuerySet[CallRecord], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        caller = Q(caller=term)
        if not request.user.has_perm(HIDDEN_CALLER_PERMISSION):
            caller &= Q(caller_hidden=False)
        return queryset.filter(Q(call_id=term) | Q(did=term) | Q(agent=term) | caller), False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        raise Http404  # no page per leg: the list shows every column


def _caller_column(request: HttpRequest) -> Callable[[CallRecord], str]:
    def caller(record: CallRecord) -> str:
        return caller_shown(request, record)

    caller.short_description = _("caller")  # type: ignore[attr-defined]
    return caller


def _recording_column() -> Callable[[CallRecord], str]:
    """A link to the call's recordings, for users who may listen to them."""
    recorded: dict[str, bool] = {}

    def recording(record: CallRecord) -> str:
        if record.call_id not in recorded:
            recorded[record.call_id] = Recording.objects.filter(call_id=record.call_id).exists()
        if not recorded[record.call_id]:
            return ""
        return format_html('<a href="{}">{}</a>', recording_url(record.call_id), _("listen"))

    recording.short_description = _("recording")  # type: ignore[attr-defined]
    return recording
