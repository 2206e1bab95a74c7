"""Django system checks: sox for sound conversion (uzor.E010) and the license (uzor.E001)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

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


def _licensing_not_installed(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.UZOR_LICENSE_REQUIRED:
        return []
    return [
        checks.Error(
            _("The licensing package is not installed, so the license cannot be checked."),
            hint=_("Reinstall the uzor packages."),
            id="uzor.E001",
        )
    ]


try:
    from licensing.django_check import license_check
except ModuleNotFoundError as exc:  # pragma: no cover - only before the licensing package lands
    if exc.name not in ("licensing", "licensing.django_check"):
        raise
    license_check = _licensing_not_installed

checks.register(license_check, "uzor")
