"""The last screen: the admin URL for every address of the server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configurator.core.context import Context
from configurator.core.network import admin_urls, host_names
from configurator.core.questions import Question
from configurator.core.step import Progress, StepResult
from configurator.core.steps.license import later_instructions
from configurator.i18n import _


class FinishStep:
    id = "finish"

    def title(self) -> str:
        return _("Done")

    def intro(self, ctx: Context) -> str:
        return ""

    def questions(self, ctx: Context) -> list[Question]:
        return []

    def apply(self, ctx: Context, answers: Mapping[str, Any], progress: Progress) -> StepResult:
        urls = admin_urls(ctx.addresses()) or [f"https://{host_names()[0]}/admin/"]
        progress(_("URL for access to the interface:"))
        for url in urls:
            progress(url)
        if not ctx.paths.license_file.is_file():
            progress(later_instructions(ctx))
        progress(
            _("The configuration can be repeated later with the command {command}").format(
                command="/opt/uzor/configurator.sh"
            )
        )
        return StepResult()
