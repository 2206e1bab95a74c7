"""Every user-facing text of the configurator has a Russian translation, and the compiled
catalog (.mo) matches its source (.po)."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

from configurator import i18n
from configurator.core.steps.greeting import greeting_text

PACKAGE = Path(i18n.__file__).parent
PO = PACKAGE / "locale/ru/LC_MESSAGES/uzor-configurator.po"


def source_messages() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def po_entries() -> dict[str, str]:
    def unquote(chunk: str) -> str:
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"', chunk)
        return "".join(parts).encode().decode("unicode_escape").encode("latin-1").decode()

    entries = {}
    pattern = r'msgid ((?:"(?:[^"\\]|\\.)*"\s*)+)msgstr ((?:"(?:[^"\\]|\\.)*"\s*)+)'
    for msgid, msgstr in re.findall(pattern, PO.read_text()):
        if unquote(msgid):
            entries[unquote(msgid)] = unquote(msgstr)
    return entries


def test_every_message_has_a_russian_translation() -> None:
    entries = po_entries()
    untranslated = sorted(m for m in source_messages() if not entries.get(m))
    assert untranslated == []


def test_the_compiled_catalog_matches_the_po_file() -> None:
    catalog = gettext.translation(i18n.DOMAIN, i18n.LOCALE_DIR, languages=["ru"])
    stale = {m: t for m, t in po_entries().items() if catalog.gettext(m) != t}
    assert stale == {}, "run `make configurator-locale` to rebuild the .mo"


def test_placeholders_survive_translation() -> None:
    for msgid, msgstr in po_entries().items():
        assert set(re.findall(r"\{\w+\}", msgid)) == set(re.findall(r"\{\w+\}", msgstr)), msgid


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, "ru"),
        ({"LC_MESSAGES": "C.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_comes_from_the_locale(environ: dict[str, str], expected: str) -> None:
    assert i18n.language_from_environment(environ) == expected


def test_the_greeting_uses_the_manuals_words_in_russian() -> None:
    try:
        i18n.set_language("ru")
        assert greeting_text() == (
            "Узор\nСвидетельство № 2019661086 от 19 августа 2019 года, "
            "Федеральная служба по интеллектуальной собственности"
        )
        assert i18n._("Perform automatic configuration (y/n)?") == (
            "Осуществить автоматическую настройку (y/n)?"
        )
    finally:
        i18n.set_language("en")
