"""The caller side: the carrier (a real Asterisk) offers calls to a DID over the trunk at a
given rate; the unit's own AMI events say when each call reached an operator.

Each call carries its index in the caller number (``79990000000 + i``), so the unit's
``AgentConnect`` (the operator answered) and ``QueueCallerAbandon`` events name the call. A
call not connected within the caller's patience is hung up by the caller (abandoned); a call
that ended before it reached an operator failed, and says how (``Call.failure``): refused by
the unit (a SIP error response), unanswered by the unit at the SIP level (no response at all),
ended after the unit took it, or never sent by the carrier (no channel, or one that ended
before its INVITE went out: the carrier's own limits, which no real caller meets). Only the
first three are failures a real caller would meet; the last is counted apart (``not_sent``).
The carrier's ``[carrier-ended]`` hangup handler tells the last SIP response it received.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any

CALLER_BASE = 79990000000
ENDED_EVENT = "UzorCarrierEnded"  # testkit.pbx_configs: the carrier's [carrier-ended] handler
FOLLOW_EVERY = 0.2  # seconds between two looks at the events while offering
# Q.850 causes of an INVITE sent and never answered: 18 when it timed out (SIP timer B, 32 s)
# without any response, 19 when the Originate's own ring timeout came first
NO_ANSWER_CAUSES = ("18", "19")


def sip_code(status: str) -> int:
    """200 from "SIP 200 OK"; 0 when there is none."""
    parts = status.split()
    return int(parts[1]) if len(parts) > 1 and parts[0] == "SIP" and parts[1].isdigit() else 0


@dataclass
class Call:
    index: int
    offered_at: float
    connected_at: float | None = None
    ended_at: float | None = None
    abandoned: bool = False
    failed: str = ""
    cause: str = ""  # the carrier's Hangup cause (16: normal clearing)
    placed: bool = False  # the carrier made the channel (its Newchannel)
    sip: str = ""  # the last SIP response the carrier received ("SIP 503 Service Unavailable")
    reason: str = ""  # the carrier's OriginateResponse Reason when it failed (0: not answered)

    @property
    def failure(self) -> str:
        """How the call failed ("" if it did not): ``refused: SIP 503 ...``, ``no SIP
        answer``, ``ended: <cause>`` (after the unit took it) or ``not sent: ...``."""
        if not self.failed:
            return ""
        if self.failed.startswith("originate:") or not self.placed:
            return f"not sent: {self.failed}"
        code = sip_code(self.sip)
        if code >= 300:
            return f"refused: {self.sip}"
        if code >= 200:
            return f"ended: {self.failed.removeprefix('ended: ')}"
        if self.cause in NO_ANSWER_CAUSES:
            return "no SIP answer" + (f" after {self.sip}" if self.sip else "")
        return f"not sent: carrier cause {self.cause or '?'} (no SIP response)"

    @property
    def not_sent(self) -> bool:
        """The carrier never sent the call to the unit (its own limits, not the unit's)."""
        return self.failure.startswith("not sent")

    @property
    def caller(self) -> str:
        return str(CALLER_BASE + self.index)

    @property
    def channel_id(self) -> str:
        return f"load-{self.index}"


@dataclass
class StepReport:
    rate: float
    seconds: float
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    failed: int = 0  # failures a real caller meets (refused, unanswered, cut by the unit)
    not_sent: int = 0  # the carrier never sent them (not counted as offered)
    failures: dict[str, int] = field(default_factory=dict)  # Call.failure -> count
    setup: list[float] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Every call offered answered, and every call of the rate offered (a call the carrier
        could not send leaves the rate unmeasured, not failed)."""
        return self.offered > 0 and self.answered == self.offered and self.not_sent == 0

    def failure_figures(self) -> str:
        """ "refused: SIP 488 Not Acceptable Here 3, not sent: ... 1" or ""."""
        return ", ".join(f"{why} {n}" for why, n in sorted(self.failures.items()))

    def setup_figures(self) -> str:
        if not self.setup:
            return "-"
        ordered = sorted(self.setup)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        return f"{statistics.median(ordered):.2f} / {p95:.2f} / {ordered[-1]:.2f}"


class CallLoad:
    """Offers calls through ``carrier`` to ``did`` and follows them on ``unit_events``."""

    def __init__(self, carrier: Any, unit_events: Any, did: str, trunk: str = "trunk") -> None:
        self.carrier = carrier
        self.unit_events = unit_events  # an AmiClient logged in to the unit under load
        self.did = did
        self.trunk = trunk
        self.calls: dict[int, Call] = {}
        self._next = 0
        self._lock = threading.Lock()
        self._unit_seen = unit_events.mark()
        self._carrier_seen = carrier.events.mark()

    def step(self, rate: float, seconds: float, talk: float, patience: float) -> StepReport:
        """Offer ``rate`` calls a second for ``seconds``, then wait until every call ended."""
        first = self._next
        interval = 1.0 / rate
        started = time.monotonic()
        count = max(1, round(rate * seconds))
        followed = started
        for n in range(count):
            time.sleep(max(0.0, started + n * interval - time.monotonic()))
            self._offer(talk + patience + 5)
            if time.monotonic() - followed >= FOLLOW_EVERY:  # callers give up meanwhile too
                self._follow(patience)
                followed = time.monotonic()
        indices = range(first, self._next)
        deadline = time.monotonic() + patience + talk + 30
        while time.monotonic() < deadline:
            self._follow(patience)
            if all(self.calls[i].ended_at is not None for i in indices):
                break
            time.sleep(0.2)
        report = StepReport(rate, seconds)
        for i in indices:
            call = self.calls[i]
            if call.connected_at is None and not call.abandoned and call.not_sent:
                report.not_sent += 1
                report.failures[call.failure] = report.failures.get(call.failure, 0) + 1
                continue
            report.offered += 1
            if call.connected_at is not None:
                report.answered += 1
                report.setup.append(call.connected_at - call.offered_at)
            elif call.abandoned:
                report.abandoned += 1
            else:
                report.failed += 1
                report.failures[call.failure] = report.failures.get(call.failure, 0) + 1
        return report

    def _offer(self, hold: float) -> None:
        index = self._next
        self._next += 1
        call = Call(index, time.monotonic())
        self.calls[index] = call
        headers: dict[str, object] = {
            "Channel": f"PJSIP/{self.did}@{self.trunk}",
            "Context": "carrier-out",
            "Exten": "s",
            "Priority": 1,
            "CallerID": f'"Load {index}" <{call.caller}>',
            "Timeout": 30000,
            "Async": "true",
            "ChannelId": call.channel_id,
            "Variable": [
                "UZOR_PLAY=",
                f"UZOR_HOLD={hold:g}",
                # AMI splits a Variable header at commas outside quotes
                'CHANNEL(hangup_handler_push)="carrier-ended,s,1"',
            ],
        }
        response = self.carrier.events.action_headers("Originate", headers)
        if response.get("Response") != "Success":
            call.failed = f"originate: {response.get('Message')}"
            call.ended_at = time.monotonic()

    def _follow(self, patience: float) -> None:
        """Read the events that arrived since the last look."""
        unit_events = self.unit_events.events
        end = len(unit_events)
        for event in unit_events[self._unit_seen : end]:
            self._on_unit_event(event)
        self._unit_seen = end
        carrier_events = self.carrier.events.events
        end = len(carrier_events)
        for event in carrier_events[self._carrier_seen : end]:
            self._on_carrier_event(event)
        self._carrier_seen = end
        now = time.monotonic()
        for call in self.calls.values():
            waiting = call.ended_at is None and call.connected_at is None and not call.abandoned
            if waiting and now - call.offered_at > patience:
                call.abandoned = True
                self._hang_up(call)

    def _hang_up(self, call: Call) -> None:
        channels = self.carrier.events.action_list("CoreShowChannels")[1]
        for channel in channels:
            if channel.get("Uniqueid") == call.channel_id:
                self.carrier.events.action("Hangup", Channel=channel["Channel"], Cause=16)

    def _call_of(self, caller: str) -> Call | None:
        try:
            return self.calls.get(int(caller) - CALLER_BASE)
        except ValueError:
            return None

    def _on_unit_event(self, event: Any) -> None:
        name = event.get("Event", "")
        if name == "AgentConnect":
            call = self._call_of(event.get("CallerIDNum", ""))
            if call is not None and call.connected_at is None:
                call.connected_at = event.received_at
        elif name == "QueueCallerAbandon":
            call = self._call_of(event.get("CallerIDNum", ""))
            if call is not None and call.connected_at is None:
                call.abandoned = True

    def _on_carrier_event(self, event: Any) -> None:
        name = event.get("Event", "")
        uniqueid = event.get("Uniqueid", "")
        if not uniqueid.startswith("load-"):
            return
        call = self.calls.get(int(uniqueid.removeprefix("load-")))
        if call is None:
            return
        if name == "Newchannel":
            call.placed = True
        elif name == "UserEvent" and event.get("UserEvent") == ENDED_EVENT:
            call.sip = event.get("UzorSip", "")
        elif name == "OriginateResponse" and event.get("Response") != "Success":
            call.reason = event.get("Reason", "")
            call.failed = call.failed or f"carrier: Reason {call.reason}"
            call.ended_at = call.ended_at or event.received_at
        elif name == "Hangup":
            call.ended_at = event.received_at
            call.cause = event.get("Cause", "")
            if call.connected_at is None and not call.abandoned and not call.failed:
                call.failed = f"ended: {event.get('Cause-txt')}"
