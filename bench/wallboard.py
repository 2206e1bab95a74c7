"""Wallboard benchmark: update latency from the AMI event to the page's WebSocket.

500 operators logged in, 50 queues, ``--viewers`` wallboard pages connected. Calls are played
as Asterisk 22 reports them (QueueCallerJoin, AgentCalled, AgentConnect, Hangup; a wrap-up
time of 0 s, so each operator is Ready again for the next round), ``--rate`` events per
second spread over the operators round robin. Each event's bytes are written to the agency's
AMI socket; the latency of every wallboard message it causes is the time from just before that
write to the message's arrival at the page's WebSocket client.

Real: the agency's AMI parser and dispatcher (``appliance.ami.protocol.AMIProtocol``) reading
a TCP socket on 127.0.0.1, the operator service and its state machine, the call events, the
wallboard (queue figures, the aiohttp WebSocket server, the token check of each page), the
aiohttp WebSocket clients standing for the pages. Faked, and said so next to the figure: the
Asterisk unit (this script writes the event bytes; the agency's actions to it are answered
"Success" at once), the database (sessions and intervals are dropped), the browser (an aiohttp
client, no DOM), the operators' logins (sessions built in memory).

Run: ``.venv/bin/python bench/wallboard.py [--operators 500] [--queues 50] [--calls 2000]
[--rate 400] [--viewers 3]``. Target (issue 17): p95 <= 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import statistics
import time
from typing import Any

from aiohttp import ClientSession, WSMsgType, web
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.agency.config import OperatorsConfig
from appliance.agency.database import GroupRecord, OperatorRecord, WorkplaceRecord
from appliance.agency.operators import machine as m
from appliance.agency.operators.events import CallEvents
from appliance.agency.operators.observers import SessionObservers
from appliance.agency.operators.service import OperatorService
from appliance.agency.operators.session import Session
from appliance.agency.operators.topics import TopicCache
from appliance.agency.wallboard.board import Wallboard
from appliance.agency.wallboard.spy import Spy
from appliance.ami.dispatch import Dispatcher
from appliance.ami.manager import UnitAccess
from appliance.ami.protocol import AMIProtocol
from appliance.contracts import supervisor_token as tokens
from testkit.tools import free_port

DEBUG = False
BANNER = b"Asterisk Call Manager/9.0.0\r\n"


class NullStore:
    """The database, faked: what the service writes is dropped."""

    async def save_session(self, agent: str, data: dict[str, Any]) -> None:
        return None

    async def drop_session(self, agent: str) -> None:
        return None

    async def record_interval(self, interval: Any) -> None:
        return None

    async def query(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        return []


class BenchUnit:
    """The unit as the agency holds it; its actions (QueuePause of the wrap-up) succeed at once."""

    def __init__(self) -> None:
        self.unit = UnitAccess("pbx1", "127.0.0.1", 5038, "uzor-agency", "x")
        self.dispatcher = Dispatcher()

    def on_resync(self, listener: Any) -> None:
        return None

    def on_lost(self, listener: Any) -> None:
        return None

    async def action(self, action: str, headers: dict[str, str] | None = None) -> dict[str, str]:
        return {"Response": "Success"}


def event(name: str, **headers: str) -> bytes:
    lines = [f"Event: {name}"] + [f"{key}: {value}" for key, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def floor(operators: int, queues: int, unit: BenchUnit) -> tuple[OperatorService, Wallboard]:
    store = NullStore()
    observers = SessionObservers()
    settings = OperatorsConfig(pause_limit=900, reconnect_grace=60)
    service = OperatorService(
        settings,
        store,  # type: ignore[arg-type]
        {"pbx1": unit},  # type: ignore[dict-item]
        notifier=None,  # type: ignore[arg-type]  # no terminal connected: nothing is sent
        observers=observers,
    )
    topics = TopicCache(store)  # type: ignore[arg-type]
    CallEvents(service, topics).attach(unit)  # type: ignore[arg-type]
    key = Ed25519PrivateKey.generate()
    board = Wallboard(
        service.sessions,
        topics,
        Spy(service, store, key.public_key()),  # type: ignore[arg-type]
        key.public_key(),
        default_language="en",
    )
    board.attach(unit)  # type: ignore[arg-type]
    observers.on_changed(board.operator_changed)
    observers.on_ended(board.operator_ended)
    now = time.time()
    for index in range(operators):
        agent, number = str(1000 + index), str(5000 + index)
        session = Session(
            OperatorRecord(index, agent, f"Operator {index}", "", 0, 0),
            [GroupRecord(f"q{index % queues}", "", 0)],
            WorkplaceRecord(number, f"{index:012x}", "", ""),
            "pbx1",
            f"PJSIP/{number}",
            m.Operator(agent, 0, 900, since=now),
        )
        service.add(session)
    board.token = tokens.sign(  # type: ignore[attr-defined]
        key,
        {"aud": "wallboard", "sub": "bench", "perms": ["view_wallboard"], "exp": now + 3600},
    )
    return service, board


def call_events(call: int, operators: int, queues: int) -> list[tuple[bytes, int]]:
    """One call's events, each with the number of wallboard messages it causes."""
    index = call % operators
    number, queue, uid = str(5000 + index), f"q{index % queues}", f"1700000000.{call}"
    channel = f"PJSIP/{number}-{call:08x}"
    return [
        (event("QueueCallerJoin", Queue=queue, Uniqueid=uid, Exten="7100", Position="1"), 1),
        (
            event(
                "AgentCalled",
                Queue=queue,
                Interface=f"PJSIP/{number}",
                Channel=f"PJSIP/carrier-{call:08x}",
                DestChannel=channel,
                CallerIDNum="79161234567",
                Exten="7100",
                Linkedid=uid,
            ),
            1,
        ),
        (
            event(
                "AgentConnect",
                Queue=queue,
                Interface=f"PJSIP/{number}",
                Uniqueid=uid,
                Linkedid=uid,
                HoldTime="3",
            ),
            2,  # the operator talks, the queue counts it answered
        ),
        (event("Hangup", Channel=channel, Linkedid=uid, **{"Cause-txt": "Normal"}), 1),
    ]  # Hangup: Ready again (a wrap-up time of 0 s)


