"""Call-flow templates: a named flow to start topics from (the manual's "шаблонизировать темы
с дальнейшим клонированием")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import ValidatedModel


class FlowTemplate(ValidatedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    flow = models.JSONField(_("call flow"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call-flow template")
        verbose_name_plural = _("call-flow templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        from ..callflow.dialplan_text import check_any_flow
        from ..callflow.validate import FlowError, Refs, flow_problem

        try:
            check_any_flow(self.flow, Refs.from_db())
        except FlowError as exc:
            raise ValidationError([flow_problem(p) for p in exc.problems]) from exc
