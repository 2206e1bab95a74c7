"""Admin for PBX units. Apply Dialplan (a later part) adds its action and button here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import PbxUnit
from .apply_dialplan import ApplyDialplanMixin
from .base import CallcenterAdmin
from .forms import PbxUnitForm


@admin.register(PbxUnit)
class PbxUnitAdmin(ApplyDialplanMixin, CallcenterAdmin):
    form = PbxUnitForm
    # short columns: the list stays readable on a 1366-pixel screen in Russian too
    list_display = ["name", "address", "ami_port", "enabled", "revision", "last_apply"]
    list_filter = ["enabled", "last_apply_ok"]
    search_fields = ["name", "address", "description"]
    readonly_fields = ["applied_revision", "last_apply_at", "last_apply_ok", "last_apply_message"]
    fieldsets = [
        (None, {"fields": ["name", "description", "enabled"]}),
        (_("AMI"), {"fields": ["address", "ami_port", "ami_user", "ami_secret"]}),
        (_("SIP"), {"fields": ["sip_address", "ws_address"]}),
        (
            _("Last apply"),
            {
                "fields": [
                    "applied_revision",
                    "last_apply_at",
                    "last_apply_ok",
                    "last_apply_message",
                ]
            },
        ),
    ]
    actions = ["issue_tokens", "apply_dialplan"]

    def save_model(self, request: HttpRequest, obj: PbxUnit, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        token = None if change and obj.token_hash else obj.issue_token()
        super().save_model(request, obj, form, change)
        if token:
            self._show_token(request, obj, token)

    @admin.action(description=_("Issue new configuration tokens for the selected units"))
    def issue_tokens(self, request: HttpRequest, queryset: QuerySet[PbxUnit]) -> None:
        for unit in queryset:
            token = unit.issue_token()
            unit.save()
            self._show_token(request, unit, token)

    def _show_token(self, request: HttpRequest, unit: PbxUnit, token: str) -> None:
        message = _(
            "Configuration token of the unit %(name)s (shown only now; put it into the unit's "
            "/etc/uzor/secrets/confgen_token): %(token)s"
        ) % {"name": unit.name, "token": token}
        self.message_user(request, message, messages.WARNING)

    @admin.display(description=_("revision"), ordering="applied_revision")
    def revision(self, obj: PbxUnit) -> str:
        return "-" if obj.applied_revision is None else str(obj.applied_revision)

    @admin.display(description=_("last apply"), ordering="last_apply_at")
    def last_apply(self, obj: PbxUnit) -> str:
        if obj.last_apply_at is None:
            return "-"
        mark = "✓" if obj.last_apply_ok else "✗"
        return f"{mark} {timezone.localtime(obj.last_apply_at):%Y-%m-%d %H:%M}"

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"ami_port": 5038, **super().get_changeform_initial_data(request)}
