"""Call control actions: dial, hang up, hold, transfers, conference, DTMF.

Each action checks what it may, then returns a :class:`Plan`: the AMI commands to carry out (the
service runs them through the one executor, ``asterisk.apply``) and what to commit and tell the
terminal once they succeeded.

Click-to-dial originates a call to the workplace's phone (``Async: true``, always) which then
runs ``<topic prefix><number>`` in the Outbound context. The call's id is the ``ChannelId`` given
to Originate, which Asterisk also uses as the call's Linkedid, so every later event matches it.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from appliance.agency import i18n
from appliance.agency.acp import outgoing as out
from appliance.agency.acp.messages import ACPError, Action
from appliance.agency.operators import asterisk
from appliance.agency.operators import machine as m
from appliance.agency.operators.effects import (
    AddExtension,
    AttendedTransfer,
    BlindTransfer,
    Bridge,
    Effect,
    Hangup,
    Originate,
    Place,
    Plan,
    PlayDigit,
    Redirect,
    SetVariable,
)
from appliance.agency.operators.session import CallLeg, Session

# The agency's own dialplan (installed on every unit over AMI after each (re)connection and
# each reload of pbx_config, events.py) and its contexts: the admin writes the same rows into
# extensions.conf from the same module.
from appliance.contracts.agency_dialplan import (
    AGENCY_DIALPLAN,
    CONFERENCE_CONTEXT,
    HOLD_CONTEXT,
    OUTBOUND_CONTEXT,
)

if TYPE_CHECKING:
    from appliance.agency.operators.service import OperatorService

DIALABLE_RE = re.compile(r"[0-9*#+]{1,32}")
BRIDGE_WAIT = 2.0  # seconds a transfer asked for as the call is answered waits for its bridge


async def install_dialplan(unit: asterisk.Unit) -> None:
    await asterisk.run(unit, [AddExtension(*line) for line in AGENCY_DIALPLAN])


async def dial(service: OperatorService, session: Session, action: Action) -> Plan:
    operator = session.operator
    topic = action.data.get("topic") or operator.outbound_topic
    if not topic:
        raise ACPError("not_allowed", i18n._("choose an outbound topic first"), id=action.id)
    await require_outbound_topic(service, topic, action)
    why = m.may_dial(operator)
    if why is not None:
        raise m.NotAllowed(why)
    number = dialable(action.data["number"], action)
    call_id = f"uzor-{secrets.token_hex(8)}"
    originate = Originate(
        session.interface,
        OUTBOUND_CONTEXT,
        f"{topic}{number}",
        f'"{number}" <{number}>',
        timeout_ms=max(1, session.record.ring_seconds) * 1000,
        channel_id=call_id,
        variables=f"UZOR_AGENT={session.agent},UZOR_TOPIC={topic}",
    )

    def done() -> dict[str, Any]:
        session.legs[call_id] = CallLeg(call_id)
        service.commit(session, *m.call_dialing(session.operator, call_id, number))
        service.notify(session, out.call_dialing(call_id, number, topic={"prefix": topic}))
        return {"call_id": call_id}

    return Plan([originate], done)


async def require_outbound_topic(service: OperatorService, topic: str, action: Action) -> None:
    """The prefix names an outbound topic of the admin's: it becomes part of a dial string."""
    if not any(t.prefix == topic for t in await service.store.outbound_topics()):
        raise ACPError(
            "invalid_data", i18n._("there is no outbound topic {topic}", topic=topic), id=action.id
        )


def dialable(number: str, action: Action) -> str:
    """Digits, ``*``, ``#`` and ``+`` only: nothing that means something in a dial string
    (``&`` another channel, ``,`` options, ``/`` and ``@`` another technology or trunk)."""
    if not DIALABLE_RE.fullmatch(number):
        raise ACPError(
            "invalid_data",
            i18n._("'{number}' is not a number that can be dialled", number=number[:40]),
            id=action.id,
        )
    return number


async def hangup(service: OperatorService, session: Session, action: Action) -> Plan:
    leg = _leg(session, action)
    return Plan([Hangup(leg.channel)], dict)


async def transfer_blind(service: OperatorService, session: Session, action: Action) -> Plan:
    number = dialable(action.data["number"], action)
    leg = _leg(session, action)
    await _refuse_unready_workplace(service, action)
    await _bridged(leg)

    def done() -> dict[str, Any]:
        service.notify(
            session, out.transfer_progress("completed", call_id=leg.call_id, number=number)
        )
        return {}

    return Plan([BlindTransfer(leg.channel, number, OUTBOUND_CONTEXT)], done)


async def dtmf(service: OperatorService, session: Session, action: Action) -> Plan:
    leg = _leg(session, action)
    if not leg.peer:
        raise ACPError("not_allowed", i18n._("the call is not connected yet"), id=action.id)
    return Plan([PlayDigit(leg.peer, digit) for digit in action.data["digits"]], dict)


