"""The Russian TUI shows no English: every step's screen, its errors and its log, as the
terminal shows them, contain none of the English texts of the configurator's catalog."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from configurator.core.step import Step
from configurator.core.steps import all_steps
from configurator.core.steps.finish import FinishStep
from configurator.i18n import set_language
from configurator.tests.helpers import make_context
from configurator.tests.test_translations import po_entries
from configurator.tui.app import ConfiguratorApp
from configurator.tui.fields import QuestionField
from configurator.tui.screens import StepScreen

SIZE = (160, 80)  # everything in view: the text below is what the terminal shows
# Texts Textual itself would show in English, and short words of our own
FOREIGN = ["Next", "Back", "Finish", "Error", "Quit", "palette", "Yes", "No"]


@pytest.fixture(autouse=True)
def russian() -> Iterator[None]:
    set_language("ru")
    yield
    set_language("en")


def english_texts() -> set[str]:
    texts = set()
    for msgid in po_entries():
        if "{" in msgid or re.search("[а-яё]", msgid, re.IGNORECASE):
            continue
        if len(msgid.split()) >= 2 or (msgid[:1].isupper() and len(msgid) > 3):
            texts.add(" ".join(msgid.split()))
    return texts


def shown(app: ConfiguratorApp) -> str:
    """The terminal's text (from Textual's screenshot), whitespace collapsed."""
    svg = app.export_screenshot()
    text = html.unescape(re.sub(r"(?s)<[^>]+>", " ", svg.split("</style>", 1)[-1]))
    return " ".join(text.split())


def untranslated(text: str) -> list[str]:
    found = {t for t in english_texts() if t in text}
    found |= {w for w in FOREIGN if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)}
    return sorted(found)


def step_name(step: Step) -> str:
    return step.id


@pytest.mark.parametrize("step", all_steps(), ids=step_name)
async def test_every_step_screen_is_russian(tmp_path: Path, step: Step) -> None:
    app = ConfiguratorApp(make_context(tmp_path / "root"), [step, FinishStep()])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = shown(app)
    assert "Далее" in text or "Готово" in text, text
    assert untranslated(text) == [], text


async def test_errors_and_the_log_are_russian(tmp_path: Path) -> None:
    steps = [step for step in all_steps() if step.id in {"database", "services", "finish"}]
    app = ConfiguratorApp(make_context(tmp_path / "root"), steps)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, StepScreen)
        for field in screen.query(QuestionField):
            if field.question.key in {"database.name", "database.user"}:
                field.query_one(Input).value = "bad-name!"
        await pilot.press("ctrl+n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        errors = shown(app)
        assert "латинских" in errors.lower(), errors
        app.pop_screen()
        app.push_screen(StepScreen(steps[1], 1))  # services: its log, then the finish
        await pilot.pause()
        await pilot.press("ctrl+n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("ctrl+n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        log = shown(app)
    assert "https://192.0.2.10/admin/" in log, log
    assert untranslated(errors) == [], errors
    assert untranslated(log) == [], log
    assert untranslated(" ".join(app.transcript)) == [], app.transcript
