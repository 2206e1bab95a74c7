"""Call recordings: listed, played and downloaded only by users with the ``listen_recording``
permission (media is never served publicly: the admin streams the file), every listen and
download logged (``RecordingAccess``, read-only, visible to admins); the retention setting.

``recording_url(call_id)`` is the link other pages (the call list) give a call's recordings.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Concat
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ...uzor_admin.client_ip import client_address
from ..models import (
    LISTEN_PERMISSION,
    InboundTopic,
    Operator,
    OutboundTopic,
    Recording,
    RecordingAccess,
    RecordingPolicy,
)
from .base import ReadOnlyAdmin


def recording_url(call_id: str) -> str:
    """The Recordings page showing the recordings of one call (its Asterisk Linkedid)."""
    base = reverse("admin:callcenter_recording_changelist")
    return f"{base}?{urllib.parse.urlencode({'call_id': call_id})}"


def may_listen(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.has_perm(LISTEN_PERMISSION))


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # stubs-only generic
    list_display = [
        "started_at",
        "unit",
        "topic_display",
        "operator_display",
        "duration_display",
        "player",
        "download",
    ]
    list_filter = ["direction", "unit"]
    search_fields = ["call_id", "topic_number", "agent_number"]
    date_hierarchy = "started_at"
    list_per_page = 100
    fields = (
        "call_id",
        "uniqueid",
        "unit",
        "direction",
        "topic_display",
        "operator_display",
        "started_at",
        "received_at",
        "duration_display",
        "size",
        "sha256",
        "player",
        "download",
    )
    readonly_fields = fields

    # Only users allowed to listen see the page at all (the list tells who called whom).
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_listen(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_listen(request) or super().has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only units add recordings

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Recording]:
        inbound = InboundTopic.objects.filter(number=OuterRef("topic_number")).values("name")[:1]
        outbound = OutboundTopic.objects.filter(prefix=OuterRef("topic_number")).values("name")[:1]
        operator = Operator.objects.filter(agent_number=OuterRef("agent_number")).annotate(
            full=Concat(F("last_name"), Value(" "), F("first_name"), output_field=CharField())
        )
        recordings: QuerySet[Recording] = (
            super()
            .get_queryset(request)
            .select_related("unit")
            .annotate(
                topic_name=Case(
                    When(direction=Recording.Direction.INBOUND, then=Subquery(inbound)),
                    When(direction=Recording.Direction.OUTBOUND, then=Subquery(outbound)),
                    default=Value(""),
                    output_field=CharField(),
                ),
                operator_name=Subquery(operator.values("full")[:1]),
            )
        )
        return recordings

    @admin.display(description=_("topic"), ordering="topic_number")
    def topic_display(self, obj: Recording) -> str:
        name = getattr(obj, "topic_name", "") or ""
        return f"{obj.topic_number} {name}".strip() or "-"

    @admin.display(description=_("operator"), ordering="agent_number")
    def operator_display(self, obj: Recording) -> str:
        name = (getattr(obj, "operator_name", "") or "").strip()
        return f"{obj.agent_number} {name}".strip() or "-"

    @admin.display(description=_("duration"), ordering="duration")
    def duration_display(self, obj: Recording) -> str:
        return _("%(seconds).1f s") % {"seconds": obj.duration}

    @admin.display(description=_("listen"))
    def player(self, obj: Recording) -> str:
        url = reverse("admin:callcenter_recording_audio", args=[obj.pk])
        return format_html('<audio controls preload="none" src="{}"></audio>', url)

    @admin.display(description=_("download"))
    def download(self, obj: Recording) -> str:
        url = reverse("admin:callcenter_recording_audio", args=[obj.pk])
        return format_html('<a href="{}?download=1">{}</a>', url, _("WAV file"))

    def get_urls(self) -> list[Any]:
        audio = path(
            "<int:object_id>/audio/",
            self.admin_site.admin_view(self.audio_view),
            name="callcenter_recording_audio",
        )
        return [audio, *super().get_urls()]

    def audio_view(self, request: HttpRequest, object_id: int) -> FileResponse:
        """The file, to users allowed to listen; each request logged as a listen or download."""
        if not may_listen(request):
            raise PermissionDenied
        recording = Recording.objects.filter(pk=object_id).first()
        if recording is None or not recording.file:
            raise Http404
        try:
            handle = recording.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        download = request.GET.get("download") == "1"
        RecordingAccess.objects.create(
            recording=recording,
            call_id=recording.call_id,
            user=request.user if request.user.is_authenticated else None,
            username=request.user.get_username(),
            action=RecordingAccess.Action.DOWNLOAD if download else RecordingAccess.Action.LISTEN,
            client_ip=_address(request),
        )
        return FileResponse(
            handle,
            content_type="audio/wav",
            as_attachment=download,
            filename=f"call-{recording.call_id}-{recording.started_at:%Y%m%d-%H%M%S}.wav",
        )


def _address(request: HttpRequest) -> str | None:
    address = client_address(request)
    return None if address == "-" else address


@admin.register(RecordingAccess)
class RecordingAccessAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[type-arg]  # stubs-only generic
    """The log of who listened: not for editing."""

    list_display = ["at", "username", "action", "call_id", "client_ip"]
    list_filter = ["action"]
    search_fields = ["username", "call_id"]
    date_hierarchy = "at"
    fields = ("at", "username", "user", "action", "call_id", "recording", "client_ip")
    readonly_fields = fields


@admin.register(RecordingPolicy)
class RecordingPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # stubs-only generic
    fields = ["retention_days"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the one row exists (made on first visit)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One row only: the list opens its form."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        policy = RecordingPolicy.current()
        if policy._state.adding:
            policy.save()
        return HttpResponseRedirect(reverse("admin:callcenter_recordingpolicy_change", args=[1]))
