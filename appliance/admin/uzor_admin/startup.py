"""Refuse to serve when a system check fails (no sox, invalid license, ...).

gunicorn does not run Django's system checks; the WSGI module calls this before it accepts
requests, so a broken installation stops with one clear line per problem instead of half-working.
"""

from __future__ import annotations

import logging
import sys

from django.core import checks
from django.db import connections

logger = logging.getLogger("uzor")
EXIT_CHECK_FAILED = 3


def refuse_to_start_on_errors() -> None:
    serious = [
        message
        for message in checks.run_checks(include_deployment_checks=False)
        if message.is_serious() and not message.is_silenced()
    ]
    # gunicorn --preload forks its workers after this: none may inherit a database connection
    connections.close_all()
    if not serious:
        return
    for message in serious:
        line = f"uzor-admin: {message.id}: {message.msg}"
        if message.hint:
            line += f" ({message.hint})"
        print(line, file=sys.stderr)
        logger.error(line)
    raise SystemExit(EXIT_CHECK_FAILED)
