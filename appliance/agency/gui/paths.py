"""Where the GUI lives in the browser's URL space.

Behind nginx the agency is served under a prefix (``/agency/``), which nginx strips and names in
``X-Forwarded-Prefix``. Links and redirects are relative and need no prefix; the session cookie's
``Path`` must carry it, or the browser never sends the cookie back."""

from __future__ import annotations

import re

from aiohttp import web

GUI_PATH = "/gui/"
PREFIX_HEADER = "X-Forwarded-Prefix"
# one or more plain path segments; anything else (quotes, ';', '..', a scheme) is ignored
_PREFIX = re.compile(r"(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+")


def prefix(request: web.Request) -> str:
    """The prefix the proxy serves the agency under, without a trailing slash; "" if none."""
    value = request.headers.get(PREFIX_HEADER, "").rstrip("/")
    return value if _PREFIX.fullmatch(value) else ""


def cookie_path(request: web.Request) -> str:
    return prefix(request) + GUI_PATH
