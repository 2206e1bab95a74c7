"""One environment, one language: the licensing gate, the configurator, the agency, the
uzor_common rule and the installer's shell all pick the same one (docs/language.md)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from appliance.agency import i18n as agency_i18n
from configurator import i18n as configurator_i18n
from licensing import i18n as licensing_i18n
from uzor_common.language import from_environment

REPO = Path(__file__).resolve().parents[2]
VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
ENVIRONMENTS = [
    ({"LANGUAGE": "ru:en"}, "ru"),
    ({"LANGUAGE": "de:ru", "LANG": "en_US.UTF-8"}, "ru"),
    ({"LANGUAGE": "fr", "LC_MESSAGES": "ru_RU.UTF-8"}, "ru"),
    ({"LC_ALL": "C", "LANG": "ru_RU.UTF-8"}, "en"),
    ({"LC_MESSAGES": "ru_RU"}, "ru"),
    ({"LC_ALL": "ru_RU.UTF-8", "LANG": "en_GB.UTF-8"}, "ru"),
    ({"LANG": "de_DE.UTF-8"}, "en"),
    ({"LANG": "ru_RU.UTF-8"}, "ru"),
    ({}, "en"),
]
LICENSING_PROBE = "'customer' must not contain control characters"  # in its Russian catalogue


def licensing_language() -> str:
    licensing_i18n.set_language(None)  # back to the environment
    return "en" if licensing_i18n._(LICENSING_PROBE) == LICENSING_PROBE else "ru"


def shell_language(environ: dict[str, str]) -> str:
    script = f". {REPO / 'installer' / 'preflight.sh'}; uzor_language"
    done = subprocess.run(
        ["bash", "-c", script],
        env={"PATH": os.environ["PATH"], **environ},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


COMPONENTS: dict[str, Callable[[dict[str, str]], str]] = {
    "uzor_common": lambda env: from_environment(),
    "licensing gate": lambda env: licensing_language(),
    "configurator": lambda env: configurator_i18n.language_from_environment(),
    "agency": lambda env: agency_i18n.process_language(),
    "installer shell": shell_language,
}


@pytest.fixture(autouse=True)
def restore_licensing_language() -> Iterator[None]:
    yield
    licensing_i18n.set_language(None)


@pytest.mark.parametrize(("environ", "expected"), ENVIRONMENTS, ids=repr)
def test_every_component_picks_the_same_language(
    environ: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    picked = {component: language(environ) for component, language in COMPONENTS.items()}
    assert picked == dict.fromkeys(COMPONENTS, expected)
