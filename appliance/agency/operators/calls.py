"""Call control actions done server-side through AMI: dial, hang up, blind transfer, DTMF.

Click-to-dial originates a call to the workplace's phone (``Async: true``, always) which then
runs ``<topic prefix><number>`` in the Outbound context. The call's id is the ``ChannelId`` given
to Originate, which Asterisk also uses as the call's Linkedid, so every later event matches it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from appliance.agency import i18n
from appliance.agency.acp.messages import ACPError, Action
from appliance.agency.operators import machine as m
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


async def install_dialplan(unit: Any) -> None:
    for context, extension, priority, application, data in AGENCY_DIALPLAN:
        await unit.action("DialplanExtensionAdd", {
            "Context": context, "Extension": extension, "Priority": priority,
            "Application": application, "ApplicationData": data, "Replace": "yes",
        })  # fmt: skip


async def dial(service: OperatorService, session: Session, action: Action) -> dict[str, Any]:
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
    await service.unit_of(session).action(
        "Originate",
        {
            "Channel": session.interface,
            "Context": OUTBOUND_CONTEXT,
            "Exten": f"{topic}{number}",
            "Priority": "1",
            "CallerID": f'"{number}" <{number}>',
            "Timeout": str(max(1, session.record.ring_seconds) * 1000),
            "ChannelId": call_id,
            "Variable": f"UZOR_AGENT={session.agent},UZOR_TOPIC={topic}",
        },
    )
    session.legs[call_id] = CallLeg(call_id)
    service.commit(session, *m.call_dialing(session.operator, call_id, number))
    service.notify(session, "event", "call_dialing",
                   {"call_id": call_id, "number": number, "topic": {"prefix": topic}})  # fmt: skip
    return {"call_id": call_id}


async def require_outbound_topic(service: OperatorService, topic: str, action: Action) -> None:
    """The prefix names an outbound topic of the admin's: it becomes part of a dial string."""
    if not any(t.prefix == topic for t in await service.store.outbound_topics()):
        raise ACPError("invalid_data", i18n._("there is no outbound topic {topic}", topic=topic),
                       id=action.id)  # fmt: skip


def dialable(number: str, action: Action) -> str:
    """Digits, ``*``, ``#`` and ``+`` only: nothing that means something in a dial string
    (``&`` another channel, ``,`` options, ``/`` and ``@`` another technology or trunk)."""
    if not DIALABLE_RE.fullmatch(number):
        raise ACPError("invalid_data", i18n._("'{number}' is not a number that can be dialled",
                                              number=number[:40]), id=action.id)  # fmt: skip
    return number


async def hangup(service: OperatorService, session: Session, action: Action) -> dict[str, Any]:
    leg = _leg(session, action)
    await service.unit_of(session).action("Hangup", {"Channel": leg.channel, "Cause": "16"})
    return {}


async def transfer_blind(
    service: OperatorService, session: Session, action: Action
) -> dict[str, Any]:
    number = dialable(action.data["number"], action)
    leg = _leg(session, action)
    await _refuse_unready_workplace(service, action)
    await service.unit_of(session).action(
        "BlindTransfer", {"Channel": leg.channel, "Exten": number, "Context": OUTBOUND_CONTEXT}
    )
    service.notify(session, "event", "transfer_progress",
                   {"call_id": leg.call_id, "stage": "completed", "number": number})  # fmt: skip
    return {}


async def dtmf(service: OperatorService, session: Session, action: Action) -> dict[str, Any]:
    leg = _leg(session, action)
    if not leg.peer:
        raise ACPError("not_allowed", i18n._("the call is not connected yet"), id=action.id)
    for digit in action.data["digits"]:
        await service.unit_of(session).action("PlayDTMF", {"Channel": leg.peer, "Digit": digit})
    return {}


