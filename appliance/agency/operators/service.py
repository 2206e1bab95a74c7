"""The operator service: ACP sessions driven through the state machine onto Asterisk.

It implements the ACP server's SessionHandler. An action runs the pure machine, carries the
effects out on the workplace's unit (QueueAdd/QueueRemove/QueuePause), and only then commits the
new state; a failure there is a ``pbx_unavailable`` error and changes nothing. Every committed
change closes a time-tracking interval, is persisted (sessions survive an agency restart) and is
sent to the terminal as ``state_changed``. AMI events come in through :mod:`.events`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from appliance.agency.acp import outgoing as out
from appliance.agency.acp.clients import Client
from appliance.agency.acp.messages import ACPError, Action
from appliance.agency.acp.outgoing import Outgoing
from appliance.agency.config import OperatorsConfig
from appliance.agency.database import Database, Interval
from appliance.agency.i18n import _
from appliance.agency.operators import asterisk, calls, work_code_actions
from appliance.agency.operators import machine as m
from appliance.agency.operators.call_log import CallLog
from appliance.agency.operators.colleagues import colleagues
from appliance.agency.operators.effects import Effect, Logout, Plan
from appliance.agency.operators.login import LoginService
from appliance.agency.operators.observers import SessionObservers
from appliance.agency.operators.session import Session
from appliance.agency.operators.texts import logged_out, pbx_failure
from appliance.agency.operators.work_codes import WorkCodeCache, offer_for
from appliance.agency.records import RecordWriter
from appliance.ami.errors import (
    ActionFailedError,
    AMIError,
    ConnectionLostError,
    NotConnectedError,
)
from appliance.ami.manager import AMIManager

log = logging.getLogger(__name__)
DISCONNECTED = "disconnected"  # pause reason of a session whose terminal went away
PAUSE_WARNING = 60.0  # seconds before a pause runs out that the terminal is warned


Transition = Callable[[m.Operator], m.Result]


class Notifier(Protocol):
    def send(self, client: Client, message: Outgoing) -> bool: ...


class OperatorService:
    def __init__(
        self,
        settings: OperatorsConfig,
        store: Database,
        units: Mapping[str, AMIManager],
        notifier: Notifier,
        *,
        max_operators: int | None = None,
        license_not_after: datetime | None = None,
        license_warn_days: int = 0,
        restored: dict[str, dict[str, Any]] | None = None,
        clock: Callable[[], float] = time.time,
        observers: SessionObservers | None = None,
        records: RecordWriter | None = None,
    ) -> None:
        self.settings = settings
        self.observers = observers or SessionObservers()  # the wallboard
        self.store = store
        self.units = units
        self.clock = clock
        self.sessions: dict[str, Session] = {}
        self.by_interface: dict[str, Session] = {}
        self.by_workplace: dict[str, Session] = {}  # by the workplace's number
        # agents who started a consultation: every DialEnd looks for its target among them, not
        # among all sessions (thousands); an entry whose consultation ended is dropped there
        self.consulting: set[str] = set()
        self.notifier = notifier
        self.logins = LoginService(
            self, max_operators, license_not_after, license_warn_days, dict(restored or {})
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self.work_codes = WorkCodeCache(store)  # refreshed by the admin watch (app.py)
        # intervals, sessions and call records, kept until the database is back
        self.records = records or RecordWriter()
        self.call_log: CallLog | None = None  # call records (app.py attaches it to the units)

    # SessionHandler --------------------------------------------------------------------------
    async def login(self, client: Client, action: Action) -> dict[str, Any]:
        return await self.logins.login(client, action)

    async def handle(self, client: Client, action: Action) -> dict[str, Any]:
        session = self.sessions.get(client.agent or "")
        if session is None or session.client is not client:
            client.agent = None
            raise ACPError("not_logged_in", _("the session has ended; log in again"), id=action.id)
        handler = _ACTIONS.get(action.name) or calls.ACTIONS.get(action.name)
        if handler is None:
            raise ACPError(
                "not_allowed",
                _("the action '{action}' is not available yet", action=action.name),
                id=action.id,
            )
        try:
            reply = await self.run(session, await handler(self, session, action))
        except m.NotAllowed as exc:
            raise ACPError("not_allowed", exc.text, id=action.id) from exc
        except ActionFailedError as exc:
            reason = exc.response.get("Message", "error")
            raise ACPError(
                "not_allowed",
                _("the PBX refused the action: {reason}", reason=reason),
                id=action.id,
            ) from exc
        except AMIError as exc:
            if action.name == "set_state" and isinstance(
                exc, NotConnectedError | ConnectionLostError
            ):
                return self.keep_pending(session, action)
            raise ACPError(
                "pbx_unavailable", pbx_failure(exc), id=action.id, details={"unit": session.unit}
            ) from exc
        return reply

    # Ready / Pause while the unit is away -------------------------------------------------------
    def keep_pending(self, session: Session, action: Action) -> dict[str, Any]:
        """Ready or Pause pressed while the unit's link is down (an Asterisk restart): the
        press is kept (the latest wins) and carried out when the unit is back; until then the
        state is unchanged and the session shows what waits (``pending``)."""
        state = action.data["state"]
        reason = action.data.get("reason", "pause") if state == "pause" else None
        session.pending = {"state": state, "reason": reason}
        log.info("%s: %s kept until unit %s is back", session.agent, state, session.unit)
        snapshot = session.snapshot(self.clock())
        self.notify(session, out.state_changed(snapshot))
        return snapshot

    async def apply_pending(self, session: Session) -> None:
        """After the unit's resync: the kept press is carried out as if pressed now. Refused by
        then (e.g. a call arrived, a disposition is required), it is dropped and the terminal
        told (``state_changed`` without ``pending``); the link down again, it keeps waiting."""
        wanted = session.pending
        if wanted is None or self.sessions.get(session.agent) is not session:
            return
        session.pending = None
        now = self.clock()
        try:
            await self.transition(session, state_change(session, wanted, now))
        except (m.NotAllowed, ACPError) as exc:
            log.info("%s: kept %s dropped: %s", session.agent, wanted["state"], exc)
            self.schedule(session)  # the state's own deadline, held while the press waited
            self.notify(session, out.state_changed(session.snapshot(now)))
        except AMIError as exc:
            session.pending = wanted
            log.info("%s: kept %s still waits: %s", session.agent, wanted["state"], exc)

    async def disconnected(self, client: Client) -> None:
        session = self.sessions.get(client.agent or "")
        if session is not None and session.client is client:
            session.client = None  # the session waits for the terminal to come back
            loop = asyncio.get_running_loop()
            loop.call_later(self.settings.reconnect_grace, self._still_away, session)

    def _still_away(self, session: Session) -> None:
        """A terminal gone for the grace time: no more calls to its dead phone (Pause)."""
        if session.client is not None or self.sessions.get(session.agent) is not session:
            return
        operator = session.operator
        if (
            operator.mode is m.Mode.INBOUND
            and not operator.calls
            and not operator.awaits_disposition  # the wrap-up waits for its disposition
            and operator.base
            in (
                m.State.READY,
                m.State.WRAPUP,
            )
        ):
            self.react(session, m.set_pause(operator, DISCONNECTED, self.clock()))

    def add(self, session: Session) -> None:
        self.sessions[session.agent] = session
        self.by_interface[session.interface] = session
        self.by_workplace[session.workplace.number] = session

    # transitions -----------------------------------------------------------------------------
    async def run(self, session: Session, plan: Plan) -> dict[str, Any]:
        """An operator's action: carry its effects out, then commit (``plan.done``); an AMI
        failure changes nothing (the caller gets ``pbx_unavailable``)."""
        await self.perform(session, plan.effects)
        return plan.done()

    async def perform(self, session: Session, effects: Sequence[Effect]) -> None:
        """The one way to Asterisk: the effects on the session's unit, in order."""
        await asterisk.apply(self.unit_of(session), session, effects)

    def plan(
        self, session: Session, change: Transition, reply: Callable[[], dict[str, Any]] = dict
    ) -> Plan:
        """A state machine step as a plan. When a call event changed the session while Asterisk
        worked, the action's mode and state are laid over the new calls."""
        before = session.operator
        operator, effects = change(before)

        def done() -> dict[str, Any]:
            wanted = (
                operator if session.operator is before else m.rebase(session.operator, operator)
            )
            self.commit(session, wanted, effects)
            return reply()

        return Plan(effects, done)

    async def transition(self, session: Session, change: Transition) -> None:
        await self.run(session, self.plan(session, change))

    def react(self, session: Session, result: m.Result) -> None:
        """What Asterisk or time decided: commit now, carry the effects out in the background.

        Committing at once keeps successive events from overwriting each other's state; the
        effects are best effort (a unit that is down is reconciled when it reconnects).
        """
        operator, effects = result
        self.commit(session, operator, effects)
        if effects:
            self.background(self._carry_out(session, effects))

    async def _carry_out(self, session: Session, effects: list[Effect]) -> None:
        try:
            await self.perform(session, effects)
        except AMIError as exc:
            log.warning("%s: %s (the unit is reconciled after it reconnects)", session.agent, exc)

    def commit(self, session: Session, operator: m.Operator, effects: list[Effect]) -> None:
        before = session.operator
        now = self.clock()
        session.operator = operator
        if operator.since != before.since:  # a new base state
            session.state_since = operator.since
        elif operator.state is not before.state:  # a call rings, is answered, held, ends
            session.state_since = now
        if _tracked(before) != _tracked(operator) or operator.logged_out:
            self._close_interval(session, before, now)
        self._follow_wrapup(session, before, operator, now)
        self.schedule(session)
        for effect in effects:
            if isinstance(effect, Logout):
                self._end(session, effect.reason)
                return
        self.save(session)
        self.notify(session, out.state_changed(session.snapshot(now)))
        self.observers.changed(session)

    def save(self, session: Session) -> None:
        """Queue the session's saved data (what survives an agency restart) for the database."""
        data = session.persisted()
        self.records.write(
            f"session of {session.agent}", lambda: self.store.save_session(session.agent, data)
        )

    def _follow_wrapup(
        self, session: Session, before: m.Operator, operator: m.Operator, now: float
    ) -> None:
        """Tell the call log when an operator's wrap-up after a call begins and ends."""
        if self.call_log is None:
            return
        was = before.base is m.State.WRAPUP
        is_ = operator.base is m.State.WRAPUP and not operator.logged_out
        new_base = operator.since != before.since
        if was and (not is_ or new_base):
            self.call_log.wrapup_ended(session.agent, now)
        if is_ and (not was or new_base):
            self.call_log.wrapup_started(session.agent, operator.pending_call, operator.since)

    def agent_at(self, workplace: str) -> str | None:
        """The agent logged in at a workplace number here, if any."""
        session = self.by_workplace.get(workplace)
        return None if session is None else session.agent

    def _close_interval(self, session: Session, before: m.Operator, now: float) -> None:
        task = before.task
        interval = Interval(
            session.agent,
            before.mode.value,
            before.state.value,
            before.reason,
            task.project if task else None,
            task.activity if task else None,
            session.interval_start,
            now,
        )
        session.interval_start = now
        self.records.write(
            f"interval of {session.agent}", lambda: self.store.record_interval(interval)
        )

    def close_restored_interval(self, session: Session, saved: Any, now: float) -> None:
        """A session restored after an agency restart: its calls are not restored (the
        operator comes back in the base state), so an interval that was a call's (talking,
        ringing, ...) is written as what it was, ending now, and a new one starts; never
        relabelled as the base state."""
        if not isinstance(saved, list) or len(saved) != 5:
            return  # saved by an agency that did not record it
        operator = session.operator
        task = operator.task
        restored = [
            operator.mode.value,
            operator.state.value,
            operator.reason,
            task.project if task else None,
            task.activity if task else None,
        ]
        if saved == restored:
            return
        mode, state, reason, project, activity = saved
        interval = Interval(
            session.agent, mode, state, reason, project, activity, session.interval_start, now
        )
        session.interval_start = now
        self.records.write(
            f"interval of {session.agent}", lambda: self.store.record_interval(interval)
        )

    def _end(self, session: Session, reason: str) -> None:
        for handle in (session.timer, session.warning):
            if handle is not None:
                handle.cancel()
        self.sessions.pop(session.agent, None)
        if self.by_interface.get(session.interface) is session:
            del self.by_interface[session.interface]
        if self.by_workplace.get(session.workplace.number) is session:
            del self.by_workplace[session.workplace.number]
        agent = session.agent
        self.records.write(f"end of session {agent}", lambda: self.store.drop_session(agent))
        client = session.client
        session.client = None
        if client is not None and reason != "user":
            self.notify_client(client, logged_out(reason))
        if client is not None:
            client.agent = None
        self.observers.ended(session)

    def schedule(self, session: Session) -> None:
        """Arm the timer of the state's deadline (and a warning before a pause runs out)."""
        for handle in (session.timer, session.warning):
            if handle is not None:
                handle.cancel()
        session.timer = session.warning = None
        deadline = session.operator.deadline()
        if deadline is None:
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, deadline - self.clock())
        session.timer = loop.call_later(delay, self._on_timer, session)
        if session.operator.base is m.State.PAUSE and delay > PAUSE_WARNING:
            session.warning = loop.call_later(delay - PAUSE_WARNING, self._warn, session)

    def _warn(self, session: Session) -> None:
        session.warning = None
        deadline = session.operator.deadline()
        if deadline is not None and self.sessions.get(session.agent) is session:
            left = round(max(0.0, deadline - self.clock()), 1)
            message = _(
                "the pause ends in {seconds} s: choose Ready or another state, or you "
                "will be logged out",
                seconds=round(left),
            )
            self.notify(session, out.pause_expiring(left, message))

    def _on_timer(self, session: Session) -> None:
        session.timer = None
        if self.sessions.get(session.agent) is not session:
            return
        if session.pending is not None:
            # the operator already chose what comes next (kept while the unit is away): the
            # pause limit or wrap-up end waits for it (re-armed when it is carried out)
            return
        self.react(session, m.tick(session.operator, self.clock()))

    # helpers ---------------------------------------------------------------------------------
    def unit_of(self, session: Session) -> AMIManager:
        return self.units[session.unit]

    def notify(self, session: Session, message: Outgoing) -> None:
        if session.client is not None:
            self.notifier.send(session.client, message)

    def notify_client(self, client: Client, message: Outgoing) -> None:
        self.notifier.send(client, message)

    def background(self, job: Any) -> None:
        """Run a coroutine without blocking the caller; its errors are logged, never lost."""
        task: asyncio.Task[None] = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background job failed", exc_info=task.exception())

    async def drain(self, records_timeout: float = 10.0) -> None:
        """Finish the background jobs, then the records (given up after ``records_timeout``
        seconds when the database is unreachable: the agency is stopping)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.records.flush(records_timeout)
        await self.records.close()

    async def refresh_work_codes(self) -> None:
        """Read the admin's pause reasons and dispositions again; the operators whose offer
        changed are told (``work_codes``), and a wrap-up held only by a requirement the admin
        dropped ends."""
        if not await self.work_codes.refresh():
            return
        for session in list(self.sessions.values()):
            offer = offer_for(self.work_codes.codes, [g.name for g in session.groups])
            if offer == session.offer:
                continue
            session.offer = offer
            if session.client is not None:
                data = offer.to_acp(session.client.lang)
                self.notify(session, out.work_codes(**data))
            if session.operator.disposition_required != offer.disposition_required:
                required = offer.disposition_required
                self.react(
                    session,
                    m.set_disposition_required(session.operator, required, self.clock()),
                )

    async def drop_unit(self, unit: str) -> None:
        """The unit is going away (removed or disabled in the admin): log its operators out
        while its link is still up, so they leave its queues; they log in again elsewhere."""
        for session in [s for s in self.sessions.values() if s.unit == unit]:
            await self.force_logout(session.agent, "pbx_removed")

    async def force_logout(self, agent: str, reason: str) -> bool:
        session = self.sessions.get(agent)
        if session is None:
            return False
        operator, effects = m.logout(session.operator, reason)
        self.commit(session, operator, effects)
        await self._carry_out(session, effects)
        return True


def _tracked(operator: m.Operator) -> tuple[Any, ...]:
    return (operator.mode, operator.state, operator.reason, operator.task)


async def _logout(service: OperatorService, session: Session, action: Action) -> Plan:
    return service.plan(session, lambda op: m.logout(op, "user"))


async def _set_mode(service: OperatorService, session: Session, action: Action) -> Plan:
    mode = m.Mode(action.data["mode"])
    topic = action.data.get("topic")
    if topic is not None:
        await calls.require_outbound_topic(service, topic, action)
    now = service.clock()
    return service.plan(
        session, lambda op: m.set_mode(op, mode, now, topic), lambda: session.snapshot(now)
    )


def state_change(
    session: Session, data: Mapping[str, Any], now: float, action: Action | None = None
) -> Transition:
    """The machine step of ``set_state``'s data (``ready``, or ``pause`` with a reason)."""
    if data["state"] == "ready":
        return lambda op: m.set_ready(op, now)
    reason = data.get("reason") or "pause"
    limit = work_code_actions.pause_limit(session, reason, action)
    return lambda op: m.set_pause(op, reason, now, limit)


