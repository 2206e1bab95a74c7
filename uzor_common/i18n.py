"""Translatable texts of this package (gettext domain ``uzor-common``, English source).

``_("... {name} ...", name=value)`` makes a :class:`Text`: the English template and its named
values, translated only when rendered in the receiver's language. ``str(text)`` is English.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from uzor_common.language import DEFAULT_LANGUAGE

DOMAIN = "uzor-common"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@cache
def translations(language: str) -> _gettext.NullTranslations:
    if language == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


@dataclass(frozen=True)
class Text:
    """A message to translate when it is shown; ``params`` fill its ``{name}`` placeholders
    (a parameter that is itself a Text is rendered in the same language, from its own
    catalogue). A component with its own catalogue subclasses it and overrides ``catalogue``."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    @staticmethod
    def catalogue(language: str) -> _gettext.NullTranslations:
        return translations(language)

    def render(self, language: str) -> str:
        values = {
            name: value.render(language) if isinstance(value, Text) else value
            for name, value in self.params.items()
        }
        try:
            return self.catalogue(language).gettext(self.msgid).format(**values)
        except (KeyError, IndexError, ValueError):  # a broken translation: say it in English
            return self.msgid.format(**values)

    def __str__(self) -> str:
        return self.render(DEFAULT_LANGUAGE)


def _(msgid: str, /, **params: object) -> Text:
    return Text(msgid, params)


def N_(message: str) -> str:  # noqa: N802 - the usual gettext marker name
    return message
