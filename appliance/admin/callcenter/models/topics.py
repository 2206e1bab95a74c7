"""Inbound and outbound topics (with the topic directory fields)."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..validators import overlapping_prefix, validate_digits, validate_outbound_prefix
from .base import TopicDirectory, ValidatedModel
from .people import Group
from .schedules import Schedule
from .sounds import Sound


class InboundTopic(TopicDirectory, ValidatedModel):
    """Rules for inbound calls to one topic number (all of them live in the Inbound context).

    ``flow`` is the topic's call flow (``callcenter/callflow``). A new topic gets the standard
    flow (schedule -> greeting -> queue), marked ``standard``: it is regenerated from the fields
    here whenever they change. A flow edited by an admin replaces those fields' call handling.
    """

    number = models.CharField(
        _("number"),
        max_length=32,
        unique=True,
        validators=[validate_digits],
        help_text=_("Unique topic number; transformations send calls here."),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    script_url = models.URLField(
        _("script URL"),
        max_length=500,
        blank=True,
        help_text=_("Loaded in the webagent on every call of this topic."),
    )
    non_working_schedules = models.ManyToManyField(
        Schedule,
        verbose_name=_("non-working time"),
        blank=True,
        related_name="inbound_topics",
        help_text=_("The topic does not work during these schedules."),
    )
    working_sound = models.ForeignKey(
        Sound,
        verbose_name=_("greeting (working time)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    non_working_sound = models.ForeignKey(
        Sound,
        verbose_name=_("sound for non-working time"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        related_name="inbound_topics",
        help_text=_("The group (queue) whose operators take the calls."),
    )
    record_calls = models.BooleanField(
        _("record calls"),
        default=False,
        help_text=_("Record every call of this topic once an operator answers it."),
    )
    hide_caller_number = models.BooleanField(
        _("hide caller number"),
        default=False,
        help_text=_("Operators see 'hidden' instead of the caller's number."),
    )
    service_level_seconds = models.PositiveIntegerField(
        _("service level threshold, s"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
        help_text=_(
            "A call answered within this many seconds of entering the queue counts towards"
            " the service level (wallboard, reports)."
        ),
    )
    flow = models.JSONField(_("call flow"), null=True, blank=True, editable=False)
    history = HistoricalRecords(m2m_fields=[non_working_schedules])

    class Meta:
        verbose_name = _("inbound topic")
        verbose_name_plural = _("inbound topics")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.flow is None:
            self.flow = self.standard_flow()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.flow is not None and not self.flow_is_standard:
            from ..callflow.dialplan_text import check_any_flow
            from ..callflow.validate import FlowError, Refs, flow_problem

            try:
                check_any_flow(self.flow, Refs.from_db())
            except FlowError as exc:
                # not keyed by field: admin forms edit the flow through fields of their own
                raise ValidationError([flow_problem(p) for p in exc.problems]) from exc

    @property
    def flow_is_standard(self) -> bool:
        return not isinstance(self.flow, dict) or bool(self.flow.get("standard"))

    def standard_flow(self) -> dict[str, Any]:
        from ..callflow.default import standard_flow

        schedules = (
            list(self.non_working_schedules.order_by("id").values_list("name", flat=True))
            if self.pk
            else []
        )
        return standard_flow(
            self.working_sound.name if self.working_sound else None,
            self.non_working_sound.name if self.non_working_sound else None,
            self.group.name if self.group else None,
            schedules,
        )

    def current_flow(self) -> dict[str, Any]:
        """The flow calls follow now (a standard flow regenerated from the fields)."""
        if self.flow_is_standard:
            return self.standard_flow()
        return dict(cast("dict[str, Any]", self.flow))  # not standard: a dict (flow_is_standard)


class OutboundTopic(TopicDirectory, ValidatedModel):
    """An outbound topic: operators dial <prefix><number>; the prefix tags the call."""

    prefix = models.CharField(
        _("prefix"),
        max_length=10,
        unique=True,
        validators=[validate_outbound_prefix],
        help_text=_(
            "Internal digits dialled before the number, e.g. 111; must not start with 8 and "
            "must not be the beginning of another prefix."
        ),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    script_url = models.URLField(
        _("script URL"),
        max_length=500,
        blank=True,
        help_text=_("Loaded in the webagent for calls of this topic."),
    )
    record_calls = models.BooleanField(
        _("record calls"),
        default=False,
        help_text=_("Record every call of this topic while the called party talks."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outbound topic")
        verbose_name_plural = _("outbound topics")
        ordering = ["prefix"]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}".strip()

    def clean(self) -> None:
        super().clean()
        if not self.prefix:
            return
        others = OutboundTopic.objects.exclude(pk=self.pk).values_list("prefix", flat=True)
        clash = overlapping_prefix(self.prefix, [p for p in others if p != self.prefix])
        if clash:
            raise ValidationError(
                {
                    "prefix": _(
                        "The prefix %(prefix)s overlaps the prefix %(other)s of another outbound "
                        "topic: no prefix may be the beginning of another."
                    )
                    % {"prefix": self.prefix, "other": clash}
                }
            )
