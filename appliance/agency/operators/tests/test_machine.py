import pytest

from appliance.agency.operators import machine as m
from appliance.agency.operators.effects import (
    Join,
    Leave,
    Locate,
    Logout,
    Pause,
    Unlocate,
    Unpause,
)
from appliance.agency.operators.machine import Mode, NotAllowed, State, Task


def logged_in(wrapup: float = 10, pause_limit: float = 600) -> m.Operator:
    operator, effects = m.login("101", wrapup, pause_limit, now=0)
    assert effects == [Join(paused=False, reason=""), Locate()]
    return operator


def test_login_starts_inbound_ready() -> None:
    operator = logged_in()
    assert (operator.mode, operator.state) == (Mode.INBOUND, State.READY)


def test_outbound_mode_starts_in_outbound_pause_and_forbids_ready() -> None:
    operator, effects = m.set_mode(logged_in(), Mode.OUTBOUND, now=1, topic="111")
    assert operator.state is State.PAUSE and operator.reason == "outbound"
    assert effects == [Pause("outbound")]
    assert operator.outbound_topic == "111"
    with pytest.raises(NotAllowed, match="Ready is not allowed in Outbound mode"):
        m.set_ready(operator, now=2)


def test_outbound_mode_refuses_inbound_calls() -> None:
    operator, _ = m.set_mode(logged_in(), Mode.OUTBOUND, now=1)
    assert str(m.may_ring(operator)) == "no inbound calls in Outbound mode"
    with pytest.raises(NotAllowed):
        m.call_ringing(operator, "c1", "79161234567")


def test_inbound_call_answered_then_wrapup_then_ready_after_wrapup_time() -> None:
    operator = logged_in(wrapup=10)
    operator, _ = m.call_ringing(operator, "c1", "79161234567")
    assert operator.state is State.RINGING
    operator, _ = m.call_answered(operator, "c1")
    assert operator.state is State.TALKING
    operator, effects = m.call_ended(operator, "c1", now=100)
    assert operator.state is State.WRAPUP and effects == [Pause("wrapup")]
    assert operator.deadline() == 110
    assert m.tick(operator, now=109.9) == (operator, [])
    operator, effects = m.tick(operator, now=110)
    assert operator.state is State.READY and effects == [Unpause()]


def test_wrapup_may_be_left_early_to_ready_or_pause() -> None:
    operator = _after_answered_call(logged_in())
    ready, effects = m.set_ready(operator, now=101)
    assert ready.state is State.READY and effects == [Unpause()]
    paused, effects = m.set_pause(operator, "lunch", now=101)
    assert paused.state is State.PAUSE and effects == [Pause("lunch")]


def test_an_unanswered_ring_returns_to_ready_without_wrapup() -> None:
    operator, _ = m.call_ringing(logged_in(), "c1", "100")
    operator, effects = m.call_ended(operator, "c1", now=5)
    assert operator.state is State.READY and effects == []


def test_zero_wrapup_time_goes_straight_to_ready() -> None:
    operator, effects = m.call_ended(_talking(logged_in(wrapup=0)), "c1", now=5)
    assert operator.state is State.READY and effects == [Unpause()]


def test_outbound_wrapup_returns_to_outbound_pause() -> None:
    operator, _ = m.set_mode(logged_in(), Mode.OUTBOUND, now=1)
    operator, _ = m.call_dialing(operator, "c1", "89001234567")
    assert operator.state is State.DIALING
    operator, _ = m.call_answered(operator, "c1")
    operator, _ = m.call_ended(operator, "c1", now=50)
    assert operator.state is State.WRAPUP
    operator, effects = m.tick(operator, now=60)
    assert (operator.state, operator.reason) == (State.PAUSE, "outbound")
    assert effects == [Pause("outbound")]
    assert operator.deadline() is None  # the outbound working pause has no limit


def test_pause_limit_logs_the_operator_out() -> None:
    operator, _ = m.set_pause(logged_in(pause_limit=300), "lunch", now=10)
    assert operator.deadline() == 310
    operator, effects = m.tick(operator, now=310)
    assert operator.logged_out
    assert effects == [Unlocate(), Leave(), Logout("pause_timeout")]


def test_reserved_pause_reasons_are_refused() -> None:
    for reason in ("wrapup", "outbound", "offline"):
        with pytest.raises(NotAllowed, match="reserved"):
            m.set_pause(logged_in(), reason, now=1)


def test_inbound_mode_dials_only_from_pause() -> None:
    operator = logged_in()
    assert str(m.may_dial(operator)) == "outbound calls start from Pause"
    operator, _ = m.set_pause(operator, "callback", now=1)
    operator, _ = m.call_dialing(operator, "c1", "89001234567")
    assert operator.state is State.DIALING


def test_at_most_two_calls_and_one_inbound() -> None:
    operator = _talking(logged_in())
    assert str(m.may_ring(operator)) == "the operator already has an inbound call"
    assert str(m.may_dial(operator)) == "put the current call on hold first"
    operator, _ = m.call_held(operator, "c1")
    assert operator.state is State.HOLD
    operator, _ = m.call_dialing(operator, "c2", "102")
    assert operator.state is State.DIALING
    assert str(m.may_dial(operator)) == "the operator already has two calls"
    with pytest.raises(NotAllowed):
        m.call_dialing(operator, "c3", "103")


