"""The operator state machine: pure, no I/O, time passed in.

Modes Inbound / Outbound / Offline; base states Ready, Pause(reason), Wrap-up, and in Offline
mode "waiting for task" / Task; call states Ringing, Dialing, Talking, Hold on top. The rules
from the manual:

- Inbound starts in Ready; outbound calls are allowed from Pause (and as a second call).
- Outbound starts in Pause (reason ``outbound``); no Ready and no inbound call in it.
- Offline: waiting for a task, or processing one (project code + activity).
- At most two calls at once; at most one inbound, and only in Inbound mode.
- After an answered call: Wrap-up (pause reason ``wrapup``) for the operator's wrap-up time,
  then Ready (Inbound) or back to the outbound pause; Ready or Pause may end it early.
- A pause the operator chose is limited in time (its reason's own limit, else the agency's);
  when it runs out the session is logged out.
- Dispositions: after an answered call the operator may give it a disposition, in the wrap-up
  or after it until the next call. When their groups require one, the wrap-up does not end
  (by itself, by Ready, Pause or a mode change) until it is given.

Every transition returns the :class:`Effect` list the service must carry out on Asterisk.
A transition that the rules forbid raises :class:`NotAllowed` and changes nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any

from appliance.agency.i18n import N_, Text, _
from appliance.agency.operators.effects import (
    Effect,
    Join,
    Leave,
    Locate,
    Logout,
    Pause,
    Unlocate,
    Unpause,
)

WRAPUP = "wrapup"
OUTBOUND_PAUSE = "outbound"
OFFLINE_PAUSE = "offline"
SYSTEM_REASONS = frozenset({WRAPUP, OUTBOUND_PAUSE, OFFLINE_PAUSE})
MAX_CALLS = 2


class NotAllowed(Exception):  # noqa: N818 - reads as the rule it states
    """The rules forbid this transition now; ``text`` says why (``str(err)`` in English)."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


