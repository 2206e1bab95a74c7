"""Django system checks: sox for sound conversion (uzor.E010) and the license (uzor.E001,
from the licensing package; a warning uzor.W001 when admin.yaml says license.required: false)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.utils.translation import gettext as _

from licensing.django_check import license_check

from .audio import sox_available


@checks.register("uzor")
def sox_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if sox_available():
        return []
    return [
        checks.Error(
            _("sox is not installed: uploaded sounds cannot be converted for Asterisk."),
            hint=_("Install the Debian packages sox and libsox-fmt-all."),
            id="uzor.E010",
        )
    ]


checks.register(license_check, "uzor")
