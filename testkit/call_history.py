"""Generated call history in the agency's tables (``agency_call``, ``agency_interval``) for the
reports' tests and benchmark: one generator, so the test's recount and the benchmark's year see
the same kind of data.

``call_rows(rng, start, days, calls_per_day, ...)`` yields rows in ``CALL_COLUMNS`` order (first
legs with every result, transfers as second legs, some hidden callers, dispositions);
``interval_rows(rng, start, days, agents, ...)`` yields a working day of states per agent;
``insert(cursor, table, columns, rows)`` writes them with multi-row INSERTs and
``load_tsv(connection, table, columns, rows)`` through LOAD DATA LOCAL INFILE (the benchmark).
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

CALL_COLUMNS = (
    "call_id",
    "leg",
    "kind",
    "parent_leg",
    "unit",
    "direction",
    "topic",
    "group_name",
    "did",
    "caller",
    "caller_name",
    "caller_hidden",
    "result",
    "agent",
    "workplace",
    "offered_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "ring_seconds",
    "talk_seconds",
    "hold_seconds",
    "wrapup_seconds",
    "disposition",
)
INTERVAL_COLUMNS = ("agent", "mode", "state", "reason", "started_at", "ended_at", "seconds")
TOPICS = [(f"{100 + n}", f"group{n % 5}") for n in range(20)]  # (inbound topic, its group)
OUTBOUND_PREFIXES = ["111", "222"]
DISPOSITIONS = ["sale", "info", "complaint", "callback"]
PAUSE_REASONS = ["lunch", "training", "meeting"]


def agents(count: int) -> list[str]:
    return [f"{2000 + n}" for n in range(count)]


def call_rows(
    rng: random.Random,
    start: datetime,
    days: int,
    calls_per_day: int,
    agent_numbers: Sequence[str],
    *,
    topics: Sequence[tuple[str, str]] = TOPICS,
) -> Iterator[tuple[Any, ...]]:
    """Calls spread over ``days`` days from ``start`` (naive UTC), in time order per day."""
    serial = 0
    seconds_per_day = 86400.0
    for day in range(days):
        base = start + timedelta(days=day)
        offsets = sorted(rng.random() * seconds_per_day for _ in range(calls_per_day))
        for offset in offsets:
            serial += 1
            offered = base + timedelta(seconds=offset)
            call_id = f"{int(offered.timestamp())}.{serial}"
            yield from _call(rng, call_id, offered, agent_numbers, topics)


def _call(
    rng: random.Random,
    call_id: str,
    offered: datetime,
    agent_numbers: Sequence[str],
    topics: Sequence[tuple[str, str]],
) -> Iterator[tuple[Any, ...]]:
    draw = rng.random()
    caller = f"7916{rng.randrange(10**7):07d}"
    hidden = rng.random() < 0.1
    agent = rng.choice(agent_numbers)
    if draw < 0.15:  # outbound
        prefix = rng.choice(OUTBOUND_PREFIXES)
        answered = rng.random() < 0.7
        talk = round(rng.uniform(5, 300), 2) if answered else None
        yield _row(
            call_id, 0, "call", None, "out", prefix, None, f"8495{rng.randrange(10**7):07d}",
            agent, "", False, "answered" if answered else "failed", agent, offered,
            0.0 if answered else None, talk, rng.choice(DISPOSITIONS) if answered else None,
        )  # fmt: skip
        return
    topic, group = rng.choice(topics)
    did = f"495{topic}0000"
    if draw < 0.18:
        result = rng.choice(("closed", "no_route"))
        yield _row(call_id, 0, "call", None, "in", topic, group, did, caller, "", hidden, result,
                   None, offered, None, None, None)  # fmt: skip
        return
    wait = round(rng.expovariate(1 / 25), 2)
    if draw < 0.28:
        yield _row(call_id, 0, "call", None, "in", topic, group, did, caller, "", hidden,
                   "abandoned", None, offered, wait, None, None)  # fmt: skip
        return
    talk = round(rng.uniform(10, 600), 2)
    disposition = rng.choice(DISPOSITIONS) if rng.random() < 0.8 else None
    yield _row(call_id, 0, "call", None, "in", topic, group, did, caller, "Ivan", hidden,
               "answered", agent, offered, wait, talk, disposition)  # fmt: skip
    if rng.random() < 0.05:  # transferred to a colleague: a second leg
        later = offered + timedelta(seconds=wait + talk)
        yield _row(call_id, 1, "transfer", 0, "in", topic, group, did, caller, "Ivan", hidden,
                   "answered", rng.choice(agent_numbers), later, 0.0, 60.0,
                   rng.choice(DISPOSITIONS))  # fmt: skip


def _row(  # noqa: PLR0917 - one generated leg, argument per varying column
    call_id: str,
    leg: int,
    kind: str,
    parent: int | None,
    direction: str,
    topic: str | None,
    group: str | None,
    did: str,
    caller: str,
    caller_name: str,
    hidden: bool,
    result: str,
    agent: str | None,
    offered: datetime,
    wait: float | None,
    talk: float | None,
    disposition: str | None,
) -> tuple[Any, ...]:
    answered_at = offered + timedelta(seconds=wait or 0) if result == "answered" else None
    ended = offered + timedelta(seconds=(wait or 0) + (talk or 0))
    return (
        call_id, leg, kind, parent, "pbx1", direction, topic, group, did, caller, caller_name,
        hidden, result, agent, f"wp{agent}" if agent else None, offered, answered_at, ended,
        wait, 3.0 if agent else None, talk, 0.0 if talk else None, 5.0 if talk else None,
        disposition,
    )  # fmt: skip


def interval_rows(
    rng: random.Random, start: datetime, days: int, agent_numbers: Sequence[str], per_day: int = 30
) -> Iterator[tuple[Any, ...]]:
    """Each agent's working day from 06:00 UTC: ``per_day`` intervals of ready, talking, wrap-up
    and pauses with reasons, back to back."""
    for day in range(days):
        for agent in agent_numbers:
            moment = start + timedelta(days=day, hours=6, seconds=rng.random() * 3600)
            for _ in range(per_day):
                draw = rng.random()
                if draw < 0.4:
                    state, reason = "ready", None
                elif draw < 0.7:
                    state, reason = "talking", None
                elif draw < 0.85:
                    state, reason = "wrapup", "wrapup"
                else:
                    state, reason = "pause", rng.choice(PAUSE_REASONS)
                seconds = round(rng.uniform(10, 900), 3)
                ended = moment + timedelta(seconds=seconds)
                yield (agent, "inbound", state, reason, moment, ended, seconds)
                moment = ended


def insert(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Multi-row INSERTs of 1,000 rows each; returns the number of rows."""
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch: list[tuple[Any, ...]] = []
    count = 0
    for row in rows:
        batch.append(row)
        if len(batch) == 1000:
            cursor.executemany(sql, batch)
            count += len(batch)
            batch.clear()
    if batch:
        cursor.executemany(sql, batch)
        count += len(batch)
    return count


def _tsv(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def load_tsv(
    connection: Any, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Write the rows to a temporary tab-separated file and LOAD DATA LOCAL INFILE it (the
    connection must be opened with ``local_infile=True``); returns the number of rows."""
    handle, path = tempfile.mkstemp(prefix="uzor-history-", suffix=".tsv")
    count = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for row in rows:
                out.write("\t".join(map(_tsv, row)) + "\n")
                count += 1
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOAD DATA LOCAL INFILE %s INTO TABLE {table} ({', '.join(columns)})", (path,)
            )
        connection.commit()
    finally:
        os.unlink(path)
    return count
