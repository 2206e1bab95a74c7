"""The one executor of effects on Asterisk: QueueAdd / QueueRemove / QueuePause for the state
machine's, one AMI action for each call control command (Originate, Hangup, Redirect, ...).

Wrap-up is a pause with reason ``wrapup``, so reports and wallboards see it (EXT-1). The same
functions reconcile a unit after it reconnected: the agency never re-sends a lost action, it
re-applies the state it wants.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol

from appliance.agency.operators.effects import (
    Command,
    Effect,
    Join,
    Leave,
    Locate,
    Pause,
    Unlocate,
    Unpause,
)
from appliance.agency.operators.machine import Operator, State
from appliance.agency.operators.session import Session
from appliance.ami.codec import Message
from appliance.ami.errors import ActionFailedError
from appliance.contracts.agency_dialplan import operator_location

log = logging.getLogger(__name__)


class Unit(Protocol):
    async def action(self, action: str, headers: dict[str, str] | None = None) -> Message: ...


async def apply(unit: Unit, session: Session, effects: Iterable[Effect]) -> None:
    """Carry ``effects`` out in order; the first that fails raises (the rest are not tried)."""
    for effect in effects:
        if isinstance(effect, Command):
            await run(unit, [effect])
        elif isinstance(effect, Join):
            await join(unit, session, effect.paused, effect.reason)
        elif isinstance(effect, Leave):
            await leave(unit, session)
        elif isinstance(effect, Locate):
            await locate(unit, session)
        elif isinstance(effect, Unlocate):
            await unlocate(unit, session)
        elif isinstance(effect, Pause):
            await pause(unit, session, effect.reason)
        elif isinstance(effect, Unpause):
            await unpause(unit, session)


async def run(unit: Unit, commands: Iterable[Command]) -> None:
    """Commands that concern no session (the agency's dialplan), or one command of ``apply``."""
    for command in commands:
        await unit.action(command.action, command.headers())


async def join(unit: Unit, session: Session, paused: bool, reason: str) -> None:
    for group in session.groups:
        headers = {
            "Queue": group.name,
            "Interface": session.interface,
            "MemberName": session.agent,
            "Penalty": str(group.penalty),
            "Paused": "true" if paused else "false",
            "StateInterface": session.interface,
        }
        if paused and reason:
            headers["Reason"] = reason
        try:
            await unit.action("QueueAdd", headers)
        except ActionFailedError as exc:
            if "already" not in str(exc).lower():
                raise
            log.info("%s already in queue %s", session.agent, group.name)


async def leave(unit: Unit, session: Session) -> None:
    for group in session.groups:
        try:
            await unit.action("QueueRemove", {"Queue": group.name, "Interface": session.interface})
        except ActionFailedError as exc:
            if "not there" not in str(exc).lower() and "unable" not in str(exc).lower():
                raise


async def locate(unit: Unit, session: Session) -> None:
    """The global ``UZOR_OPERATOR_<agent>`` = the workplace number. Refused by the unit, it is
    logged: the operator still works, only a call flow's transfer to them takes its no-answer
    branch."""
    headers = {"Variable": operator_location(session.agent), "Value": session.workplace.number}
    try:
        await unit.action("Setvar", headers)
    except ActionFailedError as exc:
        log.warning("%s: workplace not published on the unit: %s", session.agent, exc)


async def unlocate(unit: Unit, session: Session) -> None:
    """The operator's global emptied; a refusal (see :func:`locate`) is logged, not an error."""
    try:
        await unit.action("Setvar", {"Variable": operator_location(session.agent), "Value": ""})
    except ActionFailedError as exc:
        log.info("%s: workplace not withdrawn from the unit: %s", session.agent, exc)


async def pause(unit: Unit, session: Session, reason: str) -> None:
    await unit.action(
        "QueuePause", {"Interface": session.interface, "Paused": "true", "Reason": reason}
    )


async def unpause(unit: Unit, session: Session) -> None:
    await unit.action("QueuePause", {"Interface": session.interface, "Paused": "false"})


def wanted_pause(operator: Operator) -> str | None:
    """The pause reason Asterisk must show for this state (None: unpaused, i.e. Ready)."""
    if operator.base is State.READY:
        return None
    return operator.reason or operator.base.value


async def reconcile(unit: Unit, session: Session, members: list[Message]) -> None:
    """After a reconnect: re-add a missing membership, publish the workplace again (a restarted
    unit lost its globals), re-apply the wanted pause state."""
    await locate(unit, session)
    mine = [m for m in members if m.get("Location") == session.interface]
    queues = {m.get("Queue") for m in mine}
    reason = wanted_pause(session.operator)
    missing = [g for g in session.groups if g.name not in queues]
    if missing:
        log.warning("%s: re-adding to %s after resync", session.agent, [g.name for g in missing])
        keep = session.groups
        session.groups = missing
        try:
            await join(unit, session, reason is not None, reason or "")
        finally:
            session.groups = keep
    for member in mine:
        paused = member.get("Paused") == "1"
        if paused != (reason is not None) or (paused and member.get("PausedReason") != reason):
            await (pause(unit, session, reason) if reason else unpause(unit, session))
            return
