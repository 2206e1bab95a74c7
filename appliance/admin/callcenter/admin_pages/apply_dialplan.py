"""Apply Dialplan in the admin: a bulk action on PBX units and a button on their list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..apply import UnitResult, apply_dialplan
from ..dialplan import RenderError
from ..license_status import LicenseLimitError
from ..models import PbxUnit
from . import revisions  # noqa: F401  (registers the read-only revision list)

if TYPE_CHECKING:  # what the mixin is mixed into, so its calls to the admin are checked
    _PbxUnitAdminBase = admin.ModelAdmin[PbxUnit]
else:
    _PbxUnitAdminBase = object


class ApplyDialplanMixin(_PbxUnitAdminBase):
    """Mixed into PbxUnitAdmin (before its ModelAdmin base)."""

    change_list_template = "admin/callcenter/pbxunit/change_list.html"

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.apply_all_view)
        mine = [path("apply/", view, name="callcenter_pbxunit_apply")]
        return mine + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {"can_apply_dialplan": self.has_change_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def apply_all_view(self, request: HttpRequest) -> HttpResponse:
        """The button: apply on every enabled unit."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        run_apply(self, request, PbxUnit.objects.all())
        return redirect("admin:callcenter_pbxunit_changelist")

    @admin.action(
        description=gettext_lazy("Apply Dialplan on the selected units"), permissions=["change"]
    )
    def apply_dialplan(self, request: HttpRequest, queryset: Iterable[PbxUnit]) -> None:
        run_apply(self, request, queryset)


def run_apply(model_admin: Any, request: HttpRequest, units: Iterable[PbxUnit]) -> None:
    units = list(units)
    for unit in units:
        if not unit.enabled:
            model_admin.message_user(
                request,
                _("Unit %(unit)s is disabled: skipped.") % {"unit": unit.name},
                messages.WARNING,
            )
    if not any(u.enabled for u in units):
        model_admin.message_user(request, _("No enabled PBX unit to apply on."), messages.WARNING)
        return
    try:
        results = apply_dialplan(units, created_by=request.user.get_username())
    except RenderError as exc:
        message = _("Nothing was applied: the configuration cannot be built: %(error)s")
        model_admin.message_user(request, message % {"error": exc}, messages.ERROR)
        return
    except LicenseLimitError as exc:
        model_admin.message_user(request, str(exc), messages.ERROR)
        return
    for result in results:
        level, text = describe(result)
        model_admin.message_user(request, text, level)


def describe(result: UnitResult) -> tuple[int, str]:
    values = {"unit": result.unit, "revision": result.revision, "reason": result.message}
    if result.ok:
        return messages.SUCCESS, _("Unit %(unit)s: revision %(revision)s applied.") % values
    text = _(
        "Unit %(unit)s: revision %(revision)s NOT applied: %(reason)s. The unit keeps its last "
        "good configuration; apply again once it is fixed."
    )
    return messages.ERROR, text % values


@admin.action(description=gettext_lazy("Apply Dialplan on all PBX units"))
def apply_dialplan_on_all_units(model_admin: Any, request: HttpRequest, queryset: Any) -> None:
    """The topic editor's bulk action (manual §3): applies everything, whatever is selected."""
    if not request.user.has_perm("callcenter.change_pbxunit"):
        model_admin.message_user(
            request,
            _("You may not apply the dialplan (it needs the right to change PBX units)."),
            messages.ERROR,
        )
        return
    run_apply(model_admin, request, PbxUnit.objects.all())
