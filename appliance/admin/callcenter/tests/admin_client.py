"""Helpers to drive the Django admin through the test client like a browser would."""

from __future__ import annotations

from typing import Any

from django.test import Client

EMPTY_INLINE = {
    "TOTAL_FORMS": "0",
    "INITIAL_FORMS": "0",
    "MIN_NUM_FORMS": "0",
    "MAX_NUM_FORMS": "1000",
}


def inline_management(prefix: str, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The management form plus rows of an admin inline formset."""
    rows = rows or []
    data = {f"{prefix}-{key}": value for key, value in EMPTY_INLINE.items()}
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def form_errors(response: Any) -> dict[str, list[str]]:
    """Field errors of the admin form in a re-rendered change page (empty when none)."""
    if response.context is None or "adminform" not in response.context:
        return {}
    errors = dict(response.context["adminform"].form.errors)
    for formset in response.context.get("inline_admin_formsets", []):
        for form_errors_ in formset.formset.errors:
            errors.update(form_errors_)
    return {key: list(value) for key, value in errors.items()}


def logged_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client
