"""Call records (``appliance.contracts.call_records``) from a unit's AMI events, as calls happen.

One :class:`CallLog` follows every call of the units it is attached to, keyed by the call's
Linkedid, whether or not an operator of this agency takes it. The events it reads:

- ``UserEvent`` ``UzorCall`` from the admin's generated dialplan (``Stage: offered`` when an
  inbound call enters its topic, with the topic and the DID; ``Stage: dialled`` when an
  operator's outbound call enters its topic; ``Stage: closed`` outside working hours or on a
  suspended topic; ``Stage: no_route`` for a number no topic or route takes);
- the queue's ``QueueCallerJoin`` (group, start of the wait), ``QueueCallerAbandon``,
  ``AgentCalled`` / ``AgentRingNoAnswer`` (ringing), ``AgentConnect`` (answered);
- ``DialBegin`` / ``DialEnd`` to a workplace (``PJSIP/<digits>``): a transfer or a flow's
  transfer to a workplace; to anything else from an outbound call: the called party;
- ``MusicOnHoldStart`` / ``Stop`` on the customer's channel after the answer: hold (the agency's
  hold and a phone's own hold both play the customer music);
- ``Hangup``: of an operator's channel, the end of that leg; of the call's first channel, the
  end of the call.

Each change queues one upsert of the leg's row on the :class:`RecordWriter` (several changes
waiting behind an unreachable database become one write of the latest state). Wrap-up and the
disposition are the operator's, told by the service (:meth:`wrapup_ended`,
:meth:`disposition`), and update the leg's row without touching the rest.

Restarts (:meth:`resync`): rows of the unit still open (``ended_at`` NULL) are adopted when
their call still has channels on the unit, else ended: at the moment the AMI link was lost when
the agency saw it go (the unit restarted: its calls ended with it), else at the resync (the
agency itself restarted: the end is known only to lie before it). Calls the unit shows in a
queue that have no row yet (they arrived while the agency was away) are adopted with the
start Asterisk reports for them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from appliance.agency.records import RecordWriter
from appliance.ami.codec import Message
from appliance.contracts.call_records import Column

log = logging.getLogger(__name__)

USER_EVENT = "UzorCall"
WORKPLACE_RE = re.compile(r"PJSIP/(\d+)-[0-9a-f]+")
PLACEHOLDERS = frozenset({"", "<unknown>", "unknown"})
FAILED_DIALS = frozenset({"BUSY", "CONGESTION", "NOANSWER", "CHANUNAVAIL", "CANCEL"})


class CallStore(Protocol):
    async def record_call(self, row: dict[str, Any]) -> None: ...
    async def record_call_wrapup(self, call_id: str, agent: str, seconds: float) -> None: ...
    async def record_call_disposition(self, call_id: str, agent: str, code: str) -> None: ...
    async def open_calls(self, unit: str) -> list[dict[str, Any]]: ...


def workplace_of(channel: str) -> str | None:
    """The workplace number of a workplace phone's channel (``PJSIP/1001-0000002a``)."""
    match = WORKPLACE_RE.fullmatch(channel)
    return match.group(1) if match else None


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return None if value in PLACEHOLDERS else value


