"""Step "license": the server ID to send to the vendor, then the license key (pasted or a
path) checked and written to /etc/uzor/license.key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configurator.core.context import Context
from configurator.core.files import write_file
from configurator.core.licensecheck import (
    LicenseKeyError,
    installed_license_is_valid,
    key_text,
    server_id,
    verify_key,
)
from configurator.core.questions import Kind, Question
from configurator.core.step import Progress, StepError, StepResult
from configurator.i18n import _


def _validator(ctx: Context) -> Any:
    def validate(value: Any, _answers: Mapping[str, Any]) -> str | None:
        if not str(value).strip():
            return None
        try:
            text, source = key_text(str(value))
            verify_key(text, ctx.paths, source)
        except LicenseKeyError as exc:
            return str(exc)
        return None

    return validate


class LicenseStep:
    id = "license"

    def title(self) -> str:
        return _("License")

    def intro(self, ctx: Context) -> str:
        lines = [
            _(
                "A unique server ID bound to this server's hardware follows. When the hardware "
                "changes, a new ID is needed and with it a new license key."
            ),
            "",
            _("To get a license key, send this hardware binding code to your Uzor vendor:"),
            "",
            self.copy_text(ctx),
            "",
        ]
        if installed_license_is_valid(ctx.paths):
            lines.append(
                _("A valid license is installed in {path}; leave the key empty to keep it.").format(
                    path=ctx.paths.license_file
                )
            )
        else:
            lines.append(
                _(
                    "Paste the license key or give the path of its file; leave it empty to add "
                    "it later."
                )
            )
        return "\n".join(lines)

    def copy_text(self, ctx: Context) -> str:
        """The line of the intro meant to be copied whole (the TUI shows it as a field)."""
        return str(ctx.state.setdefault("server_id", server_id()))

    def questions(self, ctx: Context) -> list[Question]:
        return [
            Question(
                "license.key",
                Kind.MULTILINE,
                _("License key or the path of its file"),
                default="",
                validate=_validator(ctx),
                required=False,
            )
        ]

    def apply(self, ctx: Context, answers: Mapping[str, Any], progress: Progress) -> StepResult:
        answer = str(answers.get("license.key") or "").strip()
        path = ctx.paths.license_file
        if not answer:
            if installed_license_is_valid(ctx.paths):
                progress(_("The installed license is kept."))
            else:
                progress(later_instructions(ctx))
            return StepResult()
        try:
            text, source = key_text(answer)
            canonical = verify_key(text, ctx.paths, source)
        except LicenseKeyError as exc:
            raise StepError(str(exc)) from exc
        # Not a secret (hashes and limits) and read by the daemons: 0644, as licensing.store.
        if write_file(path, canonical, 0o644):
            progress(_("License key written to {path}.").format(path=path))
            return StepResult(changed=True)
        progress(_("This license key is already installed."))
        return StepResult()


def later_instructions(ctx: Context) -> str:
    return _(
        "Put the license key you receive into {path} and restart the agency: "
        "systemctl restart {unit} (or run {command} again)."
    ).format(path=ctx.paths.license_file, unit="uzor-agency@1", command="/opt/uzor/configurator.sh")
