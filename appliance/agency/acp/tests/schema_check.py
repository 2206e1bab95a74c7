"""Validate outgoing messages against the whole ACP schema (used by the tests)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from appliance.agency.acp.messages import load_schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema())


def assert_valid(text: str) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(text)
    errors = list(_validator().iter_errors(message))
    assert not errors, f"{message} does not match the ACP schema: {errors[0].message[:300]}"
    return message
