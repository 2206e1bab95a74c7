"""The admin login played by a password guesser: locked out after 5 wrong passwords for one user
name from one address (even with the right password then), told so in the user's language; the
address is the one nginx appended to X-Forwarded-For, never one the client wrote there. Session
and CSRF cookies are Secure and HttpOnly."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("admin_db")]

LOGIN = "/admin/login/"
PASSWORD = "right-pass-123"


@pytest.fixture(autouse=True)
def root(admin_db):
    return User.objects.create_superuser("root", "root@example.com", PASSWORD)


def attempt(client: Client, password: str, address: str, spoofed: str = "", lang: str = "en"):
    forwarded = f"{spoofed}, {address}" if spoofed else address  # nginx appends its peer
    return client.post(
        LOGIN,
        {"username": "root", "password": password, "next": "/admin/"},
        HTTP_X_FORWARDED_FOR=forwarded,
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def test_five_wrong_passwords_lock_the_user_out_from_that_address():
    guesser = Client()
    for n in range(4):
        assert attempt(guesser, f"guess-{n}", "203.0.113.7").status_code == 200
    assert attempt(guesser, "guess-4", "203.0.113.7").status_code == 429  # the fifth locks
    locked = attempt(guesser, PASSWORD, "203.0.113.7")
    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.content.decode()
    assert "sessionid" not in locked.cookies

    # the real administrator, from another address, still logs in
    assert attempt(Client(), PASSWORD, "198.51.100.20").status_code == 302


def test_a_spoofed_forwarded_address_does_not_escape_the_lockout():
    guesser = Client()
    for n in range(5):
        attempt(guesser, f"guess-{n}", "203.0.113.7", spoofed=f"10.0.0.{n}")
    assert attempt(guesser, PASSWORD, "203.0.113.7", spoofed="10.9.9.9").status_code == 429


def test_the_lockout_page_speaks_russian():
    guesser = Client()
    for n in range(5):
        attempt(guesser, f"guess-{n}", "203.0.113.8")
    page = attempt(guesser, PASSWORD, "203.0.113.8", lang="ru").content.decode()
    assert "Слишком много неверных паролей" in page


def test_session_and_csrf_cookies_are_secure_and_http_only():
    client = Client()
    form = client.get(LOGIN)
    assert form.cookies["csrftoken"]["secure"] and form.cookies["csrftoken"]["httponly"]
    logged_in = attempt(client, PASSWORD, "198.51.100.20")
    assert logged_in.status_code == 302
    session = logged_in.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
