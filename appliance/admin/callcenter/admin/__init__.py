"""The Django admin for the call-center model."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import pbx, people, routing, schedules, topics

admin.site.site_header = _("Uzor administration")
admin.site.site_title = _("Uzor admin")
admin.site.index_title = _("Administration")

__all__ = ["pbx", "people", "routing", "schedules", "topics"]
