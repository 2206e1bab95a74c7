"""Admin for PBX units. Apply Dialplan (a later part) adds its action and button here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import PbxUnit
from .apply_dialplan import ApplyDialplanMixin
from .base import CallcenterAdmin
from .forms import PbxUnitForm
from .people import server_url

TOKEN_FILE = "/root/uzor-unit-token"  # noqa: S105 - a path: where the token page says to save it


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
        (
            _("AMI"),
            {
                "fields": [
                    "address",
                    "ami_port",
                    "ami_user",
                    "ami_secret",
                    "agency_ami_user",
                    "agency_ami_secret",
                    "ami_tls_certificate",
                ]
            },
        ),
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

    def save_model(
        self, request: HttpRequest, obj: PbxUnit, form: ModelForm[PbxUnit], change: bool
    ) -> None:
        token = None if change and obj.token_hash else obj.issue_token()
        super().save_model(request, obj, form, change)
        if obj.ami_in_clear_over_network:
            messages.warning(request, plain_ami_warning(obj))
        if token:
            # our own attribute on this request: response_add/response_change show the token
            request.uzor_new_tokens = [(obj, token)]  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: PbxUnit, post_url_continue: Any = None
    ) -> HttpResponse:
        tokens = getattr(request, "uzor_new_tokens", None)
        if tokens:
            return token_page(self, request, tokens)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj: PbxUnit) -> HttpResponse:
        tokens = getattr(request, "uzor_new_tokens", None)
        if tokens:
            return token_page(self, request, tokens)
        return super().response_change(request, obj)

    @admin.action(
        description=_("Issue new configuration tokens for the selected units"),
        permissions=["change"],
    )
    def issue_tokens(self, request: HttpRequest, queryset: QuerySet[PbxUnit]) -> HttpResponse:
        issued = []
        for unit in queryset:
            token = unit.issue_token()
            unit.save()
            issued.append((unit, token))
        return token_page(self, request, issued)

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


def plain_ami_warning(unit: PbxUnit) -> str:
    return _(
        "AMI to %(address)s is plain TCP: the AMI secrets and call control cross the network "
        "unencrypted. Run uzor-pbx-setup on the unit (AMI over TLS), paste the certificate it "
        'wrote into "AMI certificate" and set the AMI port to 5039.'
    ) % {"address": unit.address}


def token_page(
    model_admin: PbxUnitAdmin, request: HttpRequest, issued: list[tuple[PbxUnit, str]]
) -> HttpResponse:
    """The new tokens, once, on a page of their own: never in a message (the messages cookie),
    never cached, and only their hashes are stored."""
    server = server_url(request)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Configuration tokens"),
        "opts": model_admin.model._meta,
        "token_file": TOKEN_FILE,
        "issued": [
            {"unit": unit, "token": token, "command": setup_command(server, unit.name)}
            for unit, token in issued
        ],
    }
    response = TemplateResponse(request, "admin/callcenter/pbxunit/tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


def setup_command(server: str, unit: str) -> str:
    """What to run on the unit (as root) with the token saved in a 0600 file."""
    return f"uzor-pbx-setup --admin-url {server} --unit {unit} --token-file {TOKEN_FILE}"
