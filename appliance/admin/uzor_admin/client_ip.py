"""The client's address as nginx saw it.

gunicorn listens on a unix socket that only nginx reaches, and nginx appends its own peer
address to X-Forwarded-For (``$proxy_add_x_forwarded_for``): the last entry is the one no
client can choose. Earlier entries come from the client and are never trusted.
"""

from __future__ import annotations

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return str(forwarded.split(",")[-1].strip())
    return str(request.META.get("REMOTE_ADDR") or "-")
