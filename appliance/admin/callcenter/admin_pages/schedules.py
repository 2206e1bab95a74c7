"""Admin for schedules with their weekly ranges and specific dates."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import Schedule, SpecificDate, WeeklyRange
from .base import InlinesInHistoryAdmin


class WeeklyRangeInline(admin.TabularInline):  # type: ignore[type-arg]  # stubs-only generic
    model = WeeklyRange
    extra = 1


class SpecificDateInline(admin.TabularInline):  # type: ignore[type-arg]  # stubs-only generic
    model = SpecificDate
    extra = 1


@admin.register(Schedule)
class ScheduleAdmin(InlinesInHistoryAdmin):
    list_display = ["name", "description", "periods"]
    search_fields = ["name", "description"]
    inlines = [WeeklyRangeInline, SpecificDateInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Schedule]:
        return super().get_queryset(request).prefetch_related("weekly", "dates")

    def inline_summary(self, obj: Schedule) -> str:
        # Fresh queries: the change view's object carries a prefetch from before the save.
        weekly = [str(item) for item in WeeklyRange.objects.filter(schedule=obj)]
        dates = [str(item) for item in SpecificDate.objects.filter(schedule=obj)]
        return f"{_('periods')}: {', '.join(weekly + dates) or '-'}"

    @admin.display(description=_("periods"))
    def periods(self, obj: Schedule) -> str:
        items = [str(item) for item in obj.weekly.all()] + [str(item) for item in obj.dates.all()]
        shown = ", ".join(items[:6])
        return f"{shown}, ..." if len(items) > 6 else shown
