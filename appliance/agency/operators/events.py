"""AMI events of a unit -> the sessions of its workplaces, and the resync after a reconnect.

Correlation: a workplace's channel is ``<interface>-<seq>`` (``PJSIP/201-0000002a``); a call's
id is its Linkedid. Queue events (``AgentCalled``, ``AgentConnect``, ``AgentRingNoAnswer``,
``AgentComplete``) carry the member's interface; channel events (``DialEnd``, ``BridgeEnter``,
``Hold``, ``Unhold``, ``Hangup``) carry the workplace channel.

A reload of pbx_config (the admin's Apply Dialplan, ``module reload``, ``core reload``) drops
the contexts the agency added over AMI; the unit reports it with a ``Reload`` event (``Module:
pbx_config.so``, ``pbx_config`` or ``All``) and the agency adds them again. The CLI's
``dialplan reload`` sends no event: the admin's generated extensions.conf carries the same
contexts, so a reload of it never leaves the agency without them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

from appliance.agency.acp import outgoing as out
from appliance.agency.i18n import _
from appliance.agency.operators import asterisk, calls
from appliance.agency.operators import machine as m
from appliance.agency.operators.effects import Hangup
from appliance.agency.operators.session import CallLeg, Session
from appliance.agency.operators.topics import TopicCache
from appliance.ami.codec import Message
from appliance.ami.errors import ActionFailedError, AMIError
from appliance.ami.manager import AMIManager, Snapshot
from appliance.contracts.agency_dialplan import CALLER_HIDDEN_VARIABLE, OUTBOUND_CONTEXT

if TYPE_CHECKING:
    from appliance.agency.operators.service import OperatorService

log = logging.getLogger(__name__)
HIDDEN = "hidden"
HIDDEN_CALLS_KEPT = 10_000  # call ids of number-hiding topics, remembered for their transfers
AGENCY_CALL_PREFIX = "uzor-"  # the ChannelId of the agency's own Originate (calls.dial)
DIALPLAN_RELOADS = frozenset({"pbx_config", "All"})  # Reload events' Module, without ".so"


def _real_parties(channels: list[str]) -> list[str]:
    """The channels that are not Local channels (a Local pair may yet be optimized away), or
    all of them when every one is Local."""
    return [c for c in channels if not c.startswith("Local/")] or channels


ASTERISK_PLACEHOLDERS = frozenset({"", "<unknown>", "unknown"})  # caller ID Asterisk lacks


def caller_name(event: Message) -> str:
    """The caller's name, or "" when Asterisk has none (it says ``<unknown>``)."""
    name = event.get("CallerIDName", "").strip()
    return "" if name in ASTERISK_PLACEHOLDERS else name


def caller_number(event: Message) -> str:
    """The caller's number, or ``unknown`` when Asterisk has none."""
    number = event.get("CallerIDNum", "").strip()
    return "unknown" if number in ASTERISK_PLACEHOLDERS else number


NO_ANSWER_CAUSE = "19"  # Q.850 "no answer from user (user alerted)"


def interface_of(channel: str) -> str:
    return channel.rpartition("-")[0] or channel


