"""Refuse to serve when a system check fails (no sox, a bad configuration, ...).

gunicorn does not run Django's system checks; the WSGI module calls this before it accepts
requests, so a broken installation stops with one clear line per problem instead of half-working.
A missing or invalid license alone (uzor.E001) is logged the same way but does not stop the
admin: it then serves only the page that says how to install a license (license_needed.py).
"""

from __future__ import annotations

import logging
import sys

from django.core import checks
from django.db import connections

from licensing.django_check import ERROR_ID as LICENSE_ERROR_ID
from uzor_common.exitcodes import ExitCode

logger = logging.getLogger("uzor")


def refuse_to_start_on_errors() -> checks.CheckMessage | None:
    """Exit on any serious check failure but the license's; return that one (or None)."""
    serious = [
        message
        for message in checks.run_checks(include_deployment_checks=False)
        if message.is_serious() and not message.is_silenced()
    ]
    # gunicorn --preload forks its workers after this: none may inherit a database connection
    connections.close_all()
    if not serious:
        return None
    for message in serious:
        line = f"uzor-admin: {message.id}: {message.msg}"
        if message.hint:
            line += f" ({message.hint})"
        print(line, file=sys.stderr)
        logger.error(line)
    if any(message.id != LICENSE_ERROR_ID for message in serious):
        raise SystemExit(ExitCode.REFUSED_TO_START)
    return serious[0]
