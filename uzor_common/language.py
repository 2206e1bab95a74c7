"""The one rule that picks the language of a process from its environment (docs/language.md).

``LANGUAGE`` first (its first usable entry: colon list, like GNU gettext), then the first set of
``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (a locale that is not Russian or English, "C" and "POSIX"
included, means English), then the product default. The installer's shell has the same rule in
``uzor_language`` (installer/preflight.sh); a test keeps the two alike.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGUAGES = ("en", "ru")
DEFAULT_LANGUAGE = "en"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # after LANGUAGE, in this order


def supported(code: str) -> str | None:
    """ "ru", "ru-RU", "ru_RU.UTF-8" -> "ru"; "en-GB", "C", "POSIX" -> "en"; others None."""
    primary = code.strip().split(".")[0].split("@")[0].replace("_", "-").split("-")[0].lower()
    if primary in ("c", "posix"):
        return "en"
    return primary if primary in LANGUAGES else None


def from_environment(
    environ: Mapping[str, str] | None = None, default: str = DEFAULT_LANGUAGE
) -> str:
    """The language the environment asks for ("en" or "ru"), by the rule above."""
    env = os.environ if environ is None else environ
    for code in env.get("LANGUAGE", "").split(":"):
        language = supported(code) if code else None
        if language is not None:
            return language
    for name in LOCALE_VARIABLES:
        value = env.get(name, "")
        if value:
            return supported(value) or "en"
    return default
