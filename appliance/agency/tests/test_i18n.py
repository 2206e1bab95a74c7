"""Every user-facing agency text exists in English and Russian; the .mo matches the .po; the
language is chosen from a terminal's ``lang``, Accept-Language, the config or the locale."""

from __future__ import annotations

import ast
import gettext
import string
from pathlib import Path

import pytest

from appliance.agency import i18n
from appliance.agency.i18n import Text, _
from licensing.tests.po import read_po

PACKAGE = Path(i18n.__file__).parent
PO_FILE = PACKAGE / "locale" / "ru" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
MO_FILE = PO_FILE.with_suffix(".mo")


def sources() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "tests" not in p.relative_to(PACKAGE).parts]


def marked_messages() -> set[str]:
    """The literal first arguments of every ``_(...)``, ``i18n._(...)`` and ``N_(...)`` call
    (the GUI's ``_('...')`` inside f-strings included, which xgettext cannot see)."""
    found = set()
    for source in sources():
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            argument = node.args[0]
            if name in {"_", "N_"} and isinstance(argument, ast.Constant):
                found.add(argument.value)
    return found


def fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def test_the_sources_mark_the_texts_this_test_looks_for() -> None:
    marked = marked_messages()
    assert "log in first" in marked  # _() in acp/server.py
    assert "no call on hold" in marked  # i18n._() in operators/calls.py
    assert "Connected terminals" in marked  # _('...') in an f-string of gui/views.py
    assert "Wrap-up" in marked  # N_() in gui/i18n.py


def test_every_marked_message_has_a_russian_translation() -> None:
    catalogue = read_po(PO_FILE)
    untranslated = sorted(m for m in marked_messages() if not catalogue.get(m, "").strip())
    assert untranslated == [], (
        "add them with `make agency-messages`, translate, `make agency-locale`"
    )


def test_the_catalogue_has_no_stale_entries() -> None:
    assert sorted(set(read_po(PO_FILE)) - marked_messages()) == []


def test_translations_keep_the_placeholders() -> None:
    for msgid, msgstr in read_po(PO_FILE).items():
        assert fields(msgid) == fields(msgstr), msgid


def test_translations_are_russian() -> None:
    """A translation that merely repeats the English text is no translation (except names)."""
    same = [m for m, s in read_po(PO_FILE).items() if m == s]
    assert same == []


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    po = read_po(PO_FILE)
    for msgid, msgstr in po.items():
        assert compiled.gettext(msgid) == msgstr, "stale .mo: run `make agency-locale`"
    assert len(compiled._catalog) - 1 == len(po)  # type: ignore[attr-defined]  # minus header


def test_a_text_is_rendered_in_the_language_asked_for() -> None:
    text = _("the workplace is in use by agent {agent}", agent="101")
    assert text.render("en") == "the workplace is in use by agent 101"
    assert text.render("ru") == "рабочее место уже занято (номер агента 101)"
    assert str(text) == "the workplace is in use by agent 101"


def test_texts_inside_a_text_follow_its_language() -> None:
    text = _("Ready is not allowed in {mode} mode", mode=_("Outbound"))
    assert text.render("ru") == "состояние «Ожидание» недоступно в режиме «Исходящий»"
    assert text.render("en") == "Ready is not allowed in Outbound mode"


def test_an_unknown_text_stays_english() -> None:
    assert Text("not in the catalogue {x}", {"x": 1}).render("ru") == "not in the catalogue 1"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ru", "ru"),
        ("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"),
        ("en-US,en;q=0.9,ru;q=0.8", "en"),
        ("de-DE,de;q=0.9,ru;q=0.5", "ru"),
        ("en;q=0.2, ru;q=0.8", "ru"),
        ("ru;q=0, en", "en"),
        ("de, fr", None),
        ("*", None),
        ("", None),
        ("ru;q=abc", None),
    ],
)
def test_accept_language_picks_the_best_supported_language(
    header: str, expected: str | None
) -> None:
    assert i18n.from_accept_language(header) == expected


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_MESSAGES": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, "ru"),
        ({"LC_ALL": "C", "LANG": "ru_RU.UTF-8"}, "en"),
        ({"LANGUAGE": "de:ru", "LANG": "C"}, "ru"),
        ({"LANGUAGE": "", "LANG": "ru_RU"}, "ru"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_process_locale_is_read_as_gettext_reads_it(
    environ: dict[str, str], expected: str
) -> None:
    assert i18n.process_language(environ) == expected


def test_choose_takes_the_first_supported_candidate() -> None:
    assert i18n.choose(None, "de", "ru") == "ru"
    assert i18n.choose("en", "ru") == "en"
    assert i18n.choose(None, None) == "en"


def test_the_wheel_ships_the_compiled_catalogue() -> None:
    """The .deb installs the uzor wheel; its package data must take the agency's .mo along."""
    import tomllib

    pyproject = tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["*"]
    relative = MO_FILE.relative_to(PACKAGE).as_posix()
    assert any(Path(relative).match(p) or p == "locale/**/*" for p in patterns), patterns
