"""Translations of every user-facing licensing text (English source, Russian catalogue).

The language comes from the environment by the one rule every component follows
(`uzor_common.language`, docs/language.md) unless a program sets it explicitly with
`set_language` (`--lang`).
"""

from __future__ import annotations

import gettext as _gettext
from pathlib import Path

from uzor_common.language import from_environment

DOMAIN = "uzor-licensing"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SUPPORTED_LANGUAGES = ("en", "ru")

_active: _gettext.NullTranslations | None = None


def _load(language: str | None) -> _gettext.NullTranslations:
    languages = [language or from_environment()]
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=languages, fallback=True)


def set_language(language: str | None) -> None:
    """Use `language` ("en", "ru", "ru_RU.UTF-8", ...) from now on; None goes back to the
    locale environment."""
    global _active  # noqa: PLW0603 - one process-wide language, like gettext.install
    _active = _load(language)


def translations() -> _gettext.NullTranslations:
    global _active  # noqa: PLW0603
    if _active is None:
        _active = _load(None)
    return _active


def _(message: str) -> str:
    """Translate `message` into the active language."""
    return translations().gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the usual gettext marker name
    """Mark `message` for extraction without translating it yet."""
    return message
