from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallcenterConfig(AppConfig):
    name = "appliance.admin.callcenter"
    label = "callcenter"
    verbose_name = _("Callcenter")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # registers system checks, signals and the admin site's pages (admin_pages/, named for
        # what it is rather than Django's conventional admin module, hence imported here)
        from . import admin_pages, checks, signals  # noqa: F401
