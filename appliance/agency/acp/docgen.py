"""Generate docs/acp.md from acp/schema.json: ``python -m appliance.agency.acp.docgen [--write]``.

A unit test checks that the committed docs/acp.md equals the output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from appliance.agency.acp.messages import load_schema

DOC_PATH = Path(__file__).resolve().parents[3] / "docs" / "acp.md"
SECTIONS = (
    ("action", "Actions (terminal -> agency)"),
    ("event", "Events (agency -> terminal)"),
    ("notification", "Notifications (agency -> terminal)"),
    ("warning", "Warnings (agency -> terminal)"),
    ("error", "Errors (agency -> terminal)"),
)


def render(schema: dict[str, Any]) -> str:
    lines = [
        f"# {schema['title']}",
        "",
        "<!-- Generated from appliance/agency/acp/schema.json by "
        "`python -m appliance.agency.acp.docgen --write`; do not edit. -->",
        "",
        schema["description"],
        "",
        f"Protocol version: {schema['x-version']}.",
        "",
        "Example:",
        "",
        "```json",
        '{"type": "action", "name": "set_state", "id": 7, "data": {"state": "pause", '
        '"reason": "lunch"}}',
        "```",
        "",
    ]
    defs = schema["$defs"]
    for kind, title in SECTIONS:
        lines += [f"## {title}", ""]
        for key in sorted(k for k in defs if k.startswith(f"{kind}.")):
            lines += _render_message(key.partition(".")[2], defs[key])
    return "\n".join(lines).rstrip() + "\n"


def _render_message(name: str, spec: dict[str, Any]) -> list[str]:
    data = spec["properties"]["data"]
    lines = [f"### `{name}`", "", spec["description"], ""]
    fields = data.get("properties", {})
    if not fields:
        return [*lines, "No fields (`data` is `{}`).", ""]
    required = set(data.get("required", []))
    # fields of which exactly one is given (``oneOf`` of ``required`` rules)
    alternatives = [f for rule in data.get("oneOf", []) for f in rule.get("required", [])]
    lines += ["| field | type | required | description |", "|---|---|---|---|"]
    for field, field_spec in fields.items():
        need = "yes" if field in required else "no"
        if field in alternatives:
            need = "one of " + ", ".join(f"`{f}`" for f in alternatives)
        lines.append(
            f"| `{field}` | {_type(field_spec)} | {need} | {field_spec.get('description', '')} |"
        )
    return [*lines, ""]


def _type(spec: dict[str, Any]) -> str:
    if "enum" in spec:
        return " \\| ".join(f"`{json.dumps(v)}`" for v in spec["enum"])
    kind = spec.get("type", "any")
    text = " or ".join(kind) if isinstance(kind, list) else str(kind)
    if "pattern" in spec:
        text += f" (`{spec['pattern']}`)".replace("|", "\\|")
    if kind == "array":
        text += " of " + _type(spec.get("items", {}))
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate docs/acp.md from the ACP schema")
    parser.add_argument("--write", action="store_true", help=f"write {DOC_PATH}")
    args = parser.parse_args(argv)
    text = render(load_schema())
    if args.write:
        DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOC_PATH.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
