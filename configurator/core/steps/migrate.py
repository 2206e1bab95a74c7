"""Step "migrations": ``uzor-admin migrate`` with every applied migration shown as it runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configurator.core.commands import run_streaming
from configurator.core.context import Context
from configurator.core.questions import Question
from configurator.core.step import Progress, StepError, StepResult
from configurator.i18n import _


class MigrateStep:
    id = "migrate"

    def title(self) -> str:
        return _("Creating tables")

    def intro(self, ctx: Context) -> str:
        return _("The admin's database tables are created or brought up to date.")

    def questions(self, ctx: Context) -> list[Question]:
        return []

    def apply(self, ctx: Context, answers: Mapping[str, Any], progress: Progress) -> StepResult:
        progress(_("Creating tables..."))
        # --skip-checks: on a first install there is no license yet, and the admin's system
        # check uzor.E001 would stop migrate; the license step comes later.
        command = [*ctx.admin_command, "migrate", "--noinput", "--skip-checks"]
        try:
            result = run_streaming(command, progress, env=ctx.admin_env())
        except OSError as exc:
            raise StepError(
                _("Cannot run {command}: {reason}").format(
                    command=" ".join(command), reason=exc.strerror or exc
                )
            ) from exc
        if result.returncode != 0:
            raise StepError(
                _("{command} failed with exit status {status}.").format(
                    command=" ".join(command), status=result.returncode
                )
            )
        applied = [line for line in result.lines if line.strip().startswith("Applying ")]
        return StepResult(changed=bool(applied))
