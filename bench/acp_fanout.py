"""SECONDARY, in-process ACP fan-out figure (the headline one is ``bench/fanout/run.py``, on the
real ``uzor-agency`` process with its MariaDB): N terminals, AMI events addressed to them.

What is faked here: the agency is not the installed process but its classes wired by hand in
this process, with an in-memory directory (no MariaDB: no state writes), and the AMI peer sends
only ``AgentCalled``/``Hangup`` pairs (no realistic event mix). It isolates the ACP path.

The agency side (this process) is the real pipeline: AMIManager + Dispatcher -> CallEvents ->
operator state machine -> OperatorService -> ACPServer -> per-terminal queue -> WebSocket, with
an in-memory directory instead of MariaDB. A child process plays both Asterisk (an AMI server
streaming ``AgentCalled``/``Hangup`` pairs at ``--rate`` events/s, round-robin over the
workplaces, each stamped with its send time) and the N terminals (aiohttp WebSocket clients that
log in, then time every ``call_incoming`` they receive). Both run on the same host clock.

Prints p50/p99/max AMI-in -> WebSocket-out latency and the agency's RSS per terminal (RSS after
all logins minus RSS before, divided by N).

Run: ``.venv/bin/python bench/acp_fanout.py [--terminals 2000] [--rate 500] [--seconds 10]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil
from aiohttp import web

from appliance.agency.acp.outgoing import Outbox
from appliance.agency.acp.server import ACPServer
from appliance.agency.config import AcpConfig, AmiConfig, OperatorsConfig
from appliance.agency.database import (
    GroupRecord,
    OperatorRecord,
    OutboundTopicRecord,
    WorkplaceRecord,
)
from appliance.agency.operators.events import CallEvents
from appliance.agency.operators.service import OperatorService
from appliance.agency.operators.topics import TopicCache
from appliance.ami.codec import AMIParser, encode_action
from appliance.ami.dispatch import Dispatcher
from appliance.ami.manager import AMIManager, UnitAccess
from appliance.contracts.passwords import hash_password

PASSWORD = "bench-pass"  # noqa: S105 - a throwaway benchmark operator
# pbkdf2 with few iterations: 2,000 logins should not take minutes of CPU in a benchmark
HASH = hash_password(PASSWORD, salt="benchsalt", iterations=1000)


def agent(i: int) -> str:
    return f"{1000 + i}"


def mac(i: int) -> str:
    return f"{i:012x}"


class MemoryStore:
    """The directory in memory (the benchmark measures the ACP path, not MariaDB)."""

    async def operator(self, number: str) -> OperatorRecord:
        return OperatorRecord(int(number), number, f"Operator {number}", HASH, 0, 15)

    async def workplace(self, address: str) -> WorkplaceRecord:
        return WorkplaceRecord(str(int(address, 16) + 5000), address, "secret", "")

    async def groups_of(self, _operator_id: int) -> list[GroupRecord]:
        return [GroupRecord("support", "", 0)]

    async def outbound_topics(self) -> list[OutboundTopicRecord]:
        return []

    async def query(self, *_args: Any) -> list[dict[str, Any]]:
        return []

    async def record_interval(self, *_args: Any) -> None:
        return None

    async def save_session(self, *_args: Any) -> None:
        return None

    async def drop_session(self, *_args: Any) -> None:
        return None


# -- agency side (this process) ------------------------------------------------------------------
async def run_agency(args: argparse.Namespace) -> None:
    ami_port, ws_port = _free_port(), _free_port()
    child = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--child",
            "--ami-port",
            str(ami_port),
            "--ws-port",
            str(ws_port),
            "--terminals",
            str(args.terminals),
            "--rate",
            str(args.rate),
            "--seconds",
            str(args.seconds),
            "--parent",
            str(os.getpid()),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    await asyncio.to_thread(child.stdout.readline)  # the child's AMI server is listening
    store: Any = MemoryStore()
    unit = AMIManager(
        UnitAccess("bench", "127.0.0.1", ami_port, "bench", "bench"),
        AmiConfig(
            connect_timeout=5,
            keepalive_interval=30,
            keepalive_timeout=10,
            action_timeout=30,
            reconnect_min=0.5,
            reconnect_max=2,
        ),
        Dispatcher(),
    )
    operators = OperatorService(
        OperatorsConfig(pause_limit=3600, reconnect_grace=60), store, {"bench": unit}, Outbox()
    )
    acp = ACPServer(
        AcpConfig(
            max_clients=args.terminals + 10,
            max_message_bytes=65536,
            client_queue=256,
            login_attempts_per_minute=10**6,
            login_timeout=600,
            heartbeat=60,
        ),
        operators,
    )
    CallEvents(operators, TopicCache(store)).attach(unit)
    app = web.Application()
    app.router.add_get("/ws", acp.handle_ws)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", ws_port, backlog=4096).start()
    unit.start()
    while not unit.up:
        await asyncio.sleep(0.05)
    gc.collect()
    before = _rss()
    output = (await asyncio.to_thread(child.communicate))[0]
    after = next(int(line.split()[1]) for line in output.splitlines() if line.startswith("RSS "))
    print("SECONDARY, in-process: the agency's classes wired by hand, no MariaDB, a fake AMI peer")
    print("sending only AgentCalled/Hangup (the headline figure is bench/fanout/run.py)")
    print("\n".join(line for line in output.splitlines() if not line.startswith("RSS ")))
    per_terminal = (after - before) / args.terminals / 1024
    print(
        f"agency RSS: {before / 2**20:.1f} MiB before, {after / 2**20:.1f} MiB with "
        f"{args.terminals} logged-in terminals = {per_terminal:.1f} KiB per terminal"
    )
    print("load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    await unit.stop()
    await runner.cleanup()


def _rss(pid: int | None = None) -> int:
    return int(psutil.Process(pid or os.getpid()).memory_info().rss)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- child: Asterisk + terminals -----------------------------------------------------------------
class FakeAsterisk:
    def __init__(self) -> None:
        self.writer: asyncio.StreamWriter | None = None
        self.ready = asyncio.Event()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        writer.write(b"Asterisk Call Manager/9.0.0\r\n")
        parser = AMIParser()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            while data := await reader.read(65536):
                for action in parser.feed(data):
                    self._answer(action, writer)

    def _answer(self, action: dict[str, str], writer: asyncio.StreamWriter) -> None:
        aid = action.get("ActionID", "")
        name = action.get("Action", "").lower()
        if name in ("queuestatus", "coreshowchannels"):
            writer.write(
                encode_action({"Response": "Success", "ActionID": aid, "EventList": "start"})
            )
            writer.write(
                encode_action({"Event": "Complete", "ActionID": aid, "EventList": "Complete"})
            )
        else:
            writer.write(encode_action({"Response": "Success", "ActionID": aid}))
        if name == "login":
            writer.write(encode_action({"Event": "FullyBooted"}))
            self.ready.set()


@dataclass
class Terminals:
    url: str
    total: int
    session: aiohttp.ClientSession
    latencies: list[float] = field(default_factory=list)
    logged_in: int = 0
    all_logged_in: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Event = field(default_factory=asyncio.Event)


async def terminal(shared: Terminals, i: int) -> None:
    login = {
        "type": "action",
        "name": "login",
        "id": 1,
        "data": {"agent": agent(i), "password": PASSWORD, "workplace": mac(i)},
    }
    async with shared.session.ws_connect(shared.url, max_msg_size=0) as ws:
        await ws.send_json(login)
        async for frame in ws:
            message = json.loads(frame.data)
            if message.get("id") == 1 and message["name"] == "rate_limited":
                # the agency's password pool is full (at most 64 checks wait): try again later,
                # as a terminal does
                await asyncio.sleep(message["data"]["details"]["retry_after"])
                await ws.send_json(login)
            elif message.get("id") == 1:
                if message["type"] != "event":
                    raise RuntimeError(f"login {i} failed: {message}")
                shared.logged_in += 1
                if shared.logged_in == shared.total:
                    shared.all_logged_in.set()
            elif message["name"] == "call_incoming":
                shared.latencies.append(time.time() - float(message["data"]["caller_name"]))
            if shared.done.is_set():
                return


async def run_child(args: argparse.Namespace) -> None:
    asterisk = FakeAsterisk()
    server = await asyncio.start_server(asterisk.serve, "127.0.0.1", args.ami_port)
    print("ready", flush=True)
    await asterisk.ready.wait()
    await asyncio.sleep(0.5)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        shared = Terminals(f"http://127.0.0.1:{args.ws_port}/ws", args.terminals, session)
        tasks = []
        for i in range(args.terminals):
            tasks.append(asyncio.create_task(terminal(shared, i)))
            if i % 100 == 99:
                await asyncio.sleep(0.05)
        await asyncio.wait_for(shared.all_logged_in.wait(), 600)
        await asyncio.sleep(1)
        gc.collect()
        rss = _rss(args.parent)
        await stream_events(asterisk, args)
        await asyncio.sleep(1)
        shared.done.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    server.close()
    report(shared.latencies, rss, args)


async def stream_events(asterisk: FakeAsterisk, args: argparse.Namespace) -> None:
    assert asterisk.writer is not None
    interval = 1.0 / args.rate
    count = int(args.rate * args.seconds)
    start = time.perf_counter()
    for n in range(count):
        i = (n // 2) % args.terminals
        interface = f"PJSIP/{i + 5000}"
        call = f"bench-{n // 2}"
        if n % 2 == 0:
            event = {
                "Event": "AgentCalled",
                "Queue": "support",
                "Interface": interface,
                "MemberName": agent(i),
                "Channel": f"PJSIP/trunk-{n}",
                "DestChannel": f"{interface}-{n:08x}",
                "CallerIDNum": "79160000000",
                "CallerIDName": f"{time.time():.6f}",
                "Exten": "7100",
                "Linkedid": call,
            }
        else:
            event = {
                "Event": "Hangup",
                "Channel": f"{interface}-{n - 1:08x}",
                "Linkedid": call,
                "Cause": "16",
                "Cause-txt": "Normal Clearing",
            }
        asterisk.writer.write(encode_action(event))
        delay = start + (n + 1) * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif n % 50 == 0:
            await asyncio.sleep(0)


def report(latencies: list[float], rss: int, args: argparse.Namespace) -> None:
    ms = sorted(x * 1000 for x in latencies)
    expected = int(args.rate * args.seconds) // 2
    print(
        f"terminals: {args.terminals}, AMI events: {int(args.rate * args.seconds)} at "
        f"{args.rate}/s, call_incoming received: {len(ms)} of {expected}"
    )
    if ms:
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        print(
            f"AMI-in -> WebSocket-out latency: p50 {statistics.median(ms):.1f} ms, "
            f"p99 {p99:.1f} ms, max {ms[-1]:.1f} ms"
        )
    print(f"RSS {rss}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ami-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ws-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--parent", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    if args.child:
        asyncio.run(run_child(args))
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        asyncio.run(run_agency(args))


if __name__ == "__main__":
    main()
