"""The Django system check for the admin: `uzor.E001` when this server's license is not valid.

The admin registers it (`django.core.checks.register(license_check, "uzor")`). Where the
license is comes from, in this order:

1. a `license_location` keyword (a callable returning a mapping), e.g. registered with
   `functools.partial(license_check, license_location=lambda: config.license.model_dump())`;
2. the Django setting `UZOR_LICENSE`: a mapping or a callable returning one;
3. the gate's defaults ($UZOR_LICENSE_PATH, $UZOR_LICENSE_PUBKEYS, /etc/uzor/license.key,
   /usr/share/uzor/keys).

The mapping is the admin.yaml `license:` section: `path`, `public_keys`, `required` (all
optional). With `required: false` (tests) an invalid license is reported as the warning
`uzor.W001` instead, which does not stop management commands.

Django is imported only when the check runs, so `licensing` does not need Django.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from licensing.gate import LicenseRefusedError, installed_appliance, require_license
from licensing.i18n import _

ERROR_ID = "uzor.E001"
WARNING_ID = "uzor.W001"

LicenseLocation = Callable[[], Mapping[str, Any]]


def license_check(
    app_configs: object = None,
    *,
    license_location: LicenseLocation | None = None,
    **kwargs: object,
) -> list[Any]:
    """Return [] when the license is valid, else one uzor.E001 error (uzor.W001 if optional)."""
    from django.core import checks

    location = _location(license_location)
    try:
        require_license("uzor-admin", location.get("path"), location.get("public_keys"))
    except LicenseRefusedError as refused:
        hint = _("Send this server's ID to the vendor: {server_id}").format(
            server_id=refused.server_id
        )
        if location.get("required", True) or installed_appliance():
            return [checks.Error(str(refused.reason), hint=hint, id=ERROR_ID)]
        return [checks.Warning(str(refused.reason), hint=hint, id=WARNING_ID)]
    return []


def _location(license_location: LicenseLocation | None) -> Mapping[str, Any]:
    if license_location is not None:
        return license_location()
    from django.conf import settings

    configured = getattr(settings, "UZOR_LICENSE", None)
    if callable(configured):
        configured = configured()
    if configured is None:
        return {}
    if not isinstance(configured, Mapping):
        raise TypeError("settings.UZOR_LICENSE must be a mapping or a callable returning one")
    return configured
