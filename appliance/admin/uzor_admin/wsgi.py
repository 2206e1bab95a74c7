"""WSGI entry point for gunicorn: ``appliance.admin.uzor_admin.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appliance.admin.uzor_admin.settings")

application = get_wsgi_application()

from .startup import refuse_to_start_on_errors  # noqa: E402  (needs Django set up)

refuse_to_start_on_errors()
