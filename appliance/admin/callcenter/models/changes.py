"""The change counter: one row whose value grows with every change the agency must pick up.

The agency caches what it reads from the admin's tables (the PBX units it is connected to, the
inbound topics) and polls this one row, a primary-key read, every few seconds; when the value
moved it reads the tables again. The admin bumps it inside the transaction of every save or
delete of a call-center object (signals.py) and at the end of every Apply Dialplan, so the
agency sees the new value together with the committed change.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appliance.contracts.tables import CHANGE_COUNTER_ROW

COUNTER_ID = CHANGE_COUNTER_ROW  # the row the agency reads


class ChangeCounter(models.Model):
    value = models.PositiveBigIntegerField(_("value"), default=0)
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("change counter")
        verbose_name_plural = _("change counters")

    def __str__(self) -> str:
        return str(self.value)


def note_change() -> None:
    """Tell the agency that the model changed (one UPDATE; the row is made when missing)."""
    now = timezone.now()
    row = ChangeCounter.objects.filter(pk=COUNTER_ID)
    bumped = row.update(value=F("value") + 1, changed_at=now)
    if not bumped:
        ChangeCounter.objects.get_or_create(pk=COUNTER_ID, defaults={"value": 1, "changed_at": now})
