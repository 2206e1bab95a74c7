"""A suspended or closed topic takes no calls (real calls from the carrier through what Apply
Dialplan put on a unit): the caller hears the topic's non-working sound, or without one the call
is refused; never the queue."""

from __future__ import annotations

import pytest

from tests.integration.dialplan.test_dialplan_calls import DID, _app_event, _apply, applied

from appliance.admin.callcenter.models import InboundTopic  # isort: skip
from testkit.ami import AmiError  # isort: skip

pytestmark = pytest.mark.integration
__all__ = ["applied"]  # the fixture


@pytest.mark.parametrize("state", [InboundTopic.State.SUSPENDED, InboundTopic.State.CLOSED])
def test_an_inactive_topic_plays_its_non_working_sound_and_never_queues(applied, carrier, state):
    model, unit = applied
    model.topic.non_working_schedules.set([])  # open around the clock: only the state closes it
    model.topic.state = state
    model.topic.save()
    _apply()
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        report = carrier.call(DID, hold=30)
        played = _app_event(ami, "Playback", mark)
        with pytest.raises(AmiError):
            ami.wait_event("QueueCallerJoin", 0, mark)
    assert "/uzor-confgen/sounds/closed-" in played["AppData"]
    assert report.answered and report.cause == 16


def test_an_inactive_topic_without_a_non_working_sound_refuses_the_call(applied, carrier):
    model, unit = applied
    model.topic.non_working_schedules.set([])
    model.topic.non_working_sound = None
    model.topic.state = InboundTopic.State.CLOSED
    model.topic.save()
    _apply()
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        report = carrier.call(DID, hold=30)
        with pytest.raises(AmiError):
            ami.wait_event("QueueCallerJoin", 0, mark)
    assert not report.answered
    assert report.cause == 21  # call rejected


def test_an_active_topic_still_queues(applied, carrier):
    model, unit = applied
    model.topic.non_working_schedules.set([])
    model.topic.save()
    _apply()
    with unit.asterisk.ami() as ami:
        mark = ami.mark()
        call = carrier.start_call(DID, caller_id='"Ivan" <79161234567>')
        joined = ami.wait_event("QueueCallerJoin", 20, mark)
        call.hangup()
    assert joined["Queue"] == "sales"
