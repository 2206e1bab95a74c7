"""Schedules: weekly time ranges and specific dates (holidays, nights)."""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import ValidatedModel


class Schedule(ValidatedModel):
    """A set of time periods; an inbound topic does not work during its selected schedules."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _check_range(start: time | None, end: time | None) -> None:
    if start is not None and end is not None and start >= end:
        raise ValidationError(
            {
                "end_time": _(
                    "The end must be later than the start; split a range across midnight "
                    "into two (e.g. 22:00-23:59 and 00:00-08:00)."
                )
            }
        )


class WeeklyRange(ValidatedModel):
    """Every week on a weekday, from start to end."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    schedule = models.ForeignKey(
        Schedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="weekly"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("to"))

    class Meta:
        verbose_name = _("weekly time range")
        verbose_name_plural = _("weekly time ranges")
        ordering = ["weekday", "start_time"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def clean(self) -> None:
        super().clean()
        _check_range(self.start_time, self.end_time)


class SpecificDate(ValidatedModel):
    """One calendar date, the whole day or a time range on it."""

    schedule = models.ForeignKey(
        Schedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="dates"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(
        _("from"), null=True, blank=True, help_text=_("Empty with 'to' empty: the whole day.")
    )
    end_time = models.TimeField(_("to"), null=True, blank=True)

    class Meta:
        verbose_name = _("specific date")
        verbose_name_plural = _("specific dates")
        ordering = ["date", "start_time"]

    def __str__(self) -> str:
        if self.start_time is None:
            return f"{self.date:%Y-%m-%d}"
        return f"{self.date:%Y-%m-%d} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    @property
    def whole_day(self) -> bool:
        return self.start_time is None and self.end_time is None

    def clean(self) -> None:
        super().clean()
        if (self.start_time is None) != (self.end_time is None):
            raise ValidationError(
                {"end_time": _("Give both 'from' and 'to', or neither for the whole day.")}
            )
        _check_range(self.start_time, self.end_time)