async def hold(service: OperatorService, session: Session, action: Action) -> dict[str, Any]:
    """Park both legs in the agency's hold context: the caller hears music, the phone waits."""
    leg = _leg(session, action)
    if not leg.peer:
        raise ACPError("not_allowed", i18n._("the call is not connected yet"), id=action.id)
    unit = service.unit_of(session)
    sound = next((g.hold_sound for g in session.groups if g.name == leg.group), None)
    await unit.action("Setvar", {"Channel": leg.peer, "Variable": "UZOR_UNHELD", "Value": ""})
    if sound:  # the group's hold sound; else the channel's own music-on-hold class
        await unit.action("Setvar", {"Channel": leg.peer, "Variable": "UZOR_MOH",
                                     "Value": f"uzor-{sound}"})  # fmt: skip
    await unit.action("Redirect", {
        "Channel": leg.peer, "Context": HOLD_CONTEXT, "Exten": "held", "Priority": "1",
        "ExtraChannel": leg.channel, "ExtraContext": HOLD_CONTEXT, "ExtraExten": "operator",
        "ExtraPriority": "1",
    })  # fmt: skip
    service.commit(session, *m.call_held(session.operator, leg.call_id))
    service.notify(session, "event", "call_held", {"call_id": leg.call_id})
    return {}


async def unhold(service: OperatorService, session: Session, action: Action) -> dict[str, Any]:
    """Bridge the two legs together again."""
    call_id = action.data.get("call_id") or next(
        (c.call_id for c in session.operator.calls if c.state is m.State.HOLD), None
    )
    leg = session.legs.get(call_id or "")
    if leg is None or not leg.peer:
        raise ACPError("not_allowed", i18n._("no call on hold"), id=action.id)
    unit = service.unit_of(session)
    await unit.action("Setvar", {"Channel": leg.peer, "Variable": "UZOR_UNHELD", "Value": "1"})
    await unit.action("Bridge", {"Channel1": leg.channel, "Channel2": leg.peer, "Tone": "no"})
    service.commit(session, *m.call_unheld(session.operator, leg.call_id))
    service.notify(session, "event", "call_unheld", {"call_id": leg.call_id})
    return {}


async def transfer_consult(
    service: OperatorService, session: Session, action: Action
) -> dict[str, Any]:
    """Two-step transfer, step one: Atxfer puts the call on hold and dials the target.

    Atxfer queues the feature code and the number as DTMF frames on the operator's channel;
    Asterisk takes them as that channel is read, so the phone's media must be flowing (a
    browser's always is)."""
    number = dialable(action.data["number"], action)
    if session.consult is not None:
        raise ACPError("not_allowed", i18n._("a consultation is already in progress"), id=action.id)
    leg = _leg(session, action)
    await _refuse_unready_workplace(service, action)
    await service.unit_of(session).action(
        "Atxfer", {"Channel": leg.channel, "Exten": number, "Context": OUTBOUND_CONTEXT}
    )
    consult_id = f"{leg.call_id}-consult"
    session.consult = CallLeg(consult_id, peer=leg.peer)
    operator, _ = m.call_held(session.operator, leg.call_id)
    service.commit(session, *m.call_dialing(operator, consult_id, number))
    service.notify(session, "event", "transfer_progress",
                   {"call_id": leg.call_id, "stage": "consulting", "number": number})  # fmt: skip
    return {"call_id": consult_id}


async def transfer_complete(
    service: OperatorService, session: Session, action: Action
) -> dict[str, Any]:
    """Step two: the operator leaves; Asterisk joins the held caller and the target."""
    consult, held = _consultation(session, action)
    await service.unit_of(session).action("Hangup", {"Channel": held.channel, "Cause": "16"})
    session.consult = None
    service.commit(session, *m.call_ended(session.operator, consult.call_id, service.clock()))
    service.notify(session, "event", "transfer_progress",
                   {"call_id": held.call_id, "stage": "completed"})  # fmt: skip
    return {}


