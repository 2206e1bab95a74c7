"""Step "license": the server ID to send to the vendor, then the license key (pasted or a
path) checked and written to /etc/uzor/license.key by the licensing package's own door
(``licensing.store``: the same check the daemons make, then an atomic 0644 write)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from configurator.core.context import Context
from configurator.core.files import file_reason
from configurator.core.questions import Kind, Question, Validator
from configurator.core.step import Progress, StepError, StepResult
from configurator.i18n import _
from licensing.errors import LicenseError
from licensing.gate import KeySource, check_license, trusted_keys
from licensing.server_id import current_server_id
from licensing.store import check_license_text, save_license


class LicenseKeyError(ValueError):
    """Why a license key cannot be used; ``str()`` is the message for the user."""


def _keys(ctx: Context) -> KeySource:
    return trusted_keys(ctx.paths.public_keys)


def key_text(answer: str) -> tuple[str, str]:
    """The license key itself from what was given (a path to a file, or the pasted key) and
    where it came from, for messages."""
    candidate = answer.strip()
    if candidate.startswith("/") and "\n" not in candidate:
        try:
            return Path(candidate).read_text().strip() + "\n", candidate
        except OSError as exc:
            raise LicenseKeyError(
                _("Cannot read {path}: {reason}").format(path=candidate, reason=file_reason(exc))
            ) from exc
    return candidate + "\n", _("the pasted key")


def checked_key(ctx: Context, answer: str) -> tuple[str, str]:
    """The key text and its source, once licensing accepts it for this server."""
    text, source = key_text(answer)
    try:
        check_license_text(text, _keys(ctx), source=source)
    except LicenseError as exc:
        raise LicenseKeyError(str(exc)) from exc
    return text, source


def installed_license_is_valid(ctx: Context) -> bool:
    try:
        check_license(ctx.paths.license_file, _keys(ctx))
    except LicenseError:
        return False
    return True


def _validator(ctx: Context) -> Validator:
    def validate(value: Any, _answers: Mapping[str, Any]) -> str | None:
        if not str(value).strip():
            return None
        try:
            checked_key(ctx, str(value))
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
        if installed_license_is_valid(ctx):
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
        return str(ctx.state.setdefault("server_id", current_server_id()))

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
            if installed_license_is_valid(ctx):
                progress(_("The installed license is kept."))
            else:
                progress(later_instructions(ctx))
            return StepResult()
        try:
            text, source = key_text(answer)
            license_ = check_license_text(text, _keys(ctx), source=source)
            if _installed_text(path) == license_.armoured():
                progress(_("This license key is already installed."))
                return StepResult()
            save_license(text, path, _keys(ctx), source=source)
        except (LicenseKeyError, LicenseError) as exc:
            raise StepError(str(exc)) from exc
        progress(_("License key written to {path}.").format(path=path))
        return StepResult(changed=True)


def _installed_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def later_instructions(ctx: Context) -> str:
    return _(
        "Put the license key you receive into {path} and restart the agency: "
        "systemctl restart {unit} (or run {command} again)."
    ).format(path=ctx.paths.license_file, unit="uzor-agency@1", command="/opt/uzor/configurator.sh")
