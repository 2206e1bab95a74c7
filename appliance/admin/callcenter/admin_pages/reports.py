"""The reports page (SPEC EXT-3): one report over a chosen period as a table and a chart, exported
as CSV or XLSX. Behind the permission ``callcenter.view_reports``; caller numbers hidden from
operators stay hidden here too unless the user has ``callcenter.view_hidden_caller``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ..models import CallDay
from ..reports import definitions, export, summary
from ..reports.charts import bar_chart
from ..reports.periods import MAX_DAYS, Period
from .base import ReadOnlyAdmin

REPORTS_PERMISSION = "callcenter.view_reports"
HIDDEN_CALLER_PERMISSION = "callcenter.view_hidden_caller"
FORMATS = {
    "csv": ("text/csv; charset=utf-8", export.to_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        export.to_xlsx,
    ),
}


class ReportForm(forms.Form):
    report = forms.ChoiceField(
        label=_("Report"), choices=[(k, v[0]) for k, v in definitions.REPORTS.items()]
    )
    first = forms.DateField(
        label=_("From"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    last = forms.DateField(
        label=_("To"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first and last:
            if last < first:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (last - first).days >= MAX_DAYS:
                raise forms.ValidationError(
                    _("A report covers at most %(days)s days.") % {"days": MAX_DAYS}
                )
        return data


def default_period() -> tuple[date, date]:
    today = timezone.localdate()
    return today.replace(day=1), today


def can_view_reports(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.has_perm(REPORTS_PERMISSION))


@admin.register(CallDay)
class ReportsAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]  # stubs-only generic
    """The app list's "Reports" entry; its list page is the reports page."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_view_reports(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_view_reports(request)

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        return {"add": False, "change": False, "delete": False, "view": can_view_reports(request)}

    def get_urls(self) -> list[Any]:
        from django.urls import path

        view = self.admin_site.admin_view(self.changelist_view)
        return [path("", view, name="callcenter_callday_changelist")]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not can_view_reports(request):
            raise PermissionDenied
        first, last = default_period()
        data = request.GET if "report" in request.GET else None
        form = ReportForm(data, initial={"report": "topics", "first": first, "last": last})
        table = None
        if data is None or form.is_valid():
            values = form.cleaned_data if data is not None else form.initial
            viewer = definitions.Viewer(request.user.has_perm(HIDDEN_CALLER_PERMISSION))
            period = Period(values["first"], values["last"])
            build = definitions.REPORTS[values["report"]][1]
            wanted = request.GET.get("format", "")
            if wanted in FORMATS:
                return _download(values, build, period, viewer, wanted)
            try:
                table = build(period, viewer)
            except TimeoutError:
                form.add_error(
                    None,
                    _("The reports are being prepared by another request; try again in a minute."),
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Reports"),
            "form": form,
            "table": table,
            "chart": mark_safe(bar_chart(table)) if table else "",  # noqa: S308 - labels escaped in bar_chart
            "table_body": table_body(table) if table else "",
            "query": request.GET.urlencode() if data is not None else _query(form.initial),
            "formats": list(FORMATS),
        }
        return TemplateResponse(request, "admin/callcenter/reports.html", context)


NUMBER_KINDS = frozenset({"count", "percent", "seconds"})


def table_body(table: definitions.Table) -> str:
    """The table's rows as HTML (built here, not in the template: a year of operator time is
    thousands of cells)."""
    kinds = [column.kind in NUMBER_KINDS for column in table.columns]
    rows = []
    for values in table.values():
        cells = "".join(
            format_html('<td class="number">{}</td>', value)
            if number and value is not None
            else format_html("<td>{}</td>", "\u2013" if value is None else value)
            for value, number in zip(values, kinds, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 - every cell went through format_html


def _query(initial: Mapping[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode({k: str(v) for k, v in initial.items()})


def _download(
    values: Mapping[str, Any], build: Any, period: Period, viewer: definitions.Viewer, wanted: str
) -> HttpResponse:
    if values["report"] == "abandoned":
        table = definitions.abandoned_calls(period, viewer, limit=summary.ABANDONED_LIMIT)
    else:
        table = build(period, viewer)
    content_type, write = FORMATS[wanted]
    response = HttpResponse(write(table), content_type=content_type)
    name = f"uzor-{table.name}-{period.first.isoformat()}-{period.last.isoformat()}.{wanted}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
