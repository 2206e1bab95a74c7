"""Step "agency_access": the agency's database user gets exactly the grants the contract says
(``dbsetup.agency_grants``), after the migrations made the admin's tables; any other grant it
has is taken away, so a re-run repairs them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from configurator.core.context import Context
from configurator.core.dbsetup import AppAccount, DatabaseSetupError, ensure_agency_grants
from configurator.core.files import read_secret
from configurator.core.questions import Question
from configurator.core.step import Progress, StepError, StepResult
from configurator.core.steps.database import account_host, agency_user_name, server_from_answers
from configurator.i18n import _


class AgencyAccessStep:
    id = "agency_access"

    def title(self) -> str:
        return _("The agency's database access")

    def intro(self, ctx: Context) -> str:
        return _(
            "The agency has its own database user: it may read only the admin's tables the "
            "agency needs and change only the agency's own tables."
        )

    def questions(self, ctx: Context) -> list[Question]:
        return []

    def apply(self, ctx: Context, answers: Mapping[str, Any], progress: Progress) -> StepResult:
        progress(_("Granting the agency's database user its tables..."))
        password = read_secret(ctx.paths.agency_db_password_file)
        if password is None:
            raise StepError(
                _("{path} is missing: run the database step again.").format(
                    path=ctx.paths.agency_db_password_file
                )
            )
        account = AppAccount(
            database=answers["database.name"],
            user=agency_user_name(answers["database.user"]),
            password=password,
            host=account_host(answers),
        )
        try:
            changes = ensure_agency_grants(server_from_answers(answers), account)
        except DatabaseSetupError as exc:
            raise StepError(str(exc)) from exc
        for change in changes:
            progress("  " + change)
        if not changes:
            progress("  " + _("the agency's privileges are already in place"))
        return StepResult(changed=bool(changes))
