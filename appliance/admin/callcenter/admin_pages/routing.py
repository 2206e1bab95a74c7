"""Admin for contexts, gateways, transformations and routes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from ..models import Context, Gateway, InboundTopic, OutboundTopic, Route, Transformation
from .base import CallcenterAdmin
from .forms import GatewayForm

CONTENT_LIMIT = 50
# the built-in contexts' descriptions as migration 0002 stored them, shown in the admin's language
BUILTIN_DESCRIPTIONS = {
    "All inbound topics": _("All inbound topics"),
    "All outbound topic prefixes": _("All outbound topic prefixes"),
}


@admin.register(Context)
class ContextAdmin(CallcenterAdmin):
    list_display = ["name", "kind", "shown_description", "gateway_count", "transformation_count"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    readonly_fields = ["kind", "contents"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Context]:
        annotated: QuerySet[Context] = (
            super()
            .get_queryset(request)
            .annotate(
                _gateways=Count("gateways", distinct=True),
                _transformations=Count("transformations", distinct=True),
            )
        )
        return annotated

    @admin.display(description=_("description"), ordering="description")
    def shown_description(self, obj: Context) -> str:
        return str(BUILTIN_DESCRIPTIONS.get(obj.description, obj.description))

    def get_readonly_fields(self, request: HttpRequest, obj: Context | None = None) -> Any:
        if obj is not None and obj.is_builtin:
            return ["name", *self.readonly_fields]
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Context | None = None) -> bool:
        if obj is not None and obj.is_builtin:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        builtin = [str(obj) for obj in objs if obj.is_builtin]
        return deleted, model_count, perms_needed, [*protected, *builtin]

    @admin.display(description=_("gateways"), ordering="_gateways")
    def gateway_count(self, obj: Context) -> int:
        return getattr(obj, "_gateways", 0)

    @admin.display(description=_("transformations"), ordering="_transformations")
    def transformation_count(self, obj: Context) -> int:
        return getattr(obj, "_transformations", 0)

    @admin.display(description=_("contents"))
    def contents(self, obj: Context) -> str:
        items = [str(item) for item in _context_items(obj)[:CONTENT_LIMIT]]
        if not items:
            return "-"
        return format_html_join("", "<div>{}</div>", ((item,) for item in items))


def _context_items(context: Context) -> list[Any]:
    if context.kind == Context.Kind.INBOUND:
        return list(InboundTopic.objects.all()[:CONTENT_LIMIT])
    if context.kind == Context.Kind.OUTBOUND:
        return list(OutboundTopic.objects.all()[:CONTENT_LIMIT])
    gateways = list(context.gateways.all()[:CONTENT_LIMIT])
    return gateways + list(context.transformations.all()[:CONTENT_LIMIT])


@admin.register(Gateway)
class GatewayAdmin(CallcenterAdmin):
    form = GatewayForm
    list_display = ["name", "description", "context", "host", "port", "username", "did"]
    list_filter = ["context", "transport"]
    search_fields = ["name", "description", "host", "did", "username"]
    list_select_related = ["context"]
    fields = [
        "name",
        "description",
        "context",
        "host",
        "port",
        "transport",
        "username",
        "auth_domain",
        "password",
        "did",
    ]


@admin.register(Transformation)
class TransformationAdmin(CallcenterAdmin):
    list_display = ["pattern", "result", "context", "description"]
    list_filter = ["context"]
    search_fields = ["pattern", "result", "description"]
    list_select_related = ["context"]
    fields = ["context", "pattern", "description", "result"]


@admin.register(Route)
class RouteAdmin(CallcenterAdmin):
    list_display = ["pattern", "transformation", "caller_id", "gateway", "order", "description"]
    list_filter = ["gateway"]
    search_fields = ["pattern", "description", "caller_id"]
    list_select_related = ["gateway"]
    fields = ["pattern", "transformation", "caller_id", "gateway", "order", "description"]