async def _set_state(service: OperatorService, session: Session, action: Action) -> Plan:
    now = service.clock()
    change = state_change(session, action.data, now, action)
    plan = service.plan(session, change, lambda: session.snapshot(now))

    def done() -> dict[str, Any]:
        session.pending = None  # carried out now: an earlier press no longer waits
        return plan.done()

    return Plan(plan.effects, done)


async def _task_start(service: OperatorService, session: Session, action: Action) -> Plan:
    now = service.clock()
    task = m.Task(action.data["project"], action.data["activity"])
    return service.plan(
        session, lambda op: m.start_task(op, task, now), lambda: session.snapshot(now)
    )


async def _task_finish(service: OperatorService, session: Session, action: Action) -> Plan:
    now = service.clock()
    return service.plan(session, lambda op: m.finish_task(op, now), lambda: session.snapshot(now))


async def _auto_answer(service: OperatorService, session: Session, action: Action) -> Plan:
    enabled = bool(action.data["enabled"])
    return service.plan(session, lambda op: m.set_auto_answer(op, enabled))


async def _ping(service: OperatorService, session: Session, action: Action) -> Plan:
    return Plan([], lambda: {"time": datetime.now(UTC).isoformat()})


ActionHandler = Callable[[OperatorService, Session, Action], Awaitable[Plan]]
_ACTIONS: dict[str, ActionHandler] = {
    "logout": _logout,
    "set_mode": _set_mode,
    "set_state": _set_state,
    "set_disposition": work_code_actions.set_disposition,
    "task_start": _task_start,
    "task_finish": _task_finish,
    "auto_answer": _auto_answer,
    "ping": _ping,
    "colleagues": colleagues,
}
