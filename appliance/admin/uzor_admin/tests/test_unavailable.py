"""The admin while its database is unreachable: 503 with a clear text in the user's language,
then back by itself once the database answers again."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.test import Client

from testkit.tools import free_port

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("committed_admin_db")]
PAGE = "/admin/callcenter/operator/"


@contextlib.contextmanager
def database_away() -> Iterator[None]:
    """The admin's connection aimed at a closed port: every connection refused, as while
    MariaDB is stopped."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    options = {k: v for k, v in saved.get("OPTIONS", {}).items() if k != "unix_socket"}
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()), OPTIONS=options)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_the_admin_says_the_database_is_unavailable_and_recovers_by_itself() -> None:
    User.objects.create_superuser("root", "", "root-Pass-2026")
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="root"))
    with database_away():
        english = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
        russian = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="ru")
        unit_api = Client(raise_request_exception=False).get(
            "/admin/confgen/pbx1/current", HTTP_AUTHORIZATION="Bearer x"
        )
    assert english.status_code == 503, english.content[:300]
    assert english["Retry-After"] == "10"
    assert "The database is unavailable" in english.content.decode()
    assert russian.status_code == 503
    assert "База данных недоступна" in russian.content.decode()
    assert unit_api.status_code == 503
    assert client.get(PAGE).status_code == 200