class CallEvents:
    def __init__(self, service: OperatorService, topics: TopicCache) -> None:
        self.service = service
        self.topics = topics
        self._bridges: dict[str, set[str]] = {}
        self._bridge_of: dict[str, str] = {}  # a channel in a bridge -> its BridgeUniqueid
        self._hidden: OrderedDict[str, None] = OrderedDict()

    def attach(self, unit: AMIManager) -> None:
        subscribe = unit.dispatcher.subscribe
        subscribe("AgentCalled", self.on_agent_called)
        subscribe("AgentConnect", self.on_agent_connect)
        subscribe("AgentRingNoAnswer", self.on_ring_no_answer)
        subscribe("DialBegin", self.on_dial_begin)
        subscribe("DialEnd", self.on_dial_end)
        subscribe("Newchannel", self.on_new_channel)
        subscribe("BridgeEnter", self.on_bridge_enter)
        subscribe("BridgeLeave", self.on_bridge_leave)
        subscribe("Hold", self.on_hold)
        subscribe("Unhold", self.on_unhold)
        subscribe("Hangup", self.on_hangup)
        subscribe("Reload", lambda event: self.on_reload(unit, event))
        unit.on_resync(self.on_resync)
        unit.on_lost(lambda: self.on_link_lost(unit.unit.name))

    def _session(self, interface: str) -> Session | None:
        return self.service.by_interface.get(interface)

    # queue calls -----------------------------------------------------------------------------
    def on_agent_called(self, event: Message) -> None:
        call_id = event.get("Linkedid", "")
        topic = self.topics.get(event.get("Exten", ""))
        number = caller_number(event)
        if topic is not None and topic.hide_number:
            number = HIDDEN
            self._remember_hidden(call_id)  # also for a transfer to another agency's operator
        session = self._session(event.get("Interface", ""))
        if session is None:
            return
        try:
            result = m.call_ringing(session.operator, call_id, number)
        except m.NotAllowed as exc:
            log.warning("%s: call %s rings although %s", session.agent, call_id, exc)
            return
        leg = session.leg(call_id)
        leg.channel = event.get("DestChannel", "")
        leg.peer = event.get("Channel", "")
        leg.group = event.get("Queue", "")
        leg.topic = event.get("Exten", "")
        self.service.commit(session, *result)
        self._limit_ring(session, call_id, leg.channel)
        script_url = topic.script_url if topic else None
        about = {
            "number": event.get("Exten", ""),
            "description": topic.description if topic else "",
            "script_url": script_url,
        }
        name = "" if number == HIDDEN else caller_name(event)
        group = event.get("Queue", "")
        message = out.call_incoming(
            call_id, number, caller_name=name, topic=about, script_url=script_url, group=group
        )
        self.service.notify(session, message)

    def _limit_ring(self, session: Session, call_id: str, channel: str) -> None:
        """The operator's own ring time (the admin's "ring time"): a queue call still ringing
        after it is taken from this workplace (its leg hung up as unanswered), and the queue
        rings the next operator. The group's answer timeout, when shorter, ends it first."""
        seconds = session.record.ring_seconds
        if seconds > 0 and channel:
            loop = asyncio.get_running_loop()
            loop.call_later(seconds, self._rang_too_long, session, call_id, channel)

    def _rang_too_long(self, session: Session, call_id: str, channel: str) -> None:
        if self.service.sessions.get(session.agent) is not session:
            return
        call = next((c for c in session.operator.calls if c.call_id == call_id), None)
        leg = session.legs.get(call_id)
        if call is None or call.state is not m.State.RINGING or leg is None:
            return
        if leg.channel != channel:
            return
        log.info(
            "%s: call %s rang %s s unanswered", session.agent, call_id, session.record.ring_seconds
        )
        hangup = Hangup(channel, cause=NO_ANSWER_CAUSE)
        self.service.background(self.service.perform(session, [hangup]))

    def on_agent_connect(self, event: Message) -> None:
        session = self._session(event.get("Interface", ""))
        if session is not None:
            self._answered(session, event.get("Linkedid", ""))

    def on_ring_no_answer(self, event: Message) -> None:
        session = self._session(event.get("Interface", ""))
        if session is not None:
            self._ended(session, event.get("Linkedid", ""), "no answer")

    # channels --------------------------------------------------------------------------------
    def on_new_channel(self, event: Message) -> None:
        session = self._session(interface_of(event.get("Channel", "")))
        if session is not None and event.get("Linkedid", "") in session.legs:
            session.legs[event["Linkedid"]].channel = event["Channel"]
        elif session is not None:
            self._phone_dials(session, event)

    def on_dial_begin(self, event: Message) -> None:
        """A workplace dialled by its number (another operator transfers or consults): the
        operator there sees an incoming call, as for a queue call but without a topic."""
        session = self._direct_call_to(event)
        if session is None:
            return
        call_id = event.get("DestLinkedid", "")
        hidden = self._is_hidden(event)  # a hiding topic's caller, transferred
        number = HIDDEN if hidden else caller_number(event)
        try:
            result = m.call_ringing(session.operator, call_id, number)
        except m.NotAllowed as exc:
            log.warning("%s: a transfer rings although %s", session.agent, exc)
            return
        if hidden:
            self._remember_hidden(call_id)
        leg = session.leg(call_id)
        leg.channel, leg.peer = event.get("DestChannel", ""), event.get("Channel", "")
        self.service.commit(session, *result)
        name = "" if hidden else caller_name(event)
        self.service.notify(session, out.call_incoming(call_id, number, caller_name=name))

    def _remember_hidden(self, call_id: str) -> None:
        self._hidden[call_id] = None
        while len(self._hidden) > HIDDEN_CALLS_KEPT:
            self._hidden.popitem(last=False)

    def _is_hidden(self, event: Message) -> bool:
        return any(event.get(key, "") in self._hidden for key in ("Linkedid", "DestLinkedid"))

    def _phone_dials(self, session: Session, event: Message) -> None:
        """A call the workplace's phone places itself (its dial pad, not ``dial``): its channel
        is the call's first (Uniqueid = Linkedid) and enters the Outbound context; followed like
        a ``dial`` (the agency's own Originate ids start with ``uzor-``)."""
        call_id = event.get("Linkedid", "")
        if (
            not call_id
            or call_id != event.get("Uniqueid")
            or call_id.startswith(AGENCY_CALL_PREFIX)
            or event.get("Context") != OUTBOUND_CONTEXT
        ):
            return
        exten, topic = event.get("Exten", ""), session.operator.outbound_topic
        number = exten[len(topic) :] if topic and exten.startswith(topic) else exten
        try:
            result = m.call_dialing(session.operator, call_id, number)
        except m.NotAllowed as exc:
            log.warning("%s: the phone dials %s although %s", session.agent, exten, exc)
            return
        session.leg(call_id).channel = event.get("Channel", "")
        self.service.commit(session, *result)
        prefix = {"prefix": topic} if topic and exten.startswith(topic) else None
        self.service.notify(session, out.call_dialing(call_id, number, topic=prefix))

    def _direct_call_to(self, event: Message) -> Session | None:
        """The session whose workplace this Dial event calls by number in Outbound."""
        session = self._session(interface_of(event.get("DestChannel", "")))
        if session is None or event.get("Context") != OUTBOUND_CONTEXT:
            return None
        return session if event.get("Exten") == session.workplace.number else None

    def on_dial_end(self, event: Message) -> None:
        if event.get("DialStatus") == "ANSWER":
            self._consult_answered(event.get("DestChannel", ""))
        called = self._direct_call_to(event)
        if called is not None:
            call_id = event.get("DestLinkedid", "")
            if event.get("DialStatus") == "ANSWER":
                self._answered(called, call_id)
            else:
                self._ended(called, call_id, event.get("DialStatus", "").lower())
        session = self._session(interface_of(event.get("Channel", "")))
        if session is None or event.get("DialStatus") != "ANSWER":
            return
        call_id = event.get("Linkedid", "")
        session.leg(call_id).peer = event.get("DestChannel", "")
        self._answered(session, call_id)

    def on_bridge_enter(self, event: Message) -> None:
        entered, bridge = event.get("Channel", ""), event.get("BridgeUniqueid", "")
        members = self._bridges.setdefault(bridge, set())
        members.add(entered)
        self._bridge_of[entered] = bridge
        for channel in members:
            session = self._session(interface_of(channel))
            if session is None:
                continue
            others = [c for c in members if c != channel]
            if not others:
                continue
            consult = session.consult
            if consult is not None and consult.peer not in others:
                # the consultation target joined the operator, or a Local channel pair was
                # optimized away (one end takes the other's place): keep the real target
                consult.channel = _real_parties(others)[0] if entered == channel else entered
                continue
            leg = session.legs.get(event.get("Linkedid", "")) or next(
                (leg for leg in session.legs.values() if leg.channel == channel), None
            )  # a party that joined the workplace's channel (a transfer) has its own Linkedid
            if leg is not None:
                leg.channel = channel
                leg.peer = _real_parties(others)[0]
                leg.bridging = False

    def on_bridge_leave(self, event: Message) -> None:
        left, bridge = event.get("Channel", ""), event.get("BridgeUniqueid", "")
        if self._bridge_of.get(left) == bridge:
            del self._bridge_of[left]
        members = self._bridges.get(bridge)
        if members is not None:
            members.discard(left)
            if not members:
                del self._bridges[bridge]

    def on_hold(self, event: Message) -> None:
        self._hold(event, held=True)

    def on_unhold(self, event: Message) -> None:
        self._hold(event, held=False)

    def _hold(self, event: Message, held: bool) -> None:
        session = self._session(interface_of(event.get("Channel", "")))
        call_id = event.get("Linkedid", "")
        if session is None or call_id not in {c.call_id for c in session.operator.calls}:
            return
        change = m.call_held if held else m.call_unheld
        self.service.commit(session, *change(session.operator, call_id))
        self.service.notify(session, (out.call_held if held else out.call_unheld)(call_id))

    def on_hangup(self, event: Message) -> None:
        session = self._session(interface_of(event.get("Channel", "")))
        if session is not None:
            self._ended(session, event.get("Linkedid", ""), event.get("Cause-txt", ""))

    def _consult_answered(self, channel: str) -> None:
        consulting = self.service.consulting
        for agent in list(consulting):
            session = self.service.sessions.get(agent)
            consult = None if session is None else session.consult
            if session is None or consult is None:
                consulting.discard(agent)  # its consultation ended (or its session)
            elif consult.channel == channel:
                self._answered(session, consult.call_id)

    # helpers ---------------------------------------------------------------------------------
    def _answered(self, session: Session, call_id: str) -> None:
        if call_id not in {c.call_id for c in session.operator.calls}:
            return
        leg = session.legs.get(call_id)
        if leg is not None:  # unless its BridgeEnter came first
            leg.bridging = leg.channel not in self._bridge_of
        self.service.commit(session, *m.call_answered(session.operator, call_id))
        self.service.notify(session, out.call_answered(call_id))

    def _ended(self, session: Session, call_id: str, cause: str) -> None:
        if call_id not in {c.call_id for c in session.operator.calls}:
            return
        session.last_leg = session.legs.pop(call_id, None) or CallLeg(call_id)
        self.service.notify(session, out.call_ended(call_id, cause))
        self.service.react(session, m.call_ended(session.operator, call_id, self.service.clock()))

    def on_link_lost(self, unit: str) -> None:
        """The unit's AMI link went down: its operators are warned (calls may fail)."""
        message = _(
            "the connection to the PBX unit {unit} is lost: calls and actions may fail "
            "until it is back",
            unit=unit,
        )
        for session in list(self.service.sessions.values()):
            if session.unit == unit:
                self.service.notify(session, out.pbx_unavailable(unit, message))

    # resync ----------------------------------------------------------------------------------
    def on_reload(self, unit: AMIManager, event: Message) -> None:
        """The unit reloaded its dialplan: add the agency's contexts again (Replace: idempotent)."""
        if event.get("Module", "").removesuffix(".so") in DIALPLAN_RELOADS:
            log.info("unit %s reloaded its dialplan: installing the agency's again", unit.unit.name)
            self.service.background(self._install_dialplan(unit))
            self.service.background(self._publish_operators(unit))

    async def _publish_operators(self, unit: AMIManager) -> None:
        """The reload cleared the globals (``clearglobalvars``): where each operator sits is
        published again, for the call flows' transfer to an operator."""
        for session in [s for s in self.service.sessions.values() if s.unit == unit.unit.name]:
            await asterisk.locate(unit, session)

    async def _install_dialplan(self, unit: AMIManager) -> None:
        try:
            await calls.install_dialplan(unit)
        except AMIError as exc:
            if (
                isinstance(exc, ActionFailedError)
                and exc.response.get("Message") == "Permission denied"
            ):
                # the least-privileged uzor-agency may not (DialplanExtensionAdd needs the
                # system right): the admin's extensions.conf holds the same rows
                log.info("unit %s: the agency's dialplan is the admin's (%s)", unit.unit.name, exc)
                return
            log.warning("unit %s: agency dialplan not installed: %s", unit.unit.name, exc)

    async def _learn_hidden(self, unit: AMIManager, channels: list[Message]) -> None:
        """The calls of number-hiding topics still running on the unit, learnt again (after an
        agency restart they are no longer remembered): by the topic the caller's channel is in,
        else by the variable the admin's dialplan set on it. One look per call: its first
        channel (Uniqueid = Linkedid), where the variable was set."""
        for channel in channels:
            call_id = channel.get("Linkedid", "")
            if not call_id or call_id in self._hidden or channel.get("Uniqueid") != call_id:
                continue
            topic = self.topics.get(channel.get("Exten", ""))
            if topic is not None and topic.hide_number:
                self._remember_hidden(call_id)
                continue
            try:
                reply = await unit.action(
                    "Getvar",
                    {"Channel": channel.get("Channel", ""), "Variable": CALLER_HIDDEN_VARIABLE},
                )
            except AMIError as exc:  # the call ended meanwhile, or the link went down again
                log.info("unit %s: %s not read: %s", unit.unit.name, CALLER_HIDDEN_VARIABLE, exc)
                continue
            if reply.get("Value", "") == "1":
                self._remember_hidden(call_id)

    async def on_resync(self, snapshot: Snapshot) -> None:
        """After a (re)connection: memberships and pauses as wanted; vanished calls ended."""
        members = [e for e in snapshot.queues if e.get("Event") == "QueueMember"]
        channels = {e.get("Channel", "") for e in snapshot.channels}
        unit = self.service.units[snapshot.unit]
        await self._install_dialplan(unit)
        await self._learn_hidden(unit, snapshot.channels)
        for session in list(self.service.sessions.values()):
            if session.unit != snapshot.unit:
                continue
            await asterisk.reconcile(unit, session, members)
            await self.service.apply_pending(session)
            for call in session.operator.calls:
                leg = session.legs.get(call.call_id)
                if leg is None or leg.channel not in channels:
                    self._ended(session, call.call_id, "gone after reconnect")
        if unit.up:  # else lost again meanwhile: its operators were warned once more
            self._tell_back(snapshot.unit)

    def _tell_back(self, unit: str) -> None:
        """The unit's link is back and resynced: its operators are told, so their terminals'
        phones register again now instead of waiting out their own back-off."""
        message = _("the connection to the PBX unit {unit} is back", unit=unit)
        for session in list(self.service.sessions.values()):
            if session.unit == unit:
                self.service.notify(session, out.pbx_available(unit, message))