@dataclass
class Leg:
    """One row of ``agency_call`` and what is needed to finish it."""

    call_id: str
    leg: int
    unit: str
    direction: str
    offered_at: float
    kind: str = "call"
    parent_leg: int | None = None
    topic: str | None = None
    group: str | None = None
    did: str | None = None
    caller: str | None = None
    caller_name: str | None = None
    caller_hidden: bool = False
    result: str = "active"
    agent: str | None = None
    workplace: str | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    wait_seconds: float | None = None
    ring_seconds: float | None = None
    hold_seconds: float = 0.0
    channel: str = ""  # the operator's channel (inbound), the called party's (outbound)
    held_since: float | None = None

    @property
    def open(self) -> bool:
        return self.ended_at is None

    def end(self, now: float) -> None:
        if self.held_since is not None:
            self.hold_seconds += max(0.0, now - self.held_since)
            self.held_since = None
        self.ended_at = now
        if self.result == "active":
            self.result = "answered" if self.answered_at is not None else "abandoned"

    def row(self) -> dict[str, Any]:
        talk = None
        if self.answered_at is not None and self.ended_at is not None:
            talk = max(0.0, self.ended_at - self.answered_at)
        return {
            Column.call_id: self.call_id,
            Column.leg: self.leg,
            Column.kind: self.kind,
            Column.parent_leg: self.parent_leg,
            Column.unit: self.unit,
            Column.direction: self.direction,
            Column.topic: self.topic,
            Column.group_name: self.group,
            Column.did: self.did,
            Column.caller: self.caller,
            Column.caller_name: self.caller_name,
            Column.caller_hidden: self.caller_hidden,
            Column.result: self.result,
            Column.agent: self.agent,
            Column.workplace: self.workplace,
            Column.offered_at: _utc(self.offered_at),
            Column.answered_at: _utc(self.answered_at),
            Column.ended_at: _utc(self.ended_at),
            Column.wait_seconds: self.wait_seconds,
            Column.ring_seconds: self.ring_seconds,
            Column.talk_seconds: talk,
            Column.hold_seconds: self.hold_seconds if self.answered_at is not None else None,
        }


@dataclass
class Ringing:
    since: float
    channel: str


@dataclass
class Party:
    """A party added to a call's conference, and its leg."""

    call: Call
    leg: Leg


@dataclass
class Call:
    call_id: str
    unit: str
    first_channel: str  # the customer's channel (inbound), the operator's (outbound)
    legs: list[Leg] = field(default_factory=list)
    queued_at: float | None = None
    requeued: str | None = None  # the queue an answered call was transferred into
    ringing: dict[str, Ringing] = field(default_factory=dict)  # by workplace number

    @property
    def current(self) -> Leg:
        return self.legs[-1]

    def leg_of(self, channel: str) -> Leg | None:
        return next((leg for leg in self.legs if leg.open and leg.channel == channel), None)


