"""The OpenAPI 3.1 document of the REST API, generated from :data:`ENDPOINTS`.

``python -m appliance.agency.rest.openapi --write`` writes docs/agency-openapi.json; a test
checks it is up to date and that every route the API registers is described here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DOC_PATH = Path(__file__).resolve().parents[3] / "docs" / "agency-openapi.json"

ERROR = {
    "type": "object",
    "required": ["error_id", "message", "details"],
    "properties": {
        "error_id": {"type": "string", "description": "Stable kebab-case id of the error kind."},
        "message": {"type": "string"},
        "details": {"type": "object"},
    },
}
_ERROR_CONTENT = {"application/json": {"schema": ERROR}}
MODE = {
    "type": "object",
    "required": ["mode"],
    "properties": {"mode": {"enum": ["active", "maintenance"]}, "message": {"type": "string"}},
}
MAX_CLIENTS = {
    "type": "object",
    "required": ["max_clients"],
    "properties": {"max_clients": {"type": "integer", "minimum": 0}},
}
CLIENT = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "remote": {"type": "string"},
        "connected_at": {"type": "number"},
        "agent": {"type": ["string", "null"]},
        "workplace": {"type": ["string", "null"]},
        "queued": {"type": "integer"},
        "sent": {"type": "integer"},
        "session": {"type": ["object", "null"], "description": "ACP session object"},
    },
}
OBJECT = {"type": "object"}
STATUS = {
    "type": "object",
    "required": ["status", "mode"],
    "properties": {
        "status": {"const": "running"},
        "mode": {"enum": ["active", "maintenance"]},
    },
    "description": "With the token also units, AMI links, terminals, records and license.",
}
ACCEPT_LANGUAGE = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    "description": "Language of error messages: ru or en (default: the agency's language).",
    "schema": {"type": "string", "examples": ["ru", "en-US,en;q=0.9"]},
}

# (method, path, summary, request schema or None, response schema, needs the token)
ENDPOINTS: list[tuple[str, str, str, dict[str, Any] | None, dict[str, Any], bool]] = [
    (
        "get",
        "/status",
        "Status; with the token also units, AMI links, terminals, license",
        None,
        STATUS,
        False,
    ),
    ("get", "/api/mode", "Operating mode", None, MODE, True),
    (
        "put",
        "/api/mode",
        "Enter or leave maintenance (no new logins; terminals are told)",
        MODE,
        MODE,
        True,
    ),
    ("get", "/api/config", "The running configuration, secrets redacted", None, OBJECT, True),
    ("get", "/api/max-clients", "Maximum number of terminals", None, MAX_CLIENTS, True),
    (
        "put",
        "/api/max-clients",
        "Change the maximum number of terminals",
        MAX_CLIENTS,
        MAX_CLIENTS,
        True,
    ),
    (
        "get",
        "/api/clients",
        "Connected terminals with their sessions",
        None,
        {"type": "object", "properties": {"clients": {"type": "array", "items": CLIENT}}},
        True,
    ),
    (
        "post",
        "/api/clients/{client_id}/message",
        "Send a message to a terminal",
        {
            "type": "object",
            "required": ["text"],
            "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 2000}},
        },
        {"type": "object", "properties": {"sent": {"type": "boolean"}}},
        True,
    ),
    (
        "delete",
        "/api/clients/{client_id}",
        "End a terminal's session (forced logout)",
        None,
        {"type": "object", "properties": {"ended": {"type": "string"}}},
        True,
    ),
    ("get", "/metrics", "Prometheus metrics (text format)", None, {"type": "string"}, True),
]


def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for method, path, summary, request, response, secured in ENDPOINTS:
        responses: dict[str, Any] = {
            "200": {"description": "OK", "content": {_type(path): {"schema": response}}}
        }
        for status, why, applies in (
            ("400", "The body is not JSON or breaks its schema", request is not None),
            ("401", "No token, or not the agency's token (error_id unauthorized)", secured),
            ("404", "No connected terminal has this id (error_id not-found)", "{" in path),
        ):
            if applies:
                responses[status] = {"description": why, "content": _ERROR_CONTENT}
        responses["default"] = {"description": "Error", "content": _ERROR_CONTENT}
        operation: dict[str, Any] = {"summary": summary, "responses": responses}
        operation["parameters"] = [ACCEPT_LANGUAGE]
        if "{client_id}" in path:
            operation["parameters"].insert(
                0,
                {"name": "client_id", "in": "path", "required": True, "schema": {"type": "string"}},
            )
        if request is not None:
            content = {"application/json": {"schema": request}}
            operation["requestBody"] = {"required": True, "content": content}
        operation["security"] = [{"token": []}] if secured else []
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Uzor agency REST API",
            "version": "1",
            "description": "Every error is {error_id, message, details}; `message` is in "
            "the language Accept-Language asks for (ru or en). Authenticate with "
            "`Authorization: Bearer <token>` (the token file of the agency's config).",
        },
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }


def _type(path: str) -> str:
    return "text/plain" if path == "/metrics" else "application/json"


def render() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the agency's OpenAPI document")
    parser.add_argument("--write", action="store_true", help=f"write {DOC_PATH}")
    args = parser.parse_args(argv)
    if args.write:
        DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOC_PATH.write_text(render(), encoding="utf-8")
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
