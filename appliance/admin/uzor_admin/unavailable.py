"""The answer when the database is unreachable (stopped, restarting): ``503 Service
Unavailable`` with a clear text in the user's language and ``Retry-After``, instead of a bare
"Server Error (500)". Nothing is kept: the next request connects again, so the admin recovers by
itself once MariaDB is back. Every other uncaught error keeps Django's own 500 answer."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER = 10  # seconds


def database_unreachable() -> bool:
    """True while the uncaught exception being answered is a lost or refused connection."""
    error = sys.exc_info()[1]
    return isinstance(error, OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: Django calls it while handling the uncaught exception."""
    if not database_unreachable():
        return defaults.server_error(request)
    title = _("The database is unavailable")
    text = _(
        "The administration cannot reach its database right now (it may be restarting). "
        "Nothing was changed. Try again in a minute: it recovers by itself."
    )
    body = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"</head><body><h1>{escape(title)}</h1><p>{escape(text)}</p></body></html>"
    )
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER)
    return response
