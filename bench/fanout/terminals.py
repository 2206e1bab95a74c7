"""The operators' terminals of the fan-out benchmark: ACP WebSocket clients as the webagent is.

Each terminal connects to ``/ws`` with its PC's address in ``X-Real-IP`` (as nginx passes it
on), logs in to its workplace, then notes the arrival time (``time.time()``) of every
``call_incoming``, ``call_answered`` and ``call_ended`` frame. A probe measures one login's
latency (connect, login, ``login.result``), then logs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.fanout.site import PASSWORD, address, agent, mac

NOTED = frozenset({"call_incoming", "call_answered", "call_ended"})


@dataclass
class Farm:
    url: str
    session: aiohttp.ClientSession
    received: dict[str, float] = field(default_factory=dict)  # "<t> <call> <frame>" -> time
    frames: int = 0
    logged_in: int = 0
    failures: list[str] = field(default_factory=list)
    retries: int = 0
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def headers(self, i: int) -> dict[str, str]:
        return {"X-Real-IP": address(i)}


def login_message(i: int, message_id: int = 1) -> str:
    data = {"agent": agent(i), "password": PASSWORD, "workplace": mac(i)}
    return json.dumps({"type": "action", "name": "login", "id": message_id, "data": data})


async def _login(ws: aiohttp.ClientWebSocketResponse, farm: Farm, i: int) -> dict[str, Any]:
    """Log in, retrying as a terminal does when told to (rate_limited: retry_after)."""
    await ws.send_str(login_message(i))
    while True:
        frame = await ws.receive()
        if frame.type is not aiohttp.WSMsgType.TEXT:
            raise RuntimeError(f"terminal {i}: connection ended before login: {frame}")
        message = json.loads(frame.data)
        if message.get("id") != 1:
            continue
        if message["name"] == "rate_limited":
            farm.retries += 1
            await asyncio.sleep(message["data"]["details"]["retry_after"])
            await ws.send_str(login_message(i))
            continue
        return dict(message)


async def terminal(farm: Farm, i: int, ready: asyncio.Event) -> None:
    try:
        async with farm.session.ws_connect(
            f"{farm.url}/ws", headers=farm.headers(i), max_msg_size=0, heartbeat=None
        ) as ws:
            reply = await _login(ws, farm, i)
            if reply["name"] != "login.result":
                raise RuntimeError(f"terminal {i}: login refused: {reply}")
            farm.logged_in += 1
            ready.set()
            async for frame in ws:
                now = time.time()
                farm.frames += 1
                message = json.loads(frame.data)
                name = message.get("name")
                if name in NOTED:
                    key = f"{i} {message['data']['call_id']} {name}"
                    farm.received.setdefault(key, now)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        farm.failures.append(f"terminal {i}: {exc!r}")
        ready.set()


async def log_in_all(farm: Farm, count: int, per_second: float) -> float:
    """``count`` terminals logged in, ``per_second`` starting each second (a shift arriving);
    the seconds it took. Failures are in ``farm.failures``."""
    started = time.perf_counter()
    readies = []
    for i in range(count):
        ready = asyncio.Event()
        readies.append(ready)
        farm.tasks.append(asyncio.create_task(terminal(farm, i, ready)))
        delay = started + (i + 1) / per_second - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    for ready in readies:
        await ready.wait()
    return time.perf_counter() - started


async def probe_login(farm: Farm, i: int) -> float:
    """One login's latency: connect, log in, ``login.result``; then it logs out."""
    started = time.perf_counter()
    async with farm.session.ws_connect(
        f"{farm.url}/ws", headers=farm.headers(i), max_msg_size=0
    ) as ws:
        reply = await _login(ws, farm, i)
        took = time.perf_counter() - started
        if reply["name"] != "login.result":
            raise RuntimeError(f"probe {i}: login refused: {reply}")
        await ws.send_str(json.dumps({"type": "action", "name": "logout", "id": 2, "data": {}}))
        async for frame in ws:
            if frame.type is aiohttp.WSMsgType.TEXT and json.loads(frame.data).get("id") == 2:
                break
    return took


async def probe_logins(farm: Farm, first: int, count: int, interval: float) -> list[float]:
    """``count`` logins one after the other, ``interval`` s apart, by agents ``first``...;
    their latencies in seconds."""
    took = []
    for n in range(count):
        took.append(await probe_login(farm, first + n))
        await asyncio.sleep(interval)
    return took


async def close(farm: Farm) -> None:
    for task in farm.tasks:
        task.cancel()
    await asyncio.gather(*farm.tasks, return_exceptions=True)


async def toggler(
    farm: Farm,
    i: int,
    *,
    period: float,
    start: asyncio.Event,
    stop: asyncio.Event,
    done: list[int],
    ready: asyncio.Event,
) -> None:
    """An operator who takes a break and comes back, again and again (``period`` s each way)
    until ``stop``: every change is a session and an interval the agency writes to MariaDB.
    It logs in at once and starts changing on ``start``.
    Its terminal is not addressed by the AMI player, so it never misses a call it should get."""
    async with farm.session.ws_connect(
        f"{farm.url}/ws", headers=farm.headers(i), max_msg_size=0
    ) as ws:
        reply = await _login(ws, farm, i)
        if reply["name"] != "login.result":
            raise RuntimeError(f"toggler {i}: login refused: {reply}")
        ready.set()
        await start.wait()
        message_id = 1
        with_reason = {"state": "pause", "reason": "break"}
        states = [with_reason, {"state": "ready"}]
        while not stop.is_set():
            message_id += 1
            data = states[message_id % 2]
            action = {"type": "action", "name": "set_state", "id": message_id, "data": data}
            await ws.send_str(json.dumps(action))
            async for frame in ws:
                if json.loads(frame.data).get("id") == message_id:
                    break
            done[0] += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), period)
