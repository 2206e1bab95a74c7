"""One quote style in the Russian texts: «…». No Russian translation of any catalog quotes with
straight, curly or German quotes, or with backticks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CATALOGS = sorted(
    path
    for path in REPO.glob("**/locale/ru/LC_MESSAGES/*.po")
    if not {".venv", "node_modules"} & set(path.relative_to(REPO).parts)
)
OTHER_QUOTES = re.compile(r"""['"`“”„‘’]""")


def translations(catalog: Path) -> list[str]:
    """Every msgstr of the catalog (continuation lines joined, escaped quotes unescaped)."""
    found: list[str] = []
    current: list[str] | None = None
    for line in [*catalog.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgstr"):
            current = [line.split(" ", 1)[1]]
        elif line.startswith('"') and current is not None:
            current.append(line)
        else:
            if current is not None:
                found.append("".join(part.strip()[1:-1] for part in current))
            current = None
    return [text.replace('\\"', '"') for text in found if "Content-Type" not in text]


def test_there_are_catalogs_to_check() -> None:
    assert len(CATALOGS) >= 5, CATALOGS


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: str(p.relative_to(REPO)))
def test_russian_texts_quote_only_with_guillemets(catalog: Path) -> None:
    quoted = [text for text in translations(catalog) if OTHER_QUOTES.search(text)]
    assert quoted == []
