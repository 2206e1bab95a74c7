"""Sounds: uploaded audio converted for Asterisk (8 kHz mono 16-bit WAV)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..audio import AudioError, convert_for_asterisk
from ..validators import validate_latin_name
from .base import ValidatedModel


def sound_path(instance: Sound, filename: str) -> str:
    return f"sounds/{instance.name}.wav"


def sound_storage() -> FileSystemStorage:
    """Media storage that replaces a sound's file in place (one file per sound name)."""
    return FileSystemStorage(allow_overwrite=True)


class Sound(ValidatedModel):
    name = models.CharField(
        _("name"),
        max_length=80,
        unique=True,
        validators=[validate_latin_name],
        help_text=_("Latin letters, digits, '_' and '-'; Asterisk plays the sound by this name."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    file = models.FileField(
        _("file"),
        upload_to=sound_path,
        storage=sound_storage,
        max_length=255,
        help_text=_(
            "WAV, MP3, OGG, FLAC and other common formats; converted on upload to "
            "8 kHz mono 16-bit WAV."
        ),
    )
    duration = models.FloatField(_("duration, s"), default=0, editable=False)
    original_filename = models.CharField(
        _("original file name"), max_length=255, blank=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sound")
        verbose_name_plural = _("sounds")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.file and not self.file._committed and not self._already_converted():
            self._convert_upload()

    def save(self, *args: Any, **kwargs: Any) -> None:
        previous = _stored_file_name(self.pk)
        super().save(*args, **kwargs)
        if previous and previous != self.file.name:
            self.file.storage.delete(previous)
        if self.file.name != sound_path(self, ""):
            self._rename_file()

    def _rename_file(self) -> None:
        """Keep the file named after the sound when the sound is renamed."""
        old_name = self.file.name
        with self.file.storage.open(old_name, "rb") as handle:
            data = handle.read()
        self.file.save(f"{self.name}.wav", ContentFile(data), save=False)
        type(self).objects.filter(pk=self.pk).update(file=self.file.name)
        self.file.storage.delete(old_name)

    def _already_converted(self) -> bool:
        return getattr(self, "_converted_source", None) is self.file.file

    def _convert_upload(self) -> None:
        upload = self.file.file
        original_name = getattr(upload, "name", None) or self.file.name
        try:
            upload.seek(0)
            chunks = upload.chunks() if hasattr(upload, "chunks") else iter([upload.read()])
            converted = convert_for_asterisk(chunks, original_name)
        except AudioError as exc:
            raise ValidationError({"file": str(exc)}) from exc
        self.original_filename = str(original_name).rsplit("/", 1)[-1][:255]
        self.duration = round(converted.duration, 3)
        self.file = ContentFile(converted.data, name=f"{self.name}.wav")
        self._converted_source = self.file.file


def _stored_file_name(pk: int | None) -> str | None:
    if pk is None:
        return None
    return Sound.objects.filter(pk=pk).values_list("file", flat=True).first()