class CallLog:
    def __init__(
        self,
        store: CallStore,
        writer: RecordWriter,
        clock: Callable[[], float],
        agent_at: Callable[[str], str | None],
        hides_number: Callable[[str], bool],
    ) -> None:
        self.store = store
        self.writer = writer
        self.clock = clock
        self.agent_at = agent_at  # the agent logged in at a workplace number, if any
        self.hides_number = hides_number  # whether an inbound topic hides the caller's number
        self.calls: dict[str, Call] = {}
        self._queued: set[tuple[str, int]] = set()
        self._lost_at: dict[str, float] = {}
        self._wrapups: dict[str, tuple[str, float]] = {}  # agent -> (call id, since)
        self._rooms: dict[tuple[str, str], str] = {}  # (unit, conference) -> call id
        self._parties: dict[str, Party] = {}  # a conference party's own Linkedid -> its leg

    def attach(self, unit: Any) -> None:
        name = unit.unit.name
        subscribe = unit.dispatcher.subscribe
        for event, handler in (
            ("UserEvent", self.on_user_event),
            ("QueueCallerJoin", self.on_queue_join),
            ("QueueCallerAbandon", self.on_queue_abandon),
            ("AgentCalled", self.on_agent_called),
            ("AgentRingNoAnswer", self.on_ring_no_answer),
            ("AgentConnect", self.on_agent_connect),
            ("DialBegin", self.on_dial_begin),
            ("DialEnd", self.on_dial_end),
            ("MusicOnHoldStart", self.on_music_start),
            ("MusicOnHoldStop", self.on_music_stop),
            ("Hangup", self.on_hangup),
            ("ConfbridgeJoin", self.on_conference_join),
        ):
            subscribe(event, _for_unit(name, handler))
        unit.on_lost(lambda: self.link_lost(name))
        unit.on_resync(self.resync)

    # writing ---------------------------------------------------------------------------------
    def _save(self, leg: Leg) -> None:
        """Queue the leg's upsert once: a write still waiting will take the latest state."""
        key = (leg.call_id, leg.leg)
        if key in self._queued:
            return
        self._queued.add(key)

        async def write() -> None:
            self._queued.discard(key)
            await self.store.record_call(leg.row())

        self.writer.write(f"call record {leg.call_id}/{leg.leg}", write)

    # the dialplan's own events ---------------------------------------------------------------
    def on_user_event(self, unit: str, event: Message) -> None:
        if event.get("UserEvent") != USER_EVENT:
            return
        stage, call_id, now = event.get("Stage", ""), event.get("Linkedid", ""), self.clock()
        if not call_id:
            return
        call = self.calls.get(call_id)
        if stage == "offered":
            if call is None:
                call = self._inbound(unit, event, now)
            leg = call.current
            leg.topic = _text(event.get("Topic")) or leg.topic
            leg.did = _text(event.get("Did")) or leg.did or leg.topic
            leg.caller_hidden = leg.caller_hidden or event.get("Hidden") == "1"
            if leg.topic and self.hides_number(leg.topic):
                leg.caller_hidden = True
        elif stage == "dialled":
            if call is not None or not workplace_of(event.get("Channel", "")):
                return  # a consultation or a conference dials out: part of another call
            call = self._outbound(unit, event, now)
        elif stage in ("closed", "no_route"):
            if call is None:
                call = self._inbound(unit, event, now)
                call.current.did = _text(event.get("Did"))
            if call.current.answered_at is None:
                call.current.result = stage
        else:
            return
        self._save(call.current)

    def _inbound(self, unit: str, event: Message, now: float) -> Call:
        call_id = event["Linkedid"]
        leg = Leg(
            call_id,
            0,
            unit,
            "in",
            now,
            caller=_text(event.get("CallerIDNum")),
            caller_name=_text(event.get("CallerIDName")),
        )
        call = Call(call_id, unit, _first_channel(event), [leg])
        self.calls[call_id] = call
        return call

    def _outbound(self, unit: str, event: Message, now: float) -> Call:
        channel = event.get("Channel", "")
        workplace = workplace_of(channel)
        leg = Leg(
            event["Linkedid"],
            0,
            unit,
            "out",
            now,
            topic=_text(event.get("Topic")),
            did=_text(event.get("Number")),
            caller=workplace,
            workplace=workplace,
            agent=self.agent_at(workplace) if workplace else None,
        )
        call = Call(leg.call_id, unit, _first_channel(event), [leg])
        self.calls[leg.call_id] = call
        return call

    # the queue -------------------------------------------------------------------------------
    def on_queue_join(self, unit: str, event: Message) -> None:
        call_id, now = event.get("Linkedid", ""), self.clock()
        if not call_id:
            return
        call = self.calls.get(call_id) or self._inbound(unit, event, now)
        call.queued_at = now
        leg = call.current
        if leg.answered_at is not None:  # transferred into a queue: the next leg's group
            call.requeued = event.get("Queue") or None
            return
        leg.group = event.get("Queue") or leg.group
        if leg.topic is None:  # a hand-written dialplan that tells no topic: the extension's
            leg.topic = _text(event.get("Exten"))
            leg.did = leg.did or leg.topic
            if leg.topic and self.hides_number(leg.topic):
                leg.caller_hidden = True
        self._save(leg)

    def on_queue_abandon(self, unit: str, event: Message) -> None:
        call = self.calls.get(event.get("Linkedid", ""))
        if call is not None and call.current.answered_at is None and call.queued_at is not None:
            call.current.wait_seconds = max(0.0, self.clock() - call.queued_at)

    def on_agent_called(self, unit: str, event: Message) -> None:
        self._ringing(event.get("Linkedid", ""), event.get("DestChannel", ""))

    def on_ring_no_answer(self, unit: str, event: Message) -> None:
        call = self.calls.get(event.get("Linkedid", ""))
        workplace = workplace_of(event.get("DestChannel", ""))
        if call is not None and workplace:
            call.ringing.pop(workplace, None)

    def on_agent_connect(self, unit: str, event: Message) -> None:
        self._connected(event.get("Linkedid", ""), event.get("DestChannel", ""))

    def _ringing(self, call_id: str, channel: str) -> None:
        call, workplace = self.calls.get(call_id), workplace_of(channel)
        if call is not None and workplace:
            call.ringing[workplace] = Ringing(self.clock(), channel)

    def _connected(self, call_id: str, channel: str) -> None:
        """A workplace answered the call: leg 0's operator, or a new leg after another's."""
        call, workplace, now = self.calls.get(call_id), workplace_of(channel), self.clock()
        if call is None or workplace is None or call.leg_of(channel) is not None:
            return
        ringing = call.ringing.pop(workplace, None)
        leg = call.current
        if leg.direction == "out" and leg.leg == 0 and leg.answered_at is None:
            return  # the operator's own phone answering its click-to-dial call
        if leg.answered_at is not None:  # someone answered before: a transfer
            leg = Leg(
                call_id,
                len(call.legs),
                call.unit,
                leg.direction,
                ringing.since if ringing else now,
                kind="transfer",
                parent_leg=leg.leg,
                topic=leg.topic,
                group=call.requeued or leg.group,
                did=leg.did,
                caller=leg.caller,
                caller_name=leg.caller_name,
                caller_hidden=leg.caller_hidden,
            )
            call.legs.append(leg)
            if call.requeued is not None and call.queued_at is not None:
                leg.wait_seconds = max(0.0, now - call.queued_at)
            call.requeued = None
        elif call.queued_at is not None:
            leg.wait_seconds = max(0.0, now - call.queued_at)
        leg.answered_at = now
        leg.result = "answered"
        leg.workplace = workplace
        leg.agent = self.agent_at(workplace)
        leg.channel = channel
        leg.ring_seconds = max(0.0, now - ringing.since) if ringing else None
        self._save(leg)

    # dials: transfers, a flow's transfer to a workplace, an outbound call's called party -----
    def on_dial_begin(self, unit: str, event: Message) -> None:
        call_id = event.get("DestLinkedid") or event.get("Linkedid", "")
        destination = event.get("DestChannel", "")
        if workplace_of(destination):
            self._ringing(call_id, destination)
        call = self.calls.get(call_id)
        if (
            call is not None
            and call.current.direction == "out"
            and not call.current.channel
            and not workplace_of(destination)
        ):
            call.current.channel = destination  # the called party

    def on_dial_end(self, unit: str, event: Message) -> None:
        call_id = event.get("DestLinkedid") or event.get("Linkedid", "")
        destination, status = event.get("DestChannel", ""), event.get("DialStatus", "")
        call = self.calls.get(call_id)
        if call is None:
            return
        if workplace_of(destination):
            if status == "ANSWER":
                self._connected(call_id, destination)
            else:
                call.ringing.pop(workplace_of(destination) or "", None)
            return
        leg = call.current
        if leg.direction != "out" or leg.leg != 0 or leg.answered_at is not None:
            return
        if status == "ANSWER":
            leg.answered_at = self.clock()
            leg.result = "answered"
            leg.ring_seconds = max(0.0, leg.answered_at - leg.offered_at)
        elif status in FAILED_DIALS:
            leg.result = "failed"
        self._save(leg)

    # conferences -----------------------------------------------------------------------------
    def on_conference_join(self, unit: str, event: Message) -> None:
        """A call's own channel entering a ConfBridge names the room after it; a consulted
        operator's leg joining becomes a conference leg; a party of its own (the agency's
        Originate of a number into the room) adds a conference leg."""
        room, call_id = (unit, event.get("Conference", "")), event.get("Linkedid", "")
        channel, now = event.get("Channel", ""), self.clock()
        call = self.calls.get(call_id)
        if call is not None:
            self._rooms[room] = call_id
            leg = call.leg_of(channel)
            if leg is not None and leg.kind == "transfer":
                leg.kind = "conference"
                self._save(leg)
            return
        call = self.calls.get(self._rooms.get(room, ""))
        if call is None or call_id in self._parties:
            return
        parent = next((leg for leg in reversed(call.legs) if leg.open), call.current)
        workplace = workplace_of(channel)
        leg = Leg(
            call.call_id,
            len(call.legs),
            unit,
            parent.direction,
            now,
            kind="conference",
            parent_leg=parent.leg,
            topic=parent.topic,
            group=parent.group,
            did=_dialled(channel) or _text(event.get("ConnectedLineNum")),
            caller=parent.caller,
            caller_name=parent.caller_name,
            caller_hidden=parent.caller_hidden,
            result="answered",
            agent=self.agent_at(workplace) if workplace else None,
            workplace=workplace,
            answered_at=now,
            channel=channel,
        )
        call.legs.append(leg)
        self._parties[call_id] = Party(call, leg)
        self._save(leg)

    def _party_hung_up(self, event: Message) -> bool:
        """A conference party hung up: its leg ends with its real channel (not the Local pair
        that dialled it, which Asterisk may optimize away while the party talks on)."""
        linked = event.get("Linkedid", "")
        party = self._parties.get(linked)
        if party is None:
            return False
        if not event.get("Channel", "").startswith("Local/"):
            del self._parties[linked]
            if party.leg.open:
                party.leg.end(self.clock())
                self._save(party.leg)
        return True

    # hold ------------------------------------------------------------------------------------
    def on_music_start(self, unit: str, event: Message) -> None:
        leg = self._held_leg(event)
        if leg is not None and leg.held_since is None:
            leg.held_since = self.clock()

    def on_music_stop(self, unit: str, event: Message) -> None:
        leg = self._held_leg(event)
        if leg is not None and leg.held_since is not None:
            leg.hold_seconds += max(0.0, self.clock() - leg.held_since)
            leg.held_since = None
            self._save(leg)

    def _held_leg(self, event: Message) -> Leg | None:
        """The answered, open leg whose customer hears the music (the call's first channel)."""
        call = self.calls.get(event.get("Linkedid", ""))
        if call is None or event.get("Channel") != call.first_channel:
            return None
        leg = call.current
        return leg if leg.open and leg.answered_at is not None else None

    # hang-ups --------------------------------------------------------------------------------
    def on_hangup(self, unit: str, event: Message) -> None:
        if self._party_hung_up(event):
            return
        call = self.calls.get(event.get("Linkedid", ""))
        if call is None:
            return
        channel, now = event.get("Channel", ""), self.clock()
        workplace = workplace_of(channel)
        if workplace:
            call.ringing.pop(workplace, None)
        leg = call.leg_of(channel)
        if leg is not None and (leg.direction == "in" or leg.leg > 0):
            leg.end(now)  # the operator left: this leg is over, the customer may go on
            self._save(leg)
        if channel == call.first_channel:
            for open_leg in [leg for leg in call.legs if leg.open]:
                if open_leg.wait_seconds is None and call.queued_at is not None:
                    open_leg.wait_seconds = max(0.0, now - call.queued_at)
                if open_leg.answered_at is None and call.ringing:  # abandoned while ringing
                    since = min(r.since for r in call.ringing.values())
                    open_leg.ring_seconds = max(0.0, now - since)
                open_leg.end(now)
                self._save(open_leg)
            self.calls.pop(call.call_id, None)  # the customer is gone: the call is over
            for room in [r for r, c in self._rooms.items() if c == call.call_id]:
                del self._rooms[room]

    # the operator's part: wrap-up and disposition --------------------------------------------
    def wrapup_started(self, agent: str, call_id: str | None, now: float) -> None:
        if call_id:
            self._wrapups[agent] = (call_id, now)

    def wrapup_ended(self, agent: str, now: float) -> None:
        started = self._wrapups.pop(agent, None)
        if started is None:
            return
        call_id, since = started
        seconds = max(0.0, now - since)
        self.writer.write(
            f"wrap-up of {call_id}",
            lambda: self.store.record_call_wrapup(call_id, agent, seconds),
        )

    def disposition(self, agent: str, call_id: str | None, code: str) -> None:
        if call_id:
            self.writer.write(
                f"disposition of {call_id}",
                lambda: self.store.record_call_disposition(call_id, agent, code),
            )

    # restarts --------------------------------------------------------------------------------
    def link_lost(self, unit: str) -> None:
        self._lost_at[unit] = self.clock()

    async def resync(self, snapshot: Any) -> None:
        """After a (re)connection: open rows adopted or ended, queued calls adopted."""
        unit, now = snapshot.unit, self.clock()
        ended_at = self._lost_at.pop(unit, now)
        by_call: dict[str, list[Message]] = {}
        for channel in snapshot.channels:
            by_call.setdefault(channel.get("Linkedid", ""), []).append(channel)
        for call in [c for c in self.calls.values() if c.unit == unit]:
            if call.call_id not in by_call:
                self._end_gone(call, ended_at)
        try:
            rows = await self.store.open_calls(unit)
        except Exception:
            log.exception("unit %s: open call records not read", unit)
            rows = []
        for call_id, legs in _rows_by_call(rows).items():
            if call_id in self.calls:
                continue
            call = _adopted(call_id, unit, legs, by_call.get(call_id, []))
            if call_id in by_call:
                self.calls[call_id] = call
            else:
                self._end_gone(call, ended_at)
        for entry in snapshot.queues:
            if entry.get("Event") == "QueueEntry":
                self._adopt_queued(unit, entry, now)
        for call_id, channels in by_call.items():
            if call_id and call_id not in self.calls:
                self._adopt_running(unit, call_id, channels, now)

    def _adopt_running(self, unit: str, call_id: str, channels: list[Message], now: float) -> None:
        """A call the unit shows that started while the agency was away and is not in a queue:
        recorded from what the unit says now (its start by its first channel's duration; a
        workplace bridged with it answered it, when that workplace's channel was created).
        A call the agency cannot place (no first channel, or a Local one) is left alone."""
        first = next((c for c in channels if c.get("Uniqueid") == call_id), None)
        if first is None or first.get("Channel", "").startswith("Local/"):
            return  # not a call's own first channel (a conference's added party, ...)
        place = workplace_of(first.get("Channel", ""))
        leg = Leg(
            call_id,
            0,
            unit,
            "out" if place else "in",
            now - _seconds(first.get("Duration", "")),
            caller=place or _text(first.get("CallerIDNum")),
            caller_name=None if place else _text(first.get("CallerIDName")),
            workplace=place,
            agent=self.agent_at(place) if place else None,
        )
        call = Call(call_id, unit, first.get("Channel", ""), [leg])
        bridge = first.get("BridgeId", "")
        operator = next(
            (
                c
                for c in channels
                if c is not first
                and bridge
                and c.get("BridgeId") == bridge
                and (workplace_of(c.get("Channel", "")) or place)
            ),
            None,
        )
        if operator is not None:
            leg.answered_at = now - _seconds(operator.get("Duration", ""))
            leg.result = "answered"
            if not place:
                leg.workplace = workplace_of(operator.get("Channel", ""))
                leg.agent = self.agent_at(leg.workplace) if leg.workplace else None
            leg.channel = operator.get("Channel", "")
        self.calls[call_id] = call
        self._save(leg)

    def _end_gone(self, call: Call, ended_at: float) -> None:
        for leg in [leg for leg in call.legs if leg.open]:
            leg.end(max(ended_at, leg.answered_at or leg.offered_at))
            self._save(leg)
        self.calls.pop(call.call_id, None)

    def _adopt_queued(self, unit: str, entry: Message, now: float) -> None:
        call_id = entry.get("Linkedid") or entry.get("Uniqueid", "")
        if not call_id or call_id in self.calls:
            return
        waited = float(entry.get("Wait") or 0)
        leg = Leg(
            call_id,
            0,
            unit,
            "in",
            now - waited,
            group=entry.get("Queue"),
            caller=_text(entry.get("CallerIDNum")),
            caller_name=_text(entry.get("CallerIDName")),
        )
        call = Call(call_id, unit, entry.get("Channel", ""), [leg], queued_at=now - waited)
        self.calls[call_id] = call
        self._save(leg)


