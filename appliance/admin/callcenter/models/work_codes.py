"""Pause reasons and dispositions ("коды завершения") the agency offers to operators.

Each belongs to some groups (none: every group); an operator is offered the active ones of their
groups. Whether a disposition is required after a call is a group's setting
(``Group.disposition_required``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from appliance.contracts.work_codes import CODE_MAX_LENGTH

from ..validators import validate_disposition_code, validate_pause_reason_code
from .base import ValidatedModel
from .people import Group

MAX_PAUSE_SECONDS = 24 * 3600


def _code_field(validator: Callable[[str], None]) -> models.CharField[str, str]:
    return models.CharField(
        _("code"),
        max_length=CODE_MAX_LENGTH,
        unique=True,
        validators=[validator],
        help_text=_(
            "What the agency and the reports record: lower-case Latin letters, digits, '_' "
            "and '-', up to 32 characters."
        ),
    )


class WorkCode(ValidatedModel):
    code: models.CharField[str, str]  # each kind's own field: its own validator
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    groups = models.ManyToManyField(
        Group,
        verbose_name=_("groups"),
        blank=True,
        related_name="+",
        help_text=_("Offered to the operators of these groups; none: to every operator."),
    )
    ordering = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Listed in this order (then by code).")
    )
    active = models.BooleanField(pgettext_lazy("work code", "active"), default=True)

    class Meta:
        abstract = True
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.name_en})"


class PauseReason(WorkCode):
    code = _code_field(validate_pause_reason_code)
    max_seconds = models.PositiveIntegerField(
        _("maximum duration, s"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PAUSE_SECONDS)],
        help_text=_(
            "A pause with this reason ends after this many seconds (the operator is logged "
            "out); empty: the agency's general pause limit."
        ),
    )
    history = HistoricalRecords()

    class Meta(WorkCode.Meta):
        verbose_name = _("pause reason")
        verbose_name_plural = _("pause reasons")


class Disposition(WorkCode):
    code = _code_field(validate_disposition_code)
    history = HistoricalRecords()

    class Meta(WorkCode.Meta):
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")
