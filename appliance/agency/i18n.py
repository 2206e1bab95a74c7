"""Every user-facing agency text in English (the source) and Russian (locale/ catalogue).

Texts are built with ``_("... {name} ...", name=value)``: a :class:`Text` that keeps the English
template and its named values and is translated only when it is sent, into the receiver's
language (a terminal's, a REST request's, the daemon's locale). ``str(text)`` is English, for
logs. ``N_`` marks a plain template for extraction where a table holds it.

Languages: a terminal says ``lang`` at login, else its WebSocket request's Accept-Language
counts, else the agency's default (config ``language``, else the process locale, else English).
The process locale is read by the one rule every component follows (``uzor_common.language``,
docs/language.md): LANGUAGE, LC_ALL, LC_MESSAGES, LANG.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from uzor_common import i18n as common_i18n
from uzor_common import language as common_language

DOMAIN = "uzor-agency"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = common_language.LANGUAGES
DEFAULT_LANGUAGE = common_language.DEFAULT_LANGUAGE


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The catalogue of ``language`` ("en" has none: the source texts are English)."""
    if language == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def gettext(language: str, message: str) -> str:
    return translations(language).gettext(message)


@dataclass(frozen=True)
class Text(common_i18n.Text):
    """A message to translate when it is sent; ``params`` fill its ``{name}`` placeholders
    (rendering is ``uzor_common.i18n.Text``'s, from the agency's catalogue)."""

    @staticmethod
    def catalogue(language: str) -> _gettext.NullTranslations:
        return translations(language)


def _(msgid: str, /, **params: object) -> Text:
    """A translatable text with named values: ``_("agent {agent} is busy", agent=n)``."""
    return Text(msgid, params)


def N_(message: str) -> str:  # noqa: N802 - the usual gettext marker name
    """Mark ``message`` for extraction; translate it later with ``_(message)``."""
    return message


supported = common_language.supported  # "ru_RU.UTF-8" -> "ru"; "C" -> "en"; "de" -> None


def from_accept_language(header: str) -> str | None:
    """The best supported language of an Accept-Language header (by q), or None."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        code, _sep, rest = part.partition(";")
        weight = 1.0
        for parameter in rest.split(";"):
            key, _eq, value = parameter.strip().partition("=")
            if key.lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        language = supported(code)
        if language is not None and weight > 0:
            ranked.append((-weight, position, language))
    return min(ranked)[2] if ranked else None


def process_language(environ: Mapping[str, str] | None = None) -> str:
    """The language of the process's environment (``uzor_common.language``)."""
    return common_language.from_environment(environ)


def choose(*candidates: str | None) -> str:
    """The first supported candidate (a ``lang`` field, a header's choice, a default)."""
    for candidate in candidates:
        language = supported(candidate) if candidate else None
        if language is not None:
            return language
    return DEFAULT_LANGUAGE