def _seconds(duration: str) -> float:
    """CoreShowChannels' ``Duration`` (``HH:MM:SS``) in seconds; 0 when unreadable."""
    try:
        hours, minutes, seconds = (int(part) for part in duration.split(":"))
    except ValueError:
        return 0.0
    return float(hours * 3600 + minutes * 60 + seconds)


def _for_unit(unit: str, handler: Callable[[str, Message], None]) -> Callable[[Message], None]:
    return lambda event: handler(unit, event)


def _dialled(channel: str) -> str | None:
    """The number a Local channel dials (``Local/<number>@Outbound-0000002a;1``)."""
    match = re.fullmatch(r"Local/([0-9*#+]+)@[^-]+-[0-9a-f]+;[12]", channel)
    return match.group(1) if match else None


def _first_channel(event: Message) -> str:
    return event.get("Channel", "") if event.get("Uniqueid") == event.get("Linkedid") else ""


def _rows_by_call(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: (r[Column.call_id], r[Column.leg])):
        found.setdefault(row[Column.call_id], []).append(row)
    return found


def _adopted(call_id: str, unit: str, rows: list[dict[str, Any]], channels: list[Message]) -> Call:
    """A call written before a restart, in memory again: its legs as written (the open ones
    end later), the customer's channel and each operator's as the unit shows them now."""
    first = next((c.get("Channel", "") for c in channels if c.get("Uniqueid") == call_id), "")
    by_workplace = {workplace_of(c.get("Channel", "")): c.get("Channel", "") for c in channels}
    call = Call(call_id, unit, first)
    for row in rows:
        leg = Leg(
            call_id,
            row[Column.leg],
            unit,
            row[Column.direction],
            _epoch(row[Column.offered_at]) or 0.0,
            kind=row[Column.kind],
            parent_leg=row[Column.parent_leg],
            topic=row[Column.topic],
            group=row[Column.group_name],
            did=row[Column.did],
            caller=row[Column.caller],
            caller_name=row[Column.caller_name],
            caller_hidden=bool(row[Column.caller_hidden]),
            result=row[Column.result],
            agent=row[Column.agent],
            workplace=row[Column.workplace],
            answered_at=_epoch(row[Column.answered_at]),
            wait_seconds=row[Column.wait_seconds],
            ring_seconds=row[Column.ring_seconds],
            hold_seconds=row[Column.hold_seconds] or 0.0,
        )
        if leg.workplace:
            leg.channel = by_workplace.get(leg.workplace, "")
        call.legs.append(leg)
    if call.legs and call.legs[0].direction == "in" and call.legs[0].answered_at is None:
        call.queued_at = call.legs[0].offered_at if call.legs[0].group else None
    return call


def _utc(timestamp: float | None) -> datetime | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)


def _epoch(value: datetime | None) -> float | None:
    return None if value is None else value.replace(tzinfo=UTC).timestamp()
