"""A logged-in operator: the machine state plus what binds it to a workplace, unit and terminal."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from appliance.agency.acp.clients import Client
from appliance.agency.database import GroupRecord, OperatorRecord, WorkplaceRecord
from appliance.agency.operators.machine import Mode, Operator, State, Task
from appliance.agency.operators.work_codes import Offer


@dataclass
class CallLeg:
    """What the agency knows of one call of a session on Asterisk."""

    call_id: str
    channel: str = ""
    peer: str = ""
    group: str = ""  # the queue (group) an inbound call came through
    topic: str = ""  # the inbound topic's number (the DID the caller dialled)
    bridging: bool = False  # answered, its bridge not entered yet (a transfer waits for it)


@dataclass
class Session:
    record: OperatorRecord
    groups: list[GroupRecord]
    workplace: WorkplaceRecord
    unit: str
    interface: str
    operator: Operator
    client: Client | None = None
    interval_start: float = 0.0
    legs: dict[str, CallLeg] = field(default_factory=dict)
    timer: asyncio.TimerHandle | None = None
    warning: asyncio.TimerHandle | None = None
    consult: CallLeg | None = None  # attended transfer: call_id, the target's channel, held call
    state_since: float | None = None  # when the shown state began (a call's own state too)
    offer: Offer = field(default_factory=Offer)  # pause reasons and dispositions offered
    last_leg: CallLeg | None = None  # the last call that ended (for its disposition)
    # Ready or Pause pressed while the unit's link was down: {"state", "reason"}, carried out
    # when the unit is back (after its resync); None when nothing waits
    pending: dict[str, Any] | None = None
    # SHA-256 of the terminal's resume token (operators/resume.py); None: none handed out
    resume_hash: str | None = None

    @property
    def agent(self) -> str:
        return self.record.agent

    def leg(self, call_id: str) -> CallLeg:
        return self.legs.setdefault(call_id, CallLeg(call_id))

    def snapshot(self, now: float) -> dict[str, Any]:
        """The ``session`` object of ACP (state, timers, calls)."""
        operator = self.operator
        deadline = operator.deadline()
        since = operator.since if self.state_since is None else self.state_since
        return {
            "mode": operator.mode.value,
            "state": operator.state.value,
            "reason": operator.reason,
            "since": datetime.fromtimestamp(since, UTC).isoformat(),
            "state_seconds": round(max(0.0, now - since), 3),
            "limit_seconds": None if deadline is None else round(max(0.0, deadline - now), 3),
            "calls": [
                {
                    "call_id": c.call_id,
                    "direction": c.direction.value,
                    "state": c.state.value,
                    "number": c.number,
                }
                for c in operator.calls
            ],
            "task": None
            if operator.task is None
            else {"project": operator.task.project, "activity": operator.task.activity},
            "auto_answer": operator.auto_answer,
            "disposition_call": operator.pending_call,
            "disposition_needed": operator.awaits_disposition,
            "pending": None if self.pending is None else dict(self.pending),
        }

    def persisted(self) -> dict[str, Any]:
        """What survives an agency restart (calls are re-learnt from Asterisk)."""
        operator = self.operator
        return {
            "workplace": self.workplace.mac,
            "unit": self.unit,
            "mode": operator.mode.value,
            "base": operator.base.value,
            "reason": operator.reason,
            "since": operator.since,
            "task": None
            if operator.task is None
            else [operator.task.project, operator.task.activity],
            "auto_answer": operator.auto_answer,
            "outbound_topic": operator.outbound_topic,
            "interval_start": self.interval_start,
            "resume_hash": self.resume_hash,
            "pause_seconds": operator.pause_seconds,
            "pending_call": operator.pending_call,
            "last_leg": None
            if self.last_leg is None
            else [self.last_leg.call_id, self.last_leg.channel, self.last_leg.group],
            # what the open interval is (a call's state included): a restart writes it as such
            "interval": [
                operator.mode.value,
                operator.state.value,
                operator.reason,
                operator.task.project if operator.task else None,
                operator.task.activity if operator.task else None,
            ],
        }


def restore_operator(
    agent: str, wrapup: float, pause_limit: float, data: dict[str, Any]
) -> Operator:
    task = data.get("task")
    base = State(data["base"])
    if base in (State.RINGING, State.DIALING, State.TALKING, State.HOLD):
        base = State.READY
    return Operator(
        agent,
        wrapup,
        pause_limit,
        mode=Mode(data["mode"]),
        base=base,
        reason=data.get("reason"),
        since=float(data["since"]),
        task=Task(task[0], task[1]) if task else None,
        auto_answer=bool(data.get("auto_answer")),
        outbound_topic=data.get("outbound_topic"),
        pause_seconds=data.get("pause_seconds"),
        pending_call=data.get("pending_call"),
    )


def restore_last_leg(data: dict[str, Any]) -> CallLeg | None:
    saved = data.get("last_leg")
    return CallLeg(saved[0], saved[1], peer="", group=saved[2]) if saved else None
