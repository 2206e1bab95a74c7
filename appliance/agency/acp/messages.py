"""ACP messages: decode and validate incoming actions, encode outgoing messages.

``schema.json`` is the single source: every incoming message is checked against the envelope
and the data schema of its action, and the protocol documentation is generated from it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators

from appliance.agency.i18n import DEFAULT_LANGUAGE, Text, _

SCHEMA_PATH = Path(__file__).with_name("schema.json")
# a \u escape of a UTF-16 surrogate: only such an escape can put a lone surrogate in a string
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
KINDS = ("action", "event", "notification", "warning", "error")
MessageId = str | int


class ACPError(Exception):
    """A message that gets an ``error`` reply; ``code`` is the error message's name (stable,
    machine-readable), ``message`` the human text, sent in the terminal's language."""

    def __init__(
        self, code: str, message: Text, *, id: MessageId | None = None, details: Any = None
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.id = id
        self.details = details

    def to_message(self, language: str = DEFAULT_LANGUAGE) -> str:
        data: dict[str, Any] = {"message": self.message.render(language)}
        if self.details is not None:
            data["details"] = self.details
        return encode("error", self.code, data, id=self.id)


@dataclass(frozen=True)
class Action:
    name: str
    data: dict[str, Any] = field(default_factory=dict)
    id: MessageId | None = None


@cache
def load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _whole_value_pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """``pattern`` as ECMA-262 reads ``^...$``: the whole value. Python's ``$`` also matches
    before a trailing line break, which would let ``"1234\n"`` through to a dial string."""
    if not isinstance(instance, str):
        return
    anchored = pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")
    whole = re.fullmatch(f"(?:{pattern[1:-1]})", instance) if anchored else None
    if (whole if anchored else re.search(pattern, instance)) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


StrictValidator = validators.extend(  # type: ignore[no-untyped-call]  # jsonschema is untyped here
    Draft202012Validator, {"pattern": _whole_value_pattern}
)


@cache
def _data_validators() -> dict[str, Any]:
    defs = load_schema()["$defs"]
    return {
        key.partition(".")[2]: StrictValidator(spec["properties"]["data"])
        for key, spec in defs.items()
        if key.startswith("action.")
    }


def action_names() -> list[str]:
    return sorted(_data_validators())


def decode_action(raw: str | bytes, max_bytes: int) -> Action:
    """An :class:`Action` from one WebSocket frame; :class:`ACPError` says what is wrong."""
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise ACPError(
            "oversized",
            _("the message has {size} bytes; the limit is {limit}", size=size, limit=max_bytes),
        )
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ACPError(
            "malformed", _("the message is not JSON in UTF-8 ({error})", error=exc)
        ) from exc
    if not isinstance(value, dict):
        raise ACPError("malformed", _("a message must be a JSON object"))
    message_id = _message_id(value)
    if _lone_surrogate(raw, value):
        raise ACPError(
            "malformed",
            _("the message is not JSON in UTF-8 ({error})", error="a lone UTF-16 surrogate"),
            id=message_id if isinstance(message_id, int) else None,
        )
    _check_envelope(value, message_id)
    name = value["name"]
    validator = _data_validators().get(name)
    if validator is None:
        raise ACPError(
            "unknown_action", _("unknown action '{name}'", name=name[:64]), id=message_id
        )
    data = value.get("data", {})
    known = _flat_key(name, data)
    if known is None or known not in _VALID:
        error = next(iter(validator.iter_errors(data)), None)
        if error is not None:
            raise ACPError(
                "invalid_data",
                describe_invalid(name, error),
                id=message_id,
                details={"path": list(error.absolute_path)},
            )
        if known is not None:
            if len(_VALID) >= _MAX_VALID:
                _VALID.clear()
            _VALID.add(known)
    return Action(name, data, message_id)


# Data found valid before, as (action, ((field, type, value), ...)): the same data is valid
# again (a schema rule depends only on the data), so the actions terminals repeat all day
# (Ready, Pause with a reason, ping) are checked once. Flat data of short scalars only; the
# type is part of the key, as True == 1 would otherwise share one; a login (its password)
# is never kept.
_VALID: set[tuple[str, tuple[tuple[str, type, Any], ...]]] = set()
_MAX_VALID = 4096
_MAX_KEYED_TEXT = 64


def _flat_key(name: str, data: Any) -> tuple[str, tuple[tuple[str, type, Any], ...]] | None:
    if name == "login" or not isinstance(data, dict) or len(data) > 4:
        return None
    fields = []
    for key, item in data.items():
        kind = type(item)
        if kind is str:
            if len(item) > _MAX_KEYED_TEXT:
                return None
        elif kind is not bool and kind is not int and item is not None:
            return None
        fields.append((key, kind, item))
    return name, tuple(fields)


def _lone_surrogate(raw: str | bytes, value: Any) -> bool:
    """A ``\\uD800``-style escape left a surrogate without its pair in a string: no UTF-8 text
    has it, so it could be neither stored nor sent back (a reply echoing it could not be
    encoded, and the terminal would wait for it forever)."""
    text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
    if _SURROGATE_ESCAPE.search(text) is None:
        return False
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _message_id(value: dict[str, Any]) -> MessageId | None:
    message_id = value.get("id")
    if isinstance(message_id, bool) or not isinstance(message_id, str | int):
        return None
    if isinstance(message_id, str) and len(message_id) > 64:
        return None
    return message_id


def _check_envelope(value: dict[str, Any], message_id: MessageId | None) -> None:
    if "id" in value and message_id is None:
        raise ACPError("malformed", _("'id' must be a string (up to 64 characters) or an integer"))
    extra = set(value) - {"type", "name", "id", "data"}
    if extra:
        raise ACPError(
            "malformed", _("unknown fields: {fields}", fields=_names(extra)), id=message_id
        )
    if value.get("type") != "action":
        raise ACPError(
            "malformed", _("a terminal sends only messages of type 'action'"), id=message_id
        )
    if not isinstance(value.get("name"), str):
        raise ACPError("malformed", _("'name' must be a string"), id=message_id)
    if not isinstance(value.get("data", {}), dict):
        raise ACPError("malformed", _("'data' must be an object"), id=message_id)


def describe_invalid(action: str, error: ValidationError) -> Text:
    """A schema violation in words a person reads, for the common kinds of rule."""
    where = "/".join(str(p) for p in error.absolute_path) or "data"
    instance, rule, expected = error.instance, error.validator, error.validator_value
    if not isinstance(expected, list):
        expected = [expected]
    if rule == "required" and isinstance(instance, dict):
        missing = [k for k in expected if k not in instance]
        return _("{action}: the field '{field}' is required", action=action, field=_names(missing))
    if rule == "oneOf" and isinstance(instance, dict) and all(_required_only(o) for o in expected):
        return _(
            "{action}: give exactly one of the fields: {fields}",
            action=action,
            fields=_names(f for o in expected for f in o["required"]),
        )
    if rule == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        return _(
            "{action}: unknown fields: {fields}",
            action=action,
            fields=_names(k for k in instance if k not in known),
        )
    if rule == "type":
        return _(
            "{action}: '{field}' must be of type {type}",
            action=action,
            field=where,
            type=_names(expected),
        )
    if rule == "enum":
        return _(
            "{action}: '{field}' must be one of: {values}",
            action=action,
            field=where,
            values=", ".join(json.dumps(v) for v in expected)[:200],
        )
    return _(
        "{action}: '{field}' has a value that is not allowed ({rule})",
        action=action,
        field=where,
        rule=rule,
    )


def _required_only(rule: Any) -> bool:
    """A ``oneOf`` branch that only names a required field (one of several ways to log in)."""
    return isinstance(rule, dict) and set(rule) == {"required"}


def _names(names: Any) -> str:
    return ", ".join(sorted(str(n) for n in names))[:200]


_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode(kind: str, name: str, data: dict[str, Any], *, id: MessageId | None = None) -> str:
    """One outgoing message as JSON text."""
    message: dict[str, Any] = {"type": kind, "name": name}
    if id is not None:
        message["id"] = id
    message["data"] = data
    return _to_json(message)