async def viewer(url: str, token: str, expected: int, sent: collections.deque[Any]) -> list[float]:
    """A page: every message's latency from the write of the event that caused it."""
    latencies: list[float] = []
    async with ClientSession() as client, client.ws_connect(url) as ws:
        await ws.send_str(json.dumps({"type": "auth", "token": token}))
        snapshot = json.loads((await ws.receive()).data)
        assert snapshot["type"] == "snapshot", snapshot
        pending = iter(sent_items(sent))
        for _ in range(expected):
            message = await ws.receive(timeout=10)
            if message.type is not WSMsgType.TEXT:
                raise RuntimeError(f"the page's socket ended: {message}")
            arrived = time.perf_counter()
            if DEBUG:
                print(message.data[:150])
            latencies.append(arrived - next(pending))
    return latencies


def sent_items(sent: collections.deque[Any]) -> Any:
    """The write time of each expected message, in order (waits for the writer)."""
    position = 0
    while True:
        if position >= len(sent):
            raise RuntimeError("a message arrived before its event was written")
        stamp, count = sent[position]
        yield from [stamp] * count
        position += 1


async def fake_asterisk(unit: BenchUnit) -> tuple[asyncio.StreamWriter, Any, asyncio.Server]:
    """A TCP socket on 127.0.0.1 with the agency's AMI parser reading it: the write end is what
    the unit would send."""
    writers: list[asyncio.StreamWriter] = []
    connected = asyncio.Event()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        connected.set()

    port = free_port()
    server = await asyncio.start_server(accept, "127.0.0.1", port)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_connection(
        lambda: AMIProtocol(unit.dispatcher), "127.0.0.1", port
    )
    await connected.wait()
    writers[0].write(BANNER)
    return writers[0], transport, server


async def play(
    ami: asyncio.StreamWriter, plan: list[tuple[bytes, int]], rate: float, sent: Any
) -> float:
    """Write the events at ``rate`` per second; the seconds it took."""
    interval = 1.0 / rate
    started = time.perf_counter()
    for position, (data, count) in enumerate(plan):
        delay = started + position * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sent.append((time.perf_counter(), count))
        ami.write(data)
        await ami.drain()
    return time.perf_counter() - started


async def run(args: argparse.Namespace) -> float:
    unit = BenchUnit()
    service, board = floor(args.operators, args.queues, unit)
    app = web.Application()
    app.router.add_get("/wallboard/ws", board.handle_ws)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    ami, transport, server = await fake_asterisk(unit)

    plan = [e for call in range(args.calls) for e in call_events(call, args.operators, args.queues)]
    expected = sum(count for _, count in plan)
    sent: collections.deque[Any] = collections.deque()
    url = f"http://127.0.0.1:{port}/wallboard/ws"
    token = board.token  # type: ignore[attr-defined]
    pages = [asyncio.create_task(viewer(url, token, expected, sent)) for _ in range(args.viewers)]
    while len(board.viewers) < args.viewers:
        await asyncio.sleep(0.01)
    took = await play(ami, plan, args.rate, sent)
    results = await asyncio.gather(*pages)
    every = sorted(x for page in results for x in page)
    p95 = every[int(0.95 * (len(every) - 1))]
    print(
        f"wallboard: {args.operators} operators, {args.queues} queues, {args.viewers} pages, "
        f"{len(plan)} AMI events at {args.rate:.0f}/s ({len(plan) / took:.0f}/s achieved), "
        f"{len(every)} page updates"
    )
    print(
        f"  AMI event -> page WebSocket: p50 {statistics.median(every) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {every[-1] * 1000:.1f} ms (target p95 <= 250 ms)"
    )
    print(
        "  faked: the Asterisk unit (this script writes the events to the agency's AMI socket;"
        " actions answered at once), the database (writes dropped), the logins (sessions built"
        " in memory), the browser (an aiohttp WebSocket client in the same process, no DOM)"
    )
    transport.close()
    ami.close()
    server.close()
    for session in service.sessions.values():
        for handle in (session.timer, session.warning):
            if handle is not None:
                handle.cancel()
    await runner.cleanup()
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, default=500)
    parser.add_argument("--queues", type=int, default=50)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=400.0, help="AMI events per second")
    parser.add_argument("--viewers", type=int, default=3)
    if asyncio.run(run(parser.parse_args())) > 0.250:
        raise SystemExit("p95 above the 250 ms target")


if __name__ == "__main__":
    main()
