"""The sound names a stored flow refers to, read tolerantly (before validation)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SOUND_FIELDS = {"play": ("sound",), "menu": ("prompt",), "voicemail": ("greeting",)}


def flow_sound_names(flow: Any) -> Iterator[str]:
    nodes = flow.get("nodes") if isinstance(flow, dict) else None
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        for key in SOUND_FIELDS.get(str(node.get("kind")), ()):
            value = node.get(key)
            if isinstance(value, str) and value:
                yield value
