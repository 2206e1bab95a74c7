"""The configurator's steps, in the manual's order."""

from __future__ import annotations

from configurator.core.step import Step
from configurator.core.steps.agency_access import AgencyAccessStep
from configurator.core.steps.database import DatabaseStep
from configurator.core.steps.finish import FinishStep
from configurator.core.steps.greeting import GreetingStep
from configurator.core.steps.license import LicenseStep
from configurator.core.steps.migrate import MigrateStep
from configurator.core.steps.services import ServicesStep
from configurator.core.steps.superuser import SuperuserStep
from configurator.core.steps.tls import TlsStep


def all_steps() -> list[Step]:
    return [
        GreetingStep(),
        DatabaseStep(),
        MigrateStep(),
        AgencyAccessStep(),
        SuperuserStep(),
        TlsStep(),
        LicenseStep(),
        ServicesStep(),
        FinishStep(),
    ]


__all__ = ["all_steps"]