async def hold(service: OperatorService, session: Session, action: Action) -> Plan:
    """Park both legs in the agency's hold context: the caller hears music, the phone waits."""
    leg = _leg(session, action)
    if not leg.peer:
        raise ACPError("not_allowed", i18n._("the call is not connected yet"), id=action.id)
    sound = next((g.hold_sound for g in session.groups if g.name == leg.group), None)
    effects: list[Effect] = [SetVariable(leg.peer, "UZOR_UNHELD", "")]
    if sound:  # the group's hold sound; else the channel's own music-on-hold class
        effects.append(SetVariable(leg.peer, "UZOR_MOH", f"uzor-{sound}"))
    effects.append(
        Redirect(
            leg.peer,
            Place(HOLD_CONTEXT, "held"),
            extra_channel=leg.channel,
            extra_place=Place(HOLD_CONTEXT, "operator"),
        )
    )

    def done() -> dict[str, Any]:
        service.commit(session, *m.call_held(session.operator, leg.call_id))
        service.notify(session, out.call_held(leg.call_id))
        return {}

    return Plan(effects, done)


async def unhold(service: OperatorService, session: Session, action: Action) -> Plan:
    """Bridge the two legs together again."""
    call_id = action.data.get("call_id") or next(
        (c.call_id for c in session.operator.calls if c.state is m.State.HOLD), None
    )
    leg = session.legs.get(call_id or "")
    if leg is None or not leg.peer:
        raise ACPError("not_allowed", i18n._("no call on hold"), id=action.id)
    effects = [SetVariable(leg.peer, "UZOR_UNHELD", "1"), Bridge(leg.channel, leg.peer)]

    def done() -> dict[str, Any]:
        service.commit(session, *m.call_unheld(session.operator, leg.call_id))
        service.notify(session, out.call_unheld(leg.call_id))
        return {}

    return Plan(effects, done)


async def transfer_consult(service: OperatorService, session: Session, action: Action) -> Plan:
    """Two-step transfer, step one: Atxfer puts the call on hold and dials the target.

    Atxfer queues the feature code and the number as DTMF frames on the operator's channel;
    Asterisk takes them as that channel is read, so the phone's media must be flowing (a
    browser's always is)."""
    number = dialable(action.data["number"], action)
    if session.consult is not None:
        raise ACPError("not_allowed", i18n._("a consultation is already in progress"), id=action.id)
    leg = _leg(session, action)
    await _refuse_unready_workplace(service, action)
    await _bridged(leg)
    consult_id = f"{leg.call_id}-consult"

    def done() -> dict[str, Any]:
        session.consult = CallLeg(consult_id, peer=leg.peer)
        service.consulting.add(session.agent)
        operator, _ = m.call_held(session.operator, leg.call_id)
        service.commit(session, *m.call_dialing(operator, consult_id, number))
        service.notify(
            session, out.transfer_progress("consulting", call_id=leg.call_id, number=number)
        )
        return {"call_id": consult_id}

    return Plan([AttendedTransfer(leg.channel, number, OUTBOUND_CONTEXT)], done)


async def transfer_complete(service: OperatorService, session: Session, action: Action) -> Plan:
    """Step two: the operator leaves; Asterisk joins the held caller and the target."""
    consult, held = _consultation(session, action)

    def done() -> dict[str, Any]:
        session.consult = None
        service.commit(session, *m.call_ended(session.operator, consult.call_id, service.clock()))
        service.notify(session, out.transfer_progress("completed", call_id=held.call_id))
        return {}

    return Plan([Hangup(held.channel)], done)


async def transfer_cancel(service: OperatorService, session: Session, action: Action) -> Plan:
    """Drop the target; Asterisk returns the operator to the held caller."""
    consult, held = _consultation(session, action)
    effects: list[Effect] = []
    if consult.channel:
        unit = service.unit_of(session)
        effects.append(Hangup(await _consulted_channel(unit, held, consult), cause=None))

    def done() -> dict[str, Any]:
        session.consult = None
        operator, _ = m.call_ended(session.operator, consult.call_id, service.clock())
        service.commit(session, *m.call_unheld(operator, held.call_id))
        service.notify(session, out.transfer_progress("cancelled", call_id=held.call_id))
        return {}

    return Plan(effects, done)


