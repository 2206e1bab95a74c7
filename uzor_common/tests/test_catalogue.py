"""Every text of uzor_common has a Russian translation in the committed catalogue."""

from __future__ import annotations

import ast
import gettext
import string
from pathlib import Path

from uzor_common import i18n

PACKAGE = Path(i18n.__file__).parent
MO_FILE = PACKAGE / "locale" / "ru" / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo"


def marked_messages() -> set[str]:
    found = set()
    for source in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Name):
                argument = node.args[0]
                if node.func.id in {"_", "N_"} and isinstance(argument, ast.Constant):
                    found.add(argument.value)
    return found


def compiled() -> dict[str, str]:
    with MO_FILE.open("rb") as handle:
        catalogue: dict[str, str] = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return {k: v for k, v in catalogue.items() if k}


def fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def test_the_sources_mark_the_loader_texts() -> None:
    assert "{source}: unknown key '{key}'" in marked_messages()


def test_every_text_is_translated_once_and_keeps_its_placeholders() -> None:
    catalogue = compiled()
    assert sorted(marked_messages() - set(catalogue)) == [], "make common-messages common-locale"
    assert sorted(set(catalogue) - marked_messages()) == []
    for msgid, msgstr in catalogue.items():
        assert msgstr and msgstr != msgid and fields(msgid) == fields(msgstr), msgid
