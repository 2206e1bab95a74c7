"""An agency with no PBX unit and no database, for the tests of its HTTP faces (REST, GUI)."""

from __future__ import annotations

from appliance.agency.acp.outgoing import Outbox
from appliance.agency.acp.server import ACPServer
from appliance.agency.config import load_config
from appliance.agency.metrics import Metrics
from appliance.agency.operators.service import OperatorService
from appliance.agency.rest.auth import TokenAuth
from appliance.agency.running import Agency, LicenseInfo


def idle_agency(token: str) -> Agency:
    config = load_config(None)
    operators = OperatorService(config.operators, store=None, units={}, notifier=Outbox())  # type: ignore[arg-type]
    acp = ACPServer(config.acp, operators)
    license = LicenseInfo("L1", "ACME", None, 10)
    metrics = Metrics(acp, {}, operators)
    return Agency(config, acp, operators, {}, TokenAuth(token), metrics, license, 0.0)
