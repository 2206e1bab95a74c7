"""Voicemail messages recorded by call flows: listed, playable and downloadable by staff
allowed to view them (media is not served publicly)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import FileResponse, Http404, HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import VoicemailMessage


@admin.register(VoicemailMessage)
class VoicemailMessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # stubs-only generic
    list_display = [
        "recorded_at",
        "mailbox",
        "caller",
        "topic_number",
        "duration_display",
        "player",
        "download",
    ]
    list_filter = ["mailbox", "topic_number"]
    search_fields = ["mailbox", "caller", "topic_number"]
    date_hierarchy = "recorded_at"
    fields = (
        "mailbox",
        "caller",
        "topic_number",
        "unit",
        "recorded_at",
        "received_at",
        "duration_display",
        "player",
        "download",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only units add messages

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("duration"), ordering="duration")
    def duration_display(self, obj: VoicemailMessage) -> str:
        return _("%(seconds).1f s") % {"seconds": obj.duration}

    @admin.display(description=_("listen"))
    def player(self, obj: VoicemailMessage) -> str:
        url = reverse("admin:callcenter_voicemailmessage_audio", args=[obj.pk])
        return format_html('<audio controls preload="none" src="{}"></audio>', url)

    @admin.display(description=_("download"))
    def download(self, obj: VoicemailMessage) -> str:
        url = reverse("admin:callcenter_voicemailmessage_audio", args=[obj.pk])
        return format_html('<a href="{}?download=1">{}</a>', url, _("WAV file"))

    def get_urls(self) -> list[Any]:
        audio = path(
            "<int:object_id>/audio/",
            self.admin_site.admin_view(self.audio_view),
            name="callcenter_voicemailmessage_audio",
        )
        return [audio, *super().get_urls()]

    def audio_view(self, request: HttpRequest, object_id: int) -> FileResponse:
        message = self.get_object(request, str(object_id))
        if message is None or not self.has_view_permission(request, message):
            raise Http404
        download = request.GET.get("download") == "1"
        return FileResponse(
            message.file.open("rb"),
            content_type="audio/wav",
            as_attachment=download,
            filename=f"voicemail-{message.mailbox}-{message.recorded_at:%Y%m%d-%H%M%S}.wav",
        )
