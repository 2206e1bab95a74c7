"""Call-record writing benchmark: what following 50 calls/s into ``agency_call`` costs the agency.

Real: the agency's AMI parser (``AMIParser``) and dispatcher, the call log
(``appliance.agency.operators.call_log``), the RecordWriter and the agency's database client
(pymysql in its worker thread) writing a throwaway MariaDB (started here as the test fixture
does, ``testkit.mariadb``), in one process on one event loop, as in the daemon.

Faked: Asterisk. The events are generated here in the byte layout Asterisk 22 sends (every
channel header, as in ``bench/data/ami-callcenter.bin.gz``) and fed to the parser in 10 ms
batches as a socket would deliver them; no TCP socket. The operators' sessions are a dictionary
(workplace -> agent). Per call, at ``--rate`` calls/s: Newchannel, Newstate, the dialplan's
UserEvent UzorCall (offered), QueueCallerJoin, AgentCalled, DialBegin, the operator's
Newchannel, then 2 s later DialEnd, AgentConnect, BridgeEnter x2, QueueCallerLeave; one call in
ten held 4 s (MusicOnHoldStart/Stop); talk 10-30 s; BridgeLeave x2, AgentComplete, two Hangups.
One call in ten is abandoned in the queue instead (QueueCallerAbandon, Hangup).

The same stream runs twice: with the call log attached (the figure) and without it (the AMI
ingest the agency pays anyway); the process's CPU time (every thread) is measured over the
steady-state window (after the first ``--warmup`` seconds, when as many calls end as begin).
Reported: both, and their difference as % of one core. Target (issue 17): <= 5 %.
Afterwards every offered call must be one row per leg in the database (checked).

Run: ``.venv/bin/python bench/call_records.py [--rate 50] [--seconds 60] [--warmup 35]``
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import logging
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appliance.agency.config import DatabaseConfig
from appliance.agency.database import Database
from appliance.agency.operators.call_log import CallLog
from appliance.agency.records import RecordWriter
from appliance.ami.codec import AMIParser
from appliance.ami.dispatch import Dispatcher
from appliance.contracts.call_records import TABLE
from testkit.mariadb import start_mariadb, stop_mariadb

WORKPLACES = 200
TICK = 0.01


@dataclass(frozen=True)
class Chan:
    name: str
    uniqueid: str
    linkedid: str
    number: str
    context: str
    exten: str

    def headers(self, prefix: str = "") -> list[str]:
        return [
            f"{prefix}Channel: {self.name}",
            f"{prefix}ChannelState: 6",
            f"{prefix}ChannelStateDesc: Up",
            f"{prefix}CallerIDNum: {self.number}",
            f"{prefix}CallerIDName: Caller {self.number[-4:]}",
            f"{prefix}ConnectedLineNum: <unknown>",
            f"{prefix}ConnectedLineName: <unknown>",
            f"{prefix}Language: ru",
            f"{prefix}AccountCode: ",
            f"{prefix}Context: {self.context}",
            f"{prefix}Exten: {self.exten}",
            f"{prefix}Priority: 7",
            f"{prefix}Uniqueid: {self.uniqueid}",
            f"{prefix}Linkedid: {self.linkedid}",
        ]


def event(name: str, privilege: str, *parts: list[str] | str) -> bytes:
    lines = [f"Event: {name}", f"Privilege: {privilege},all", f"Timestamp: {time.time():.6f}"]
    for part in parts:
        lines.extend([part] if isinstance(part, str) else part)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def one_call(i: int, base: int, rng: random.Random) -> Iterator[tuple[float, bytes]]:
    """The events of call ``i`` with their offsets (seconds) from its arrival."""
    call_id = f"{base}.{i * 2}"
    caller = Chan(f"PJSIP/sipnet-{i:08x}", call_id, call_id, f"7916{i:07d}", "Inbound", "7100")
    place = 1001 + i % WORKPLACES
    operator = Chan(
        f"PJSIP/{place}-{i:08x}", f"{base}.{i * 2 + 1}", call_id, str(place), "sales", "7100"
    )
    both = caller.headers() + operator.headers("Dest")
    yield 0.0, event("Newchannel", "call", caller.headers())
    yield 0.0, event("Newstate", "call", caller.headers())
    yield (
        0.01,
        event(
            "UserEvent",
            "user",
            caller.headers(),
            "UserEvent: UzorCall",
            "Stage: offered",
            "Topic: 7100",
            "Did: 74951234567",
            "Hidden: ",
        ),
    )
    yield 1.0, event("QueueCallerJoin", "agent", caller.headers(), "Queue: sales", "Position: 1")
    if rng.random() < 0.1:  # abandoned in the queue
        yield 6.0, event("QueueCallerAbandon", "agent", caller.headers(), "Queue: sales")
        yield 6.0, event("Hangup", "call", caller.headers(), "Cause: 16", "Cause-txt: Normal")
        return
    member = f"Interface: PJSIP/{place}"
    yield 1.0, event("AgentCalled", "agent", both, "Queue: sales", member, "MemberName: op")
    yield 1.0, event("DialBegin", "call", both, f"DialString: {place}")
    yield 1.0, event("Newchannel", "call", operator.headers())
    yield 3.0, event("DialEnd", "call", both, "DialStatus: ANSWER")
    yield 3.0, event("AgentConnect", "agent", both, "Queue: sales", member, "HoldTime: 2")
    yield 3.0, event("BridgeEnter", "call", caller.headers(), f"BridgeUniqueid: b{i}")
    yield 3.0, event("BridgeEnter", "call", operator.headers(), f"BridgeUniqueid: b{i}")
    yield 3.0, event("QueueCallerLeave", "agent", caller.headers(), "Queue: sales")
    if rng.random() < 0.1:
        yield 8.0, event("MusicOnHoldStart", "call", caller.headers(), "Class: uzor-hold")
        yield 12.0, event("MusicOnHoldStop", "call", caller.headers())
    end = 3.0 + rng.uniform(10, 30)
    yield end, event("BridgeLeave", "call", caller.headers(), f"BridgeUniqueid: b{i}")
    yield end, event("BridgeLeave", "call", operator.headers(), f"BridgeUniqueid: b{i}")
    yield end, event("AgentComplete", "agent", both, "Queue: sales", member, "TalkTime: 20")
    yield end, event("Hangup", "call", operator.headers(), "Cause: 16", "Cause-txt: Normal")
    yield end, event("Hangup", "call", caller.headers(), "Cause: 16", "Cause-txt: Normal")


def stream(rate: float, seconds: float, base: int) -> tuple[list[tuple[float, int, bytes]], int]:
    """Every event of every call arriving in ``seconds`` at ``rate``/s, by time."""
    rng = random.Random(17)
    timeline: list[tuple[float, int, bytes]] = []
    calls = int(rate * seconds)
    for i in range(calls):
        start = i / rate
        timeline.extend((start + at, len(timeline), data) for at, data in one_call(i, base, rng))
    heapq.heapify(timeline)
    return [heapq.heappop(timeline) for _ in range(len(timeline))], calls


async def run(
    timeline: list[tuple[float, int, bytes]], store: Database | None, warmup: float
) -> tuple[float, float, int]:
    """Feed the timeline in real time; the CPU share of one core after ``warmup`` s."""
    dispatcher, parser = Dispatcher(), AMIParser()
    writer = RecordWriter()
    log: CallLog | None = None
    if store is not None:
        agents = {str(1001 + n): str(101 + n) for n in range(WORKPLACES)}
        log = CallLog(store, writer, time.time, agents.get, lambda _topic: False)

        class Unit:
            unit = type("U", (), {"name": "pbx1"})()

            def __init__(self) -> None:
                self.dispatcher = dispatcher

            def on_lost(self, _listener: object) -> None:
                pass

            def on_resync(self, _listener: object) -> None:
                pass

        log.attach(Unit())
    dispatcher.subscribe(None, lambda _event: None)  # the agency's other listeners: elsewhere
    loop = asyncio.get_running_loop()
    started = loop.time()
    position, cpu_at, wall_at = 0, None, None
    while position < len(timeline):
        now = loop.time() - started
        if cpu_at is None and now >= warmup:
            cpu_at, wall_at = time.process_time(), time.perf_counter()
        chunk = []
        while position < len(timeline) and timeline[position][0] <= now:
            chunk.append(timeline[position][2])
            position += 1
        if chunk:
            dispatcher.dispatch_all(parser.feed(b"".join(chunk)))
        await asyncio.sleep(TICK)
    assert cpu_at is not None and wall_at is not None, "the run is shorter than the warm-up"
    cpu, wall = time.process_time() - cpu_at, time.perf_counter() - wall_at
    if store is not None:
        assert await writer.flush(120), "the database did not take the records"
    await writer.close()
    return cpu, wall, writer.written


async def measure(store: Database, rate: float, seconds: float, warmup: float) -> None:
    await store.prepare()
    timeline, calls = stream(rate, seconds, int(time.time()))
    print(f"{calls} calls at {rate:g}/s, {len(timeline)} AMI events")
    cpu, wall, _ = await run(timeline, None, warmup)
    ingest = 100 * cpu / wall
    print(f"AMI ingest alone:           {ingest:5.2f} % of one core")
    cpu, wall, written = await run(timeline, store, warmup)
    total = 100 * cpu / wall
    print(f"with call records written:  {total:5.2f} % of one core ({written} writes)")
    print(f"call-record writing:        {total - ingest:5.2f} % of one core (target <= 5 %)")
    rows = await store.query(
        f"SELECT COUNT(*) AS n, SUM(ended_at IS NULL) AS open FROM {TABLE}"  # noqa: S608
    )
    store.close()
    assert rows[0]["n"] == calls, rows
    assert int(rows[0]["open"] or 0) == 0, rows
    print(f"database: {rows[0]['n']} call records, none left open")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="calls per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of arriving calls")
    parser.add_argument("--warmup", type=float, default=35.0, help="seconds before measuring")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    proc, server = start_mariadb()
    try:
        db = server.create_database()
        password = Path(tempfile.mkdtemp(prefix="uzor-bench-")) / "password"
        password.write_text(db.password)
        config = DatabaseConfig(
            name=db.name, user=db.user, host=db.host, port=db.port, password_file=password
        )
        asyncio.run(measure(Database(config), args.rate, args.seconds, args.warmup))
    finally:
        stop_mariadb(proc, server)


if __name__ == "__main__":
    main()
