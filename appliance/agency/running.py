"""The running agency's parts, wired once in app.py and shared by REST and the GUI."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from appliance.agency.acp import outgoing as out
from appliance.agency.acp.clients import Client
from appliance.agency.acp.server import ACPServer
from appliance.agency.config import AgencyConfig, redacted
from appliance.agency.i18n import Text, _
from appliance.agency.metrics import Metrics
from appliance.agency.operators.service import OperatorService
from appliance.agency.rest.auth import TokenAuth
from appliance.ami.manager import AMIManager


@dataclass
class LicenseInfo:
    license_id: str
    customer: str
    not_after: str | None
    max_operators: int | None
    max_pbx_units: int | None = None


@dataclass
class Agency:
    config: AgencyConfig
    acp: ACPServer
    operators: OperatorService
    units: dict[str, AMIManager]
    auth: TokenAuth
    metrics: Metrics
    license: LicenseInfo  # the last one that passed the check (license_watch.py keeps it)
    started_at: float
    license_valid: bool = True  # False while the file no longer passes the check

    def describe(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at,
            "uptime_seconds": round(time.time() - self.started_at, 1),
            "units": [
                {
                    "name": name,
                    "link": unit.state.value,
                    "last_error": unit.last_error,
                    "reconnects": unit.reconnects,
                    "events": unit.total_events(),
                }
                for name, unit in sorted(self.units.items())
            ],
            "terminals": len(self.acp.clients),
            "operators": len(self.operators.sessions),
            "records": {  # intervals and sessions waiting for the database, retried, dropped
                "pending": self.operators.records.pending,
                "retries": self.operators.records.retries,
                "dropped": self.operators.records.dropped,
            },
            "max_clients": self.acp.max_clients,
            "license": {
                "license_id": self.license.license_id,
                "customer": self.license.customer,
                "not_after": self.license.not_after,
                "max_operators": self.license.max_operators,
                "max_pbx_units": self.license.max_pbx_units,
                "valid": self.license_valid,
            },
        }

    def config_view(self) -> dict[str, Any]:
        view = redacted(self.config)
        view["acp"]["max_clients"] = self.acp.max_clients
        return view

    def clients(self) -> list[dict[str, Any]]:
        now = time.time()
        rows = []
        for client in list(self.acp.clients.values()):
            row: dict[str, Any] = dict(client.describe())
            session = self.operators.sessions.get(client.agent or "")
            row["session"] = session.snapshot(now) if session is not None else None
            rows.append(row)
        return rows

    def set_maintenance(self, active: bool, message: str = "") -> None:
        """Enter or leave maintenance; terminals get the supervisor's ``message`` as written,
        or, without one, a standard text in each terminal's language."""
        self.acp.maintenance = active
        text: Text | str = message or (
            _("the agency is under maintenance: new logins are refused")
            if active
            else _("maintenance is over: logins are accepted again")
        )
        self.acp.broadcast(out.maintenance(active, text))

    async def end_client(self, client: Client) -> None:
        if client.agent is not None:
            await self.operators.force_logout(client.agent, "supervisor")
        await self.acp.end_session(client, "ended by supervisor")
