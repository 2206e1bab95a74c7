"""Shared admin behaviour: history, https URLs, save buttons on top."""

from __future__ import annotations

from django.db import models
from simple_history.admin import SimpleHistoryAdmin


class CallcenterAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    """Every call-center object has Add/Change/Delete/History and the three Save buttons."""

    save_on_top = True
    list_per_page = 100
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
