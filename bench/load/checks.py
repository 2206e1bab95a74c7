"""What the fault runs measure, as pure functions over what the parts said: the unit's queue
members against the terminals' states, the agency's time intervals against the terminals'
changes, and one table per fault."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MEMBER = re.compile(r"\((?P<interface>PJSIP/[^)\s]+)\)")
PAUSED = re.compile(r"\(paused(?::(?P<reason>[^)]*?))?(?: was \d+ secs? ago)?\)")
BASE_STATES = ("ready", "pause", "wrapup")  # states whose queue pause the agency sets


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    figure: str


def queue_members(queue_show: str) -> dict[str, str | None]:
    """``queue show`` -> interface -> pause reason ("" paused without one; None unpaused)."""
    members: dict[str, str | None] = {}
    for line in queue_show.splitlines():
        found = MEMBER.search(line)
        if found is None:
            continue
        paused = PAUSED.search(line)
        members[found["interface"]] = None if paused is None else (paused["reason"] or "")
    return members


def wanted_pause(state: str, reason: str | None) -> str | None:
    """The pause the agency puts on a member for a terminal's base state (None: unpaused)."""
    if state == "ready":
        return None
    return reason or state


def pause_mismatches(
    members: dict[str, str | None],
    terminals: dict[str, tuple[str, str | None]],
    interface_of: dict[str, str],
) -> list[str]:
    """Operators (in a base state) whose queue pause is not what their terminal shows, and
    operators missing from the queue. ``terminals``: agent -> (state, reason)."""
    wrong = []
    for agent, (state, reason) in sorted(terminals.items()):
        interface = interface_of[agent]
        if interface not in members:
            wrong.append(f"{agent}: not a member")
        elif state in BASE_STATES and members[interface] != wanted_pause(state, reason):
            wrong.append(f"{agent}: terminal {state}/{reason}, queue {members[interface]!r}")
    return wrong


@dataclass
class IntervalAudit:
    rows: int = 0
    owed: int = 0  # what the terminals' changes (and the logout) owe
    lost: int = 0  # gaps in an operator's chain of intervals
    duplicated: int = 0  # an interval written twice or overlapping the one before
    agents_short: int = 0  # operators with fewer rows than owed
    agents_long: int = 0  # operators with more rows than owed
    examples: list[str] | None = None


def audit_intervals(
    rows: list[dict[str, Any]], owed: dict[str, int], window: tuple[datetime, datetime] | None
) -> IntervalAudit:
    """The agency's ``agency_interval`` rows against what each operator owes (the changes its
    terminal saw, plus the interval its logout closed). Each operator's intervals must chain:
    one starts where the one before ended; a gap is a lost interval, an overlap or a repeated
    start a duplicated one. ``window``: count gaps and overlaps only inside it (a fault's)."""
    audit = IntervalAudit(examples=[])
    by_agent: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_agent.setdefault(row["agent"], []).append(row)
    for agent, expected in owed.items():
        mine = sorted(by_agent.get(agent, []), key=lambda r: (r["started_at"], r["id"]))
        audit.rows += len(mine)
        audit.owed += expected
        audit.agents_short += len(mine) < expected
        audit.agents_long += len(mine) > expected
        if len(mine) != expected:
            audit.examples.append(f"{agent}: {len(mine)} rows, {expected} owed")
        for before, after in itertools.pairwise(mine):
            if window is not None and not window[0] <= after["started_at"] <= window[1]:
                continue
            step = (after["started_at"] - before["ended_at"]).total_seconds()
            if step > 0.001:
                audit.lost += 1
                audit.examples.append(f"{agent}: gap {step:.3f} s at {before['ended_at']}")
            elif step < -0.001 or after["started_at"] == before["started_at"]:
                audit.duplicated += 1
                audit.examples.append(f"{agent}: overlap at {after['started_at']}")
    return audit


def print_table(title: str, checks: list[Check]) -> None:
    print()
    print(f"fault: {title}")
    width = max(len(c.name) for c in checks)
    for check in checks:
        verdict = "PASS" if check.passed else "FAIL"
        print(f"  {verdict}  {check.name:<{width}}  {check.figure}")
