"""Configuration revisions in the admin: read-only (they are immutable)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ..models import Revision
from .base import ReadOnlyAdmin

if TYPE_CHECKING:  # django-stubs' name for what get_fields answers
    from django.contrib.admin.options import _FieldGroups

SECRETS_PERMISSION = "callcenter.change_pbxunit"


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]  # stubs-only generic
    list_display = ["number", "unit", "created_at", "created_by", "short_hash"]
    list_filter = ["unit"]
    list_select_related = ["unit"]
    fields = ("number", "unit", "created_at", "created_by", "content_hash", "files")
    readonly_fields = fields
    list_per_page = 50

    @admin.display(description=_("number"), ordering="id")
    def number(self, revision: Revision) -> int:
        return revision.number

    @admin.display(description=_("SHA-256"))
    def short_hash(self, revision: Revision) -> str:
        return revision.content_hash[:16]

    def get_fields(self, request: HttpRequest, obj: object = None) -> _FieldGroups:
        """The generated files hold SIP and trunk passwords: only for those who may apply."""
        if request.user.has_perm(SECRETS_PERMISSION):
            return self.fields
        return [f for f in self.fields if f != "files"]

    @admin.display(description=_("generated files"))
    def files(self, revision: Revision) -> SafeString:
        files = json.loads(revision.bundle).get("files", {}) if revision.bundle else {}
        return format_html_join(
            "",
            "<h3>{}</h3><pre style='max-height:30em;overflow:auto'>{}</pre>",
            sorted(files.items()),
        ) or format_html("-")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Revision]:
        return super().get_queryset(request).defer("bundle")

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Revision | None:
        return Revision.objects.filter(pk=object_id).select_related("unit").first()
