"""Running the steps in order for the line-by-line shells (plain prompts, answers file); the
TUI walks the same steps screen by screen with the same helpers."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Protocol

from configurator.core.context import Context
from configurator.core.questions import Answers, Question
from configurator.core.step import CHANGED_STEPS, Progress, Step, StepError, StepResult


class Outcome(enum.Enum):
    DONE = "done"
    DECLINED = "declined"  # the greeting was answered "n": nothing changed
    FAILED = "failed"


class Shell(Protocol):
    def show_step(self, title: str, intro: str) -> None:
        """Show a step's heading and introduction."""
        ...

    def ask(self, questions: Sequence[Question], answers: Answers) -> None:
        """Put a checked answer for every applicable question into ``answers``."""
        ...

    def show_error(self, message: str) -> None: ...

    def retry(self) -> bool:
        """After a failed step: ask its questions again (True) or give up (False)."""
        ...


def applicable(questions: Sequence[Question], answers: Answers) -> list[Question]:
    """The questions that apply given the answers so far (checked one at a time, in order)."""
    return [q for q in questions if q.applies(answers)]


def unasked(questions: Sequence[Question], preset: Answers) -> list[Question]:
    return [q for q in questions if q.key not in preset]


def forget_inapplicable(questions: Sequence[Question], answers: Answers) -> None:
    """Drop answers to questions that no longer apply (a changed choice)."""
    for question in questions:
        if not question.applies(answers):
            answers.pop(question.key, None)


def apply_step(ctx: Context, step: Step, answers: Answers, progress: Progress) -> StepResult:
    """Apply one step and remember whether it changed anything (the services step restarts
    only what a change needs)."""
    result = step.apply(ctx, answers, progress)
    if result.changed:
        changed: list[str] = ctx.state.setdefault(CHANGED_STEPS, [])
        changed.append(step.id)
    return result


def run_steps(
    ctx: Context,
    steps: Sequence[Step],
    shell: Shell,
    progress: Progress,
    preset: Answers | None = None,
) -> Outcome:
    """Ask and apply every step in order; ``preset`` answers are not asked (``--yes``)."""
    answers: Answers = dict(preset or {})
    for step in steps:
        while True:
            shell.show_step(step.title(), step.intro(ctx))
            shell.ask(unasked(step.questions(ctx), preset or {}), answers)
            try:
                result = apply_step(ctx, step, answers, progress)
            except StepError as exc:
                shell.show_error(str(exc))
                if shell.retry():
                    continue
                return Outcome.FAILED
            break
        if result.stop:
            return Outcome.DECLINED
    return Outcome.DONE
