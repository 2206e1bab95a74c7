"""A 20-node call flow for the benchmarks (every node kind; valid against the bench's model)."""

from __future__ import annotations

from typing import Any


def twenty_node_flow(sounds: list[str], groups: list[str], schedule: str) -> dict[str, Any]:
    greeting, closed = sounds[0], sounds[1]
    nodes: list[dict[str, Any]] = [
        {"id": "start", "kind": "start", "next": "tag"},
        {
            "id": "tag",
            "kind": "set",
            "caller_id_prefix": "IVR ",
            "variable": "SEGMENT",
            "value": "retail",
            "next": "hours",
        },
        {
            "id": "hours",
            "kind": "schedule",
            "schedules": [schedule],
            "open": "welcome",
            "closed": "night",
        },
        {"id": "welcome", "kind": "play", "sound": greeting, "next": "main"},
        {
            "id": "main",
            "kind": "menu",
            "prompt": greeting,
            "timeout": 5,
            "retries": 3,
            "choices": [
                {"digit": "1", "next": "sales"},
                {"digit": "2", "next": "support"},
                {"digit": "3", "next": "billing"},
                {"digit": "0", "next": "desk"},
                {"digit": "9", "next": "sub"},
            ],
            "on_timeout": "sales",
            "on_invalid": "main",
        },
        {
            "id": "sub",
            "kind": "menu",
            "prompt": closed,
            "choices": [{"digit": "1", "next": "vip"}, {"digit": "*", "next": "main"}],
            "on_timeout": "main",
            "on_invalid": "bye",
        },
        {"id": "sales", "kind": "queue", "group": groups[0], "max_wait": 120, "next": "sales_vm"},
        {"id": "support", "kind": "queue", "group": groups[1], "max_wait": 180, "next": "overflow"},
        {
            "id": "billing",
            "kind": "queue",
            "group": groups[2],
            "max_wait": 60,
            "next": "billing_sorry",
        },
        {"id": "vip", "kind": "queue", "group": groups[3], "next": "desk"},
        {"id": "overflow", "kind": "queue", "group": groups[4], "max_wait": 60, "next": "out"},
        {"id": "billing_sorry", "kind": "play", "sound": closed, "next": "billing_vm"},
        {"id": "sales_vm", "kind": "voicemail", "mailbox": "sales", "greeting": closed},
        {"id": "billing_vm", "kind": "voicemail", "mailbox": "billing"},
        {
            "id": "desk",
            "kind": "transfer",
            "target": "workplace",
            "number": "10000",
            "next": "desk_sorry",
        },
        {"id": "desk_sorry", "kind": "play", "sound": closed, "next": "bye"},
        {"id": "out", "kind": "transfer", "target": "external", "number": "89030000000"},
        {"id": "night", "kind": "play", "sound": closed, "next": "night_vm"},
        {"id": "night_vm", "kind": "voicemail", "mailbox": "night", "max_seconds": 60},
        {"id": "bye", "kind": "hangup", "answer": True},
    ]
    assert len(nodes) == 20
    return {"version": 1, "nodes": nodes}
