"""Translations of every user-facing text (gettext domain ``uzor-configurator``).

The language comes from ``--lang`` or the environment by the one rule every component follows
(``uzor_common.language``, docs/language.md); anything that is not Russian falls back to English,
the language of the source strings."""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path

from uzor_common.language import from_environment

DOMAIN = "uzor-configurator"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "ru")


class _Current:
    translation: gettext.NullTranslations = gettext.NullTranslations()
    language = "en"


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The UI language the environment asks for (``uzor_common.language``)."""
    return from_environment(environ)


def set_language(language: str) -> None:
    """Switch every later ``_()`` call to ``language`` ("en" or "ru")."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; use one of {', '.join(LANGUAGES)}")
    _Current.language = language
    _Current.translation = gettext.translation(
        DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True
    )
    try:  # license errors are shown by the configurator too
        from licensing import i18n as licensing_i18n
    except ImportError:  # pragma: no cover - licensing is part of the same distribution
        return
    licensing_i18n.set_language(language)


def current_language() -> str:
    return _Current.language


def _(message: str) -> str:
    """The translation of ``message`` in the current language."""
    return _Current.translation.gettext(message)
