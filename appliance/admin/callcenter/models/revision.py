"""Revisions: the immutable, numbered Asterisk configuration of one PBX unit."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .pbx import PbxUnit


class Revision(models.Model):
    """What Apply Dialplan rendered for a unit: a bundle (JSON) and its SHA-256.

    The number is the primary key, so it is unique across units and never reused. A revision is
    never changed after it is saved; uzor-confgen on the unit fetches the newest one.
    """

    unit = models.ForeignKey(
        PbxUnit, verbose_name=_("PBX unit"), on_delete=models.CASCADE, related_name="revisions"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.CharField(_("created by"), max_length=150, blank=True)
    content_hash = models.CharField(_("SHA-256"), max_length=64)
    bundle = models.TextField(_("bundle"))
    # The admin's ed25519 signature of the bundle's bytes (base64; contracts/bundle.py), made
    # when the revision is created; empty for revisions of an earlier version (units refuse them).
    signature = models.CharField(_("signature"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("configuration revision")
        verbose_name_plural = _("configuration revisions")
        ordering = ["-id"]
        indexes = [models.Index(fields=["unit", "-id"], name="revision_unit_newest")]

    def __str__(self) -> str:
        return f"{self.unit_id}#{self.pk}"

    @property
    def number(self) -> int:
        return int(self.pk)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("a configuration revision is immutable once saved")
        super().save(*args, **kwargs)

    @classmethod
    def current(cls, unit: PbxUnit) -> Revision | None:
        return cls.objects.filter(unit=unit).order_by("-id").first()
