"""What every configurator step looks like, and what it gets to work with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from configurator.core.context import Context
from configurator.core.questions import Question

Progress = Callable[[str], None]

CHANGED_STEPS = "changed_steps"  # Context.state key: ids of the steps that changed something
DAEMON_RELOAD = "daemon_reload"  # Context.state key: a unit's drop-in changed; systemd rereads


class StepError(Exception):
    """A step could not finish; ``str()`` is the message for the user (no secrets in it)."""


@dataclass
class StepResult:
    changed: bool = False
    stop: bool = False  # end the configurator here (the greeting answered "n")
    notes: list[str] = field(default_factory=list)


class Step(Protocol):
    id: str

    def title(self) -> str:
        """The step's heading in the current language."""
        ...

    def intro(self, ctx: Context) -> str:
        """Text shown before the questions (may be empty)."""
        ...

    def questions(self, ctx: Context) -> list[Question]:
        """What to ask; a question's ``when`` decides whether it applies to given answers."""
        ...

    def apply(self, ctx: Context, answers: Mapping[str, Any], progress: Progress) -> StepResult:
        """Do the work, report progress lines through ``progress``; raise StepError on failure."""
        ...
