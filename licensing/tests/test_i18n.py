"""Every user-facing licensing text exists in English and Russian, and the .mo matches the .po."""

from __future__ import annotations

import ast
import gettext
import string
from pathlib import Path

import pytest

from licensing import i18n
from licensing.tests.po import read_po

PACKAGE = Path(i18n.__file__).parent
PO_FILE = PACKAGE / "locale" / "ru" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def marked_messages() -> set[str]:
    """The literal arguments of every _("...") and N_("...") call in the package."""
    found = set()
    for source in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "N_"}
            ):
                argument = node.args[0]
                if isinstance(argument, ast.Constant):  # _(self.template) is marked by N_
                    found.add(argument.value)
    return found


def fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def test_every_marked_message_has_a_russian_translation() -> None:
    catalogue = read_po(PO_FILE)
    untranslated = sorted(m for m in marked_messages() if not catalogue.get(m))
    assert untranslated == [], "add them to the .po and run `make licensing-locale`"


def test_the_catalogue_has_no_stale_entries() -> None:
    assert sorted(set(read_po(PO_FILE)) - marked_messages()) == []


def test_translations_keep_the_placeholders() -> None:
    for msgid, msgstr in read_po(PO_FILE).items():
        assert fields(msgid) == fields(msgstr), msgid


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, msgstr in read_po(PO_FILE).items():
        assert compiled.gettext(msgid) == msgstr, "stale .mo: run `make licensing-locale`"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "бессрочно"), ("ru_RU.UTF-8", "бессрочно"), ("en", "never"), ("de", "never")],
)
def test_set_language_picks_the_catalogue(language: str, expected: str) -> None:
    i18n.set_language(language)
    assert i18n._("never") == expected


def test_the_locale_environment_picks_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "ru_RU.UTF-8")
    i18n.set_language(None)
    assert i18n._("never") == "бессрочно"
    monkeypatch.setenv("LANG", "C.UTF-8")
    i18n.set_language(None)
    assert i18n._("never") == "never"