async def conference(service: OperatorService, session: Session, action: Action) -> Plan:
    """Three-way conference in ConfBridge: the call and the consulted party, or a number."""
    room = f"{session.workplace.number}0"
    target = Place(CONFERENCE_CONTEXT, room)
    if session.consult is not None:
        consult, held = _consultation(session, action)
        unit = service.unit_of(session)
        consulted = await _consulted_channel(unit, held, consult) if consult.channel else ""
        # the held caller first: the consultation is then a plain call, which the operator and
        # the consulted party leave together (never one without the other: Asterisk would
        # return the operator to the caller, or hang up the party)
        effects: list[Effect] = [
            Redirect(held.peer, target),
            Redirect(held.channel, target, extra_channel=consulted),
        ]
        ended: CallLeg | None = consult
    else:
        number = action.data.get("number")
        if not number:
            raise ACPError(
                "invalid_data", i18n._("conference: give a number or consult first"), id=action.id
            )
        number = dialable(number, action)
        leg = _leg(session, action)
        effects = [
            Redirect(leg.channel, target, extra_channel=leg.peer),
            Originate(
                f"Local/{number}@{OUTBOUND_CONTEXT}", target.context, target.exten, session.agent
            ),
        ]
        held, ended = leg, None

    def done() -> dict[str, Any]:
        if ended is not None:
            session.consult = None
            operator, _ = m.call_ended(session.operator, ended.call_id, service.clock())
            service.commit(session, *m.call_unheld(operator, held.call_id))
        service.notify(session, out.conference_progress("started", room))
        return {}

    return Plan(effects, done)


async def _consulted_channel(unit: Any, held: CallLeg, consult: CallLeg) -> str:
    """The consulted party's channel as it is now. Right after the answer Asterisk optimizes
    the consultation's Local channel pair away, so the Local name the events gave may vanish
    at any moment; the party behind it stays: use it."""
    listed = {
        e["Channel"]: e.get("BridgeId", "")
        for e in await unit.send("CoreShowChannels")
        if e.get("Channel")
    }

    def bridged_with(channel: str) -> list[str]:
        bridge = listed.get(channel, "")
        return [c for c, b in listed.items() if bridge and b == bridge and c != channel]

    peers = bridged_with(held.channel) or [consult.channel]
    for peer in peers:
        if not peer.startswith("Local/"):
            return peer
    for peer in peers:  # a Local pair not optimized yet: the party at its other end
        if peer.endswith(";1"):
            far = [c for c in bridged_with(peer[:-1] + "2") if not c.startswith("Local/")]
            if far:
                return far[0]
    return peers[0]


async def _refuse_unready_workplace(service: OperatorService, action: Action) -> None:
    """A transfer to a workplace is an inbound call for its operator: the manual's rules apply
    (only in Inbound mode, one inbound call at a time). A workplace with no session here may be
    served by another agency instance, so only this agency's own operators are checked."""
    number = action.data["number"]
    target = next((s for s in service.sessions.values() if s.workplace.number == number), None)
    why = m.may_ring(target.operator) if target is not None else None
    if target is not None and why is not None:
        raise ACPError(
            "not_allowed",
            i18n._(
                "operator {agent} at workplace {number} cannot take the call: {reason}",
                agent=target.agent,
                number=number,
                reason=why,
            ),
            id=action.id,
        )


def _consultation(session: Session, action: Action) -> tuple[CallLeg, CallLeg]:
    consult = session.consult
    held = None
    if consult is not None:
        held = session.legs.get(consult.call_id.removesuffix("-consult"))
    if consult is None or held is None:
        raise ACPError("not_allowed", i18n._("no consultation in progress"), id=action.id)
    return consult, held


async def _bridged(leg: CallLeg) -> None:
    """app_queue reports the answer (AgentConnect) before it bridges the caller and the
    operator, and Asterisk refuses to transfer a channel that is in no bridge yet ("Transfer
    invalid"): a transfer asked for in that moment waits for the bridge (at most BRIDGE_WAIT;
    then it is sent anyway and Asterisk says)."""
    deadline = time.monotonic() + BRIDGE_WAIT
    while leg.bridging and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


def _leg(session: Session, action: Action) -> CallLeg:
    call_id: str | None = action.data.get("call_id")
    if call_id is None:
        calls = sorted(session.operator.calls, key=lambda c: c.state is m.State.HOLD)
        call_id = calls[0].call_id if calls else None
    leg = session.legs.get(call_id) if call_id else None
    if leg is None or not leg.channel:
        raise ACPError("not_allowed", i18n._("no such call on this workplace"), id=action.id)
    return leg


Handler = Callable[["OperatorService", Session, Action], Awaitable[Plan]]
ACTIONS: dict[str, Handler] = {
    "dial": dial,
    "hangup": hangup,
    "transfer_blind": transfer_blind,
    "transfer_consult": transfer_consult,
    "transfer_complete": transfer_complete,
    "transfer_cancel": transfer_cancel,
    "conference": conference,
    "hold": hold,
    "unhold": unhold,
    "dtmf": dtmf,
}
