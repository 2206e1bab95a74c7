"""Step "services": (re)start the admin, nginx and the agency, when systemd runs this machine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configurator.core.context import AGENCY_UNIT, Context
from configurator.core.questions import Question
from configurator.core.services import ServiceError
from configurator.core.step import (
    CHANGED_STEPS,
    DAEMON_RELOAD,
    Progress,
    StepError,
    StepResult,
)
from configurator.i18n import _

ADMIN_UNIT = "uzor-admin"
NGINX_UNIT = "nginx"


class ServicesStep:
    id = "services"

    def title(self) -> str:
        return _("Services")

    def intro(self, ctx: Context) -> str:
        return _("The appliance's services are restarted with the new configuration.")

    def questions(self, ctx: Context) -> list[Question]:
        return []

    def apply(self, ctx: Context, answers: Mapping[str, Any], progress: Progress) -> StepResult:
        progress(_("Restarting services..."))
        with_license = ctx.paths.license_file.is_file()
        # the agency refuses to start without a valid license; the admin then serves only the
        # page that says how to install one
        units = [ADMIN_UNIT, NGINX_UNIT, AGENCY_UNIT] if with_license else [ADMIN_UNIT, NGINX_UNIT]
        if not ctx.services.available():
            progress(
                _(
                    "systemd does not run this system: the services {units} were not started."
                ).format(units=", ".join(units))
            )
            return StepResult()
        if ctx.state.pop(DAEMON_RELOAD, False):
            try:
                ctx.services.daemon_reload()
            except ServiceError as exc:
                raise StepError(str(exc)) from exc
        anything_changed = bool(ctx.state.get(CHANGED_STEPS))
        failures: list[str] = []
        restarted = 0
        for unit in units:
            if not ctx.services.is_installed(unit):
                progress("  " + _("{unit}: not installed, skipped").format(unit=unit))
                continue
            if not anything_changed and ctx.services.is_active(unit):
                progress("  " + _("{unit}: running, nothing changed").format(unit=unit))
                continue
            try:
                if unit == NGINX_UNIT:
                    ctx.services.reload_or_restart(unit)
                else:
                    ctx.services.restart(unit)
            except ServiceError as exc:
                failure = _("{unit}: did not start: {reason}")
                failure = failure.format(unit=unit, reason=exc.reason)
                progress("  " + failure)
                failures.append(failure)
                continue
            restarted += 1
            progress("  " + _("{unit}: running").format(unit=unit))
        if not with_license:
            progress(
                _(
                    "The agency ({agency}) starts once a license is installed; until then the "
                    "admin ({admin}) shows how to install one."
                ).format(admin=ADMIN_UNIT, agency=AGENCY_UNIT)
            )
        if failures:
            raise StepError("\n".join([_("Some services did not start:"), *failures]))
        return StepResult(changed=restarted > 0)
