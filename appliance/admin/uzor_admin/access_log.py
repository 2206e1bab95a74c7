"""The web access log: one line per request on the ``uzor.access`` logger."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from .client_ip import client_address

logger = logging.getLogger("uzor.access")


class AccessLogMiddleware:
    """Logs client address, user, method, path, status, size and duration of every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        elapsed_ms = (time.monotonic() - started) * 1000
        try:
            user = getattr(request, "user", None)
            username = user.get_username() if user is not None and user.is_authenticated else "-"
        except DatabaseError:  # the session's user could not be read: the database is away
            username = "-"
        size = len(response.content) if not response.streaming else "-"
        logger.info(
            '%s %s "%s %s" %s %s %.1fms',
            client_address(request),
            username,
            request.method,
            request.get_full_path(),
            response.status_code,
            size,
            elapsed_ms,
        )
        return response
