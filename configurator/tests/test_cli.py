"""Options of ``uzor-configure`` that need no database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def configure(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "configurator", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_follows_the_language() -> None:
    russian = configure("--help", "--lang", "ru")
    assert russian.returncode == 0
    assert "Настройка комплекса Узор" in russian.stdout
    english = configure("--help", "--lang=en")
    assert "Configure the Uzor appliance" in english.stdout


def test_yes_without_a_terminal_takes_every_default(tmp_path: Path) -> None:
    result = configure("--plain", "--yes", "--lang", "en", "--root", str(tmp_path / "r"))
    assert "Perform automatic configuration" not in result.stdout
    assert "== Database ==" in result.stdout
    # The default is the local server's socket, which nothing serves on the test machine.
    assert result.returncode == 1
    assert (
        "Error: Cannot connect to the database server /run/mysqld/mysqld.sock as root"
        in result.stderr
    )
    assert not (tmp_path / "r").exists()


def test_a_bad_language_is_a_usage_error() -> None:
    result = configure("--lang", "de")
    assert result.returncode == 2
    assert "--lang: invalid choice: 'de'" in result.stderr


def test_an_answers_file_saying_configure_false_changes_nothing(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("configure: false\nlanguage: ru\n")
    result = configure("--answers", str(answers), "--root", str(tmp_path / "r"))
    assert result.returncode == 0
    assert "Автоматическая настройка не выполнялась; ничего не изменено." in result.stdout
    assert not (tmp_path / "r").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="drops from root to nobody to show the refusal")
def test_on_the_live_system_it_needs_root(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            sys.executable,
            "-m",
            "configurator",
            "--plain",
            "--lang",
            "en",
        ],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    assert "Run the configurator as root" in result.stderr
