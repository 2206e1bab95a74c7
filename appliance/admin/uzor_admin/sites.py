"""The admin site: the call-center models in the order of the manual's walkthrough."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

CALLCENTER_ORDER = [
    "Sound",
    "Group",
    "Operator",
    "Workplace",
    "PauseReason",
    "Disposition",
    "Schedule",
    "InboundTopic",
    "FlowTemplate",
    "OutboundTopic",
    "VoicemailMessage",
    "Context",
    "Gateway",
    "Transformation",
    "Route",
    "PbxUnit",
]


class UzorAdminSite(AdminSite):
    site_header = _("Uzor administration")
    site_title = _("Uzor admin")
    index_title = _("Administration")
    site_url = None  # no public site behind the admin: no "View site" link
    index_template = "admin/uzor_index.html"  # the license above the app list

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        from appliance.admin.callcenter.license_status import WARN_DAYS, current_license

        context = {"uzor_license": current_license(), "uzor_license_warn_days": WARN_DAYS}
        return super().index(request, {**context, **(extra_context or {})})

    def get_urls(self) -> list[Any]:
        from django.urls import path

        from appliance.admin.callcenter import wallboard

        mine = [
            path(
                "wallboard/", self.admin_view(lambda r: wallboard.page(self, r)), name="wallboard"
            ),
            path("wallboard/token/", self.admin_view(wallboard.token), name="wallboard_token"),
            path("wallboard/spy/", self.admin_view(wallboard.spy), name="wallboard_spy"),
        ]
        return mine + super().get_urls()

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        apps = super().get_app_list(request, app_label)
        # CALLCENTER first, as in the manual; its models in the walkthrough's order.
        apps.sort(key=lambda app: app["app_label"] != "callcenter")
        for app in apps:
            if app["app_label"] == "callcenter":
                app["models"].sort(key=_walkthrough_position)
        return apps


def _walkthrough_position(model: dict[str, Any]) -> int:
    name = model["object_name"]
    return CALLCENTER_ORDER.index(name) if name in CALLCENTER_ORDER else len(CALLCENTER_ORDER)


class UzorAdminConfig(AdminConfig):
    default_site = "appliance.admin.uzor_admin.sites.UzorAdminSite"
