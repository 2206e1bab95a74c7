"""The machine's pause reason limits and dispositions (pure; time passed in)."""

from dataclasses import replace

import pytest

from appliance.agency.operators import machine as m
from appliance.agency.operators.effects import Pause, Unpause
from appliance.agency.operators.machine import Mode, NotAllowed, State
from appliance.agency.operators.service import DISCONNECTED
from appliance.contracts.work_codes import SYSTEM_PAUSE_REASONS


def after_call(wrapup: float = 10, required: bool = False, mode: Mode = Mode.INBOUND):
    """An operator whose answered call L1 ended at t=100."""
    operator, _ = m.login("101", wrapup, 600, now=0)
    operator = replace(operator, disposition_required=required)
    if mode is Mode.OUTBOUND:
        operator, _ = m.set_mode(operator, mode, now=1)
        operator, _ = m.call_dialing(operator, "L1", "100")
    else:
        operator, _ = m.call_ringing(operator, "L1", "100")
    operator, _ = m.call_answered(operator, "L1")
    return m.call_ended(operator, "L1", now=100)


def test_the_agency_s_own_pause_reasons_are_the_ones_the_admin_refuses() -> None:
    assert m.SYSTEM_REASONS | {DISCONNECTED} == SYSTEM_PAUSE_REASONS


def test_a_reason_s_own_limit_replaces_the_pause_limit_until_the_next_state() -> None:
    operator, _ = m.login("101", 10, 600, now=0)
    paused, effects = m.set_pause(operator, "smoke", now=5, limit=120)
    assert effects == [Pause("smoke")] and paused.deadline() == 125
    free, _ = m.set_pause(m.set_ready(paused, now=6)[0], "lunch", now=7)
    assert free.deadline() == 607
    ready, _ = m.set_ready(paused, now=8)
    assert ready.pause_seconds is None and ready.deadline() is None


def test_a_pause_past_its_reason_s_limit_logs_out() -> None:
    operator, _ = m.login("101", 10, 600, now=0)
    paused, _ = m.set_pause(operator, "smoke", now=0, limit=60)
    assert m.tick(paused, now=59)[0] is paused
    assert m.tick(paused, now=60)[0].logged_out


def test_an_answered_call_awaits_its_disposition_until_the_next_call() -> None:
    operator, effects = after_call()
    assert operator.state is State.WRAPUP and operator.pending_call == "L1"
    assert effects == [Pause("wrapup")]
    ready, _ = m.tick(operator, now=110)
    assert ready.state is State.READY and ready.pending_call == "L1"  # right after the call
    disposed, effects = m.set_disposition(ready, now=111)
    assert disposed.pending_call is None and disposed.state is State.READY and effects == []
    with pytest.raises(NotAllowed, match="no ended call"):
        m.set_disposition(disposed, now=112)
    rung, _ = m.call_ringing(ready, "L2", "100")
    assert rung.pending_call is None


def test_no_disposition_during_a_call_nor_for_an_unanswered_one() -> None:
    operator, _ = m.login("101", 10, 600, now=0)
    rung, _ = m.call_ringing(operator, "L1", "100")
    with pytest.raises(NotAllowed):
        m.set_disposition(rung, now=1)
    missed, _ = m.call_ended(rung, "L1", now=2)
    assert missed.pending_call is None and missed.state is State.READY


def test_a_required_disposition_holds_the_wrapup_and_refuses_ready_pause_and_mode() -> None:
    operator, _ = after_call(required=True)
    assert operator.awaits_disposition and operator.deadline() is None
    for change in (
        lambda op: m.set_ready(op, now=120),
        lambda op: m.set_pause(op, "lunch", now=120),
        lambda op: m.set_mode(op, Mode.OUTBOUND, now=120),
    ):
        with pytest.raises(NotAllowed, match="choose a disposition"):
            change(operator)
    assert m.tick(operator, now=1000)[0] is operator
    ready, effects = m.set_disposition(operator, now=120)  # the wrap-up time is over: Ready
    assert ready.state is State.READY and effects == [Unpause()]


def test_a_disposition_given_early_lets_the_wrapup_run_its_time() -> None:
    operator, _ = after_call(required=True)
    disposed, effects = m.set_disposition(operator, now=103)
    assert disposed.state is State.WRAPUP and effects == []
    assert disposed.deadline() == 110
    ready, _ = m.set_ready(disposed, now=104)
    assert ready.state is State.READY


def test_a_required_disposition_makes_a_wrapup_even_without_wrapup_time() -> None:
    operator, _ = after_call(wrapup=0, required=True)
    assert operator.state is State.WRAPUP and operator.awaits_disposition
    free, _ = after_call(wrapup=0)
    assert free.state is State.READY and free.pending_call == "L1"


def test_an_outbound_wrapup_held_for_its_disposition_returns_to_the_outbound_pause() -> None:
    operator, _ = after_call(required=True, mode=Mode.OUTBOUND)
    back, effects = m.set_disposition(operator, now=200)
    assert (back.state, back.reason, effects) == (State.PAUSE, "outbound", [Pause("outbound")])


def test_the_admin_dropping_the_requirement_ends_a_wrapup_past_its_time() -> None:
    operator, _ = after_call(required=True)
    ready, effects = m.set_disposition_required(operator, False, now=200)
    assert ready.state is State.READY and effects == [Unpause()]
    still, _ = m.set_disposition_required(operator, False, now=105)
    assert still.state is State.WRAPUP and still.deadline() == 110
    held, _ = m.set_disposition_required(after_call()[0], True, now=105)
    assert held.awaits_disposition and held.deadline() is None
