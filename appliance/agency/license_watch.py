"""The license re-read while the agency runs (issue 13, item 9).

Every ``license.recheck_seconds`` the license file goes through the same typed check as at
start-up (``licensing.gate.require_license``). A replaced valid license takes effect at once (its
operator limit, its end); one that no longer passes (removed, altered, expired, another server)
stops new logins with ``license_expired`` while the sessions already running keep working, and
every terminal gets the ``license`` notification; a valid file put back accepts logins again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from appliance.agency.acp import outgoing as out
from appliance.agency.config import AgencyConfig
from appliance.agency.i18n import Text, _
from appliance.agency.operators.license_notice import parse_not_after
from appliance.agency.running import Agency, LicenseInfo
from licensing.errors import Expired
from licensing.gate import KeySource, LicenseRefusedError, configured_location, require_license

log = logging.getLogger(__name__)
COMPONENT = "uzor-agency"

# the licensing gate's typed check: the license, or LicenseRefusedError
Gate = Callable[[str, Path, KeySource], Any]
# one check of the configured license file: its facts, or LicenseRefusedError
Check = Callable[[], LicenseInfo]


def license_info(license: Any) -> LicenseInfo:
    """The facts the agency uses from a license the gate passed."""
    not_after = getattr(license, "not_after", None)
    limits = getattr(license, "limits", None)
    return LicenseInfo(
        str(getattr(license, "license_id", "")),
        str(getattr(license, "customer", "")),
        None if not_after is None else str(not_after),
        getattr(limits, "max_operators", None),
        getattr(limits, "max_pbx_units", None),
    )


def configured_check(config: AgencyConfig, gate: Gate = require_license) -> Check:
    """The check of the license file the configuration (or the test environment) names."""

    def check() -> LicenseInfo:
        path, keys = configured_location(config.license.path, config.license.public_keys)
        return license_info(gate(COMPONENT, path, keys))

    return check


def refusal_text(refused: LicenseRefusedError) -> Text:
    """What an operator is told when the license no longer passes the check."""
    if isinstance(refused.reason, Expired):
        return _(
            "the license has expired: new logins are refused until a valid license is installed"
        )
    return _(
        "the license is no longer valid: new logins are refused until a valid license is installed"
    )


class LicenseWatch:
    """Re-runs the license check and applies its outcome to the running agency."""

    def __init__(
        self,
        check: Check,
        agency: Agency,
        interval: float,
        limits_changed: Callable[[LicenseInfo], None] = lambda _info: None,
    ) -> None:
        self.check = check
        self.agency = agency
        self.interval = interval
        self.limits_changed = limits_changed  # e.g. the PBX unit limit, for the unit registry

    async def recheck(self) -> None:
        """One check of the file, its outcome applied (logins, limits, terminals told)."""
        agency, logins = self.agency, self.agency.operators.logins
        try:
            info = await asyncio.to_thread(self.check)
        except LicenseRefusedError as refused:
            text = refusal_text(refused)
            if logins.license_refusal is None:
                log.error("license no longer valid, new logins refused: %s", refused.message)
                logins.license_refusal = text
                agency.license_valid = False
                agency.acp.broadcast(out.license_notice(text, agency.license.not_after))
            return
        changed = info != agency.license
        agency.license = info
        logins.max_operators = info.max_operators
        logins.license_not_after = parse_not_after(info.not_after)
        if changed:
            self.limits_changed(info)
        if logins.license_refusal is not None:
            log.warning("a valid license %s is installed again: logins accepted", info.license_id)
            logins.license_refusal = None
            agency.license_valid = True
            agency.acp.broadcast(
                out.license_notice(
                    _("a valid license is installed again: logins are accepted"), info.not_after
                )
            )
        elif changed:
            log.info("license replaced: %s for %s", info.license_id, info.customer)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.recheck()
            except Exception:  # the next round tries again; the agency keeps serving
                log.exception("license recheck failed")
