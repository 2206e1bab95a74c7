"""The listen / whisper / barge log: read-only, newest first."""

from __future__ import annotations

from django.contrib import admin

from ..models import SupervisionEvent
from .base import ReadOnlyAdmin


@admin.register(SupervisionEvent)
class SupervisionEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]  # stubs-only generic
    list_display = ("at", "user", "mode", "agent", "workplace", "address")
    list_filter = ("mode", "user")
    search_fields = ("user", "agent", "workplace")
    date_hierarchy = "at"
