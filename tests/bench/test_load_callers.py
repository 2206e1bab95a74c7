"""The load harness's caller side (bench/load/callers.py) telling how a call failed from what
the carrier's AMI said: refused by the unit, unanswered by it, or never sent by the carrier."""

from __future__ import annotations

from bench.load.callers import Call, CallLoad
from testkit.ami import AmiMessage


class Events:
    """An event history as testkit.ami.AmiClient keeps it."""

    def __init__(self) -> None:
        self.events: list[AmiMessage] = []

    def mark(self) -> int:
        return len(self.events)

    def add(self, **headers: str) -> None:
        message = AmiMessage(headers)
        message.received_at = float(len(self.events))
        self.events.append(message)


class Carrier:
    def __init__(self) -> None:
        self.events = Events()


def load_with(*carrier_events: dict[str, str]) -> CallLoad:
    """A CallLoad with call 0 offered and the carrier's events about it read."""
    carrier, unit = Carrier(), Events()
    load = CallLoad(carrier, unit, "74951234567")
    load._next = 1
    load.calls[0] = Call(0, 0.0)
    for headers in carrier_events:
        carrier.events.add(**{"Uniqueid": "load-0", **headers})
    load._follow(patience=1e9)
    return load


NEW = {"Event": "Newchannel"}
FAILED = {"Event": "OriginateResponse", "Response": "Failure", "Reason": "0"}


def ended(sip: str) -> dict[str, str]:
    return {"Event": "UserEvent", "UserEvent": "UzorCarrierEnded", "UzorSip": sip}


def hangup(cause: str, text: str) -> dict[str, str]:
    return {"Event": "Hangup", "Cause": cause, "Cause-txt": text}


def test_an_error_response_from_the_unit_is_a_refusal_a_caller_meets() -> None:
    load = load_with(NEW, ended("SIP 488 Not Acceptable Here"), hangup("58", "Bearer"), FAILED)

    call = load.calls[0]
    assert call.failure == "refused: SIP 488 Not Acceptable Here"
    assert not call.not_sent
    assert call.reason == "0"


def test_no_response_at_all_is_an_unanswered_call() -> None:
    load = load_with(NEW, ended(""), hangup("18", "No user responding"), FAILED)

    assert load.calls[0].failure == "no SIP answer"
    assert not load.calls[0].not_sent


def test_no_response_until_the_originate_timed_out_is_an_unanswered_call_too() -> None:
    reason_3 = {**FAILED, "Reason": "3"}
    load = load_with(NEW, ended(""), hangup("19", "User alerting, no answer"), reason_3)

    assert load.calls[0].failure == "no SIP answer"


def test_a_call_the_carrier_made_no_channel_for_was_not_sent() -> None:
    load = load_with(FAILED)

    assert load.calls[0].failure == "not sent: carrier: Reason 0"
    assert load.calls[0].not_sent


def test_a_channel_that_ended_before_any_sip_with_a_local_cause_was_not_sent() -> None:
    load = load_with(NEW, ended(""), hangup("0", "Unknown"), FAILED)

    assert load.calls[0].failure == "not sent: carrier cause 0 (no SIP response)"
    assert load.calls[0].not_sent


def test_a_call_the_unit_answered_and_then_ended_failed_after_it_was_taken() -> None:
    load = load_with(NEW, ended("SIP 200 OK"), hangup("16", "Normal Clearing"))

    assert load.calls[0].failure == "ended: Normal Clearing"


def test_a_step_counts_unsent_calls_apart_and_leaves_the_rate_unmeasured() -> None:
    carrier, unit = Carrier(), Events()
    load = CallLoad(carrier, unit, "74951234567")
    load.carrier.events.action_headers = lambda name, headers: AmiMessage(  # type: ignore[attr-defined]
        {"Response": "Error", "Message": "no channel"}
    )

    report = load.step(rate=1000.0, seconds=0.002, talk=0.0, patience=0.0)

    assert (report.offered, report.failed, report.not_sent) == (0, 0, 2)
    assert report.failures == {"not sent: originate: no channel": 2}
    assert not report.clean


def test_a_caller_gives_up_after_its_patience_while_calls_are_still_being_offered() -> None:
    carrier, unit = Carrier(), Events()
    load = CallLoad(carrier, unit, "74951234567")
    hung_up: list[tuple[str, float]] = []

    def action_headers(name: str, headers: dict[str, object]) -> AmiMessage:
        return AmiMessage({"Response": "Success"})

    def action_list(name: str) -> tuple[AmiMessage, list[AmiMessage]]:
        channel = [{"Uniqueid": f"load-{i}", "Channel": f"PJSIP/trunk-{i}"} for i in range(3)]
        return AmiMessage(), [AmiMessage(c) for c in channel]

    def action(name: str, **headers: object) -> AmiMessage:
        hung_up.append((str(headers["Channel"]), len(load.calls)))
        carrier.events.add(Event="Hangup", Uniqueid=f"load-{str(headers['Channel'])[-1]}")
        return AmiMessage()

    carrier.events.action_headers = action_headers  # type: ignore[attr-defined]
    carrier.events.action_list = action_list  # type: ignore[attr-defined]
    carrier.events.action = action  # type: ignore[attr-defined]

    report = load.step(rate=4.0, seconds=0.75, talk=0.0, patience=0.0)

    assert report.abandoned == report.offered == 3
    assert hung_up[0] == ("PJSIP/trunk-0", 2)  # the first caller left before the last call
