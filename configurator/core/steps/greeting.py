"""The greeting: product name, registration certificate, "Perform automatic configuration?"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configurator.core.context import Context
from configurator.core.questions import Kind, Question
from configurator.core.step import Progress, StepResult
from configurator.i18n import _


def greeting_text() -> str:
    return "\n".join(
        [
            _("Uzor"),
            _(
                "Certificate No. 2019661086 of 19 August 2019, "
                "Federal Service for Intellectual Property"
            ),
        ]
    )


class GreetingStep:
    id = "greeting"

    def title(self) -> str:
        return _("Uzor")

    def intro(self, ctx: Context) -> str:
        return greeting_text()

    def questions(self, ctx: Context) -> list[Question]:
        return [
            Question(
                key="configure",
                kind=Kind.CONFIRM,
                prompt=_("Perform automatic configuration (y/n)?"),
                default=True,
            )
        ]

    def apply(self, ctx: Context, answers: Mapping[str, Any], progress: Progress) -> StepResult:
        if not answers.get("configure"):
            progress(_("Automatic configuration was not performed; nothing was changed."))
            progress(
                _("It can be run later with the command {command}").format(
                    command="/opt/uzor/configurator.sh"
                )
            )
            return StepResult(stop=True)
        return StepResult()
