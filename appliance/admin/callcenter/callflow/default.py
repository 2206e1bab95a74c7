"""The standard flow: today's fixed path (schedule -> greeting -> queue) as a graph.

Every topic without an edited flow follows it; the node ids are the labels the dialplan used
before call flows existed (``closed``), so the compiled dialplan of such a topic is the same.
"""

from __future__ import annotations

import itertools
from typing import Any


def standard_flow(
    greeting: str | None,
    closed_sound: str | None,
    group: str | None,
    schedules: list[str],
) -> dict[str, Any]:
    """The flow as JSON data (``Flow.model_validate`` accepts it)."""
    nodes: list[dict[str, Any]] = []
    working: list[dict[str, Any]] = []
    if greeting:
        working.append({"id": "greeting", "kind": "play", "sound": greeting})
    if group:
        working.append({"id": "queue", "kind": "queue", "group": group})
    working.append({"id": "hangup", "kind": "hangup", "answer": not working})
    _chain(working)
    first = working[0]["id"]
    if schedules:
        closed: list[dict[str, Any]] = []
        if closed_sound:
            closed.append({"id": "closed", "kind": "play", "sound": closed_sound})
            closed.append({"id": "closed_hangup", "kind": "hangup"})
        else:
            closed.append({"id": "closed", "kind": "hangup", "answer": True})
        _chain(closed)
        nodes.append(
            {"id": "start", "kind": "start", "next": "schedule", "x": 0, "y": 0},
        )
        nodes.append(
            {
                "id": "schedule",
                "kind": "schedule",
                "schedules": list(schedules),
                "open": first,
                "closed": "closed",
            }
        )
        nodes.extend(working)
        nodes.extend(closed)
    else:
        nodes.append({"id": "start", "kind": "start", "next": first})
        nodes.extend(working)
    _layout(nodes)
    return {"version": 1, "standard": True, "nodes": nodes}


def _chain(nodes: list[dict[str, Any]]) -> None:
    for node, after in itertools.pairwise(nodes):
        node["next"] = after["id"]


def _layout(nodes: list[dict[str, Any]]) -> None:
    """A readable left-to-right placement for the editor."""
    column = {
        "start": 0,
        "schedule": 1,
        "greeting": 2,
        "queue": 3,
        "hangup": 4,
        "closed": 2,
        "closed_hangup": 3,
    }
    for node in nodes:
        node["x"] = 40 + 220 * column.get(node["id"], 0)
        node["y"] = 260 if node["id"].startswith("closed") else 60
