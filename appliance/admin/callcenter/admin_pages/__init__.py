"""The admin site's pages (Django ModelAdmins and forms) for the call-center model; the site
itself is uzor_admin/sites.py. Imported by CallcenterConfig.ready(), which registers them."""

from . import (
    calls,
    pbx,
    people,
    permissions,
    recordings,
    reports,
    routing,
    schedules,
    supervision,
    topics,
    voicemail,
    work_codes,
)

__all__ = [
    "calls",
    "pbx",
    "people",
    "permissions",
    "recordings",
    "reports",
    "routing",
    "schedules",
    "supervision",
    "topics",
    "voicemail",
    "work_codes",
]
