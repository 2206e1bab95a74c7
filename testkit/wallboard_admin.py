"""The admin's wallboard for the browser tests: the admin served in-process over plain HTTP on
127.0.0.1 with its wallboard aimed at an agency's ws:// port (no nginx, so the cookies are not
Secure for these tests only), a logged-in staff user's session cookie, and Django's database
work run off the thread where Playwright's sync API runs its loop."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.contrib.auth.models import Permission, User
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.test import Client, override_settings

from testkit.tools import free_port

T = TypeVar("T")


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


@contextlib.contextmanager
def plain_admin_server(agency_port: int) -> Iterator[str]:
    """The admin's base URL, its wallboard pointing at the agency on ``agency_port``."""
    handler = WSGIHandler()

    def app(environ: Any, start_response: Any) -> Any:
        try:
            return handler(environ, start_response)
        finally:
            connections.close_all()

    url = f"ws://127.0.0.1:{agency_port}/wallboard/ws"
    with override_settings(
        SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False, UZOR_WALLBOARD_URL=url
    ):
        port = free_port()
        server = make_server("127.0.0.1", port, app, handler_class=_Quiet)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.shutdown()
            server.server_close()


def orm(job: Callable[[], T]) -> T:
    """Django's database work off this thread (Playwright's sync API runs a loop in it)."""

    def run() -> T:
        try:
            return job()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(60)


def session_cookie(name: str, *codenames: str, base: str) -> dict[str, Any]:
    """A staff user ``name`` with those ``callcenter`` permissions, logged in: the cookie."""
    user = User.objects.create_user(name, password="pass-123-pass", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="callcenter", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}
