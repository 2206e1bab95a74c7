"""Translations of every user-facing text (gettext domain ``uzor-configurator``).

The language comes from ``--lang`` or the locale environment (LC_ALL, LC_MESSAGES, LANG);
anything that is not Russian falls back to English, the language of the source strings."""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "uzor-configurator"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "ru")


class _Current:
    translation: gettext.NullTranslations = gettext.NullTranslations()
    language = "en"


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The UI language the locale asks for: the first set of LC_ALL, LC_MESSAGES, LANG."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


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
