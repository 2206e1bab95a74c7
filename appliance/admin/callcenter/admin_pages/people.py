"""Admin for sounds, groups, operators and workplaces."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import Group, Membership, Operator, Sound, Workplace
from ..validators import MAC_SEPARATORS_RE
from .base import CallcenterAdmin, InlinesInHistoryAdmin
from .forms import OperatorForm, SoundForm


@admin.register(Sound)
class SoundAdmin(CallcenterAdmin):
    form = SoundForm
    list_display = ["name", "description", "duration_display", "original_filename", "player"]
    search_fields = ["name", "description", "original_filename"]
    readonly_fields = ["duration_display", "original_filename", "player"]
    fields = ["name", "description", "file", "duration_display", "original_filename", "player"]

    @admin.display(description=_("duration"), ordering="duration")
    def duration_display(self, obj: Sound) -> str:
        return _("%(seconds).1f s") % {"seconds": obj.duration} if obj.pk else "-"

    @admin.display(description=_("listen"))
    def player(self, obj: Sound) -> str:
        if not obj.pk or not obj.file:
            return "-"
        url = reverse("admin:callcenter_sound_audio", args=[obj.pk])
        return format_html('<audio controls preload="none" src="{}"></audio>', url)

    def get_urls(self) -> list[Any]:
        audio = path(
            "<int:object_id>/audio/",
            self.admin_site.admin_view(self.audio_view),
            name="callcenter_sound_audio",
        )
        return [audio, *super().get_urls()]

    def audio_view(self, request: HttpRequest, object_id: int) -> FileResponse:
        """The converted WAV, for staff allowed to view sounds (media is not served publicly)."""
        sound = self.get_object(request, str(object_id))
        if sound is None or not self.has_view_permission(request, sound):
            raise Http404
        return FileResponse(sound.file.open("rb"), content_type="audio/wav")


@admin.register(Group)
class GroupAdmin(CallcenterAdmin):
    list_display = [
        "name",
        "description",
        "hold_sound",
        "priority",
        "answer_timeout",
        "strategy",
        "disposition_required",
        "operator_count",
    ]
    list_filter = ["strategy", "disposition_required"]
    search_fields = ["name", "description"]
    list_select_related = ["hold_sound"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Group]:
        annotated: QuerySet[Group] = (
            super().get_queryset(request).annotate(_operators=Count("memberships"))
        )
        return annotated

    @admin.display(description=_("operators"), ordering="_operators")
    def operator_count(self, obj: Group) -> int:
        return getattr(obj, "_operators", 0)


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]  # stubs-only generic
    model = Membership
    extra = 1
    verbose_name = _("group")
    verbose_name_plural = _("groups")


@admin.register(Operator)
class OperatorAdmin(InlinesInHistoryAdmin):
    form = OperatorForm
    inlines = [MembershipInline]
    list_display = [
        "agent_number",
        "last_name",
        "first_name",
        "middle_name",
        "group_names",
        "ring_time",
        "wrapup_time",
        "is_active",
    ]
    list_display_links = ["agent_number", "last_name"]
    list_filter = ["is_active", "groups"]
    search_fields = ["agent_number", "last_name", "first_name", "middle_name", "email", "phone"]
    fieldsets = [
        (None, {"fields": ["agent_number", "password1", "password2", "is_active"]}),
        (
            _("Personal data"),
            {"fields": ["last_name", "first_name", "middle_name", "email", "phone"]},
        ),
        (_("Timing"), {"fields": ["ring_time", "wrapup_time"]}),
        (_("Recording"), {"fields": ["record_calls"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Operator]:
        return super().get_queryset(request).prefetch_related("groups")

    def inline_summary(self, obj: Operator) -> str:
        rows = obj.memberships.select_related("group").order_by("group__name")
        listed = ", ".join(f"{m.group.name} ({m.priority})" for m in rows)
        return f"{_('groups')}: {listed or '-'}"

    @admin.display(description=_("groups"))
    def group_names(self, obj: Operator) -> str:
        return ", ".join(sorted(group.name for group in obj.groups.all()))


@admin.register(Workplace)
class WorkplaceAdmin(CallcenterAdmin):
    list_display = ["number", "description", "mac"]
    search_fields = ["number", "description", "mac"]
    fields = ["number", "description", "mac"]
    actions = ["regenerate_secrets"]

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        server = server_url(request)

        @admin.display(description=_("webagent link"), ordering="mac")
        def agent_link(obj: Workplace) -> str:
            url = obj.agent_url(server)
            return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

        return [*self.list_display, agent_link]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Workplace], search_term: str
    ) -> tuple[QuerySet[Workplace], bool]:
        # A MAC searched for in any format finds the normalised one.
        compact = MAC_SEPARATORS_RE.sub("", search_term).lower()
        if compact != search_term and compact:
            extra = queryset.filter(mac__contains=compact)
            found, distinct = super().get_search_results(request, queryset, search_term)
            return found | extra, distinct
        return super().get_search_results(request, queryset, search_term)

    @admin.action(
        description=_("Generate new SIP secrets for the selected workplaces"),
        permissions=["change"],
    )
    def regenerate_secrets(self, request: HttpRequest, queryset: QuerySet[Workplace]) -> None:
        count = 0
        for workplace in queryset:
            workplace.regenerate_sip_secret()
            workplace.save()
            count += 1
        message = ngettext(
            "%(count)d workplace has a new SIP secret; apply the dialplan to use it.",
            "%(count)d workplaces have new SIP secrets; apply the dialplan to use them.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


def server_url(request: HttpRequest) -> str:
    """The public base URL: admin.yaml's public_url, else the address the admin was reached at."""
    configured = getattr(settings, "UZOR_PUBLIC_URL", None)
    if configured:
        return str(configured).rstrip("/")
    return f"https://{request.get_host()}"