class Mode(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    OFFLINE = "offline"


MODE_NAMES = {"inbound": N_("Inbound"), "outbound": N_("Outbound"), "offline": N_("Offline")}


def mode_name(mode: Mode) -> Text:
    return _(MODE_NAMES[mode.value])


class State(enum.StrEnum):
    READY = "ready"
    PAUSE = "pause"
    WRAPUP = "wrapup"
    RINGING = "ringing"
    DIALING = "dialing"
    TALKING = "talking"
    HOLD = "hold"
    TASK_WAITING = "task_waiting"
    TASK = "task"


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


CALL_PRIORITY = (State.TALKING, State.DIALING, State.RINGING, State.HOLD)


@dataclass(frozen=True)
class Call:
    call_id: str
    direction: Direction
    state: State
    number: str = ""
    answered: bool = False


@dataclass(frozen=True)
class Task:
    project: str
    activity: str


@dataclass(frozen=True)
class Operator:
    """One operator's session; every transition returns a new value."""

    agent: str
    wrapup_seconds: float
    pause_limit: float
    mode: Mode = Mode.INBOUND
    base: State = State.READY
    reason: str | None = None
    since: float = 0.0
    calls: tuple[Call, ...] = ()
    task: Task | None = None
    auto_answer: bool = False
    outbound_topic: str | None = None
    logged_out: bool = False
    pause_seconds: float | None = None  # the chosen pause reason's own limit
    disposition_required: bool = False
    pending_call: str | None = None  # the answered call that may still get a disposition
    answered_since_base: bool = field(default=False, repr=False)

    @cached_property
    def state(self) -> State:
        """What the terminal shows: the most important call state, else the base state."""
        if not self.calls:
            return self.base
        states = {call.state for call in self.calls}
        for state in CALL_PRIORITY:
            if state in states:
                return state
        return self.base

    def deadline(self) -> float | None:
        """When :func:`tick` must run next (wrap-up end or pause limit), if ever."""
        if self.calls or self.logged_out:
            return None
        if self.base is State.WRAPUP:
            return None if self.awaits_disposition else self.since + self.wrapup_seconds
        if self.base is State.PAUSE and self.reason not in SYSTEM_REASONS:
            limit = self.pause_limit if self.pause_seconds is None else self.pause_seconds
            return self.since + limit
        return None

    @property
    def awaits_disposition(self) -> bool:
        """In a wrap-up that a required disposition keeps from ending."""
        return (
            self.base is State.WRAPUP
            and self.disposition_required
            and self.pending_call is not None
        )


Result = tuple[Operator, list[Effect]]


def login(agent: str, wrapup_seconds: float, pause_limit: float, now: float) -> Result:
    operator = Operator(agent, wrapup_seconds, pause_limit, since=now)
    return operator, [Join(paused=False, reason=""), Locate()]


def logout(operator: Operator, reason: str = "user") -> Result:
    return _with(operator, logged_out=True), [Unlocate(), Leave(), Logout(reason)]


def set_mode(operator: Operator, mode: Mode, now: float, topic: str | None = None) -> Result:
    _require_no_calls(operator, _("cannot change the mode during a call"))
    _require_disposition(operator)
    if mode is Mode.INBOUND:
        changed = _base(operator, State.READY, None, now)
        return _with(changed, mode=mode, task=None), [Unpause()]
    if mode is Mode.OUTBOUND:
        changed = _base(operator, State.PAUSE, OUTBOUND_PAUSE, now)
        changed = _with(changed, mode=mode, task=None, outbound_topic=topic)
        return changed, [Pause(OUTBOUND_PAUSE)]
    changed = _base(operator, State.TASK_WAITING, OFFLINE_PAUSE, now)
    return _with(changed, mode=mode, task=None), [Pause(OFFLINE_PAUSE)]


def set_ready(operator: Operator, now: float) -> Result:
    if operator.mode is not Mode.INBOUND:
        raise NotAllowed(_("Ready is not allowed in {mode} mode", mode=mode_name(operator.mode)))
    _require_no_calls(operator, _("cannot become Ready during a call"))
    _require_disposition(operator)
    return _base(operator, State.READY, None, now), [Unpause()]


def set_pause(operator: Operator, reason: str, now: float, limit: float | None = None) -> Result:
    """Pause for ``reason``; ``limit``: the reason's own limit (None: the pause limit)."""
    if operator.mode is Mode.OFFLINE:
        raise NotAllowed(_("Pause is not a state of Offline mode"))
    if reason in SYSTEM_REASONS:
        raise NotAllowed(_("the pause reason '{reason}' is reserved", reason=reason))
    _require_no_calls(operator, _("cannot pause during a call"))
    _require_disposition(operator)
    paused = _with(_base(operator, State.PAUSE, reason, now), pause_seconds=limit)
    return paused, [Pause(reason)]


def set_disposition(operator: Operator, now: float) -> Result:
    """The last answered call got its disposition (the service checked the code); a wrap-up it
    held past its time ends now."""
    if operator.pending_call is None or operator.calls:
        raise NotAllowed(_("there is no ended call to give a disposition to"))
    waited = operator.awaits_disposition
    operator = _with(operator, pending_call=None)
    if waited and now >= operator.since + operator.wrapup_seconds:
        return _after_wrapup(operator, now)
    return operator, []


def set_disposition_required(operator: Operator, required: bool, now: float) -> Result:
    """The admin changed whether the operator's groups require a disposition; a wrap-up held
    only by that requirement ends when its time is over."""
    waited = operator.awaits_disposition
    operator = _with(operator, disposition_required=required)
    if waited and not operator.awaits_disposition:
        return tick(operator, now)
    return operator, []


def start_task(operator: Operator, task: Task, now: float) -> Result:
    if operator.mode is not Mode.OFFLINE or operator.base is not State.TASK_WAITING:
        raise NotAllowed(_("a task starts only in Offline mode while waiting for a task"))
    return _with(_base(operator, State.TASK, OFFLINE_PAUSE, now), task=task), []


def finish_task(operator: Operator, now: float) -> Result:
    if operator.base is not State.TASK:
        raise NotAllowed(_("no task is being processed"))
    return _with(_base(operator, State.TASK_WAITING, OFFLINE_PAUSE, now), task=None), []


def set_auto_answer(operator: Operator, enabled: bool) -> Result:
    return _with(operator, auto_answer=enabled), []


def tick(operator: Operator, now: float) -> Result:
    """Apply what time decides: wrap-up over -> Ready/outbound pause; pause over -> logout."""
    deadline = operator.deadline()
    if deadline is None or now < deadline:
        return operator, []
    if operator.base is State.WRAPUP:
        return _after_wrapup(operator, now)
    return logout(operator, "pause_timeout")


def rebase(current: Operator, wanted: Operator) -> Operator:
    """``wanted``'s mode and base state on top of ``current``'s calls: an operator's change
    computed before a call event arrived keeps both."""
    return _with(
        current,
        mode=wanted.mode,
        base=wanted.base,
        reason=wanted.reason,
        since=wanted.since,
        task=wanted.task,
        auto_answer=wanted.auto_answer,
        outbound_topic=wanted.outbound_topic,
        logged_out=wanted.logged_out,
        pause_seconds=wanted.pause_seconds,
    )


# calls ----------------------------------------------------------------------------------------
def may_ring(operator: Operator) -> Text | None:
    """Why an inbound call may not ring this operator now, or None when it may."""
    if operator.mode is not Mode.INBOUND:
        return _("no inbound calls in {mode} mode", mode=mode_name(operator.mode))
    if any(c.direction is Direction.INBOUND for c in operator.calls):
        return _("the operator already has an inbound call")
    if len(operator.calls) >= MAX_CALLS:
        return _("the operator already has two calls")
    return None


def may_dial(operator: Operator) -> Text | None:
    """Why the operator may not place an outbound call now, or None when they may."""
    if operator.mode is Mode.OFFLINE:
        return _("no calls in Offline mode")
    if len(operator.calls) >= MAX_CALLS:
        return _("the operator already has two calls")
    if not operator.calls and operator.base is not State.PAUSE:
        return _("outbound calls start from Pause")
    if operator.calls and all(c.state is not State.HOLD for c in operator.calls):
        return _("put the current call on hold first")
    return None


def call_ringing(operator: Operator, call_id: str, number: str) -> Result:
    if _find(operator, call_id) is not None:
        return operator, []
    why = may_ring(operator)
    if why is not None:
        raise NotAllowed(why)
    call = Call(call_id, Direction.INBOUND, State.RINGING, number)
    return _with(operator, calls=(*operator.calls, call), pending_call=None), []


def call_dialing(operator: Operator, call_id: str, number: str) -> Result:
    if _find(operator, call_id) is not None:
        return operator, []
    why = may_dial(operator)
    if why is not None:
        raise NotAllowed(why)
    call = Call(call_id, Direction.OUTBOUND, State.DIALING, number)
    return _with(operator, calls=(*operator.calls, call), pending_call=None), []


def call_answered(operator: Operator, call_id: str) -> Result:
    return _set_call(operator, call_id, State.TALKING, answered=True), []


def call_held(operator: Operator, call_id: str) -> Result:
    return _set_call(operator, call_id, State.HOLD), []


def call_unheld(operator: Operator, call_id: str) -> Result:
    return _set_call(operator, call_id, State.TALKING), []


def call_ended(operator: Operator, call_id: str, now: float) -> Result:
    call = _find(operator, call_id)
    if call is None:
        return operator, []
    answered = operator.answered_since_base or call.answered
    rest = tuple(c for c in operator.calls if c.call_id != call_id)
    operator = _with(operator, calls=rest, answered_since_base=answered)
    if rest:
        return operator, []
    if not answered or operator.mode is Mode.OFFLINE:
        return _with(operator, answered_since_base=False), []
    operator = _with(operator, pending_call=call_id)
    if operator.wrapup_seconds <= 0 and not operator.disposition_required:
        return _after_wrapup(operator, now)
    return _base(operator, State.WRAPUP, WRAPUP, now), [Pause(WRAPUP)]


# helpers --------------------------------------------------------------------------------------
def _after_wrapup(operator: Operator, now: float) -> Result:
    if operator.mode is Mode.INBOUND:
        return _base(operator, State.READY, None, now), [Unpause()]
    return _base(operator, State.PAUSE, OUTBOUND_PAUSE, now), [Pause(OUTBOUND_PAUSE)]


def _base(operator: Operator, state: State, reason: str | None, now: float) -> Operator:
    return _with(
        operator,
        base=state,
        reason=reason,
        since=now,
        answered_since_base=False,
        pause_seconds=None,
    )


def _find(operator: Operator, call_id: str) -> Call | None:
    return next((c for c in operator.calls if c.call_id == call_id), None)


def _set_call(operator: Operator, call_id: str, state: State, answered: bool = False) -> Operator:
    calls = tuple(
        replace(c, state=state, answered=c.answered or answered) if c.call_id == call_id else c
        for c in operator.calls
    )
    return _with(operator, calls=calls)


def _require_no_calls(operator: Operator, why: Text) -> None:
    if operator.calls:
        raise NotAllowed(why)


def _require_disposition(operator: Operator) -> None:
    if operator.awaits_disposition:
        raise NotAllowed(_("choose a disposition for the call first: your group requires one"))


_OPERATOR_FIELDS = frozenset(f.name for f in fields(Operator))


def _with(operator: Operator, **changes: Any) -> Operator:
    """``dataclasses.replace`` for the operator, without its cost (field by field through the
    frozen ``__init__``): every call event makes one or two new values."""
    unknown = changes.keys() - _OPERATOR_FIELDS
    if unknown:
        raise TypeError(f"Operator has no field {sorted(unknown)}")
    values = {name: value for name, value in operator.__dict__.items() if name != "state"}
    values.update(changes)
    new = object.__new__(Operator)
    new.__dict__.update(values)
    return new
