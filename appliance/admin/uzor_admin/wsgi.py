"""WSGI entry point for gunicorn: ``appliance.admin.uzor_admin.wsgi:application``."""

import os
from collections.abc import Callable, Iterable

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appliance.admin.uzor_admin.settings")

application: Callable[..., Iterable[bytes]] = get_wsgi_application()

from .startup import refuse_to_start_on_errors  # noqa: E402  (needs Django set up)

refusal = refuse_to_start_on_errors()
if refusal is not None:  # no valid license: only the page that says how to install one
    from .license_needed import license_needed_application

    application = license_needed_application(refusal)
