"""Shared pieces of the call-center model."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x1f\x7f]")


class ValidatedModel(models.Model):
    """Runs full_clean() on every save, so each save path enforces the model's rules."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.full_clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """No control characters in one-line fields: they end up in Asterisk files and AMI."""
        super().clean()
        errors = {
            field.name: _("Line breaks, tabs and other control characters are not allowed here.")
            for field in self._meta.concrete_fields
            if isinstance(field, models.CharField)
            and isinstance(value := getattr(self, field.attname), str)
            and CONTROL_CHARACTERS_RE.search(value)
        }
        if errors:
            raise ValidationError(errors)


class TopicDirectory(models.Model):
    """The topic directory fields every topic carries (name, state, project, manager)."""

    class State(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("topic state", "active")
        SUSPENDED = "suspended", pgettext_lazy("topic state", "suspended")
        CLOSED = "closed", pgettext_lazy("topic state", "closed")

    name = models.CharField(_("name"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.ACTIVE)
    project = models.CharField(_("project"), max_length=200, blank=True)
    project_manager = models.CharField(_("project manager"), max_length=200, blank=True)

    class Meta:
        abstract = True


def generate_secret() -> str:
    """A random secret for SIP and API credentials (never typed by hand)."""
    return secrets.token_urlsafe(24)
