"""Step "superuser": the admin's first account (user name, e-mail, password twice)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from typing import Any

from configurator.core import django_superuser
from configurator.core.commands import run_streaming
from configurator.core.context import Context
from configurator.core.questions import Kind, Question, same_as, valid_email
from configurator.core.step import Progress, StepError, StepResult
from configurator.i18n import _, current_language

SUPERUSER_EXISTS = "superuser.exists"


def _creating(answers: Mapping[str, Any]) -> bool:
    return bool(answers.get("superuser.create"))


def superuser_exists(ctx: Context) -> bool:
    """Whether the admin already has a superuser (False when that cannot be told, e.g. before
    the database exists). Asked once per run: the screens ask for the questions often."""
    if SUPERUSER_EXISTS not in ctx.state:
        ctx.state[SUPERUSER_EXISTS] = _ask_whether_a_superuser_exists(ctx)
    return bool(ctx.state[SUPERUSER_EXISTS])


def _ask_whether_a_superuser_exists(ctx: Context) -> bool:
    try:
        result = subprocess.run(
            ctx.superuser_command,
            input=json.dumps({"check": True}),
            capture_output=True,
            text=True,
            env={**os.environ, **ctx.admin_env()},
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == django_superuser.EXISTS


def later_hint() -> str:
    return _("The account can be created later with the command {command}").format(
        command="uzor-admin createsuperuser"
    )


class SuperuserStep:
    id = "superuser"

    def title(self) -> str:
        return _("Superuser")

    def intro(self, ctx: Context) -> str:
        return _("An account for the administrative interface (Admin).")

    def questions(self, ctx: Context) -> list[Question]:
        return [
            Question(
                "superuser.create",
                Kind.CONFIRM,
                _("Create a superuser account for Admin (y/n)?"),
                default=not superuser_exists(ctx),  # a re-run: "no" unless asked for
            ),
            Question("superuser.username", Kind.TEXT, _("Username"), "root", when=_creating),
            Question(
                "superuser.email",
                Kind.TEXT,
                _("E-mail address"),
                "",
                validate=valid_email,
                when=_creating,
                required=False,
            ),
            Question("superuser.password", Kind.PASSWORD, _("Password"), when=_creating),
            Question(
                "superuser.password_again",
                Kind.PASSWORD,
                _("Password (again)"),
                validate=same_as("superuser.password"),
                when=_creating,
                retry_from="superuser.password",
            ),
        ]

    def apply(self, ctx: Context, answers: Mapping[str, Any], progress: Progress) -> StepResult:
        if not _creating(answers):
            progress(later_hint())
            return StepResult()
        username = answers["superuser.username"]
        request = {
            "username": username,
            "email": answers.get("superuser.email") or "",
            "password": answers["superuser.password"],
            "language": current_language(),
        }
        command = ctx.superuser_command
        try:
            result = run_streaming(
                command, progress, env=ctx.admin_env(), stdin_text=json.dumps(request)
            )
        except OSError as exc:
            raise StepError(
                _("Cannot run {command}: {reason}").format(
                    command=" ".join(command), reason=exc.strerror or exc
                )
            ) from exc
        if result.returncode == django_superuser.EXISTS:
            progress(
                _("A user named {name} already exists; it was left unchanged.").format(
                    name=username
                )
            )
            return StepResult()
        if result.returncode == django_superuser.REJECTED_PASSWORD:
            raise StepError(_("The password was rejected:") + "\n" + result.tail())
        if result.returncode != django_superuser.CREATED:
            raise StepError(
                _("Creating the superuser failed (exit status {status}):").format(
                    status=result.returncode
                )
                + "\n"
                + result.tail()
            )
        progress(_("Superuser created successfully."))
        return StepResult(changed=True)
