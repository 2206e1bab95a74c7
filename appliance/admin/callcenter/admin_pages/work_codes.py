"""Admin for pause reasons and dispositions (SPEC EXT-1, the manual's "Коды завершения")."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import Disposition, PauseReason
from .base import InlinesInHistoryAdmin


class WorkCodeAdmin(InlinesInHistoryAdmin):
    """The groups (a many-to-many field) have no history of their own: a save that changes
    them records "groups: ..." as the history entry's change reason."""

    list_display_links = ["code", "name_ru"]
    list_filter = ["active", "groups"]
    search_fields = ["code", "name_ru", "name_en"]
    filter_horizontal = ["groups"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("groups")

    def inline_summary(self, obj: Any) -> str:
        listed = ", ".join(sorted(group.name for group in obj.groups.all()))
        return f"{_('groups')}: {listed or _('all')}"

    @admin.display(description=_("groups"))
    def group_names(self, obj: Any) -> str:
        return ", ".join(sorted(group.name for group in obj.groups.all())) or str(_("all"))


@admin.register(PauseReason)
class PauseReasonAdmin(WorkCodeAdmin):
    fields = ["code", "name_ru", "name_en", "max_seconds", "groups", "ordering", "active"]
    list_display = [
        "code",
        "name_ru",
        "name_en",
        "max_seconds",
        "group_names",
        "ordering",
        "active",
    ]


@admin.register(Disposition)
class DispositionAdmin(WorkCodeAdmin):
    fields = ["code", "name_ru", "name_en", "groups", "ordering", "active"]
    list_display = ["code", "name_ru", "name_en", "group_names", "ordering", "active"]
