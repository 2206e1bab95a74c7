"""Simulated operators: one real ACP client per operator, logged in to the real agency from its
workplace. Each follows its state like a person would: when a call ends and wrap-up starts, it
thinks for a while and presses Ready. Every terminal reconnects and logs in again (resuming its
session) when its connection drops, as the webagent does: with the session's resume token from
its last login, not the password (the password only when the agency refuses the token)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

QUICK_TRIES, QUICK_DELAY, MAX_DELAY = 8, 1.0, 15.0  # as the webagent's AcpClient


def reconnect_delay(failures: int) -> float:
    """Seconds before the next try after ``failures`` failed ones (0: the link just dropped):
    every second for the first tries (an agency restart is back within seconds), then
    doubling up to 15 s."""
    if failures < QUICK_TRIES:
        return QUICK_DELAY
    return min(MAX_DELAY, QUICK_DELAY * 2 ** (failures - QUICK_TRIES + 1))


@dataclass(frozen=True)
class Credentials:
    agent: str
    password: str
    workplace: str  # MAC


@dataclass
class OperatorStats:
    logins: int = 0
    token_logins: int = 0  # logins that resumed with the token (no password sent)
    tokens_refused: int = 0  # resume tokens the agency refused (then the password is sent)
    reconnects: int = 0
    readies: int = 0
    ready_retries: int = 0  # Ready pressed again after a pbx_unavailable refusal
    ready_kept: int = 0  # Ready answered as kept (``pending``) while the unit was away
    pending: set[str] = field(default_factory=set)  # agents whose press still waits
    logged_out: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    states: dict[str, str] = field(default_factory=dict)  # agent -> last state
    # agent -> every login answered: (time.monotonic(), resumed)
    login_times: dict[str, list[tuple[float, bool]]] = field(default_factory=dict)
    # agent -> what the terminal saw: (time.monotonic(), (mode, state, reason, task)) per change
    history: dict[str, list[tuple[float, tuple[Any, ...]]]] = field(default_factory=dict)
    logged_out_at: list[tuple[float, str, str]] = field(default_factory=list)  # time, agent, why
    ready_sent: dict[str, float] = field(default_factory=dict)  # agent -> its last Ready's time

    def transitions(self, agent: str) -> int:
        """Changes of the tracked state the terminal saw (each closes a time interval)."""
        return max(0, len(self.history.get(agent, [])) - 1)


class SimulatedOperator:
    def __init__(
        self,
        url: str,
        credentials: Credentials,
        stats: OperatorStats,
        think: tuple[float, float],
    ) -> None:
        self.url = url
        self.credentials = credentials
        self.stats = stats
        self.think = think
        self.logged_in = asyncio.Event()
        self._ids = 0
        self.token: str | None = None  # the session's resume token (from the last login)
        self.logged_in_once = False  # in the current connection
        self._thinking: set[asyncio.Task[None]] = set()

    async def run(self, http: aiohttp.ClientSession, stop: asyncio.Event) -> None:
        """Connect, log in (again: the agency resumes the session), and when the connection
        drops reconnect with the webagent's back-off (``reconnect_delay``), with jitter, from
        the first failure after a login."""
        failures = 0
        while not stop.is_set():
            self.logged_in_once = False
            try:
                async with http.ws_connect(f"{self.url}/ws", heartbeat=20) as ws:
                    await self._session(ws, stop)
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                self.stats.errors[type(exc).__name__] += 1
            if not stop.is_set():
                self.stats.reconnects += 1
                failures = 0 if self.logged_in_once else failures + 1
                await asyncio.sleep(reconnect_delay(failures) * random.uniform(0.75, 1.25))

    async def _session(self, ws: aiohttp.ClientWebSocketResponse, stop: asyncio.Event) -> None:
        await self._send(ws, "login", self._login_data())
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while True:
                receiving = asyncio.ensure_future(ws.receive())
                done, _ = await asyncio.wait(
                    {receiving, stopping}, return_when=asyncio.FIRST_COMPLETED
                )
                if stopping in done:
                    receiving.cancel()
                    for task in list(self._thinking):
                        task.cancel()
                    await self._send(ws, "logout", {})
                    return
                frame = receiving.result()
                if frame.type is not aiohttp.WSMsgType.TEXT:
                    return
                await self._handle(ws, json.loads(frame.data))
        finally:
            stopping.cancel()

    async def _handle(self, ws: aiohttp.ClientWebSocketResponse, message: dict[str, Any]) -> None:
        name, data = message.get("name", ""), message.get("data") or {}
        if message.get("type") == "error":
            self.stats.errors[name] += 1
            in_wrapup = self.stats.states.get(self.credentials.agent) == "wrapup"
            if name == "pbx_unavailable" and self.logged_in_once and in_wrapup:
                # its Ready was refused while the unit was away: a person presses it again
                self.stats.ready_retries += 1
                await self._follow(ws, "wrapup")
                return
            if not self.logged_in_once:  # as the webagent does: wait as told, log in again
                details = data.get("details") or {}
                if name == "login_failed" and self.token is not None:
                    # the token is refused: the password now (the webagent's login form)
                    self.stats.tokens_refused += 1
                    self.token = None
                else:
                    await asyncio.sleep(float(details.get("retry_after", 2)))
                await self._send(ws, "login", self._login_data())
            return
        agent = self.credentials.agent
        if name == "login.result":
            self.stats.logins += 1
            self.logged_in.set()
            self.logged_in_once = True
            resumed = bool(data.get("resumed"))
            if self.token is not None:
                self.stats.token_logins += 1
            self.token = str(data.get("resume") or "") or None
            self.stats.login_times.setdefault(agent, []).append((time.monotonic(), resumed))
            session = data.get("session")
            if isinstance(session, dict):
                self._saw(session)
                await self._follow(ws, str(session.get("state", "")))
        elif name in ("state_changed", "set_state.result", "set_mode.result"):
            self._saw(data)
            if data.get("pending"):  # kept by the agency until the unit is back: no new press
                if name == "set_state.result":
                    self.stats.ready_kept += 1
                self.stats.pending.add(agent)
                return
            self.stats.pending.discard(agent)
            await self._follow(ws, str(data.get("state", "")))
        elif name == "logged_out":
            self.stats.logged_out += 1
            self.token = None  # the session ended: its token with it
            self.stats.logged_out_at.append((time.monotonic(), agent, str(data.get("reason"))))

    def _login_data(self) -> dict[str, str]:
        """The login to send: with the resume token once the agency gave one, as the webagent."""
        c = self.credentials
        if self.token is not None:
            return {"agent": c.agent, "resume": self.token, "workplace": c.workplace}
        return {"agent": c.agent, "password": c.password, "workplace": c.workplace}

    def _saw(self, session: dict[str, Any]) -> None:
        if "state" not in session:
            return
        task = session.get("task")
        tracked = (
            session.get("mode"),
            session.get("state"),
            session.get("reason"),
            None if not task else (task.get("project"), task.get("activity")),
        )
        history = self.stats.history.setdefault(self.credentials.agent, [])
        if not history or history[-1][1] != tracked:
            history.append((time.monotonic(), tracked))

    async def _follow(self, ws: aiohttp.ClientWebSocketResponse, state: str) -> None:
        self.stats.states[self.credentials.agent] = state
        if state == "wrapup":
            task = asyncio.get_running_loop().create_task(self._ready_after_thinking(ws))
            self._thinking.add(task)
            task.add_done_callback(self._thinking.discard)

    async def _ready_after_thinking(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        await asyncio.sleep(random.uniform(*self.think))
        if self.stats.states.get(self.credentials.agent) == "wrapup" and not ws.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                self.stats.ready_sent[self.credentials.agent] = time.monotonic()
                await self._send(ws, "set_state", {"state": "ready"})
                self.stats.readies += 1

    async def _send(
        self, ws: aiohttp.ClientWebSocketResponse, name: str, data: dict[str, Any]
    ) -> None:
        self._ids += 1
        await ws.send_json({"type": "action", "name": name, "id": self._ids, "data": data})


class OperatorCrowd:
    """Every simulated operator, in one asyncio loop."""

    def __init__(
        self, url: str, credentials: list[Credentials], think: tuple[float, float]
    ) -> None:
        self.stats = OperatorStats()
        self.operators = [SimulatedOperator(url, c, self.stats, think) for c in credentials]
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._http: aiohttp.ClientSession | None = None

    async def start(self, timeout: float = 120.0) -> None:
        connector = aiohttp.TCPConnector(limit=0)
        self._http = aiohttp.ClientSession(connector=connector)
        for operator in self.operators:
            self._tasks.append(asyncio.ensure_future(operator.run(self._http, self._stop)))
            await asyncio.sleep(0.01)  # a shift starts over minutes, not in one packet
        waits = [o.logged_in.wait() for o in self.operators]
        await asyncio.wait_for(asyncio.gather(*waits), timeout)

    def count(self, state: str) -> int:
        return sum(1 for s in self.stats.states.values() if s == state)

    async def stop(self) -> None:
        self._stop.set()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=15)
        for task in self._tasks:
            task.cancel()
        if self._http is not None:
            await self._http.close()


class CrowdThread:
    """The crowd in its own thread and event loop, so the caller side can stay synchronous."""

    def __init__(self, crowd: OperatorCrowd) -> None:
        self.crowd = crowd
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="crowd", daemon=True)

    def start(self, timeout: float = 600.0) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.crowd.start(timeout), self._loop).result(timeout + 5)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return  # stopped already
        asyncio.run_coroutine_threadsafe(self.crowd.stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
