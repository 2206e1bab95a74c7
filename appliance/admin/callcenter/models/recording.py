"""Call recordings: made by MixMonitor on a PBX unit when the topic or the operator says
record, uploaded by the unit's uzor-confgen (``confgen/recordings.py``) and kept here under
``MEDIA_ROOT/recordings/YYYY/MM/DD/`` (owned by ``uzor``; media is never served by nginx: the
admin streams a file to users with the ``listen_recording`` permission and logs each access).

``Recording.call_id`` is the call's Asterisk Linkedid, the key the agency's call records
(``agency_call``) carry too: the reports join on it; nothing here writes the agency's table.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .base import ValidatedModel
from .pbx import PbxUnit

LISTEN_PERMISSION = "callcenter.listen_recording"
DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 3650


def recording_storage() -> FileSystemStorage:
    return FileSystemStorage(directory_permissions_mode=0o750, file_permissions_mode=0o640)


class RecordingPolicy(ValidatedModel):
    """The one row of recording settings (pk 1): how long recordings are kept."""

    retention_days = models.PositiveIntegerField(
        _("keep recordings, days"),
        default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text=_(
            "Recordings older than this are deleted (files and list entries) by the nightly "
            "clean-up."
        ),
    )

    class Meta:
        verbose_name = _("recording settings")
        verbose_name_plural = _("recording settings")

    def __str__(self) -> str:
        return str(_("Recording settings"))

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1  # one row only
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> RecordingPolicy:
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls(pk=1)


class Recording(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound", pgettext_lazy("call direction", "inbound")
        OUTBOUND = "outbound", pgettext_lazy("call direction", "outbound")

    call_id = models.CharField(_("call ID"), max_length=64, db_index=True)
    uniqueid = models.CharField(_("leg ID"), max_length=64)
    unit = models.ForeignKey(
        PbxUnit,
        verbose_name=_("PBX unit"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, blank=True
    )
    topic_number = models.CharField(_("topic"), max_length=32, blank=True)
    agent_number = models.CharField(_("operator"), max_length=20, blank=True)
    started_at = models.DateTimeField(_("started at"), db_index=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    duration = models.FloatField(_("duration, s"), default=0)
    size = models.PositiveBigIntegerField(_("size, bytes"), default=0)
    sha256 = models.CharField("SHA-256", max_length=64)
    file = models.FileField(
        _("file"), upload_to="recordings/%Y/%m/%d/", storage=recording_storage, max_length=255
    )

    class Meta:
        verbose_name = _("call recording")
        verbose_name_plural = _("call recordings")
        ordering = ["-started_at", "-id"]
        permissions = [("listen_recording", _("Can listen to and download call recordings"))]
        constraints = [
            models.UniqueConstraint(fields=["unit", "uniqueid"], name="recording_unit_leg_unique")
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.started_at:%Y-%m-%d %H:%M:%S}"


class RecordingAccess(models.Model):
    """One listen or download of a recording: who, when, which (kept after the recording's
    deletion, by its call ID)."""

    class Action(models.TextChoices):
        LISTEN = "listen", _("listened")
        DOWNLOAD = "download", _("downloaded")

    recording = models.ForeignKey(
        Recording,
        verbose_name=_("recording"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="accesses",
    )
    call_id = models.CharField(_("call ID"), max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=150)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    client_ip = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("recording access")
        verbose_name_plural = _("recording accesses")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.call_id} {self.at:%Y-%m-%d %H:%M:%S}"
