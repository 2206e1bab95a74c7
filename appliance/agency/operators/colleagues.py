"""The ``colleagues`` action: the other operators logged in to this agency, for the phone book
of the terminal's dial window (calling a colleague is dialling the colleague's workplace)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appliance.agency.acp.messages import Action
from appliance.agency.operators.effects import Plan
from appliance.agency.operators.session import Session

if TYPE_CHECKING:
    from appliance.agency.operators.service import OperatorService


def colleagues_of(service: OperatorService, agent: str) -> list[dict[str, Any]]:
    """Every session but the caller's, by agent number: who, where, in which state (and why)."""
    return [
        {
            "agent": s.agent,
            "name": s.record.name,
            "workplace": s.workplace.number,
            "mode": s.operator.mode.value,
            "state": s.operator.state.value,
            "reason": s.operator.reason,
        }
        for s in sorted(service.sessions.values(), key=lambda s: s.agent)
        if s.agent != agent
    ]


async def colleagues(service: OperatorService, session: Session, action: Action) -> Plan:
    return Plan([], lambda: {"colleagues": colleagues_of(service, session.agent)})