async def transfer_cancel(
    service: OperatorService, session: Session, action: Action
) -> dict[str, Any]:
    """Drop the target; Asterisk returns the operator to the held caller."""
    consult, held = _consultation(session, action)
    if consult.channel:
        unit = service.unit_of(session)
        await unit.action("Hangup", {"Channel": await _consulted_channel(unit, held, consult)})
    session.consult = None
    operator, _ = m.call_ended(session.operator, consult.call_id, service.clock())
    service.commit(session, *m.call_unheld(operator, held.call_id))
    service.notify(session, "event", "transfer_progress",
                   {"call_id": held.call_id, "stage": "cancelled"})  # fmt: skip
    return {}


async def conference(service: OperatorService, session: Session, action: Action) -> dict[str, Any]:
    """Three-way conference in ConfBridge: the call and the consulted party, or a number."""
    unit = service.unit_of(session)
    room = f"{session.workplace.number}0"
    target = {"Context": CONFERENCE_CONTEXT, "Exten": room, "Priority": "1"}
    if session.consult is not None:
        consult, held = _consultation(session, action)
        consulted = await _consulted_channel(unit, held, consult) if consult.channel else ""
        # the held caller first: the consultation is then a plain call, which the operator and
        # the consulted party leave together (never one without the other: Asterisk would
        # return the operator to the caller, or hang up the party)
        await unit.action("Redirect", {"Channel": held.peer, **target})
        together = {"ExtraChannel": consulted, **_extra(target)} if consulted else {}
        await unit.action("Redirect", {"Channel": held.channel, **target, **together})
        session.consult = None
        operator, _ = m.call_ended(session.operator, consult.call_id, service.clock())
        service.commit(session, *m.call_unheld(operator, held.call_id))
    else:
        number = action.data.get("number")
        if not number:
            raise ACPError("invalid_data", i18n._("conference: give a number or consult first"),
                           id=action.id)  # fmt: skip
        number = dialable(number, action)
        leg = _leg(session, action)
        await unit.action("Redirect", {"Channel": leg.channel, "ExtraChannel": leg.peer,
                                       **target, **_extra(target)})  # fmt: skip
        await unit.action("Originate", {"Channel": f"Local/{number}@{OUTBOUND_CONTEXT}",
                                        **target, "CallerID": session.agent})  # fmt: skip
        held = leg
    service.notify(session, "event", "conference_progress",
                   {"stage": "started", "conference": room})  # fmt: skip
    return {}


async def _consulted_channel(unit: Any, held: CallLeg, consult: CallLeg) -> str:
    """The consulted party's channel as it is now. Right after the answer Asterisk optimizes
    the consultation's Local channel pair away, so the Local name the events gave may vanish
    at any moment; the party behind it stays: use it."""
    listed = {e["Channel"]: e.get("BridgeId", "")
              for e in await unit.send("CoreShowChannels") if e.get("Channel")}  # fmt: skip

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
        raise ACPError("not_allowed",
                       i18n._("operator {agent} at workplace {number} cannot take the call: "
                              "{reason}", agent=target.agent, number=number, reason=why),
                       id=action.id)  # fmt: skip


def _extra(target: dict[str, str]) -> dict[str, str]:
    return {f"Extra{key}": value for key, value in target.items()}


def _consultation(session: Session, action: Action) -> tuple[CallLeg, CallLeg]:
    consult = session.consult
    held = None
    if consult is not None:
        held = session.legs.get(consult.call_id.removesuffix("-consult"))
    if consult is None or held is None:
        raise ACPError("not_allowed", i18n._("no consultation in progress"), id=action.id)
    return consult, held


def _leg(session: Session, action: Action) -> CallLeg:
    call_id: str | None = action.data.get("call_id")
    if call_id is None:
        calls = sorted(session.operator.calls, key=lambda c: c.state is m.State.HOLD)
        call_id = calls[0].call_id if calls else None
    leg = session.legs.get(call_id) if call_id else None
    if leg is None or not leg.channel:
        raise ACPError("not_allowed", i18n._("no such call on this workplace"), id=action.id)
    return leg


Handler = Callable[["OperatorService", Session, Action], Awaitable[dict[str, Any]]]
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
