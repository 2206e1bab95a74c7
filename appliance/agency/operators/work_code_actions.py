"""The ACP side of pause reasons and dispositions: a pause only for an offered reason (with its
own limit), and ``set_disposition`` checked against the offer and recorded with its call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appliance.agency.acp.messages import ACPError, Action
from appliance.agency.database import DispositionRecord
from appliance.agency.i18n import _
from appliance.agency.operators import machine as m
from appliance.agency.operators.effects import Plan
from appliance.agency.operators.session import Session

if TYPE_CHECKING:
    from appliance.agency.operators.service import OperatorService


def pause_limit(session: Session, reason: str, action: Action | None = None) -> float | None:
    """The offered reason's own limit; a reason not offered is refused when the operator is
    offered any (none offered: free reasons, as before the admin defined pause reasons)."""
    offer = session.offer
    offered = offer.pause_reason(reason)
    if offered is None and offer.pause_reasons and reason not in m.SYSTEM_REASONS:
        raise ACPError(
            "not_allowed",
            _(
                "the pause reason '{reason}' is not offered to you; choose one of: {codes}",
                reason=reason,
                codes=", ".join(r.code for r in offer.pause_reasons),
            ),
            id=None if action is None else action.id,
            details={"offered": [r.code for r in offer.pause_reasons]},
        )
    return None if offered is None or offered.max_seconds is None else float(offered.max_seconds)


async def set_disposition(service: OperatorService, session: Session, action: Action) -> Plan:
    code = action.data["code"]
    if session.offer.disposition(code) is None:
        offered = [d.code for d in session.offer.dispositions]
        raise ACPError(
            "not_allowed",
            _("the disposition '{code}' is not offered to you", code=code)
            if offered
            else _("no disposition is offered to you"),
            id=action.id,
            details={"offered": offered},
        )
    now = service.clock()
    call_id = session.operator.pending_call
    leg = session.last_leg if session.last_leg and session.last_leg.call_id == call_id else None

    def reply() -> dict[str, Any]:
        record = DispositionRecord(
            session.agent,
            code,
            call_id,
            leg.channel or None if leg else None,
            leg.group or None if leg else None,
            now,
        )
        service.records.write(
            f"disposition of {session.agent}", lambda: service.store.record_disposition(record)
        )
        if service.call_log is not None:  # the call's record too
            service.call_log.disposition(session.agent, call_id, code)
        return session.snapshot(now)

    return service.plan(session, lambda op: m.set_disposition(op, now), reply)
