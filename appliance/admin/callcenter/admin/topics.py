"""Admin for inbound and outbound topics (with the topic directory fields)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import InboundTopic, OutboundTopic
from .apply_dialplan import apply_dialplan_on_all_units
from .base import CallcenterAdmin

DIRECTORY_FIELDSET = (
    _("Topic directory"),
    {"fields": ["name", "state", "project", "project_manager"]},
)


@admin.register(InboundTopic)
class InboundTopicAdmin(CallcenterAdmin):
    actions = [apply_dialplan_on_all_units]
    list_display = [
        "number",
        "name",
        "description",
        "group",
        "hide_caller_number",
        "state",
        "project",
        "project_manager",
    ]
    list_filter = ["state", "group", "hide_caller_number", "project"]
    search_fields = ["number", "name", "description", "project", "project_manager"]
    list_select_related = ["group"]
    filter_horizontal = ["non_working_schedules"]
    fieldsets = [
        (None, {"fields": ["number", "description", "script_url"]}),
        (
            _("Call handling"),
            {
                "fields": [
                    "non_working_schedules",
                    "working_sound",
                    "non_working_sound",
                    "group",
                    "hide_caller_number",
                ]
            },
        ),
        DIRECTORY_FIELDSET,
    ]


@admin.register(OutboundTopic)
class OutboundTopicAdmin(CallcenterAdmin):
    actions = [apply_dialplan_on_all_units]
    list_display = ["prefix", "name", "description", "script_url", "state", "project"]
    list_filter = ["state", "project"]
    search_fields = ["prefix", "name", "description", "project", "project_manager"]
    fieldsets = [(None, {"fields": ["prefix", "description", "script_url"]}), DIRECTORY_FIELDSET]
