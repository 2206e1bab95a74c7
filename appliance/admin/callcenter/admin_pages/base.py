"""Shared admin behaviour: history, https URLs, save buttons on top."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.admin import helpers
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from simple_history.utils import update_change_reason

if TYPE_CHECKING:
    # simple_history ships no type information, so its SimpleHistoryAdmin would be Any (and every
    # admin below untyped). It is a ModelAdmin: check the admins against ModelAdmin's API.
    from django.contrib.admin import ModelAdmin

    SimpleHistoryAdmin = ModelAdmin[Any]
else:
    from simple_history.admin import SimpleHistoryAdmin

# Django's own message (translated by Django's catalog; kept out of ours).
DJANGO_SELECT_LABEL = "Select this object for an action - {}"


class CallcenterAdmin(SimpleHistoryAdmin):
    """Every call-center object has Add/Change/Delete/History and the three Save buttons."""

    save_on_top = True
    list_per_page = 100
    object_history_list_template = "admin/callcenter/object_history_list.html"  # no "None"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def action_checkbox(self, obj: Any) -> SafeString:
        """The same markup as Django's, without a widget template render per row (faster lists)."""
        label = format_html(gettext(DJANGO_SELECT_LABEL), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


class InlinesInHistoryAdmin(CallcenterAdmin):
    """Records what the inlines changed as the change reason of the object's history entry.

    The inline rows (group memberships, schedule ranges) have no history page of their own; the
    object's History shows e.g. "groups: sales (0), support (5)" on the save that changed them.
    """

    def inline_summary(self, obj: Any) -> str:
        raise NotImplementedError

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        before = self.inline_summary(form.instance) if change else ""
        super().save_related(request, form, formsets, change)
        after = self.inline_summary(form.instance)
        if after != before:
            update_change_reason(form.instance, after[:100])


class ReadOnlyAdmin:
    """Mixed into a ModelAdmin (before it) whose rows are written elsewhere (the agency, the
    units, a log): nobody adds, changes or deletes them here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
