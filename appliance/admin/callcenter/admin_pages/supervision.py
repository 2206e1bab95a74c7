"""The listen / whisper / barge log: read-only, newest first."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ..models import SupervisionEvent


@admin.register(SupervisionEvent)
class SupervisionEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # stubs-only generic
    list_display = ("at", "user", "mode", "agent", "workplace", "address")
    list_filter = ("mode", "user")
    search_fields = ("user", "agent", "workplace")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
