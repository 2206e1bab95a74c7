"""Voicemail messages: recorded on a PBX unit by a call flow's voicemail node, uploaded by the
unit's uzor-confgen and kept here (media is not served publicly: the admin streams them)."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..validators import validate_latin_name
from .pbx import PbxUnit


def voicemail_storage() -> FileSystemStorage:
    return FileSystemStorage()


class VoicemailMessage(models.Model):
    mailbox = models.CharField(_("mailbox"), max_length=80, validators=[validate_latin_name])
    topic_number = models.CharField(_("topic number"), max_length=32, blank=True)
    caller = models.CharField(_("caller"), max_length=32, blank=True)
    unit = models.ForeignKey(
        PbxUnit,
        verbose_name=_("PBX unit"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    duration = models.FloatField(_("duration, s"), default=0)
    file = models.FileField(_("file"), upload_to="voicemail/%Y/%m/", storage=voicemail_storage)

    class Meta:
        verbose_name = _("voicemail message")
        verbose_name_plural = _("voicemail messages")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["mailbox", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.mailbox} {self.caller or '-'} {self.recorded_at:%Y-%m-%d %H:%M}"
