"""The Textual application: walks the configurator's steps screen by screen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import App

from configurator.core.context import Context
from configurator.core.questions import Answers, Question
from configurator.core.step import Step
from configurator.core.steps import all_steps
from configurator.core.wizard import Outcome
from configurator.i18n import _
from configurator.tui.screens import StepScreen
from uzor_common.exitcodes import ExitCode


class ConfiguratorApp(App[Outcome]):
    TITLE = "Uzor"

    def __init__(
        self, ctx: Context, steps: Sequence[Step] | None = None, preset: Answers | None = None
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.steps = list(steps or all_steps())
        self.preset: Answers = dict(preset or {})
        self.answers: Answers = dict(self.preset)
        self.transcript: list[str] = []
        self._questions: dict[str, list[Question]] = {}
        self._intros: dict[str, str] = {}

    def on_mount(self) -> None:
        self.title = _("Uzor")
        self.advance(0)

    def advance(self, index: int) -> None:
        self.push_screen(StepScreen(self.steps[index], index))

    def questions_of(self, step: Step) -> list[Question]:
        if step.id not in self._questions:
            self._questions[step.id] = step.questions(self.ctx)
        return self._questions[step.id]

    def intro_of(self, step: Step) -> str:
        if step.id not in self._intros:
            self._intros[step.id] = step.intro(self.ctx)
        return self._intros[step.id]

    def outcome_done(self) -> Outcome:
        return Outcome.DONE

    def outcome_declined(self) -> Outcome:
        return Outcome.DECLINED


def run_tui(ctx: Context, preset: Answers | None = None) -> int:
    app = ConfiguratorApp(ctx, preset=preset)
    outcome: Any = app.run()
    for block in app.transcript[-1:]:
        print(block)
    if outcome is None:  # quit with ctrl+q
        return ExitCode.ABORTED
    return ExitCode.OK if outcome in (Outcome.DONE, Outcome.DECLINED) else ExitCode.FAILURE
