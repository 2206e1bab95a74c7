"""Creates the admin's superuser; run as a subprocess with the admin's Django settings
(``DJANGO_SETTINGS_MODULE``), never imported by the configurator itself.

Reads ``{"username", "email", "password"}`` as JSON from standard input (a password never
goes on a command line) and exits with one of the codes below. ``{"check": true}`` only asks
whether any superuser exists (EXISTS) or none does (NONE)."""

from __future__ import annotations

import json
import sys

CREATED = 0
EXISTS = 10
REJECTED_PASSWORD = 11
NONE = 12


def main() -> int:
    request = json.loads(sys.stdin.read())
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import translation

    translation.activate(request.get("language") or "en")
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user_model = get_user_model()
    if request.get("check"):
        return EXISTS if user_model._default_manager.filter(is_superuser=True).exists() else NONE
    username_field = user_model.USERNAME_FIELD
    email_field = user_model.get_email_field_name()
    manager = user_model._default_manager
    if manager.filter(**{username_field: request["username"]}).exists():
        return EXISTS
    candidate = user_model(**{username_field: request["username"], email_field: request["email"]})
    try:
        validate_password(request["password"], candidate)
    except ValidationError as exc:
        for message in exc.messages:
            print(message)
        return REJECTED_PASSWORD
    manager.create_superuser(
        **{
            username_field: request["username"],
            email_field: request["email"],
            "password": request["password"],
        }
    )
    return CREATED


if __name__ == "__main__":
    raise SystemExit(main())
