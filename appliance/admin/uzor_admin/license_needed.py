"""What the admin serves when this server has no valid license (system check uzor.E001).

Instead of exiting (which left nginx answering a bare 502), the admin answers every request
with 503 and a page, in the browser's language, that says a license is needed, why the present
one is refused, this server's ID for the vendor, and how to install the license. Nothing else of
the admin runs: no view, no database access. The configurator restarts the admin once a license
is installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.checks import CheckMessage
from django.core.handlers.wsgi import WSGIRequest
from django.template.loader import render_to_string
from django.utils import translation

StartResponse = Callable[..., Any]


def license_needed_application(refusal: CheckMessage) -> Callable[..., Iterable[bytes]]:
    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = WSGIRequest(environ)
        language = translation.get_language_from_request(request)
        with translation.override(language):
            page = render_to_string(
                "admin/uzor_license_needed.html",
                {"reason": refusal.msg, "hint": refusal.hint or "", "language": language},
            ).encode("utf-8")
        start_response(
            "503 Service Unavailable",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(page))),
                ("Cache-Control", "no-store"),
                ("Retry-After", "300"),
            ],
        )
        return [page]

    return application