def test_two_outbound_calls_leave_no_room_for_an_inbound_one() -> None:
    operator, _ = m.set_pause(logged_in(), "out", now=1)
    operator, _ = m.call_dialing(operator, "c1", "1")
    operator, _ = m.call_answered(operator, "c1")
    operator, _ = m.call_held(operator, "c1")
    operator, _ = m.call_dialing(operator, "c2", "2")
    assert str(m.may_ring(operator)) == "the operator already has two calls"


def test_consultation_ending_returns_to_the_held_call_without_wrapup() -> None:
    operator = _talking(logged_in())
    operator, _ = m.call_held(operator, "c1")
    operator, _ = m.call_dialing(operator, "c2", "102")
    operator, _ = m.call_answered(operator, "c2")
    operator, effects = m.call_ended(operator, "c2", now=10)
    assert operator.state is State.HOLD and effects == []
    operator, _ = m.call_unheld(operator, "c1")
    operator, effects = m.call_ended(operator, "c1", now=20)
    assert operator.state is State.WRAPUP and effects == [Pause("wrapup")]


def test_mode_and_state_changes_are_refused_during_a_call() -> None:
    operator = _talking(logged_in())
    with pytest.raises(NotAllowed, match="during a call"):
        m.set_mode(operator, Mode.OUTBOUND, now=1)
    with pytest.raises(NotAllowed, match="during a call"):
        m.set_pause(operator, "lunch", now=1)
    assert operator.deadline() is None


def test_offline_mode_tasks() -> None:
    operator, effects = m.set_mode(logged_in(), Mode.OFFLINE, now=1)
    assert operator.state is State.TASK_WAITING and effects == [Pause("offline")]
    assert str(m.may_dial(operator)) == "no calls in Offline mode"
    with pytest.raises(NotAllowed):
        m.finish_task(operator, now=2)
    operator, _ = m.start_task(operator, Task("P-17", "mail"), now=2)
    assert operator.state is State.TASK and operator.task == Task("P-17", "mail")
    with pytest.raises(NotAllowed):
        m.start_task(operator, Task("P-18", "mail"), now=3)
    operator, _ = m.finish_task(operator, now=4)
    assert operator.state is State.TASK_WAITING and operator.task is None
    with pytest.raises(NotAllowed, match="not a state of Offline"):
        m.set_pause(operator, "lunch", now=5)
    assert operator.deadline() is None


def test_tasks_only_in_offline_mode() -> None:
    with pytest.raises(NotAllowed, match="only in Offline mode"):
        m.start_task(logged_in(), Task("P", "a"), now=1)


def test_back_to_inbound_is_ready() -> None:
    operator, _ = m.set_mode(logged_in(), Mode.OFFLINE, now=1)
    operator, effects = m.set_mode(operator, Mode.INBOUND, now=2)
    assert operator.state is State.READY and effects == [Unpause()]


def test_repeated_call_events_are_idempotent() -> None:
    operator, _ = m.call_ringing(logged_in(), "c1", "100")
    again, effects = m.call_ringing(operator, "c1", "100")
    assert again == operator and effects == []
    assert m.call_ended(logged_in(), "unknown", now=1)[1] == []


def test_logout_leaves_the_queues() -> None:
    operator, effects = m.logout(logged_in())
    assert operator.logged_out and effects == [Unlocate(), Leave(), Logout("user")]
    assert operator.deadline() is None


def test_auto_answer_switch() -> None:
    operator, _ = m.set_auto_answer(logged_in(), True)
    assert operator.auto_answer


def _talking(operator: m.Operator) -> m.Operator:
    operator, _ = m.call_ringing(operator, "c1", "79161234567")
    operator, _ = m.call_answered(operator, "c1")
    return operator


def _after_answered_call(operator: m.Operator) -> m.Operator:
    operator, _ = m.call_ended(_talking(operator), "c1", now=100)
    assert operator.state is State.WRAPUP
    return operator


def test_a_changed_operator_is_what_dataclasses_replace_makes_and_its_state_is_its_own() -> None:
    """machine._with stands in for dataclasses.replace on the hot path (every call event)."""
    from dataclasses import fields, replace

    ringing, _ = m.call_ringing(logged_in(), "c1", "+7")
    assert ringing.state is State.RINGING  # cached on this value
    for change in (
        {"calls": ()},
        {"base": State.PAUSE, "reason": "lunch", "since": 7.0},
        {"auto_answer": True, "pending_call": "c1"},
    ):
        made = m._with(ringing, **change)
        assert made == replace(ringing, **change)
        assert {f.name: getattr(made, f.name) for f in fields(made)} == {
            f.name: getattr(replace(ringing, **change), f.name) for f in fields(made)
        }
    assert m._with(ringing, calls=()).state is State.READY  # not the cached RINGING
    with pytest.raises(TypeError, match="no field"):
        m._with(ringing, stat=State.READY)
