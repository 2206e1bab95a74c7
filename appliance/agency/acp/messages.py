"""ACP messages: decode and validate incoming actions, encode outgoing messages.

``schema.json`` is the single source: every incoming message is checked against the envelope
and the data schema of its action, and the protocol documentation is generated from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).with_name("schema.json")
KINDS = ("action", "event", "notification", "warning", "error")
MessageId = str | int


class ACPError(Exception):
    """A message that gets an ``error`` reply; ``code`` is the error message's name."""

    def __init__(
        self, code: str, message: str, *, id: MessageId | None = None, details: Any = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.id = id
        self.details = details

    def to_message(self) -> str:
        data: dict[str, Any] = {"message": self.message}
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


@cache
def _data_validators() -> dict[str, Draft202012Validator]:
    defs = load_schema()["$defs"]
    return {
        key.partition(".")[2]: Draft202012Validator(spec["properties"]["data"])
        for key, spec in defs.items()
        if key.startswith("action.")
    }


def action_names() -> list[str]:
    return sorted(_data_validators())


def decode_action(raw: str | bytes, max_bytes: int) -> Action:
    """An :class:`Action` from one WebSocket frame; :class:`ACPError` says what is wrong."""
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise ACPError("oversized", f"message of {size} bytes; the limit is {max_bytes}")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ACPError("malformed", f"not JSON in UTF-8: {exc}") from exc
    if not isinstance(value, dict):
        raise ACPError("malformed", "a message must be a JSON object")
    message_id = _message_id(value)
    _check_envelope(value, message_id)
    name = value["name"]
    validator = _data_validators().get(name)
    if validator is None:
        raise ACPError("unknown_action", f"unknown action {name!r}", id=message_id)
    data = value.get("data", {})
    error = next(iter(validator.iter_errors(data)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "data"
        raise ACPError(
            "invalid_data",
            f"{name}: {where}: {error.message}"[:300],
            id=message_id,
            details={"path": list(error.absolute_path)},
        )
    return Action(name, data, message_id)


def _message_id(value: dict[str, Any]) -> MessageId | None:
    message_id = value.get("id")
    if isinstance(message_id, bool) or not isinstance(message_id, str | int):
        return None
    if isinstance(message_id, str) and len(message_id) > 64:
        return None
    return message_id


def _check_envelope(value: dict[str, Any], message_id: MessageId | None) -> None:
    if "id" in value and message_id is None:
        raise ACPError("malformed", "'id' must be a string (<= 64 chars) or an integer")
    extra = set(value) - {"type", "name", "id", "data"}
    if extra:
        raise ACPError("malformed", f"unknown field(s): {', '.join(sorted(extra))}", id=message_id)
    if value.get("type") != "action":
        raise ACPError(
            "malformed", "a terminal sends only messages of type 'action'", id=message_id
        )
    if not isinstance(value.get("name"), str):
        raise ACPError("malformed", "'name' must be a string", id=message_id)
    if not isinstance(value.get("data", {}), dict):
        raise ACPError("malformed", "'data' must be an object", id=message_id)


def encode(kind: str, name: str, data: dict[str, Any], *, id: MessageId | None = None) -> str:
    """One outgoing message as JSON text."""
    message: dict[str, Any] = {"type": kind, "name": name}
    if id is not None:
        message["id"] = id
    message["data"] = data
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def reply(action: Action, data: dict[str, Any]) -> str:
    return encode("event", f"{action.name}.result", data, id=action.id)
