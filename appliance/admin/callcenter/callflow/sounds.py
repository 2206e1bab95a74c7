"""The sound names a stored flow refers to, read tolerantly (before validation)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SOUND_FIELDS = {"play": ("sound",), "menu": ("prompt",), "voicemail": ("greeting",)}


def flow_sound_names(flow: Any) -> Iterator[str]:
    from .dialplan_text import is_dialplan_flow, text_sound_names

    if is_dialplan_flow(flow):
        yield from text_sound_names(flow)
        return
    nodes = flow.get("nodes") if isinstance(flow, dict) else None
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        for key in SOUND_FIELDS.get(str(node.get("kind")), ()):
            value = node.get(key)
            if isinstance(value, str) and value:
                yield value
