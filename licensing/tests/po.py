"""A minimal .po reader for the tests (msgid/msgstr pairs, no plurals, no contexts)."""

from __future__ import annotations

import ast
from pathlib import Path


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr for every entry except the header."""
    entries: dict[str, str] = {}
    current: dict[str, str] = {}
    field = ""
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if line.startswith(("msgid ", "msgstr ")):
            field, _, literal = line.partition(" ")
            if field == "msgid" and "msgstr" in current:
                _store(entries, current)
                current = {}
            current[field] = ast.literal_eval(literal)
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
        elif not line or line.startswith("#"):
            field = ""
    if "msgstr" in current:
        _store(entries, current)
    return entries


def _store(entries: dict[str, str], entry: dict[str, str]) -> None:
    if entry["msgid"]:
        entries[entry["msgid"]] = entry["msgstr"]
